"""One recorded play session, from options to a closed run folder (no GUI code).

``play(options, display, clock)`` builds the run with
:func:`~neurogym_app.runtime.run.build_run` (task, key map, recorder,
manifest, runner), then ticks it with :func:`run_frames` until the trials are
done, the participant quits (Esc) or a write fails. The CLI (``neurogym-app
play``) chooses the display and clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neurogym_app.input.keymap import KeyMap
from neurogym_app.record.recorder import RecordingError
from neurogym_app.runtime.clock import Clock
from neurogym_app.runtime.display import Display
from neurogym_app.runtime.loop import run_frames
from neurogym_app.runtime.protocols import Player
from neurogym_app.runtime.run import PlayOptions, build_run
from neurogym_app.runtime.runner import Runner, SceneSource

__all__ = ["PlayResult", "play"]


@dataclass
class PlayResult:
    path: Path
    status: str
    rows: list[dict[str, Any]]
    runner: Runner


def play(
    options: PlayOptions,
    display: Display,
    clock: Clock,
    *,
    scenes: SceneSource | None = None,
    env: Any = None,
    keymap: KeyMap | None = None,
    display_info: Mapping[str, Any] | None = None,
    on_start: Callable[[Path], None] | None = None,
    on_trial: Callable[[dict[str, Any]], None] | None = None,
    max_frames: int | None = None,
    pump: Callable[[], Any] | None = None,
    sources: Sequence[Player] = (),
) -> PlayResult:
    """Run and record one session; see the module docstring.

    ``sources`` are extra players for the runner (besides the display and the
    simulated participant). Raises :class:`RecordingError` (after closing the
    run folder) if data cannot be written; KeyboardInterrupt closes the folder
    as "interrupted".
    """
    run = build_run(options, display, env=env, keymap=keymap, scenes=scenes, display_info=display_info,
                    sources=sources, on_trial=on_trial, on_start=on_start)
    runner = run.runner
    status = "error"
    try:
        run_frames(runner, clock, max_frames=max_frames, pump=pump)
        status = runner.status if runner.status != "running" else "stopped"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    except RecordingError:
        status = "error"
        raise
    finally:
        run.close(status)
    assert run.path is not None
    return PlayResult(run.path, status, list(runner.rows), runner)
