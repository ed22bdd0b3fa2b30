"""Trained agents facing, live, the very trials a person plays (``play --against``).

:func:`opponent_for` turns what the user named into an
:class:`~neurogym_app.runtime.against.Opponent`:

* an agent folder (or a name under ``sessions/agents/`` / ``assets/agents/``)
  or several: an :class:`AgentOpponent`;
* a folder of agent folders (a sweep folder: agent folders plus a results
  table): every agent in it, pooled on the plots with their spread;
* a recorded agent session: a
  :class:`~neurogym_app.runtime.against.RecordedOpponent` (its trials are
  the person's plan).

:class:`AgentOpponent` checks every agent's ``agent.json`` against the task
(trained task id, observation and action sizes) in the calling process,
without torch, so a mismatch is a one-line error before anything is
recorded. The agents then run in one worker process (``spawn``, lowered
priority, one torch thread): on 2 cores a thread would compete with the
stimulus frames for the interpreter. The worker rebuilds the person's task
from the person's manifest, opens one agent session per agent (linked to the
person's, ``trial_source = "match"``), and for each trial it is sent calls
``new_trial(**trial)`` and lets each agent play it through
:class:`~neurogym_app.agents.player.PolicyRun` (the loop of ``run-agent``);
the agents' hidden state runs on from trial to trial as in ``run-agent
--match``, so a live agent session equals ``run-agent --match`` of the
finished person's session.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
import time
import traceback
from collections import deque
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from neurogym_app.agents.agent import SPEC_NAME, AgentError, model_spec_for, read_agent_spec, resolve_agent_folder
from neurogym_app.runtime.against import AgainstError, OpponentTrial, RecordedOpponent, is_session_folder

__all__ = ["AgentOpponent", "opponent_for", "agent_folders", "check_agent_spec"]

START_TIMEOUT_S = 120.0  # the worker imports torch and loads the agents
CLOSE_TIMEOUT_S = 60.0  # a headless run: the worker plays every trial sent before it closes


def agent_folders(where: str | os.PathLike[str]) -> tuple[list[Path], bool]:
    """``(folders, scanned)``: the agent folder ``where`` names, or every agent folder inside it
    (a folder of agents, or a sweep folder whose agents are in ``agents/``); ``scanned`` when it was a folder of them."""
    p = Path(where)
    if p.is_dir() and not (p / SPEC_NAME).is_file():
        for folder in (p, p / "agents"):
            found = sorted(c for c in folder.iterdir() if c.is_dir() and (c / SPEC_NAME).is_file()) if folder.is_dir() else []
            if found:
                return found, True
    return [resolve_agent_folder(where)], False


def check_agent_spec(folder: Path, spec: Mapping[str, Any], env: Any, task_id: str) -> None:
    """A one-line :class:`AgainstError` if the agent in ``folder`` cannot play ``task_id`` as built in ``env``."""
    name = spec.get("name") or folder.name
    trained = (spec.get("task") or {}).get("id")
    if trained != task_id:
        raise AgainstError(f"{folder}: agent {name!r} was trained on {trained}, not {task_id}; choose an agent trained on {task_id}")
    model = spec.get("model") or {}
    if spec.get("kind", "rnn") != "rnn":
        return  # SB3 agents: their own spaces are checked when the worker loads them
    need = model_spec_for(env, str(model.get("kind", "gru")), int(model.get("hidden_size", 1)))
    have = (model.get("input_size"), model.get("output_size"), model.get("action"))
    if have != (need.input_size, need.output_size, need.action):
        raise AgainstError(
            f"{folder}: agent {name!r} has {have[0]} inputs and {have[1]} {have[2]} outputs, but {task_id} as played here has "
            f"{need.input_size} inputs and {need.output_size} {need.action} actions; use an agent trained on these task parameters"
        )


def opponent_for(items: Sequence[str | os.PathLike[str]], *, out: str | os.PathLike[str], session: int = 1) -> Any:
    """The opponent the user named with ``--against`` (see module doc); one-line errors."""
    if not items:
        raise AgainstError("--against needs an agent folder, a folder of agents or a recorded agent session")
    sessions = [Path(i) for i in items if is_session_folder(i)]
    if sessions:
        if len(items) > 1:
            raise AgainstError("--against takes one recorded session (its trials are the plan), or agent folders, not both")
        return RecordedOpponent(sessions[0])
    folders: list[Path] = []
    scanned: list[Path] = []
    for item in items:
        try:
            found, from_scan = agent_folders(item)
        except AgentError as exc:
            raise AgainstError(f"--against {item}: {exc}") from None
        folders += found
        if from_scan:
            scanned += found
    return AgentOpponent(folders, out=out, session=session, scanned=scanned)


class AgentOpponent:
    """Agents playing each of the person's trials in a worker process (see module doc)."""

    def __init__(
        self, folders: Sequence[Path], *, out: str | os.PathLike[str], session: int = 1, greedy: bool = True, nice: int = 10,
        scanned: Sequence[Path] = (),
    ) -> None:
        self.folders = [Path(f).resolve() for f in folders]
        self.scanned = {Path(f).resolve() for f in scanned}  # found in a folder of agents: other tasks' are left out
        self.specs = [read_agent_spec(f) for f in self.folders]
        names = [str(s.get("name") or f.name) for s, f in zip(self.specs, self.folders)]
        self.labels = _unique(names)
        self.out = Path(out)
        self.session = int(session)
        self.greedy = greedy
        self.nice = nice
        self.error: str | None = None
        self.action_labels: list[str] = []
        self._links: list[dict[str, Any]] = []
        self._conn: Any = None
        self._proc: Any = None
        self._sent = 0
        self._received = 0
        self._ready = False
        self._buffer: list[OpponentTrial] = []  # trials that arrived while closing

    # ----------------------------------------------------------- protocol
    def check(self, env: Any, task_id: str) -> None:
        keep = [
            i for i, (f, spec) in enumerate(zip(self.folders, self.specs))
            if f not in self.scanned or (spec.get("task") or {}).get("id") == task_id
        ]
        if not keep:
            where = ", ".join(sorted({str(f.parent) for f in self.folders}))
            raise AgainstError(f"{where}: no agent in it was trained on {task_id}")
        if len(keep) < len(self.folders):  # a sweep over several tasks: this task's agents only
            self.folders = [self.folders[i] for i in keep]
            self.specs = [self.specs[i] for i in keep]
            self.labels[:] = _unique([str(s.get("name") or f.name) for s, f in zip(self.specs, self.folders)])
        for folder, spec in zip(self.folders, self.specs):
            check_agent_spec(folder, spec, env, task_id)

    def start(self, reference: Path | None, manifest: Mapping[str, Any]) -> None:
        ctx = mp.get_context("spawn")
        here, there = ctx.Pipe(duplex=True)
        job = {
            "folders": [str(f) for f in self.folders],
            "labels": self.labels,
            "out": str(self.out),
            "session": self.session,
            "greedy": self.greedy,
            "nice": self.nice,
            "reference": str(reference) if reference is not None else None,
            "manifest": dict(manifest),
        }
        self._proc = ctx.Process(target=_worker_main, args=(there, job), name="neurogym-app against", daemon=True)
        self._proc.start()
        there.close()
        self._conn = here

    def plan(self, n: int) -> dict[str, Any] | None:
        return None

    def submit(self, index: int, trial_vars: Mapping[str, Any]) -> None:
        if self._conn is None or self.error:
            return
        try:
            self._conn.send(("trial", int(index), dict(trial_vars)))
            self._sent += 1
        except (OSError, BrokenPipeError) as exc:
            self.error = f"the agents' worker stopped: {exc}"

    def poll(self) -> list[OpponentTrial]:
        out, self._buffer = self._buffer, []
        conn = self._conn
        if conn is None:
            return out
        try:
            while conn.poll(0):
                out += self._handle(conn.recv())
        except (EOFError, OSError):
            if self.error is None and self._received < self._sent:
                self.error = "the agents' worker ended unexpectedly"
            self._conn = None
        return out

    def _handle(self, msg: tuple) -> list[OpponentTrial]:
        kind = msg[0]
        if kind == "ready":
            self._links, self.action_labels, self._ready = list(msg[1]), list(msg[2]), True
        elif kind == "trial":
            _, label, index, row, actions, probs, path = msg
            self._received += 1
            return [OpponentTrial(label, index, row, np.asarray(actions), probs, path)]
        elif kind == "error":
            self.error = str(msg[1])
        return []

    def links(self) -> list[dict[str, Any]]:
        return list(self._links)

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> list[OpponentTrial]:
        """Block until the worker has loaded its agents (or failed); the trials that arrived meanwhile."""
        got: list[OpponentTrial] = []
        t_end = time.monotonic() + timeout
        while not self._ready and self.error is None and self._conn is not None and time.monotonic() < t_end:
            if self._conn.poll(0.05):
                got += self.poll()
        return got

    def wait_trial(self, index: int, timeout: float = 2.0) -> list[OpponentTrial]:
        """Block until every agent has answered trial ``index`` (the teaching demo only); the trials received."""
        got: list[OpponentTrial] = []
        t_end = time.monotonic() + timeout
        need = len(self.labels)
        while self._conn is not None and self.error is None and time.monotonic() < t_end:
            got += self.poll()
            if sum(1 for t in got if t.index == index) >= need:
                break
            if self._conn is not None:
                self._conn.poll(0.01)
        return got

    def close(self, status: str = "completed", timeout_s: float = CLOSE_TIMEOUT_S) -> None:
        """Let the worker play the trials sent for up to ``timeout_s`` (the trial in progress is always
        finished, the ones still queued then are cancelled and the agents' sessions closed as "aborted"),
        close the agents' sessions and end it. The trials that arrive meanwhile are returned by the next
        :meth:`poll`. Returns within about ``timeout_s + 1`` s: a worker that does not answer is terminated."""
        got: list[OpponentTrial] = []
        conn = self._conn
        if conn is not None:
            try:
                conn.send(("close", status, float(timeout_s)))
            except (OSError, BrokenPipeError):
                pass
            t_end = time.monotonic() + timeout_s + 1.0  # the worker's own deadline, plus closing its recorders
            while self._conn is not None and time.monotonic() < t_end:
                if self._conn.poll(0.02):
                    msg = None
                    try:
                        msg = self._conn.recv()
                    except (EOFError, OSError):
                        self._conn = None
                        break
                    if msg[0] == "closed":
                        self._links = list(msg[1]) or self._links
                        break
                    got += self._handle(msg)
            self._buffer += got
        if self._proc is not None:
            self._proc.join(0.5)
            if self._proc.is_alive():
                self._proc.terminate()
                self._proc.join(1.0)
        self._conn = None


