"""A second player facing the very trials a person plays (``play --against``); pure: no Qt, no torch.

Two kinds of *opponent* meet a running session through one protocol,
:class:`Opponent`, passed in from above (the CLI or the app builds it):

* trained agents (``agents.against.AgentOpponent``): after each of the
  person's trials is committed, its variables (trial seed included) go to a
  worker process whose agents play that same trial (``new_trial(**trial)``)
  and record it in their own sessions;
* a recorded agent session (:class:`RecordedOpponent`): its trials are the
  plan the person plays (``--match`` the other way round); the agent's
  answer to trial ``n`` is revealed once the person has played it.

:class:`AgainstRecorder` sits between the runner and the session recorder:
it forwards every trial to the recorder and then hands its variables to the
opponent, so nothing reaches the opponent before the person's trial is safe
on disk and nothing of it runs inside a frame. :class:`AgainstModel` holds
what the experimenter's live plots show of the opponent: one
:class:`~neurogym_app.analysis.trial_table.TrialTable` per agent (the statistics of
the Compare view), the pooled table of several agents, the agent's steps of
each trial for the timeline, and a per-trial "agent chose X / you chose Y".
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from neurogym_app.analysis.trial_table import TrialTable
from neurogym_app.errors import UserError

__all__ = [
    "AgainstError",
    "PROMPT_CLOSE_S",
    "Opponent",
    "OpponentTrial",
    "AgainstRecorder",
    "AgainstModel",
    "RecordedOpponent",
    "constant_rt_note",
    "is_session_folder",
    "AgainstRun",
    "RevealScenes",
    "prepare",
    "opponent_env",
]

TIMELINE_KEEP = 16  # trials of the opponent kept for the timeline


PROMPT_CLOSE_S = 1.5  # the app's close: the trial in progress is finished, those still queued after this are cancelled


class AgainstError(UserError):
    """An opponent that cannot face this session (other task, other spaces, no trials...)."""


@dataclass
class OpponentTrial:
    """One trial an opponent played: the trials.csv row and, for the timeline, its steps."""

    player: str  # the agent's label (its name; several runs of one name are numbered)
    index: int  # the person's trial index it answers
    row: dict[str, Any]
    actions: np.ndarray  # the action of every step
    probs: np.ndarray | None = None  # steps x actions (RNN agents), None otherwise
    session: str | None = None  # the opponent's session folder

    @property
    def choice_label(self) -> str | None:
        label = self.row.get("choice_label")
        return str(label) if label not in (None, "") else None

    def choice_offset_s(self, rt_from: str | None) -> float | None:
        """When the agent answered, in seconds of task time since the trial's start (None: no answer)."""
        rt = self.row.get("rt_ms")
        t0 = self.row.get("trial_onset_s")
        if not isinstance(rt, (int, float)) or not isinstance(t0, (int, float)):
            return None
        onset = self.row.get(f"onset_{rt_from}_s") if rt_from else t0
        onset = onset if isinstance(onset, (int, float)) else t0
        return float(onset) - float(t0) + float(rt) / 1000.0


class Opponent(Protocol):
    """What a session needs of the player(s) facing its trials (see module doc).

    ``labels`` are the players' names (known before the session starts);
    ``links()`` the manifest entries of their sessions (``[]`` until known);
    ``plan(n)`` the variables of the person's trial ``n`` when the opponent
    imposes them (a recorded session), else None; ``submit`` is called once
    per committed trial of the person, ``poll`` between frames (never
    blocks); ``close`` waits for the trials submitted so far and closes the
    opponent's sessions; ``error`` is a one-line message once it failed.
    """

    labels: list[str]
    error: str | None

    def check(self, env: Any, task_id: str) -> None: ...
    def start(self, reference: Path | None, manifest: Mapping[str, Any]) -> None: ...
    def plan(self, n: int) -> dict[str, Any] | None: ...
    def submit(self, index: int, trial_vars: Mapping[str, Any]) -> None: ...
    def poll(self) -> list[OpponentTrial]: ...
    def links(self) -> list[dict[str, Any]]: ...
    def close(self, status: str = "completed", timeout_s: float = ...) -> None: ...


