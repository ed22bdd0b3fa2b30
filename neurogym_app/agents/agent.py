"""A trained agent on disk: its network, the task it was trained on, its seeds.

An agent folder (default ``sessions/agents/<name>/``) holds

``agent.json``
    ``format`` (``"neurogym-app-agent"``), ``format_version``, ``name``,
    ``kind`` (``"rnn"``: a :class:`~neurogym_app.agents.models.PolicyNet`
    trained here; ``"sb3"``: a Stable-Baselines3 model), ``task`` (id,
    kwargs, dt, timing: a preset name, ``"mixed"`` or a dict), ``model``
    (:class:`ModelSpec`), ``training`` (hyper-parameters and every seed),
    ``evaluation`` (held-out accuracy per timing), versions, creation time.
``model.pt``
    the network's ``state_dict`` (``sb3_model.zip`` for an SB3 agent).
``evaluation.json``, ``learning_curve.csv``/``.json``/``.png``, ``checkpoints/``
    written by training.

:meth:`Agent.load` rebuilds the network exactly; :meth:`Agent.policy` gives a
stateful step-by-step policy that also reports action probabilities and the
hidden state (for recording); :func:`evaluate` plays held-out trials.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from neurogym_app.agents._deps import require_torch
from neurogym_app.agents.models import ModelSpec, build_model
from neurogym_app.errors import UserError

__all__ = [
    "AGENT_FORMAT",
    "AGENT_FORMAT_VERSION",
    "AgentError",
    "Agent",
    "AgentStep",
    "NetPolicy",
    "make_task_env",
    "task_has_preset",
    "evaluate",
    "model_spec_for",
    "resolve_agent_folder",
]

AGENT_FORMAT = "neurogym-app-agent"
AGENT_FORMAT_VERSION = 1
SPEC_NAME = "agent.json"
WEIGHTS_NAME = "model.pt"


class AgentError(UserError):
    """An agent folder that is missing, damaged or does not fit the task."""


# --------------------------------------------------------------------------- tasks
def task_has_preset(task_id: str, preset: str) -> bool:
    """Whether ``task_id``'s class defines the named timing preset."""
    from neurogym_app.core import registry

    if preset == "default":
        return True
    cls = registry.load(task_id)
    return preset in (getattr(cls, "timing_presets", None) or {})


def make_task_env(task_id: str, kwargs: Mapping[str, Any] | None = None, timing: Any = None) -> gym.Env:
    """``ngym.make(task_id, **kwargs)`` with ``timing`` (a preset name or dict) when given.

    ``timing="default"`` passes nothing (so tasks without a ``timing`` argument work).
    """
    from neurogym_app.core import registry

    params = dict(kwargs or {})
    if timing is not None and timing != "default":
        params["timing"] = timing
    return registry.make(task_id, **params)


def model_spec_for(env: gym.Env, kind: str, hidden_size: int) -> ModelSpec:
    """The network shape that plays ``env``: flattened observation in, one output per action."""
    ob_space, act_space = env.observation_space, env.action_space
    if ob_space.shape is None:
        raise AgentError(f"{type(env.unwrapped).__name__}: the observation space has no shape")
    input_size = int(np.prod(ob_space.shape, dtype=np.int64)) or 1
    if isinstance(act_space, gym.spaces.Discrete):
        return ModelSpec(kind, input_size, int(hidden_size), int(act_space.n), "discrete", ())
    if isinstance(act_space, gym.spaces.Box):
        shape = tuple(act_space.shape)
        return ModelSpec(kind, input_size, int(hidden_size), int(np.prod(shape, dtype=np.int64)) or 1, "box", shape)
    raise AgentError(
        f"{type(env.unwrapped).__name__}: action space {type(act_space).__name__} is not supported "
        "(the RNN agents play Discrete and Box action spaces)"
    )


