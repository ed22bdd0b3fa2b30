"""The screens of an experiment session, as Scenes, and the pure pieces of its flow.

* :class:`Screen`: one screen (a Scene) and the keys that leave it;
  :class:`ScreenScenes` builds the welcome, instruction, example, practice
  summary, break, confirm-abort, resume and end screens;
* :func:`validate_participant`: the participant dialog's values, checked
  and sanitised (one-line :class:`ParticipantError`);
* :func:`balanced_latin_square` and :func:`participant_number`:
  counterbalancing of block order by participant number.

Nothing here draws or waits: the experiment driver presents the Scenes and
feeds key events (``experiment/run.py``).
"""

from __future__ import annotations

import hashlib
import math
import re
import textwrap
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from neurogym_app.errors import UserError
from neurogym_app.record.ids import sanitise_participant
from neurogym_app.stimuli.scene import GREY, Dot, Scene, Text, to_color

__all__ = [
    "ParticipantError",
    "ParticipantInfo",
    "Screen",
    "ScreenScenes",
    "BlockSummary",
    "balanced_latin_square",
    "participant_number",
    "validate_participant",
    "wrap",
]

MAX_FIELD_CHARS = 200
PROGRESS_Y = 3.95  # deg: the break screen's row of block squares, between its text lines
PROGRESS_ROOM = 1.5
WRAP_CHARS = 72


class ParticipantError(UserError, ValueError):
    """A participant dialog value that cannot be used (one line)."""


@dataclass(frozen=True)
class ParticipantInfo:
    """Who is tested: sanitised id, session number, counterbalancing number and extra fields."""

    id: str
    session: int = 1
    number: int = 1
    fields: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "session": self.session, "number": self.number, "fields": dict(self.fields)}


def participant_number(pid: str) -> int:
    """The number used for counterbalancing: the id's last run of digits (``P07`` -> 7), else a stable hash."""
    digits = re.findall(r"\d+", pid)
    if digits:
        return int(digits[-1])
    return int(hashlib.sha256(pid.encode("utf-8")).hexdigest()[:6], 16) % 1000 + 1


def _clean_text(name: str, raw: Any) -> str:
    text = str(raw).strip()
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in text):
        raise ParticipantError(f"{name}: contains control characters")
    if len(text) > MAX_FIELD_CHARS:
        raise ParticipantError(f"{name}: longer than {MAX_FIELD_CHARS} characters")
    return text


def _check_field(spec: Any, raw: Any) -> Any:
    name = spec.shown
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if spec.required:
            raise ParticipantError(f"{name}: required")
        return None
    if spec.type == "text":
        return _clean_text(name, raw)
    if spec.type == "choice":
        text = _clean_text(name, raw)
        if text not in spec.choices:
            raise ParticipantError(f"{name}: choose one of {', '.join(spec.choices)} (got {text!r})")
        return text
    text = _clean_text(name, raw) if isinstance(raw, str) else raw
    try:
        value: float = int(text) if spec.type == "int" else float(text)
    except (TypeError, ValueError):
        kind = "a whole number" if spec.type == "int" else "a number"
        raise ParticipantError(f"{name}: must be {kind} (got {str(raw)!r})") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise ParticipantError(f"{name}: must be a finite number")
    if spec.min is not None and value < spec.min:
        raise ParticipantError(f"{name}: must be at least {spec.min:g} (got {value:g})")
    if spec.max is not None and value > spec.max:
        raise ParticipantError(f"{name}: must be at most {spec.max:g} (got {value:g})")
    return value


