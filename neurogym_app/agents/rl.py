"""Reinforcement learning through Stable-Baselines3 (PPO, A2C) and sb3-contrib (RecurrentPPO).

For tasks where reward matters (Bandit, DawTwoStep, ...). The task is passed
to SB3 as it is (a continuing env: trials follow each other, as in NeuroGym's
SB3 example); the trained model is saved in an agent folder beside the
supervised agents (``agent.json`` with ``kind: "sb3"`` and ``sb3_model.zip``),
so ``run-agent`` records it like any other agent.

Stable-Baselines3 and torch are imported inside the functions; without them a
one-line error names the ``rl`` (or ``agents``) extra.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import gymnasium as gym
import numpy as np

from neurogym_app.agents._deps import require_sb3, require_sb3_contrib, require_torch
from neurogym_app.agents.agent import (
    AGENT_FORMAT,
    AGENT_FORMAT_VERSION,
    AgentError,
    AgentStep,
    make_task_env,
    now_iso,
    read_agent_spec,
    resolve_agent_folder,
    write_json,
)

__all__ = ["RL_ALGOS", "SB3Agent", "SB3Policy", "train_rl", "RLResult"]

RL_ALGOS = ("ppo", "a2c", "recurrentppo")
SB3_MODEL_NAME = "sb3_model.zip"
FINAL_EVAL_SEED_BASE = 2_000_000


def _algo_class(algo: str) -> Any:
    if algo == "ppo":
        return require_sb3().PPO
    if algo == "a2c":
        return require_sb3().A2C
    if algo == "recurrentppo":
        return require_sb3_contrib().RecurrentPPO
    raise AgentError(f"unknown RL algorithm {algo!r}; use one of {', '.join(RL_ALGOS)}")


class SB3Policy:
    """An SB3 model playing one env step by step (greedy by default).

    Reports the action probabilities (Discrete actions) and the hidden state:
    the LSTM state for RecurrentPPO, the actor's last latent layer otherwise.
    """

    def __init__(self, agent: SB3Agent, greedy: bool = True, seed: int | None = None) -> None:
        self.agent = agent
        self.greedy = greedy
        self.rng = np.random.default_rng(seed)
        self.reset()

    def reset(self) -> None:
        self.lstm_state: Any = None
        self.episode_start = True

    def act(self, ob: Any) -> AgentStep:
        torch = require_torch()
        policy = self.agent.model.policy
        obs_t, _ = policy.obs_to_tensor(np.asarray(ob, dtype=np.float32))
        hidden: dict[str, np.ndarray] = {}
        with torch.no_grad():
            if self.agent.algo == "recurrentppo":
                if self.lstm_state is None:
                    shape = self.agent.model.policy.lstm_hidden_state_shape
                    zeros = torch.zeros(shape[0], 1, shape[2])
                    self.lstm_state = (zeros, zeros.clone())
                starts = torch.tensor([1.0 if self.episode_start else 0.0])
                dist, self.lstm_state = policy.get_distribution(obs_t, self.lstm_state, starts)
                hidden = {"hidden": self.lstm_state[0][-1, 0].numpy().astype(np.float32), "cell": self.lstm_state[1][-1, 0].numpy().astype(np.float32)}
            else:
                features = policy.extract_features(obs_t)
                if isinstance(features, tuple):
                    features = features[0]
                latent = policy.mlp_extractor.forward_actor(features)  # the actor's hidden layer, shown as "hidden"
                dist = policy.get_distribution(obs_t)  # the same features and latent again, through sb3's public API
                hidden = {"hidden": latent[0].numpy().astype(np.float32)}
        self.episode_start = False
        space = self.agent.action_space
        if isinstance(space, gym.spaces.Discrete):
            probs = dist.distribution.probs[0].numpy().astype(np.float32)
            if self.greedy:
                action = int(np.argmax(probs))
            else:
                action = int(self.rng.choice(len(probs), p=probs / probs.sum()))
            return AgentStep(action, probs, hidden)
        mode = dist.mode() if self.greedy else dist.sample()
        action = np.clip(mode[0].numpy(), space.low, space.high).astype(space.dtype)
        return AgentStep(action, None, hidden)

    def __call__(self, ob: Any) -> Any:
        return self.act(ob).action


class SB3Agent:
    """A trained Stable-Baselines3 model with the same interface as :class:`~neurogym_app.agents.agent.Agent`."""

    def __init__(self, model: Any, spec: dict[str, Any], folder: Path | None = None) -> None:
        self.model = model
        self.spec = spec
        self.folder = folder
        self.algo = spec["training"]["algo"]

    name = property(lambda self: str(self.spec.get("name", "agent")))
    task_id = property(lambda self: str(self.spec["task"]["id"]))
    task_kwargs = property(lambda self: dict(self.spec["task"].get("kwargs") or {}))
    trained_timing = property(lambda self: self.spec["task"].get("timing", "default"))

    @property
    def action_space(self) -> gym.Space:
        return self.model.action_space

    def default_play_timing(self) -> Any:
        return "human" if self.trained_timing == "mixed" else self.trained_timing

    def make_env(self, timing: Any = None, task_id: str | None = None) -> gym.Env:
        env = make_task_env(task_id or self.task_id, self.task_kwargs, self.default_play_timing() if timing is None else timing)
        self.check_env(env)
        return env

    def check_env(self, env: gym.Env) -> None:
        if env.observation_space.shape != self.model.observation_space.shape or env.action_space != self.model.action_space:
            raise AgentError(f"agent {self.name!r} was trained on other observation/action spaces than {type(env.unwrapped).__name__}")

    def policy(self, greedy: bool = True, seed: int | None = None) -> SB3Policy:
        return SB3Policy(self, greedy=greedy, seed=seed)

    def save(self, folder: str | Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.model.save(folder / SB3_MODEL_NAME)
        write_json(folder / "agent.json", self.spec)
        self.folder = folder
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> SB3Agent:
        folder = resolve_agent_folder(folder)
        spec = read_agent_spec(folder)
        if spec.get("kind") != "sb3":
            raise AgentError(f"{folder}: not a Stable-Baselines3 agent")
        algo_cls = _algo_class(spec["training"]["algo"])
        try:
            model = algo_cls.load(folder / spec.get("files", {}).get("model", SB3_MODEL_NAME), device="cpu")
        except FileNotFoundError:
            raise AgentError(f"{folder}: no {SB3_MODEL_NAME}") from None
        return cls(model, spec, folder)

    def __repr__(self) -> str:
        return f"SB3Agent({self.name!r}, task={self.task_id!r}, {self.algo})"


def evaluate_policy_agent(agent: Any, timing: Any = None, trials: int = 200, seed: int = FINAL_EVAL_SEED_BASE, n_envs: int = 4) -> dict[str, Any]:
    """Closed-loop accuracy of any agent with ``make_env``/``policy`` (one policy per env, round robin)."""
    timing = agent.default_play_timing() if timing is None else timing
    envs = [agent.make_env(timing=timing) for _ in range(n_envs)]
    policies = [agent.policy() for _ in range(n_envs)]
    obs = [env.reset(seed=seed + i)[0] for i, env in enumerate(envs)]
    quota = [trials // n_envs + (1 if i < trials % n_envs else 0) for i in range(n_envs)]
    done = [0] * n_envs
    correct: list[int] = []
    rewards: list[float] = []
    acc_reward = [0.0] * n_envs
    guard = 0
    while any(d < q for d, q in zip(done, quota)) and guard < 100_000 + 1000 * trials:
        guard += 1
        for i, env in enumerate(envs):
            if done[i] >= quota[i]:
                continue
            ob, reward, terminated, truncated, info = env.step(policies[i](obs[i]))
            acc_reward[i] += reward
            if info.get("new_trial"):
                correct.append(int(info.get("performance", 0) == 1))
                rewards.append(acc_reward[i])
                acc_reward[i] = 0.0
                done[i] += 1
            if terminated or truncated:
                ob, _ = env.reset()
                policies[i].reset()
            obs[i] = ob
    return {
        "task": agent.task_id,
        "timing": timing if isinstance(timing, str) else "custom",
        "n_trials": len(correct),
        "accuracy": float(np.mean(correct)) if correct else float("nan"),
        "mean_reward": float(np.mean(rewards)) if rewards else float("nan"),
        "seeds": {"first_env_seed": seed, "n_envs": n_envs},
        "greedy": True,
    }


@dataclass
class RLResult:
    agent: SB3Agent
    folder: Path
    evaluation: dict[str, Any]
    train_seconds: float


def _progress_callback(total: int, stream: TextIO | None) -> Any:
    sb3 = require_sb3()

    class _Progress(sb3.common.callbacks.BaseCallback):
        def __init__(self) -> None:
            super().__init__()
            self._decile = -1
            self._t0 = time.perf_counter()

        def _on_step(self) -> bool:
            if stream is None:
                return True
            decile = int(10 * self.num_timesteps / max(total, 1))
            if decile != self._decile:
                self._decile = decile
                stream.write(f"[rl] {self.num_timesteps}/{total} steps {time.perf_counter() - self._t0:.1f}s\n")
                stream.flush()
            return True

    return _Progress()


def train_rl(
    task: str,
    *,
    algo: str = "ppo",
    steps: int = 20_000,
    seed: int = 0,
    timing: Any = "default",
    env_kwargs: dict[str, Any] | None = None,
    out: str | os.PathLike[str] | None = None,
    name: str | None = None,
    force: bool = False,
    progress: bool = True,
    stream: TextIO | None = None,
    eval_trials: int = 200,
    threads: int | None = 1,
    algo_kwargs: dict[str, Any] | None = None,
) -> RLResult:
    """Train an SB3 agent on ``task`` for ``steps`` env steps and save it (``sessions/agents/<name>``)."""
    from neurogym_app.agents.train import eval_timings, new_agent_folder

    torch = require_torch()
    algo = algo.lower()
    algo_cls = _algo_class(algo)
    if timing == "mixed":
        raise AgentError("RL training takes one timing (default, human or a dict), not 'mixed'")
    if not isinstance(steps, int) or steps < 1:
        raise AgentError(f"steps must be a positive integer, got {steps!r}")
    if threads:
        torch.set_num_threads(int(threads))
    kwargs = dict(env_kwargs or {})
    env = make_task_env(task, kwargs, timing)
    env.reset(seed=seed)
    policy_name = "MlpLstmPolicy" if algo == "recurrentppo" else "MlpPolicy"
    options = {"seed": seed, "verbose": 0, "device": "cpu"}
    if algo in ("ppo", "recurrentppo"):
        options.update(n_steps=128, batch_size=64)
    options.update(algo_kwargs or {})
    model = algo_cls(policy_name, env, **options)
    base = task.rsplit("-v", 1)[0]
    folder = new_agent_folder(out, name or f"{base}_{algo}_s{seed}", force)
    t0 = time.perf_counter()
    stream = stream if stream is not None else sys.stderr
    model.learn(total_timesteps=steps, callback=_progress_callback(steps, stream if progress else None))
    train_seconds = time.perf_counter() - t0

    import stable_baselines3

    import neurogym_app

    spec = {
        "format": AGENT_FORMAT,
        "format_version": AGENT_FORMAT_VERSION,
        "name": folder.name,
        "kind": "sb3",
        "task": {"id": task, "kwargs": kwargs, "dt": getattr(env.unwrapped, "dt", None), "timing": timing},
        "training": {
            "method": "reinforcement",
            "algo": algo,
            "policy": policy_name,
            "steps": steps,
            "seed": seed,
            "options": {k: v for k, v in options.items() if k not in ("verbose", "device")},
            "train_seconds": round(train_seconds, 3),
        },
        "seeds": {"sb3": seed, "env_reset": seed, "eval_final": FINAL_EVAL_SEED_BASE + 1000 * seed},
        "versions": {
            "app": neurogym_app.__version__,
            "torch": torch.__version__,
            "stable_baselines3": stable_baselines3.__version__,
            "numpy": np.__version__,
        },
        "created": now_iso(),
        "files": {"model": SB3_MODEL_NAME},
    }
    agent = SB3Agent(model, spec, folder)
    final_seed = FINAL_EVAL_SEED_BASE + 1000 * seed
    held_out = {t: evaluate_policy_agent(agent, timing=t, trials=eval_trials, seed=final_seed) for t in eval_timings(task)}
    spec["evaluation"] = {t: {"accuracy": r["accuracy"], "mean_reward": r["mean_reward"], "n_trials": r["n_trials"]} for t, r in held_out.items()}
    agent.save(folder)
    evaluation = {"task": task, "algo": algo, "steps_trained": steps, "train_seconds": round(train_seconds, 3), "held_out": held_out}
    write_json(folder / "evaluation.json", evaluation)
    return RLResult(agent=agent, folder=folder, evaluation=evaluation, train_seconds=train_seconds)