class AgainstRecorder:
    """A recorder that hands each committed trial's variables to the opponent (see module doc)."""

    def __init__(self, inner: Any, opponent: Opponent, model: AgainstModel | None = None) -> None:
        self.inner = inner
        self.opponent = opponent
        self.model = model

    def write_trial(self, record: Any) -> dict[str, Any]:
        if self.inner is not None:
            row = self.inner.write_trial(record)
        else:
            row = {"trial": record.index, "block": record.block, **record.vars, **record.summary}
        self.opponent.submit(int(record.index), dict(record.vars))
        if self.model is not None:
            self.model.add_person(row)
        return row

    def __getattr__(self, name: str) -> Any:  # path, manifest, close... of the real recorder
        return getattr(self.inner, name)


def constant_rt_note(table: TrialTable, dt_ms: float | None) -> str | None:
    """A sentence instead of a chronometric curve when every reaction time is the same one step.

    Agents on a task with a fixed decision period answer at its first step, so
    their RT is one ``dt`` whatever the stimulus; a curve through those points
    would mean nothing.
    """
    rt = table.column("rt_ms")
    rt = rt[np.isfinite(rt)]
    if rt.size < 2 or float(np.ptp(rt)) > 1e-6:
        return None
    value = float(rt[0])
    step = f"one dt ({dt_ms:g} ms)" if dt_ms and abs(value - dt_ms) < 1e-6 else f"{value:.0f} ms"
    return f"agent RT is always {step}: it answers at the first step of the fixed decision period (no chronometric curve)"