def validate_participant(
    pid: Any,
    session: Any = 1,
    values: Mapping[str, Any] | None = None,
    fields: Sequence[Any] = (),
    *,
    number: Any = None,
) -> ParticipantInfo:
    """Check the dialog's values; the first problem is a one-line :class:`ParticipantError`.

    ``pid`` is sanitised as a folder name (``sanitise_participant``); ``session``
    must be a positive whole number; ``fields`` are the experiment's
    ``participant_fields`` and ``values`` their raw entries (text is fine).
    """
    try:
        clean_id = sanitise_participant(pid if isinstance(pid, str) else str(pid))
    except UserError as exc:
        raise ParticipantError(str(exc)) from None
    try:
        sess = int(str(session).strip())
    except ValueError:
        raise ParticipantError(f"session must be a whole number (got {str(session)!r})") from None
    if sess < 1:
        raise ParticipantError(f"session must be 1 or more (got {sess})")
    values = dict(values or {})
    known = {f.name for f in fields}
    unknown = [k for k in values if k not in known]
    if unknown:
        raise ParticipantError(f"unknown participant field {unknown[0]!r} (the experiment asks: {', '.join(known) or 'none'})")
    out = {f.name: _check_field(f, values.get(f.name, f.default)) for f in fields}
    if number is None:
        num = participant_number(clean_id)
    else:
        try:
            num = int(number)
        except (TypeError, ValueError):
            raise ParticipantError(f"participant number must be a whole number (got {number!r})") from None
        if num < 1:
            raise ParticipantError(f"participant number must be 1 or more (got {num})")
    return ParticipantInfo(clean_id, sess, num, out)


def balanced_latin_square(n: int) -> list[list[int]]:
    """A Williams design: rows of ``range(n)`` where each item follows every other equally often.

    ``n`` rows for even ``n``; ``2n`` (the square and its mirror) for odd ``n``.
    """
    if n < 1:
        raise ValueError("a Latin square needs at least one item")
    rows = []
    for r in range(n):
        row, j, h = [], 0, 0
        for i in range(n):
            if i < 2 or i % 2 != 0:
                val = j
                j += 1
            else:
                val = n - h - 1
                h += 1
            row.append((val + r) % n)
        rows.append(row)
    if n % 2 and n > 1:
        rows += [list(reversed(r)) for r in rows]
    return rows


def wrap(text: str, width: int = WRAP_CHARS) -> str:
    """Reflow each paragraph of ``text`` (paragraphs are separated by blank lines) to ``width`` characters."""
    paragraphs = re.split(r"\n\s*\n", text.strip("\n"))
    return "\n\n".join(textwrap.fill(" ".join(p.split()), width) for p in paragraphs if p.strip())


def _participant_controls(controls: str) -> list[str]:
    """``KeyMap.describe()`` parts in words a participant understands."""
    out = []
    for part in (p.strip() for p in controls.split("|")):
        if not part:
            continue
        if part.startswith("no key: fixate"):
            hold = "hold the key down to respond" if "hold" in part else "press once to respond"
            part = f"no key: keep your eyes on the centre ({hold})"
        out.append(part)
    return out


@dataclass(frozen=True)
class Screen:
    """A screen: its Scene and the keys that leave it (key -> result).

    Presses earlier than ``min_s`` after the screen's first frame are
    ignored (a key still down from the last trial must not skip it).
    ``auto`` (False for the confirm-abort screen) lets a simulated
    participant move on by itself.
    """

    name: str
    scene: Scene
    keys: Mapping[str, str] = field(default_factory=lambda: {"space": "continue"})
    min_s: float = 0.3
    auto: bool = True


@dataclass(frozen=True)
class BlockSummary:
    """What a break or end screen reports about a block or a task."""

    label: str
    n_trials: int
    n_correct: int
    rt_median_ms: float | None = None
    extra: str = ""

    @property
    def accuracy(self) -> float | None:
        return self.n_correct / self.n_trials if self.n_trials else None


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100.0 * value:.0f}%"