# --------------------------------------------------------------------------- the agent
@dataclass
class AgentStep:
    """What an agent did at one step: its action, action probabilities and hidden state."""

    action: Any
    probs: np.ndarray | None
    hidden: dict[str, np.ndarray] = field(default_factory=dict)


class NetPolicy:
    """A ``PolicyNet`` playing one env step by step, keeping its recurrent state.

    ``greedy=True`` takes the most probable action (deterministic); otherwise
    actions are sampled from the softmax with a generator seeded by ``seed``.
    """

    def __init__(self, agent: Agent, greedy: bool = True, seed: int | None = None) -> None:
        self.agent = agent
        self.greedy = greedy
        self.rng = np.random.default_rng(seed)
        self.state: Any = None

    def reset(self) -> None:
        self.state = None

    def act(self, ob: Any) -> AgentStep:
        torch = require_torch()
        net = self.agent.net
        x = torch.as_tensor(np.asarray(ob, dtype=np.float32).reshape(1, -1))
        with torch.no_grad():
            out, _, self.state = net.step(x, self.state)
        hidden = {k: v[0].astype(np.float32) for k, v in net.state_arrays(self.state).items()}
        spec = self.agent.model_spec
        if spec.action == "discrete":
            probs = torch.softmax(out[0], dim=-1).numpy().astype(np.float32)
            if self.greedy:
                action = int(np.argmax(probs))
            else:
                action = int(self.rng.choice(len(probs), p=probs / probs.sum()))
            return AgentStep(action, probs, hidden)
        action = out[0].numpy().astype(np.float32).reshape(spec.action_shape)
        return AgentStep(action, None, hidden)

    def __call__(self, ob: Any) -> Any:
        return self.act(ob).action


class Agent:
    """A trained network plus the description needed to rebuild it and its task."""

    def __init__(self, net: Any, spec: dict[str, Any], folder: Path | None = None) -> None:
        self.net = net
        self.spec = spec
        self.folder = folder
        self.model_spec = ModelSpec.from_dict(spec["model"])

    # ---------------------------------------------------------------- properties
    @property
    def name(self) -> str:
        return str(self.spec.get("name", "agent"))

    @property
    def task_id(self) -> str:
        return str(self.spec["task"]["id"])

    @property
    def task_kwargs(self) -> dict[str, Any]:
        return dict(self.spec["task"].get("kwargs") or {})

    @property
    def trained_timing(self) -> Any:
        return self.spec["task"].get("timing", "default")

    def default_play_timing(self) -> Any:
        """The timing an agent plays by default: what it trained on (``mixed``: the human preset)."""
        timing = self.trained_timing
        if timing == "mixed":
            return "human"
        return timing

    def make_env(self, timing: Any = None, task_id: str | None = None) -> gym.Env:
        """The task (or ``task_id`` with the same spaces) with ``timing`` (default: :meth:`default_play_timing`)."""
        env = make_task_env(task_id or self.task_id, self.task_kwargs, self.default_play_timing() if timing is None else timing)
        self.check_env(env)
        return env

    def check_env(self, env: gym.Env) -> None:
        spec = model_spec_for(env, self.model_spec.kind, self.model_spec.hidden_size)
        if (spec.input_size, spec.output_size, spec.action) != (
            self.model_spec.input_size,
            self.model_spec.output_size,
            self.model_spec.action,
        ):
            raise AgentError(
                f"agent {self.name!r} ({self.model_spec.input_size} inputs, {self.model_spec.output_size} "
                f"{self.model_spec.action} outputs) cannot play {type(env.unwrapped).__name__} "
                f"({spec.input_size} inputs, {spec.output_size} {spec.action} outputs)"
            )

    def policy(self, greedy: bool = True, seed: int | None = None, threads: int | None = 1) -> NetPolicy:
        """A step-by-step policy. ``threads``: torch threads to use (one step of a
        small recurrent net is fastest on one thread; None leaves torch's setting)."""
        if threads:
            require_torch().set_num_threads(int(threads))
        self.net.eval()
        return NetPolicy(self, greedy=greedy, seed=seed)

    # ---------------------------------------------------------------- files
    def save(self, folder: str | Path) -> Path:
        """Write ``agent.json`` and ``model.pt`` into ``folder`` (created if needed)."""
        torch = require_torch()
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        spec = dict(self.spec)
        spec.setdefault("format", AGENT_FORMAT)
        spec.setdefault("format_version", AGENT_FORMAT_VERSION)
        spec.setdefault("files", {"weights": WEIGHTS_NAME})
        torch.save(self.net.state_dict(), folder / WEIGHTS_NAME)
        write_json(folder / SPEC_NAME, spec)
        self.spec = spec
        self.folder = folder
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> Agent:
        """The agent saved in ``folder`` (a one-line :class:`AgentError` if it is not one)."""
        folder = resolve_agent_folder(folder)
        spec = read_agent_spec(folder)
        if spec.get("kind", "rnn") != "rnn":
            raise AgentError(f"{folder}: a {spec.get('kind')!r} agent; load it with neurogym_app.agents.load_agent")
        torch = require_torch()
        model_spec = ModelSpec.from_dict(spec["model"])
        net = build_model(model_spec)
        weights = folder / spec.get("files", {}).get("weights", WEIGHTS_NAME)
        try:
            state = torch.load(weights, map_location="cpu", weights_only=True)
            net.load_state_dict(state)
        except FileNotFoundError:
            raise AgentError(f"{folder}: no weights file {weights.name}") from None
        except Exception as exc:  # torch raises many kinds for a damaged file
            raise AgentError(f"{weights}: cannot load the weights: {type(exc).__name__}: {exc}".splitlines()[0]) from None
        net.eval()
        return cls(net, spec, folder)

    def __repr__(self) -> str:
        m = self.model_spec
        return f"Agent({self.name!r}, task={self.task_id!r}, {m.kind} {m.hidden_size})"


