"""Perceptual decision making: report the direction of noisy motion evidence."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import TrialEnv
from neurogym_app.tasks.helpers import input_noise_sd, judge_fixate_then_choose, merge_rewards, ring_angles, ring_bump


class PerceptualDecisionMaking(TrialEnv):
    """Two-alternative forced choice on a noisy stimulus (random-dot motion).

    While fixating, the agent sees evidence for one of ``dim_ring`` directions
    with a coherence drawn from ``cohs``; after the stimulus (and an optional
    delay) it reports the direction during the decision period.

    Args:
        dt: time step (ms).
        rewards: dict updating ``abort``, ``correct``, ``fail``.
        timing: dict of period -> timing spec, or a preset name (``"human"``).
        cohs: coherences (percent) to draw from.
        sigma: input noise, per sqrt(ms).
        dim_ring: number of directions (choices).
        abort: end the trial when fixation is broken.
    """

    metadata = {
        "paper_link": "https://www.jneurosci.org/content/12/12/4745",
        "paper_name": "The analysis of visual motion: a comparison of neuronal and psychophysical performance",
        "tags": ["perceptual", "two-alternative", "supervised"],
        "rt_from": "decision",
        "condition_vars": ["ground_truth", "coh"],
        "strength_var": "coh",
        "action_labels": {1: "right", 2: "left"},
    }
    default_timing = {"fixation": 100, "stimulus": 2000, "delay": 0, "decision": 100}
    timing_presets = {"human": {"fixation": 500, "stimulus": 1000, "delay": 0, "decision": 2000}}
    default_cohs = (0, 6.4, 12.8, 25.6, 51.2)

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        cohs: list[float] | None = None,
        sigma: float = 1.0,
        dim_ring: int = 2,
        abort: bool = False,
    ) -> None:
        super().__init__(dt=dt)
        if dim_ring < 2:
            raise ValueError(f"dim_ring must be at least 2 (number of choices), got {dim_ring}")
        self.cohs = np.asarray(self.default_cohs if cohs is None else cohs, dtype=float)
        if self.cohs.size == 0 or np.any(self.cohs < 0) or np.any(self.cohs > 100):
            raise ValueError(f"cohs must be a non-empty list of coherences in 0-100 %, got {cohs!r}")
        self.sigma = input_noise_sd(sigma, dt)
        self.dim_ring = dim_ring
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.abort = abort
        self.theta = ring_angles(dim_ring)
        self.choices = np.arange(dim_ring)
        self.observation_space = spaces.Box(
            -np.inf, np.inf, shape=(1 + dim_ring,), dtype=np.float32,
            name={"fixation": 0, "stimulus": list(range(1, dim_ring + 1))},
        )
        self.action_space = spaces.Discrete(1 + dim_ring, name={"fixation": 0, "choice": list(range(1, dim_ring + 1))})

    @staticmethod
    def signed_strength(trial: dict[str, Any]) -> float:
        """Coherence signed by direction: positive toward choice 0 (rightward)."""
        return float(trial["coh"]) * (1.0 if int(trial["ground_truth"]) == 0 else -1.0)

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial: dict[str, Any] = {"ground_truth": int(self.rng.choice(self.choices)), "coh": float(self.rng.choice(self.cohs))}
        trial.update(kwargs)
        stim = ring_bump(self.theta, self.theta[trial["ground_truth"]], gain=trial["coh"] / 200)

        self.add_period(["fixation", "stimulus", "delay", "decision"])
        self.add_ob(1, ["fixation", "stimulus", "delay"], where="fixation")
        self.add_ob(stim, "stimulus", where="stimulus")
        self.add_randn(0, self.sigma, "stimulus", where="stimulus")
        self.set_groundtruth(trial["ground_truth"], "decision", where="choice")
        return trial

    def _step(self, action):
        return judge_fixate_then_choose(self, action)


class PerceptualDecisionMakingDelayResponse(TrialEnv):
    """Two-alternative choice on noisy evidence, reported after a variable delay.

    During the stimulus both stimulus channels carry noisy evidence, the one
    of the correct side stronger by the coherence (scaled by ``stim_scale``).
    The fixation input stays on through stimulus and delay; its offset is the
    go cue, and the agent reports the stronger side in the decision period.

    Args:
        dt: time step (ms).
        rewards: dict updating ``abort``, ``correct``, ``fail``.
        timing: dict of period -> timing spec, or a preset name (``"human"``).
        stim_scale: scales the coherences (task difficulty).
        sigma: input noise, per sqrt(ms).
    """

    metadata = {
        "paper_link": "https://www.nature.com/articles/s41586-019-0919-7",
        "paper_name": "Discrete attractor dynamics underlies persistent activity in the frontal cortex",
        "tags": ["perceptual", "delayed response", "two-alternative", "supervised"],
        "rt_from": "decision",
        "condition_vars": ["ground_truth", "coh"],
        "strength_var": "coh",
        "action_labels": {1: "left", 2: "right"},
    }
    default_timing = {
        "fixation": 0,
        "stimulus": 1150,
        "delay": (300, 500, 700, 900, 1200, 2000, 3200, 4000),
        "decision": 1500,
    }
    timing_presets = {"human": {"fixation": 500, "stimulus": 1000, "delay": (500, 1000, 2000), "decision": 2000}}
    default_cohs = (0, 6.4, 12.8, 25.6, 51.2)

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        stim_scale: float = 1.0,
        sigma: float = 1.0,
    ) -> None:
        super().__init__(dt=dt)
        if stim_scale < 0:
            raise ValueError(f"stim_scale must be >= 0, got {stim_scale}")
        self.choices = np.array([1, 2])
        self.stim_scale = stim_scale
        self.cohs = np.asarray(self.default_cohs, dtype=float) * stim_scale
        self.sigma = input_noise_sd(sigma, dt)
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.abort = False
        self.observation_space = spaces.Box(
            -np.inf, np.inf, shape=(3,), dtype=np.float32, name={"fixation": 0, "stimulus": [1, 2]}
        )
        self.action_space = spaces.Discrete(3, name={"fixation": 0, "choice": [1, 2]})

    @staticmethod
    def signed_strength(trial: dict[str, Any]) -> float:
        """Coherence signed by the correct side: positive toward choice 2 ("right")."""
        return float(trial["coh"]) * (1.0 if int(trial["ground_truth"]) == 2 else -1.0)

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial = {
            "ground_truth": int(self.rng.choice(self.choices)),
            "coh": float(self.rng.choice(self.cohs)),
            "sigma": float(self.sigma),
        }
        trial.update(kwargs)
        gt, coh = int(trial["ground_truth"]), float(trial["coh"])
        if gt not in (1, 2):
            raise ValueError(f"ground_truth must be 1 or 2, got {gt!r}")

        self.add_period(["fixation", "stimulus", "delay", "decision"])
        self.add_ob(1, ["fixation", "stimulus", "delay"], where="fixation")
        self.add_ob((1 - coh / 100) / 2, "stimulus", where="stimulus")
        self.set_ob((1 + coh / 100) / 2, "stimulus", where=gt)
        self.add_randn(0, float(trial["sigma"]), "stimulus", where="stimulus")
        self.set_groundtruth(gt, "decision")
        return trial

    def _step(self, action):
        return judge_fixate_then_choose(self, action)


class PulseDecisionMaking(TrialEnv):
    """Pulse-based decision making: report the side that flashed more pulses.

    In each of ``n_bin`` bins, each side may show a brief pulse, with
    probabilities ``p_pulse`` (randomly assigned to the two sides each trial).
    After the last bin the fixation input goes off and the agent reports the
    side with more pulses (ties are broken at random). Acting before the
    decision period costs ``abort``.

    Args:
        dt: time step (ms).
        rewards: dict updating ``abort``, ``correct``, ``fail``.
        timing: dict of period -> timing spec (``fixation``, ``cue0``,
            ``bin0``, ..., ``decision``), or a preset name (``"human"``).
        p_pulse: probabilities of a pulse per bin on the two sides.
        n_bin: number of stimulus bins.
    """

    metadata = {
        "paper_link": "https://elifesciences.org/articles/11308",
        "paper_name": "Sources of noise during accumulation of evidence in unrestrained and voluntarily "
        "head-restrained rats",
        "tags": ["perceptual", "two-alternative", "supervised"],
        "rt_from": "decision",
        "condition_vars": ["ground_truth", "evidence"],
        "strength_var": "evidence",
        "action_labels": {1: "left", 2: "right"},
    }
    default_timing = {
        "fixation": 500,
        "decision": 500,
        **{f"cue{i}": 10 for i in range(6)},
        **{f"bin{i}": 240 for i in range(6)},
    }
    #: per-bin durations of the human preset, applied to every bin (any ``n_bin``)
    human_bin_timing = {"cue": 100, "bin": 250}
    timing_presets = {
        "human": {
            "fixation": 500,
            "decision": 2000,
            **{f"cue{i}": 100 for i in range(6)},
            **{f"bin{i}": 250 for i in range(6)},
        }
    }

    def __init__(
        self,
        dt: float = 10,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        p_pulse: tuple[float, float] = (0.3, 0.7),
        n_bin: int = 6,
    ) -> None:
        super().__init__(dt=dt)
        if len(p_pulse) != 2 or not all(0 <= float(p) <= 1 for p in p_pulse):
            raise ValueError(f"p_pulse must be two probabilities in [0, 1], got {p_pulse!r}")
        if int(n_bin) != n_bin or n_bin < 1:
            raise ValueError(f"n_bin must be a positive integer, got {n_bin!r}")
        self.p_pulse = tuple(float(p) for p in p_pulse)
        self.n_bin = int(n_bin)
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        defaults: dict[str, Any] = {"fixation": 500, "decision": 500}
        for i in range(self.n_bin):
            defaults[f"cue{i}"] = 10
            defaults[f"bin{i}"] = 240
        if timing == "human":
            # the class preset names six bins; give every bin the human durations
            self.timing = self.resolve_timing(defaults, "human")
            for i in range(self.n_bin):
                self.timing[f"cue{i}"] = self.human_bin_timing["cue"]
                self.timing[f"bin{i}"] = self.human_bin_timing["bin"]
            for i in range(self.n_bin, 6):
                self.timing.pop(f"cue{i}", None)
                self.timing.pop(f"bin{i}", None)
        else:
            self.timing = self.resolve_timing(defaults, timing)
        self.abort = False
        self.choices = np.array([0, 1])
        self.observation_space = spaces.Box(
            -np.inf, np.inf, shape=(3,), dtype=np.float32, name={"fixation": 0, "stimulus": [1, 2]}
        )
        self.action_space = spaces.Discrete(3, name={"fixation": 0, "choice": [1, 2]})

    @staticmethod
    def signed_strength(trial: dict[str, Any]) -> float:
        """Pulses on side 2 minus pulses on side 1 (positive toward "right")."""
        return float(trial["evidence"])

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        p1, p2 = self.p_pulse
        if self.rng.random() < 0.5:
            p1, p2 = p2, p1
        trial: dict[str, Any] = {
            "pulse1": (self.rng.random(self.n_bin) < p1).astype(float).tolist(),
            "pulse2": (self.rng.random(self.n_bin) < p2).astype(float).tolist(),
        }
        tie_break = float(self.rng.uniform(-0.1, 0.1))
        for derived in ("ground_truth", "evidence"):
            kwargs.pop(derived, None)
        trial.update(kwargs)
        pulse1, pulse2 = (np.asarray(trial[k], dtype=float) for k in ("pulse1", "pulse2"))
        if pulse1.shape != (self.n_bin,) or pulse2.shape != (self.n_bin,):
            raise ValueError(f"pulse1 and pulse2 must each have n_bin={self.n_bin} values")
        trial["pulse1"], trial["pulse2"] = pulse1.tolist(), pulse2.tolist()
        n1, n2 = float(pulse1.sum()), float(pulse2.sum())
        trial["ground_truth"] = int(n1 < n2 + tie_break)
        trial["evidence"] = n2 - n1

        periods = ["fixation"]
        for i in range(self.n_bin):
            periods += [f"cue{i}", f"bin{i}"]
        self.add_period([*periods, "decision"])
        self.add_ob(1, where="fixation")
        for i in range(self.n_bin):
            self.add_ob(trial["pulse1"][i], f"cue{i}", where=1)
            self.add_ob(trial["pulse2"][i], f"cue{i}", where=2)
        self.set_ob(0, "decision")
        self.set_groundtruth(trial["ground_truth"], "decision", where="choice")
        self.before_decision = periods
        return trial

    def _step(self, action):
        return judge_fixate_then_choose(self, action, fixation_periods=self.before_decision)