def _unique(names: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if names.count(n) == 1 else f"{n}#{seen[n]}")
    return out


# --------------------------------------------------------------------------- the worker process
class _AgentSeat:
    """One agent in the worker: its env (the person's task), policy, recorder and step loop."""

    def __init__(self, folder: str, label: str, job: Mapping[str, Any]) -> None:
        from neurogym_app.agents.loading import load_agent
        from neurogym_app.agents.player import (
            PolicyAdapter,
            PolicyRun,
            agent_manifest_fields,
            agent_player_info,
            keymap_for,
        )
        from neurogym_app.record.verify import env_from_manifest
        from neurogym_app.runtime.run import create_recorder, csv_layout

        manifest = job["manifest"]
        agent = load_agent(folder)
        env = env_from_manifest(manifest)
        check = getattr(agent, "check_env", None)
        if callable(check):
            check(env)
        self.label = label
        self.env = env
        self.task = env.unwrapped
        policy = agent.policy(greedy=bool(job["greedy"])) if hasattr(agent, "policy") else agent
        adapter = PolicyAdapter(policy)
        keymap = keymap_for(env)
        seed = (manifest.get("seeds") or {}).get("env")
        self.first_ob, _ = env.reset(seed=seed)
        task_vars, periods = csv_layout(env)
        task = manifest.get("task") or {}
        reference = job.get("reference")
        match = {
            "session": reference,
            "participant": manifest.get("participant"),
            "player_kind": (manifest.get("player") or {}).get("kind"),
            "seed": seed,
            "live": True,
            "note": "played live: each trial right after the person's, rebuilt with new_trial(**trial)",
        }
        options, fields = agent_manifest_fields(
            str(task.get("id")), env, dict(task.get("parameters") or {}), task.get("timing_preset"), keymap,
            seed=seed, player_id=agent.name, player_info=agent_player_info(agent, bool(job["greedy"])),
            trials=int(manifest.get("n_trials_planned") or 1), trial_source="match", match=match,
            session=int(job["session"]), out=job["out"],
            reference={"session": reference, "participant": manifest.get("participant"), "kind": match["player_kind"], "role": "against"},
        )
        self.recorder = create_recorder(options, env, fields, seed, layout=(task_vars, periods))
        adapter.reset()
        self.run = PolicyRun(env, adapter, self.recorder, keymap)
        self.t = 0.0
        self.n = 0
        labels = []
        for a in range(int(getattr(env.action_space, "n", 0) or 0)):
            labels.append(keymap.label(a))
        self.action_labels = labels

    def play(self, index: int, trial_vars: Mapping[str, Any]) -> tuple[dict[str, Any], np.ndarray, np.ndarray | None]:
        new_trial = getattr(self.env, "new_trial", None) or self.task.new_trial
        new_trial(**dict(trial_vars))
        ob = self.task.ob[0] if getattr(self.task, "tmax", 0) > 0 else self.first_ob
        self.t, _ = self.run.play_trial(index, self.t, ob)
        self.n += 1
        row = self.run.rows[-1]
        actions = np.asarray([np.asarray(a) for a in self.run.last_log.actions]) if self.run.last_log else np.zeros(0)
        probs = self.run.last_extras.get("action_probs")
        return row, actions, (np.stack(probs) if probs else None)

    def link(self) -> dict[str, Any]:
        return {"kind": "agent", "id": self.label, "session": str(self.recorder.path), "role": "against", "n_trials": self.n}