class ScreenScenes:
    """Builds the flow's screens in degrees of visual angle (text ~0.55 deg high).

    ``pix_per_deg`` converts when ``units="pix"`` is asked; ``continue_key``
    is named in the captions.
    """

    TEXT = (235, 235, 235)
    DIM = (190, 190, 190)
    ACCENT = (250, 215, 120)

    def __init__(self, background: Any = GREY, *, units: str = "deg", pix_per_deg: float = 36.0, continue_key: str = "space") -> None:
        self.background = to_color(background)
        self.units = units
        self.k = 1.0 if units == "deg" else float(pix_per_deg)
        self.key = continue_key
        self.key_shown = {"space": "Space", "return": "Enter"}.get(continue_key, continue_key.upper())

    # ---------------------------------------------------------------- pieces
    def _text(self, text: str, y: float, size: float = 0.55, color: Any = None, bold: bool = False) -> Text:
        return Text(text, 0.0, y * self.k, size=size * self.k, color=color or self.TEXT, bold=bold)

    def _page(self, title: str, blocks: Sequence[tuple[str, float, Any, bool]], caption: str | None, top: float = 7.5) -> Scene:
        """A title at ``top`` and text blocks stacked under it: (text, size, color, bold)."""
        items: list[Any] = []
        y = top
        if title:
            items.append(self._text(title, y, size=0.95, color=self.ACCENT, bold=True))
            y -= 1.6
        for text, size, color, bold in blocks:
            if not text:
                y -= size * 0.8
                continue
            n = text.count("\n") + 1
            height = n * size * 1.3
            items.append(self._text(text, y - height / 2, size=size, color=color, bold=bold))
            y -= height + size * 0.8
        return Scene(tuple(items), background=self.background, units=self.units, caption=caption)  # type: ignore[arg-type]

    def _continue(self, what: str = "continue") -> str:
        return f"Press {self.key_shown} to {what}"

    # --------------------------------------------------------------- screens
    def welcome(self, title: str, text: str) -> Screen:
        body = wrap(text or "Thank you for taking part. Instructions follow on the next screens.")
        scene = self._page(title or "Welcome", [(body, 0.6, None, False)], self._continue("begin"), top=5.0)
        return Screen("welcome", scene, {self.key: "continue"})

    def instructions(self, title: str, text: str, controls: str, *, index: int = 1, total: int = 1, practice: int = 0) -> Screen:
        """Task instructions with the key/pointer map (``KeyMap.describe()``: parts split at ``|``)."""
        lines = _participant_controls(controls)
        blocks: list[tuple[str, float, Any, bool]] = []
        if text:
            blocks.append((wrap(text), 0.55, None, False))
        blocks.append(("Controls", 0.6, self.ACCENT, True))
        blocks.append(("\n".join(lines), 0.55, None, False))
        if practice:
            blocks.append((f"You will first practise with {practice} trial{'s' if practice != 1 else ''}, with feedback.", 0.5, self.DIM, False))
        head = f"Task {index} of {total}: {title}" if total > 1 else title
        return Screen("instructions", self._page(head, blocks, self._continue("see an example")), {self.key: "continue"})

    def example(self, stimulus: Scene, answer: str | None, keys: str | None) -> Screen:
        """The task's stimulus at a representative moment, with what to answer there."""
        scale = 1.0 if stimulus.units == "deg" else (self.k if self.units == "pix" else 36.0)
        items = list(stimulus.items)
        items.append(Text("Example", 0.0, 8.6 * scale, size=0.8 * scale, color=self.ACCENT, bold=True))
        if answer:
            how = f" - press {keys}" if keys else ""
            line = f"Here the answer is: {answer}{how}"
        else:
            line = "Here you should not press any key"
        items.append(Text(line, 0.0, -7.6 * scale, size=0.55 * scale, color=self.TEXT))
        scene = replace(stimulus, items=tuple(items), caption=self._continue("start"))
        return Screen("example", scene, {self.key: "continue"})

    def practice_done(self, summary: BlockSummary, outcomes: Sequence[str], main_feedback: bool) -> Screen:
        acc = summary.accuracy
        blocks: list[tuple[str, float, Any, bool]] = [
            (f"You answered {summary.n_correct} of {summary.n_trials} practice trials correctly ({_pct(acc)}).", 0.6, None, False),
        ]
        if outcomes:
            marks = "   ".join(("+" if o == "correct" else "-") for o in outcomes)
            blocks.append((marks, 0.7, self.DIM, True))
        if acc is not None and acc < 0.6:
            blocks.append(("Check the keys again if you are unsure; answer as accurately as you can.", 0.5, self.ACCENT, False))
        after = "You will see feedback after each trial." if main_feedback else "From now on there is no feedback after each trial."
        blocks.append((f"The main part starts now. {after}", 0.55, None, False))
        return Screen("practice_done", self._page("Practice finished", blocks, self._continue("start")), {self.key: "continue"})

    def break_screen(self, done: int, total: int, trials_done: int, trials_total: int, last: BlockSummary | None, text: str, show_accuracy: bool = True, min_s: float = 0.3) -> Screen:
        items: list[Any] = []
        page = self._page(
            "Break",
            [
                (f"Block {done} of {total} done", 0.65, None, True),
                ("", PROGRESS_ROOM, None, False),  # room for the progress squares
                (f"Trials so far: {trials_done} of {trials_total}", 0.55, None, False),
                (
                    f"Accuracy in the last block: {_pct(last.accuracy)}" if (last and show_accuracy) else "",
                    0.55,
                    None,
                    False,
                ),
                (wrap(text), 0.55, self.DIM, False),
            ],
            self._continue("continue"),
        )
        # progress: one square per block, filled when done
        n = max(total, 1)
        gap = min(1.2, 16.0 / n)
        x0 = -(n - 1) * gap / 2
        for i in range(n):
            filled = i < done
            color = (110, 200, 120) if filled else (200, 200, 200)
            items.append(Dot((x0 + i * gap) * self.k, PROGRESS_Y * self.k, size=gap * 0.6 * self.k, color=color, shape="square", fill=filled, line_width=0.06 * self.k))
        return Screen("break", page.with_items(*items), {self.key: "continue"}, min_s=max(0.3, min_s))

    def confirm_abort(self) -> Screen:
        scene = self._page(
            "Quit the experiment?",
            [
                ("Everything you answered so far is saved.", 0.6, None, False),
                ("Y: quit        N or Space: continue", 0.6, self.ACCENT, True),
            ],
            None,
            top=3.0,
        )
        return Screen("confirm_abort", scene, {"y": "quit", "n": "continue", "space": "continue", self.key: "continue"}, min_s=0.1, auto=False)

    def resume(self, block: int, total: int, trial: int, n_trials: int) -> Screen:
        where = f"block {block} of {total}" + (f", trial {trial + 1} of {n_trials}" if trial else "")
        scene = self._page("Welcome back", [(f"The session continues at {where}.", 0.6, None, False)], self._continue("continue"), top=3.0)
        return Screen("resume", scene, {self.key: "continue"})

    def end(self, text: str, summaries: Sequence[BlockSummary], experimenter: str, *, aborted: bool = False) -> Screen:
        blocks: list[tuple[str, float, Any, bool]] = [(wrap(text), 0.6, None, False)]
        if aborted:
            blocks.insert(0, ("The experiment was stopped; your answers so far are saved.", 0.55, self.ACCENT, False))
        lines = []
        for s in summaries:
            rt = f", median RT {s.rt_median_ms:.0f} ms" if s.rt_median_ms is not None else ""
            extra = f", {s.extra}" if s.extra else ""
            lines.append(f"{s.label}: {s.n_trials} trials, {_pct(s.accuracy)} correct{rt}{extra}")
        if lines:
            blocks.append(("\n".join(lines), 0.5, None, False))
        items = self._page("Thank you!" if not aborted else "Session stopped", blocks, self._continue("close"), top=6.5)
        info = Text(experimenter, 0.0, -7.0 * self.k, size=0.38 * self.k, color=self.DIM)
        return Screen("end", items.with_items(info), {self.key: "close", "return": "close"})

    def blank(self) -> Scene:
        return Scene((), background=self.background, units=self.units)  # type: ignore[arg-type]

    def fixation_blank(self) -> Scene:
        return self.blank()
