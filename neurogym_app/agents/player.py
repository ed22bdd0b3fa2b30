"""Recorded runs of agents (or of any policy) in the session format people's runs use.

:func:`record_policy` plays a task with a policy and writes a session folder
(``<out>/<task>/<player>_<session>_<timestamp>/``: ``manifest.json``,
``steps.sqlite``, ``trials.csv``) through the same recorder and the same
trial summary (:func:`neurogym_app.runtime.trial_log.summarise`) as the
human runner, so the reader, replay, export and compare tools treat it like
any session. The manifest's player has ``kind: "agent"``.

A policy is any of

* a callable ``policy(ob) -> action``;
* an object with ``act(ob)`` returning an :class:`~neurogym_app.agents.agent.AgentStep`
  (action, action probabilities, hidden state: all recorded) or an action,
  and optionally ``reset()`` (called once at the start);
* a Stable-Baselines3-style model with ``predict(ob, state, episode_start, deterministic)``.

Each trial's transaction holds the human arrays (``observation``,
``action``, ``reward``, ``gt``, ``step_start``, ``frame_onset``,
``frame_step``) plus, when the policy reports them, ``action_probs`` (steps x
actions), ``hidden`` (steps x units: the recurrent state after the step) and
``cell`` (an LSTM's cell state).

Time is virtual: step ``k`` of a trial starts ``k * dt`` after the trial's
start; trials follow each other without a gap (as in training); there is one
"frame" per step at the step's start. An agent's response at step ``k`` is
timed at the end of that step (when the env applies it), so
``rt_ms = (k - first step of the rt_from period + 1) * dt``.

``match``: the policy gets exactly the trials of a recorded session, each
rebuilt with ``new_trial(**trial_vars)`` (the variables include the trial's
``trial_seed``, so noise is reproduced bit for bit), with the session's task
parameters and timing.

Gymnasium envs that are not TrialEnv tasks are recorded too: each episode is
one trial (``reset(seed=seed)`` first, then ``reset()``).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from neurogym_app.agents.agent import AgentStep
from neurogym_app.core.trial_env import TrialEnv
from neurogym_app.errors import UserError
from neurogym_app.input.events import KeyEvent
from neurogym_app.input.responses import Mapped
from neurogym_app.record.jsonutil import plain
from neurogym_app.record.recorder import SessionRecorder
from neurogym_app.record.verify import MatchedTrials, env_from_manifest
from neurogym_app.runtime.run import PlayOptions, build_manifest, create_recorder, csv_layout, task_manifest
from neurogym_app.runtime.trial_log import TrialLog, signed_strength_of, summarise, to_record

__all__ = [
    "RecordResult",
    "MatchedTrials",
    "record_policy",
    "run_agent",
    "env_from_manifest",
    "matched_trials",
    "PolicyAdapter",
]

SEED_BITS = 63


class PlayerError(UserError):
    """A run that cannot be recorded as asked (bad task, bad match session...)."""


@dataclass
class RecordResult:
    path: Path
    rows: list[dict[str, Any]]
    status: str
    seed: int | None


# --------------------------------------------------------------------------- policies
class PolicyAdapter:
    """Any supported policy behind one interface: ``reset()`` and ``act(ob) -> AgentStep``."""

    def __init__(self, policy: Any, deterministic: bool = True) -> None:
        self.policy = policy
        self.deterministic = deterministic
        self._state: Any = None
        self._start = True
        if hasattr(policy, "act"):
            self.kind = "act"
        elif hasattr(policy, "predict"):
            self.kind = "predict"
        elif callable(policy):
            self.kind = "call"
        else:
            raise TypeError(f"a policy must be callable, have act(ob) or predict(ob); got {type(policy).__name__}")

    def reset(self) -> None:
        self._state = None
        self._start = True
        reset = getattr(self.policy, "reset", None)
        if self.kind == "act" and callable(reset):
            reset()

    def act(self, ob: Any) -> AgentStep:
        if self.kind == "act":
            out = self.policy.act(ob)
            return out if isinstance(out, AgentStep) else AgentStep(out, None, {})
        if self.kind == "predict":
            action, self._state = self.policy.predict(
                ob, state=self._state, episode_start=np.array([self._start]), deterministic=self.deterministic
            )
            self._start = False
            return AgentStep(_plain_action(action), None, {})
        return AgentStep(_plain_action(self.policy(ob)), None, {})


def _plain_action(action: Any) -> Any:
    arr = np.asarray(action)
    if arr.ndim == 0 and np.issubdtype(arr.dtype, np.integer):
        return int(arr)
    if arr.ndim == 0 and arr.dtype == bool:
        return int(arr)
    return arr if arr.ndim else arr.item()


# --------------------------------------------------------------------------- matching
def matched_trials(session: str | os.PathLike[str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``(manifest, [trial variables...])`` of a recorded session, in trial order."""
    from neurogym_app.record.reader import open_session

    with open_session(session) as reader:
        manifest = dict(reader.manifest)
        trials = [reader.trial(i, arrays=False, events=False).vars for i in reader.trial_indices()]
    if not trials:
        raise PlayerError(f"{session}: the session has no committed trials to match")
    return manifest, trials