class AgainstModel:
    """The opponent's side of the live plots (see module doc); ``version`` grows with every change."""

    def __init__(
        self, labels: Sequence[str], condition_vars: Sequence[str] = (), strength_var: str | None = None, rt_from: str | None = None
    ) -> None:
        self.labels = list(labels)
        self.rt_from = rt_from
        self.tables: dict[str, TrialTable] = {
            label: TrialTable(condition_vars=condition_vars, strength_var=strength_var, label=label) for label in self.labels
        }
        self.trials: OrderedDict[int, dict[str, OpponentTrial]] = OrderedDict()
        self.person_rows: dict[int, Mapping[str, Any]] = {}
        self.version = 0
        self._pooled: tuple[int, TrialTable] | None = None
        self._listeners: list[Callable[[AgainstModel], None]] = []

    def subscribe(self, callback: Callable[[AgainstModel], None]) -> None:
        self._listeners.append(callback)

    def add(self, trial: OpponentTrial) -> None:
        table = self.tables.get(trial.player)
        if table is None:
            table = self.tables[trial.player] = TrialTable(label=trial.player)
            self.labels.append(trial.player)
        table.append(trial.row, notify=False)
        self.trials.setdefault(trial.index, {})[trial.player] = trial
        while len(self.trials) > TIMELINE_KEEP:
            self.trials.popitem(last=False)
        self.version += 1
        for cb in list(self._listeners):
            cb(self)

    def add_person(self, row: Mapping[str, Any]) -> None:
        """The person's row of a trial (for the "agent chose X / you chose Y" marker)."""
        self.person_rows[int(row.get("trial", len(self.person_rows)))] = row
        if len(self.person_rows) > 4 * TIMELINE_KEEP:
            self.person_rows.pop(min(self.person_rows))
        self.version += 1

    @property
    def n_agents(self) -> int:
        return len(self.labels)

    def pooled(self) -> TrialTable:
        """All agents' trials in one table (the bold curve); the single agent's table if there is one."""
        if len(self.labels) == 1:
            return self.tables[self.labels[0]]
        if self._pooled is None or self._pooled[0] != self.version:
            self._pooled = (self.version, TrialTable.pooled([self.tables[k] for k in self.labels], label=f"{len(self.labels)} agents"))
        return self._pooled[1]

    def running_accuracy_spread(self, window: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per trial index: the mean, min and max over agents of their running accuracy (trials all have played)."""
        n = min((len(t) for t in self.tables.values()), default=0)
        if n == 0:
            z = np.zeros(0)
            return z, z, z
        runs = np.vstack([t.running_accuracy(window)[:n] for t in self.tables.values()])
        with np.errstate(invalid="ignore"):
            return np.nanmean(runs, axis=0), np.nanmin(runs, axis=0), np.nanmax(runs, axis=0)

    def accuracy_spread(self) -> tuple[float, float, float] | None:
        """(mean, min, max) of the agents' accuracies (None before any trial)."""
        accs = [t.accuracy() for t in self.tables.values() if len(t)]
        accs = [a for a in accs if np.isfinite(a)]
        if not accs:
            return None
        return float(np.mean(accs)), float(min(accs)), float(max(accs))

    def marker(self, index: int) -> str | None:
        """``"agent chose right / you chose left"`` for trial ``index`` (None until both answered)."""
        answers = self.trials.get(index)
        person = self.person_rows.get(index)
        if not answers or person is None:
            return None
        you = person.get("choice_label") or "nothing"
        if len(answers) == 1:
            agent = next(iter(answers.values())).choice_label or "nothing"
            return f"agent chose {agent} / you chose {you}"
        counts: dict[str, int] = {}
        for trial in answers.values():
            key = trial.choice_label or "nothing"
            counts[key] = counts.get(key, 0) + 1
        agents = ", ".join(f"{k} x{v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
        return f"agents: {agents} / you: {you}"


def is_session_folder(path: str | os.PathLike[str]) -> bool:
    """A recorded session (manifest.json + steps.sqlite), as opposed to an agent folder."""
    from neurogym_app.record import schema

    p = Path(path)
    return (p / schema.MANIFEST_NAME).is_file() and (p / schema.SQLITE_NAME).is_file()


@dataclass
class _Recorded:
    vars: dict[str, Any]
    row: dict[str, Any]
    actions: np.ndarray
    probs: np.ndarray | None


class RecordedOpponent:
    """A recorded agent session whose trials are the person's plan (see module doc)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        from neurogym_app.record.reader import open_session

        with open_session(path) as reader:
            self.path = reader.path
            self.manifest = dict(reader.manifest)
            self.trials = []
            for i in reader.trial_indices():
                t = reader.trial(i, arrays=True, events=False)
                probs = t.arrays.get("action_probs")
                self.trials.append(_Recorded(t.vars, t.row, np.asarray(t.arrays.get("action", np.zeros(0))), probs))
        player = self.manifest.get("player") or {}
        if player.get("kind") != "agent":
            raise AgainstError(
                f"{self.path}: a {player.get('kind') or 'unknown'} session; --against takes an agent folder or a recorded agent session"
            )
        if not self.trials:
            raise AgainstError(f"{self.path}: the session has no committed trials to play against")
        self.labels = [str(self.manifest.get("participant") or player.get("id") or self.path.name)]
        self.error: str | None = None
        self._submitted: list[int] = []

    @property
    def task_id(self) -> str:
        return str((self.manifest.get("task") or {}).get("id"))

    def check(self, env: Any, task_id: str) -> None:
        if task_id != self.task_id:
            raise AgainstError(f"{self.path}: the recorded agent played {self.task_id}, not {task_id}; give a session of {task_id}")

    def check_trials(self, n_trials: int) -> None:
        if n_trials > len(self.trials):
            raise AgainstError(
                f"{self.path}: the recorded session has {len(self.trials)} trials; play at most {len(self.trials)} against it (--trials)"
            )

    def start(self, reference: Path | None, manifest: Mapping[str, Any]) -> None:
        return None

    def plan(self, n: int) -> dict[str, Any] | None:
        return dict(self.trials[n].vars) if n < len(self.trials) else None

    def submit(self, index: int, trial_vars: Mapping[str, Any]) -> None:
        self._submitted.append(index)

    def poll(self) -> list[OpponentTrial]:
        out = []
        for i in self._submitted:
            if i < len(self.trials):
                t = self.trials[i]
                out.append(OpponentTrial(self.labels[0], i, dict(t.row), t.actions, t.probs, str(self.path)))
        self._submitted = []
        return out

    def links(self) -> list[dict[str, Any]]:
        return [{"kind": "agent", "id": self.labels[0], "session": str(self.path), "role": "plan"}]

    def close(self, status: str = "completed", timeout_s: float = 0.0) -> None:
        return None


@dataclass
class AgainstRun:
    """An opponent bound to one session: the live model plus the recorder links (used by the builders)."""

    opponent: Opponent
    model: AgainstModel
    recorder: Any = None
    _linked: list[dict[str, Any]] = field(default_factory=list)

    def poll(self) -> int:
        """Take the opponent's finished trials into the model; update the manifest links when they appear."""
        trials = self.opponent.poll()
        for trial in trials:
            self.model.add(trial)
        self._link()
        return len(trials)

    def _link(self) -> None:
        links = self.opponent.links()
        if links and links != self._linked and self.recorder is not None:
            self._linked = links
            self.recorder.update_manifest(against=links)

    def start(self, recorder: Any, manifest: Mapping[str, Any]) -> None:
        """Start the opponent on the session ``recorder`` writes (None: an unrecorded session, ``manifest`` then)."""
        self.recorder = recorder
        self.opponent.start(recorder.path if recorder is not None else None, recorder.manifest if recorder is not None else manifest)

    def tee(self, inner: Any) -> AgainstRecorder:
        """The recorder the runner writes to: ``inner``, then the opponent and the model."""
        return AgainstRecorder(inner, self.opponent, self.model)

    def close(self, status: str, timeout_s: float | None = None) -> None:
        """Close the opponent: it plays the trials sent for up to ``timeout_s`` (None: its own default,
        a headless run's whole backlog), then ends (see ``PROMPT_CLOSE_S``)."""
        if timeout_s is None:
            self.opponent.close(status)
        else:
            self.opponent.close(status, timeout_s=timeout_s)
        self.poll()


class RevealScenes:
    """The teaching demo's scenes: after each trial the feedback screen also says what the network chose.

    Only a demo asks for this (``demo --student``, ``play --show-agent``); in
    every other session the participant's screen shows nothing of the agent.
    """

    def __init__(self, inner: Any, against: AgainstRun, pix_per_deg: float = 36.0, wait_s: float = 3.0) -> None:
        self.inner = inner
        self.against = against
        self.wait_s = wait_s
        self.background = getattr(inner, "background", None)
        self.scale = 1.0 if getattr(inner, "units", "deg") == "deg" else float(pix_per_deg)

    def step(self, **state: Any) -> Any:
        return self.inner.step(**state)

    def blank(self) -> Any:
        return self.inner.blank()

    def message(self, text: str) -> Any:
        return self.inner.message(text)

    def answer_text(self) -> str:
        """What the network did on the trial just played (the person's latest)."""
        self.against.poll()
        model = self.against.model
        if not model.person_rows:
            return ""
        index = max(model.person_rows)
        answers = model.trials.get(index)
        wait = getattr(self.against.opponent, "wait_trial", None)
        if not answers and callable(wait):  # a demo may pause a moment for the answer (an agent's trial takes ms)
            for trial in wait(index, self.wait_s):
                model.add(trial)
            answers = model.trials.get(index)
        if not answers:
            return "the network is answering..."
        texts = []
        for label, ans in answers.items():
            outcome = str(ans.row.get("outcome") or "")
            name = label if len(model.labels) > 1 else "the network"
            texts.append(f"{name} chose {ans.choice_label or 'nothing'} ({outcome})")
        return "\n".join(texts)

    def feedback(self, outcome: str, reward: float | None = None) -> Any:
        from neurogym_app.stimuli.scene import Text

        scene = self.inner.feedback(outcome, reward)
        text = self.answer_text()
        if not text or not hasattr(scene, "with_items"):
            return scene
        return scene.with_items(Text(text, 0.0, -3.0 * self.scale, size=0.55 * self.scale, color=(255, 190, 110)))


def prepare(opponent: Opponent, env: Any, task_id: str, n_trials: int, manifest: dict[str, Any]) -> AgainstRun:
    """Check ``opponent`` against the session about to start and add its links to ``manifest``.

    Called by the session builders before the recorder exists, so a mismatched
    agent is refused before anything is recorded. A recorded opponent's trials
    become the plan (``manifest["trial_source"] = "match"``: verify rebuilds
    each trial from its variables).
    """
    opponent.check(env, task_id)
    check_trials = getattr(opponent, "check_trials", None)
    if callable(check_trials):
        check_trials(n_trials)
    links = opponent.links()
    if isinstance(opponent, RecordedOpponent):
        m = opponent.manifest
        manifest["trial_source"] = "match"
        manifest["match"] = {
            "session": str(opponent.path),
            "participant": m.get("participant"),
            "player_kind": (m.get("player") or {}).get("kind"),
            "seed": (m.get("seeds") or {}).get("env"),
            "n_trials": n_trials,
        }
    else:
        folders = getattr(opponent, "folders", [])
        links = [{"kind": "agent", "id": label, "folder": str(f), "session": None, "role": "against"} for label, f in zip(opponent.labels, folders)]
    manifest["against"] = links
    meta = getattr(getattr(env, "unwrapped", env), "metadata", {}) or {}
    model = AgainstModel(opponent.labels, tuple(meta.get("condition_vars") or ()), meta.get("strength_var"), meta.get("rt_from"))
    return AgainstRun(opponent, model)


def opponent_env(opponent: Opponent) -> Any:
    """The task a recorded opponent played, rebuilt from its manifest (None for live agents)."""
    if not isinstance(opponent, RecordedOpponent):
        return None
    from neurogym_app.record.verify import env_from_manifest

    return env_from_manifest(opponent.manifest)