def write_json(path: Path, data: Any) -> None:
    from neurogym_app.record.jsonutil import plain

    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(plain(data), indent=1, sort_keys=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def resolve_agent_folder(where: str | Path) -> Path:
    """An agent folder from a path, or a name under ``sessions/agents/`` or ``assets/agents/``."""
    p = Path(where)
    candidates = [p]
    if not p.is_absolute() and len(p.parts) == 1:
        candidates += [Path("sessions/agents") / p, Path("assets/agents") / p, package_assets() / "agents" / p]
    for c in candidates:
        if (c / SPEC_NAME).is_file():
            return c
    if p.is_dir():
        raise AgentError(f"{p}: not an agent folder (no {SPEC_NAME})")
    raise AgentError(f"agent {str(where)!r} not found (give an agent folder, or a name under sessions/agents/)")


def package_assets() -> Path:
    return Path(__file__).resolve().parents[2] / "assets"


def read_agent_spec(folder: Path) -> dict[str, Any]:
    path = folder / SPEC_NAME
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AgentError(f"{folder}: not an agent folder (no {SPEC_NAME})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AgentError(f"{path}: damaged agent file: {exc}") from None
    if not isinstance(spec, dict) or spec.get("format") != AGENT_FORMAT:
        raise AgentError(f"{path}: not a neurogym-app agent (format {spec.get('format') if isinstance(spec, dict) else None!r})")
    if int(spec.get("format_version", 0)) > AGENT_FORMAT_VERSION:
        raise AgentError(f"{path}: agent format {spec.get('format_version')} is newer than this app reads ({AGENT_FORMAT_VERSION})")
    return spec


def now_iso() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


# --------------------------------------------------------------------------- evaluation
def evaluate(
    agent: Agent,
    timing: Any = None,
    trials: int = 500,
    seed: int = 1_000_000,
    n_envs: int = 25,
    greedy: bool = True,
    task_id: str | None = None,
    threads: int | None = None,
) -> dict[str, Any]:
    """Closed-loop accuracy of ``agent`` on ``trials`` held-out trials.

    ``n_envs`` copies of the task (env ``i`` reset with ``seed + i``) are
    played at once by one batched network; a trial counts as correct when the
    task scores it so (``info["performance"] == 1``). The recurrent state runs
    on across trials, as in training. Returns ``accuracy``, ``n_trials``,
    ``mean_reward`` (per trial), accuracy per value of the task's strength
    variable (``by_condition``), the timing and the seeds.
    """
    torch = require_torch()
    if threads:
        torch.set_num_threads(int(threads))
    timing = agent.default_play_timing() if timing is None else timing
    envs = [agent.make_env(timing=timing, task_id=task_id) for _ in range(n_envs)]
    task = envs[0].unwrapped
    meta = getattr(task, "metadata", {}) or {}
    strength = meta.get("strength_var")
    cond_vars = [strength] if strength else list(meta.get("condition_vars") or [])
    quota = [trials // n_envs + (1 if i < trials % n_envs else 0) for i in range(n_envs)]
    obs = np.stack([np.asarray(env.reset(seed=seed + i)[0], dtype=np.float32).reshape(-1) for i, env in enumerate(envs)])
    done = [0] * n_envs
    results: list[tuple[int, float, Any]] = []
    trial_reward = np.zeros(n_envs)
    state = None
    net = agent.net
    net.eval()
    spec = agent.model_spec
    rng = np.random.default_rng(seed)
    max_steps = 100_000 + 1000 * trials
    steps = 0
    while any(d < q for d, q in zip(done, quota)):
        steps += 1
        if steps > max_steps:
            break
        with torch.no_grad():
            out, _, state = net.step(torch.from_numpy(obs), state)
        if spec.action == "discrete":
            if greedy:
                actions = out.argmax(-1).numpy()
            else:
                p = torch.softmax(out, -1).numpy().astype(float)
                actions = np.array([rng.choice(len(pi), p=pi / pi.sum()) for pi in p])
        else:
            actions = out.numpy().reshape((n_envs, *spec.action_shape))
        for i, env in enumerate(envs):
            if done[i] >= quota[i]:
                continue
            a = int(actions[i]) if spec.action == "discrete" else actions[i]
            ob, reward, terminated, truncated, info = env.step(a)
            trial_reward[i] += reward
            if info.get("new_trial"):
                trial = info.get("trial") or {}
                cond = "|".join(_cond_key(trial.get(v)) for v in cond_vars) if cond_vars else None
                results.append((int(info.get("performance", 0) == 1), float(trial_reward[i]), cond))
                trial_reward[i] = 0.0
                done[i] += 1
            if terminated or truncated:
                ob, _ = env.reset()
            obs[i] = np.asarray(ob, dtype=np.float32).reshape(-1)
    correct = np.array([r[0] for r in results], dtype=float)
    by: dict[str, list[int]] = {}
    for ok, _, cond in results:
        if cond is not None:
            by.setdefault(cond, []).append(ok)
    return {
        "task": task_id or agent.task_id,
        "timing": timing if isinstance(timing, str) else "custom",
        "n_trials": len(results),
        "accuracy": float(correct.mean()) if len(correct) else float("nan"),
        "mean_reward": float(np.mean([r[1] for r in results])) if results else float("nan"),
        "condition": "|".join(cond_vars) or None,
        "by_condition": {k: {"n": len(v), "accuracy": float(np.mean(v))} for k, v in sorted(by.items(), key=lambda kv: _sort_key(kv[0]))},
        "seeds": {"first_env_seed": seed, "n_envs": n_envs},
        "greedy": greedy,
    }


def _cond_key(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{float(value):g}"
    return str(value)


def _sort_key(key: str) -> tuple[int, Any]:
    try:
        return (0, float(key))
    except ValueError:
        return (1, key)