# --------------------------------------------------------------------------- recording
class _KeymapShim:
    """What ``summarise`` needs from a key map, for tasks a person cannot play."""

    def __init__(self, env: gym.Env) -> None:
        space = env.action_space
        names = getattr(space, "name", None) or {}
        self.is_box = isinstance(space, gym.spaces.Box)
        if self.is_box:
            self.fixate = np.clip(np.zeros(space.shape, dtype=np.float32), space.low, space.high)
        else:
            fix = names.get("fixation") if isinstance(names, Mapping) else None
            self.fixate = int(fix) if isinstance(fix, (int, np.integer)) else 0
        self.mode = "press"

    def label(self, action: Any) -> str:
        if self.is_box:
            return "position"
        if action is None:
            return ""
        return "fixate" if action == self.fixate else str(action)

    def keys_for(self, action: int) -> tuple[str, ...]:
        return ()

    def to_dict(self) -> dict[str, Any] | None:
        return None


def _keymap_for(env: gym.Env) -> Any:
    from neurogym_app.input.keymap import build_keymap

    try:
        return build_keymap(env)
    except Exception:  # not human-playable (or no keys): summaries still need the fixation action
        return _KeymapShim(env)


def _same(a: Any, b: Any) -> bool:
    return bool(np.array_equal(np.asarray(a), np.asarray(b)))


class _Run:
    """The step loop of one recorded run."""

    def __init__(self, env: gym.Env, policy: PolicyAdapter, recorder: SessionRecorder | None, keymap: Any) -> None:
        self.env = env
        self.task = env.unwrapped
        self.policy = policy
        self.recorder = recorder
        self.keymap = keymap
        self.trial_env = isinstance(self.task, TrialEnv)
        meta = getattr(self.task, "metadata", {}) or {}
        self.rt_from = meta.get("rt_from") if self.trial_env else None
        self.dt = float(getattr(self.task, "dt", 100) or 100)
        self.step_s = self.dt / 1000.0
        self.rows: list[dict[str, Any]] = []

    def _new_log(self, index: int, t0: float, ob: Any) -> TrialLog:
        task = self.task
        if self.trial_env:
            trial_vars = dict(task.trial or {})
            periods = {p: (int(task.start_ind[p]), int(task.end_ind[p])) for p in task.periods}
            gt_plan = np.array(task.gt, copy=True) if getattr(task, "tmax", 0) > 0 else np.zeros((0,))
        else:
            trial_vars, periods, gt_plan = {"episode": index}, {}, np.zeros((0,))
        return TrialLog(index=index, vars=trial_vars, gt_plan=gt_plan, periods=periods, t0=t0, step_s=self.step_s, first_ob=ob)

    def run(self, n_trials: int, seed: int | None, max_steps_per_trial: int = 100_000) -> list[dict[str, Any]]:
        ob, _ = self.env.reset(seed=seed)
        self.policy.reset()
        t = 0.0
        for index in range(n_trials):
            log = self._new_log(index, t, ob)
            extras: dict[str, list[np.ndarray]] = {}
            cause: Mapped | None = None
            last_action: Any = None
            while True:
                k = log.step
                if k >= max_steps_per_trial:
                    raise PlayerError(f"trial {index} did not end within {max_steps_per_trial} steps")
                log.note_frame(log.step_start(k), self.step_s if k or index else None, False)
                out = self.policy.act(log.obs[k])
                action = out.action
                if out.probs is not None:
                    extras.setdefault("action_probs", []).append(np.asarray(out.probs, dtype=np.float32))
                for name, value in (out.hidden or {}).items():
                    extras.setdefault(name, []).append(np.asarray(value, dtype=np.float32))
                if _same(action, self.keymap.fixate):
                    cause = None
                elif cause is None or not _same(action, last_action):
                    cause = Mapped(KeyEvent("agent", log.step_start(k + 1), "press"), action, self.keymap.label(action))
                last_action = action
                ob, reward, terminated, truncated, info = self.env.step(action)
                log.actions.append(action)
                log.rewards.append(float(reward))
                log.gts.append(info.get("gt"))
                log.causes.append(cause)
                log.step = k + 1
                ended = bool(info.get("new_trial")) if self.trial_env else False
                if ended or terminated or truncated:
                    log.end = log.step_start(log.step)
                    log.performance = float(info.get("performance", getattr(self.task, "performance", 0)) or 0)
                    if terminated or truncated:
                        ob, _ = self.env.reset()
                    break
                log.obs.append(ob)
            t = log.end
            self._commit(log, extras)
        return self.rows

    def _commit(self, log: TrialLog, extras: dict[str, list[np.ndarray]]) -> None:
        strength = signed_strength_of(self.task, log.vars)
        summary = summarise(log, self.keymap, rt_from=self.rt_from, origin=0.0, signed_strength=strength)
        record = to_record(log, summary, origin=0.0, block=1, committed_at=float(log.end or 0.0))
        for name, values in extras.items():
            if len(values) == len(log.actions):
                record.arrays[name] = np.stack(values)
        if self.recorder is not None:
            row = self.recorder.write_trial(record)
        else:
            row = {"trial": log.index, "block": 1, **record.vars, **summary}
        self.rows.append(row)


