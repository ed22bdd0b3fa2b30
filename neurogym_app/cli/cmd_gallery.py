"""`neurogym-app gallery --out DIR`: a static HTML page per task, with a figure of its periods.

``DIR/index.html`` lists the tasks; ``DIR/<task>.html`` describes one (text,
paper link, spaces and channel names, timing, rewards) and shows a figure of
an example run made with ``plot_env`` (``DIR/img/<task>-periods.png``), played
by a ground-truth player so the periods and a correct response are visible.
A stimulus picture is added when ``stimulus_picture`` can make one.
"""

from __future__ import annotations

import argparse
import html
import importlib
import importlib.util
import os
import re
import sys
from pathlib import Path
from typing import Any

from neurogym_app.core import registry

__all__ = ["add_parser", "run", "stimulus_picture", "write_gallery", "page_name"]

IMG_DIR = "img"

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
code { background: #f5f5f5; padding: 0 0.2em; }
img { max-width: 100%; border: 1px solid #ddd; }
.note { color: #a33; }
.tags span { background: #e8eef8; border-radius: 0.6em; padding: 0 0.5em; margin-right: 0.3em; }
"""


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("gallery", help="write an HTML gallery of the tasks (one page each, with a periods figure)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if needed)")
    p.add_argument("--tasks", nargs="+", metavar="TASK", help="only these task ids (default: every registered task)")
    p.add_argument("--seed", type=int, default=0, help="seed of the example runs (default 0)")
    p.add_argument("--trials", type=int, default=2, help="trials shown in each periods figure (default 2)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from neurogym_app.config.limits import check_trial_count

    problem = check_trial_count(args.trials, "--trials")
    if problem:
        raise registry.TaskParameterError(problem)
    ids = args.tasks or sorted(registry.entries())
    for task_id in args.tasks or []:
        registry.spec(task_id)  # unknown ids fail before any work
    problems = write_gallery(Path(args.out), ids, seed=args.seed, trials=args.trials)
    for problem in problems:
        print(f"neurogym-app: {problem}", file=sys.stderr)
    print(f"gallery of {len(ids)} tasks written to {Path(args.out) / 'index.html'}")
    return 1 if problems else 0


# --------------------------------------------------------------------- pictures


def stimulus_picture(task_id: str, path: Path) -> bool:
    """Draw the task's stimulus to ``path`` (PNG, offscreen); True if drawn."""
    from neurogym_app.stimuli.views import stimulus_picture as draw

    _draw_offscreen_without_display()
    return bool(draw(task_id, Path(path)))


def _draw_offscreen_without_display() -> None:
    # The views draw with QPainter. Without a display Qt's default platform
    # aborts the whole process (not an exception), and a picture written to a
    # file needs no window: use the offscreen platform unless one is chosen.
    from neurogym_app.cli.display_check import has_display

    if not has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


# --------------------------------------------------------------------- pages


def page_name(task_id: str) -> str:
    """File name of a task's page (ids may hold characters unsafe in file names)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", task_id) + ".html"


class _GroundTruthPlayer:
    """Plays the correct action each step, so the figure shows a correct trial."""

    def __init__(self, env: Any) -> None:
        self.task = env.unwrapped
        self.space = env.action_space

    def predict(self, ob: Any) -> Any:
        if getattr(self.task, "tmax", 0) > 0:
            return self.task.gt_now
        return self.space.sample()


def _periods_figure(task_id: str, path: Path, seed: int, trials: int) -> None:
    from neurogym_app.utils import plot_env

    env = registry.make(task_id)
    env.action_space.seed(seed)
    fig = plot_env(env, num_trials=trials, model=_GroundTruthPlayer(env), seed=seed, fname=path,
                   fig_kwargs={"figsize": (9, 6), "dpi": 80})  # fmt: skip
    del fig


def _e(value: Any) -> str:
    return html.escape(str(value))


def _table(header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _names(space: dict[str, Any]) -> str:
    names = space.get("names") or {}
    if not names:
        return "-"
    return ", ".join(f"<code>{_e(k)}</code>: {_e(v)}" for k, v in names.items())


def _page(info: dict[str, Any], figure: str | None, picture: str | None, figure_note: str | None) -> str:
    task_id = info["id"]
    parts = [f"<p><a href='index.html'>&larr; all tasks</a></p><h1>{_e(task_id)}</h1>"]
    if not info.get("available", True):
        parts.append(f"<p class='note'>Unavailable here: {_e(info.get('note'))}</p>")
        return _document(task_id, "".join(parts))
    if info.get("description"):
        parts.append(f"<p>{_e(info['description'])}</p>")
    if info.get("paper_name") or info.get("paper_link"):
        title = _e(" ".join(str(info.get("paper_name") or info.get("paper_link")).split()))
        link = info.get("paper_link")
        parts.append(f"<p>Paper: <a href='{_e(link)}'>{title}</a></p>" if link else f"<p>Paper: {title}</p>")
    tags = "".join(f"<span>{_e(t)}</span>" for t in info.get("tags", []))
    parts.append(f"<p class='tags'>Group: {_e(info.get('group'))} &nbsp; Tags: {tags or '-'}</p>")
    human = "yes" if info.get("human_playable", True) else f"no ({_e(info.get('human_playable_reason'))})"
    parts.append(f"<p>Human-playable: {human}</p>")

    obs, act = info["observation_space"], info["action_space"]
    labels = info.get("action_labels") or {}
    parts.append("<h2>Spaces</h2>")
    parts.append(
        _table(
            ["", "type", "size", "channel / action names"],
            [
                ["observation", _e(obs["type"]), _e(obs.get("shape", obs.get("n"))), _names(obs)],
                ["action", _e(act["type"]), _e(act.get("n", act.get("shape"))), _names(act)
                 + (f"<br>keys: {_e(', '.join(f'{k}={v}' for k, v in labels.items()))}" if labels else "")],
            ],
        )
    )  # fmt: skip
    if info.get("has_periods"):
        presets = info.get("timing_presets", {})
        header = ["period", f"default (dt = {info.get('dt')} ms)", *[f"preset {p!r}" for p in presets]]
        rows = [[f"<code>{_e(p)}</code>", _e(spec), *[_e(presets[n].get(p, "")) for n in presets]]
                for p, spec in info.get("timing", {}).items()]  # fmt: skip
        parts.append("<h2>Timing</h2>" + _table(header, rows))
        parts.append(f"<p>Periods of a trial: {_e(' → '.join(info.get('periods', [])))}</p>")
        rewards = info.get("rewards", {})
        if rewards:
            parts.append(
                "<h2>Rewards</h2>" + _table(["outcome", "reward"], [[_e(k), _e(v)] for k, v in rewards.items()])
            )
        example = info.get("example_trial") or {}
        if example:
            parts.append(
                "<h2>Trial variables (example)</h2>"
                + _table(["variable", "value"], [[_e(k), _e(v)] for k, v in example.items()])
            )
    parts.append("<h2>Periods figure</h2>")
    if figure:
        parts.append(
            f"<p><img src='{_e(figure)}' alt='periods of {_e(task_id)}'></p>"
            "<p>An example run played by the ground truth: column <i>t</i> shows the observation, the action "
            "chosen on it, the ground truth it was judged against and its reward; periods are shaded and dashed "
            "lines mark trial ends.</p>"
        )
    else:
        parts.append(f"<p class='note'>No figure: {_e(figure_note or 'not drawn')}</p>")
    if picture:
        parts.append(f"<h2>Stimulus</h2><p><img src='{_e(picture)}' alt='stimulus of {_e(task_id)}'></p>")
    return _document(task_id, "".join(parts))


def _document(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>{body}</body></html>\n"
    )


def _index(rows: list[dict[str, Any]]) -> str:
    table = _table(
        ["task", "group", "tags", "description"],
        [
            [
                f"<a href='{_e(page_name(r['id']))}'>{_e(r['id'])}</a>",
                _e(r.get("group", "")),
                _e(", ".join(r.get("tags", []))),
                _e(r.get("description") or r.get("note") or ""),
            ]
            for r in rows
        ],
    )
    return _document("neurogym-app tasks", f"<h1>Tasks</h1><p>{len(rows)} tasks.</p>{table}")


def write_gallery(out: Path, task_ids: list[str], seed: int = 0, trials: int = 2) -> list[str]:
    """Write the index and one page per task into ``out``; returns the problems met (one line each)."""
    from neurogym_app.core.describe import describe_task

    out = Path(out)
    (out / IMG_DIR).mkdir(parents=True, exist_ok=True)
    can_plot = importlib.util.find_spec("matplotlib") is not None
    problems: list[str] = []
    if not can_plot:
        problems.append("matplotlib is not installed, pages have no figures: pip install 'neurogym-app[plot]'")
    rows: list[dict[str, Any]] = []
    for task_id in task_ids:
        stem = page_name(task_id)[: -len(".html")]
        try:
            info = describe_task(task_id)
        except Exception as exc:  # one broken task must not stop the gallery
            problems.append(f"{task_id}: {type(exc).__name__}: {exc}")
            info = {"id": task_id, "available": False, "note": f"{type(exc).__name__}: {exc}"}
        figure = picture = note = None
        if info.get("available", True) and can_plot:
            figure_path = out / IMG_DIR / f"{stem}-periods.png"
            try:
                _periods_figure(task_id, figure_path, seed, trials)
                figure = f"{IMG_DIR}/{figure_path.name}"
            except Exception as exc:
                note = f"{type(exc).__name__}: {exc}"
                problems.append(f"{task_id}: periods figure failed: {note}")
            picture_path = out / IMG_DIR / f"{stem}-stimulus.png"
            try:
                if stimulus_picture(task_id, picture_path):
                    picture = f"{IMG_DIR}/{picture_path.name}"
            except Exception as exc:
                problems.append(f"{task_id}: stimulus picture failed: {type(exc).__name__}: {exc}")
        elif not can_plot:
            note = "matplotlib is not installed"
        (out / page_name(task_id)).write_text(_page(info, figure, picture, note), encoding="utf-8")
        rows.append(info)
    (out / "index.html").write_text(_index(rows), encoding="utf-8")
    return problems