def _worker_main(conn: Any, job: Mapping[str, Any]) -> None:
    """The worker process: load the agents, then play every trial it is sent (see module doc)."""
    try:
        os.nice(int(job.get("nice", 10)))
    except (AttributeError, OSError):  # not on every platform; the worker only runs slower then
        pass
    seats: list[_AgentSeat] = []
    status = "completed"
    try:
        for folder, label in zip(job["folders"], job["labels"]):
            seats.append(_AgentSeat(folder, label, job))
        conn.send(("ready", [s.link() for s in seats], seats[0].action_labels if seats else []))
        queue: deque[tuple] = deque()
        deadline: float | None = None
        while True:
            if not queue:
                queue.append(conn.recv())
            while conn.poll(0):  # read ahead: a close request is seen between trials, not after the whole backlog
                queue.append(conn.recv())
            if deadline is None:
                close = next((m for m in queue if m[0] == "close"), None)
                if close is not None:
                    status = str(close[1])
                    deadline = time.monotonic() + (float(close[2]) if len(close) > 2 else CLOSE_TIMEOUT_S)
            msg = queue.popleft()
            if msg[0] == "close":
                break
            if deadline is not None and time.monotonic() > deadline:
                cancelled = 1 + sum(1 for m in queue if m[0] == "trial")
                print(f"agents: closing, {cancelled} trial(s) not played (the session closed)", file=sys.stderr)
                status = "aborted"
                break
            _, index, trial_vars = msg
            for seat in seats:
                row, actions, probs = seat.play(index, trial_vars)
                conn.send(("trial", seat.label, index, row, actions, probs, str(seat.recorder.path)))
    except EOFError:  # the session's process went away: close what was recorded
        status = "aborted"
    except Exception as exc:  # one line to the session; the traceback to stderr
        status = "error"
        traceback.print_exc()
        try:
            conn.send(("error", f"agents: {type(exc).__name__}: {' '.join(str(exc).split())}"))
        except (OSError, BrokenPipeError):
            pass
    finally:
        for seat in seats:
            try:
                seat.recorder.close(status)
            except Exception:  # closing one must not stop closing the others
                traceback.print_exc()
        try:
            conn.send(("closed", [s.link() for s in seats]))
        except (OSError, BrokenPipeError):
            pass