def _csv_layout(env: gym.Env) -> tuple[list[str], list[str]]:
    task = env.unwrapped
    if not isinstance(task, TrialEnv):
        return ["episode"], []
    return csv_layout(env)


def record_policy(
    env_or_id: str | gym.Env,
    policy: Any,
    *,
    trials: int,
    out: str | os.PathLike[str] = "sessions",
    seed: int | None = None,
    env_kwargs: Mapping[str, Any] | None = None,
    timing: Any = None,
    match: str | os.PathLike[str] | None = None,
    player_id: str = "policy",
    session: int = 1,
    player_info: Mapping[str, Any] | None = None,
    deterministic: bool = True,
    timestamp: datetime | None = None,
    on_start: Callable[[Path], None] | None = None,
) -> RecordResult:
    """Play ``trials`` trials of a task with ``policy`` and record them as a session.

    Args:
        env_or_id: a task id (built with ``env_kwargs`` and ``timing``) or a
            ready env (a TrialEnv task, wrapped or not, or any Gymnasium env).
        policy: see the module docstring.
        trials: number of trials (episodes for a non-TrialEnv env).
        out: sessions root; the run goes to ``<out>/<task>/<player_id>_<session>_<time>/``.
        seed: ``env.reset(seed=seed)`` (None: a fresh seed, recorded).
        match: a recorded session whose trials the policy gets, in order
            (``trials`` may be at most its number of trials); the task is
            rebuilt from that session's manifest.
        player_id: the participant/agent name (letters, digits, ``._-``).
        player_info: extra fields for the manifest's ``player``.
    Returns:
        :class:`RecordResult` with the run folder and its trials.csv rows.
    """
    if not isinstance(trials, int) or isinstance(trials, bool) or trials < 1:
        raise PlayerError(f"trials must be a positive integer, got {trials!r}")
    if seed is None:
        seed = secrets.randbits(SEED_BITS)
    match_info: dict[str, Any] | None = None
    if match is not None:
        if not isinstance(env_or_id, str) and env_or_id is not None:
            raise PlayerError("with match=..., give the task id (the task is rebuilt from the matched session)")
        manifest, recorded = matched_trials(match)
        task_id = str(manifest["task"]["id"])
        if isinstance(env_or_id, str) and env_or_id != task_id:
            raise PlayerError(f"the matched session ran {task_id}, not {env_or_id}")
        if trials > len(recorded):
            raise PlayerError(f"the matched session has {len(recorded)} trials; cannot match {trials}")
        base = env_from_manifest(manifest)
        params = dict(manifest["task"].get("parameters") or {})
        timing_req = manifest["task"].get("timing_preset")
        env: gym.Env = MatchedTrials(base, recorded[:trials])
        match_info = {
            "session": str(Path(match).resolve()),
            "participant": manifest.get("participant"),
            "player_kind": (manifest.get("player") or {}).get("kind"),
            "seed": (manifest.get("seeds") or {}).get("env"),
            "n_trials": trials,
        }
    elif isinstance(env_or_id, str):
        from neurogym_app.agents.agent import make_task_env

        task_id = env_or_id
        params = dict(env_kwargs or {})
        timing_req = timing
        env = make_task_env(task_id, params, timing)
    else:
        env = env_or_id
        spec = getattr(env.unwrapped, "spec", None) or getattr(env, "spec", None)
        task_id = getattr(spec, "id", None) or type(env.unwrapped).__name__
        params = dict(getattr(spec, "kwargs", None) or {})
        params.pop("timing", None)
        timing_req = getattr(env.unwrapped, "timing_preset", None)
    adapter = PolicyAdapter(policy, deterministic=deterministic)
    keymap = _keymap_for(env)
    probe_seed = seed
    env.reset(seed=probe_seed)  # the first trial fixes the csv columns; the run resets with the same seed
    task_vars, periods = _csv_layout(env)
    if match_info is not None:  # the probe reset consumed the first matched trial: rebuild the queue
        env = MatchedTrials(env.env, recorded[:trials])
    player = {"kind": "agent", "id": player_id, **plain(dict(player_info or {}))}
    options = PlayOptions(
        task_id, participant=player_id, session=session, n_trials=trials, seed=seed, timing=None, kwargs=params,
        view="agent", feedback=False, feedback_ms=0, iti_ms=0, record=True, out=Path(out), virtual_clock=True,
        source="neurogym-app agent run",
    )
    manifest_fields = build_manifest(
        options, env, keymap, {"backend": "none", "refresh_hz": None, "note": "agent run: no display; one virtual frame per step"},
        seed, player=player,
        seeds={"env": seed, "policy": player.get("policy_seed")},
        trial_source="match" if match_info else "seed",
        match=match_info,
        clock={
            "kind": "virtual",
            "note": "times are seconds since the session start on a virtual clock: step k of a trial starts k*dt "
            "after the trial's start, trials follow each other without a gap; an agent's response is timed at "
            "the end of the step that gave it",
        },
        agent_arrays={
            "action_probs": "steps x actions: the policy's action probabilities at each step",
            "hidden": "steps x units: the recurrent (or last latent) state after each step",
            "cell": "steps x units: an LSTM's cell state after each step",
        },
    )
    manifest_fields["task"] = task_manifest(task_id, env, params, timing_req)
    recorder = create_recorder(options, env, manifest_fields, seed, layout=(task_vars, periods), timestamp=timestamp)
    if on_start is not None:
        on_start(recorder.path)
    status = "error"
    try:
        rows = _Run(env, adapter, recorder, keymap).run(trials, seed)
        status = "completed"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        recorder.close(status)
    return RecordResult(recorder.path, rows, status, seed)


def run_agent(
    agent: Any,
    *,
    trials: int,
    out: str | os.PathLike[str] = "sessions",
    task: str | None = None,
    seed: int | None = None,
    timing: Any = None,
    match: str | os.PathLike[str] | None = None,
    greedy: bool = True,
    policy_seed: int | None = None,
    session: int = 1,
    timestamp: datetime | None = None,
    on_start: Callable[[Path], None] | None = None,
) -> RecordResult:
    """Record a trained agent (an agent object, folder or name) playing ``trials`` trials.

    ``task`` defaults to the agent's task; ``timing`` to what it trained on
    (``mixed``: the human preset). With ``match`` the task, its parameters
    and timing come from the matched session.
    """
    from neurogym_app.agents.loading import load_agent

    if isinstance(agent, (str, os.PathLike)):
        agent = load_agent(agent)
    policy = agent.policy(greedy=greedy, seed=policy_seed)
    info = {
        "agent": {
            "name": agent.name,
            "folder": str(Path(agent.folder).resolve()) if agent.folder else None,
            "kind": agent.spec.get("kind", "rnn"),
            "model": agent.spec.get("model"),
            "algo": (agent.spec.get("training") or {}).get("algo"),
            "trained_on": agent.spec.get("task"),
            "training_seed": (agent.spec.get("seeds") or {}).get("torch", (agent.spec.get("training") or {}).get("seed")),
            "evaluation": agent.spec.get("evaluation"),
        },
        "greedy": greedy,
        "policy_seed": policy_seed,
    }
    if match is not None:
        manifest, _ = matched_trials(match)
        env_check = env_from_manifest(manifest)
        agent.check_env(env_check)
        return record_policy(
            task, policy, trials=trials, out=out, seed=seed, match=match, player_id=agent.name, session=session,
            player_info=info, timestamp=timestamp, on_start=on_start,
        )
    task_id = task or agent.task_id
    play_timing = agent.default_play_timing() if timing is None else timing
    env = agent.make_env(timing=play_timing, task_id=task_id)
    return record_policy(
        env, policy, trials=trials, out=out, seed=seed, player_id=agent.name, session=session,
        player_info=info, timestamp=timestamp, on_start=on_start,
    )