# --------------------------------------------------------------------------- the app's chooser
def choices_for(task_id: str, sessions_root: str | os.PathLike[str] | None, max_sessions: int = 10) -> list[tuple[str, Path]]:
    """(label, path) of what can face ``task_id``: agents trained on it, folders of such agents, recorded agent sessions.

    Looked for under ``assets/agents/``, ``<sessions_root>/agents/`` (agents and
    sweep folders) and ``<sessions_root>/<task_id>/`` (the newest agent sessions).
    """
    import json

    from neurogym_app.agents.agent import package_assets

    out: list[tuple[str, Path]] = []

    def trained_on(folder: Path) -> str | None:
        try:
            return (json.loads((folder / SPEC_NAME).read_text(encoding="utf-8")).get("task") or {}).get("id")
        except (OSError, ValueError, AttributeError):
            return None

    roots = [package_assets() / "agents", Path("assets/agents")]
    if sessions_root is not None:
        roots += [Path(sessions_root) / "agents", Path(sessions_root) / "sweeps"]
    seen: set[Path] = set()
    for root in roots:
        if not root.is_dir() or root.resolve() in seen:
            continue
        seen.add(root.resolve())
        for folder in sorted(root.iterdir()):
            if (folder / SPEC_NAME).is_file():
                if trained_on(folder) == task_id:
                    out.append((f"agent {folder.name}", folder))
            elif folder.is_dir():
                try:
                    found, _ = agent_folders(folder)
                except AgentError:
                    continue
                members = [c for c in found if trained_on(c) == task_id]
                if members:
                    out.append((f"{len(members)} agents in {folder.name}", folder))
    if sessions_root is not None and (Path(sessions_root) / task_id).is_dir():
        found = []
        for folder in (Path(sessions_root) / task_id).iterdir():
            try:
                manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if (manifest.get("player") or {}).get("kind") == "agent" and not manifest.get("reference"):
                found.append((str(manifest.get("start_time") or ""), folder))
        for _, folder in sorted(found, reverse=True)[:max_sessions]:
            out.append((f"session {folder.name}", folder))
    return out
