"""Perceptual decision making: report the direction of noisy motion evidence."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.spaces import channel_indices
from neurogym_app.core.trial_env import TrialEnv
from neurogym_app.tasks._common import input_noise_sd, judge_fixate_then_choose, merge_rewards, ring_angles, ring_bump

#: most entries a per-env cache of stimulus templates keeps (trial variables given to
#: ``new_trial`` may take any value; the drawn ones are few)
_CACHE_MAX = 256


def _cacheable(*keys: Any) -> bool:
    """Whether a template can be cached under ``keys``: plain ints and non-NaN floats."""
    for k in keys:
        kind = type(k)
        if kind is not int and (kind is not float or k != k):
            return False
    return True


def _choice_actions(env: TrialEnv) -> list[int]:
    """The actions named ``choice`` (what ``set_groundtruth(v, ..., where="choice")`` indexes with ``v``)."""
    names = env.action_space.name
    cache = env.__dict__.get("_choice_cache")
    if cache is None or cache[0] is not names:
        cache = env._choice_cache = (names, channel_indices(names, "choice"))
    return cache[1]


def _add_noisy(rng: np.random.Generator, block: np.ndarray, template: Any, sigma: Any) -> None:
    """``block`` (zeros) := ``template`` + ``sigma`` * standard normal noise, in float32.

    Performance: ``add_ob(template)`` then ``add_randn(0, sigma)`` on the same rows,
    without their look-ups: the same draw (``standard_normal(block.shape)``), the
    template and the noise each cast to float32 and added in float32. (``add_randn``
    also adds ``mu = 0`` to the noise, which only turns a -0.0 into +0.0; adding
    either to a template value that is not -0.0 gives the same float.)
    """
    noise = rng.standard_normal(block.shape)
    noise *= sigma
    block[...] = template
    block += noise.astype(np.float32)


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

    def batch_trials(self, rng: np.random.Generator, n: int):
        """``n`` trials at once, for ``ngym.Dataset`` (same distribution as ``new_trial``)."""
        from neurogym_app.core.dataset import BatchLayout

        ground_truth = rng.integers(self.dim_ring, size=n)
        coh = self.cohs[rng.integers(self.cohs.size, size=n)]
        lay = BatchLayout(self, rng, n)
        lay.add(["fixation", "stimulus", "delay", "decision"])
        ob, gt = lay.build(self.observation_space.shape)
        ob[..., 0] = lay.mask(["fixation", "stimulus", "delay"])
        cols = lay.span("stimulus")
        shown = lay.mask("stimulus", cols)[..., None]
        evidence = ring_bump(self.theta, self.theta[ground_truth][:, None], gain=(coh / 200)[:, None])
        block = ob[:, cols, 1:]
        block[...] = shown * evidence[:, None, :]
        block += (shown * (self.sigma * rng.standard_normal(block.shape))).astype(np.float32)
        gt[...] = lay.mask("decision") * (1 + ground_truth[:, None])
        trials = {"ground_truth": ground_truth, "coh": coh, "durations": lay.durations_ms()}
        return (*lay.finish(ob, gt), trials)

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        rng = self.rng
        choices, cohs = self.choices, self.cohs
        # rng.choice(a) of a 1-D a is a[rng.integers(0, len(a))]: the same one draw, without its checks
        trial = {
            "ground_truth": int(choices[rng.integers(0, len(choices))]),
            "coh": float(cohs[rng.integers(0, len(cohs))]),
        }
        if kwargs:
            trial.update(kwargs)
        self.add_period(("fixation", "stimulus", "delay", "decision"))
        # Performance: the arrays are written directly, with the values of
        #   add_ob(1, ["fixation", "stimulus", "delay"], where="fixation")
        #   add_ob(ring_bump(...), "stimulus", where="stimulus"); add_randn(0, sigma, "stimulus", where="stimulus")
        #   set_groundtruth(ground_truth, "decision", where="choice")
        # (the periods follow one another, so the first three span rows 0 .. end of "delay").
        start, end = self.start_ind, self.end_ind
        ob = self.ob
        ob[: end["delay"], 0] = 1
        evidence = self._evidence(trial["ground_truth"], trial["coh"])
        _add_noisy(rng, ob[start["stimulus"] : end["stimulus"], 1:], evidence, self.sigma)
        self.gt[start["decision"] : end["decision"]] = _choice_actions(self)[trial["ground_truth"]]
        return trial

    def _evidence(self, ground_truth: Any, coh: Any) -> np.ndarray:
        """``ring_bump(theta, theta[ground_truth], gain=coh / 200)``, cached (as float32) per (direction, coherence)."""
        theta = self.theta
        cache = self.__dict__.get("_evidence_cache")
        if cache is None or cache[0] is not theta:
            cache = self._evidence_cache = (theta, {})
        table = cache[1]
        if not _cacheable(ground_truth, coh):
            return ring_bump(theta, theta[ground_truth], gain=coh / 200)
        key = (ground_truth, coh)
        evidence = table.get(key)
        if evidence is None:
            # kept as float32: what writing it into the float32 observation makes of it
            evidence = ring_bump(theta, theta[ground_truth], gain=coh / 200).astype(np.float32)
            if len(table) < _CACHE_MAX:
                table[key] = evidence
        return evidence

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
        rng = self.rng
        choices, cohs = self.choices, self.cohs
        # rng.choice(a) of a 1-D a is a[rng.integers(0, len(a))]: the same one draw, without its checks
        trial = {
            "ground_truth": int(choices[rng.integers(0, len(choices))]),
            "coh": float(cohs[rng.integers(0, len(cohs))]),
            "sigma": float(self.sigma),
        }
        if kwargs:
            trial.update(kwargs)
        gt = int(trial["ground_truth"])
        if gt not in (1, 2):
            raise ValueError(f"ground_truth must be 1 or 2, got {gt!r}")
        coh = float(trial["coh"])
        self.add_period(("fixation", "stimulus", "delay", "decision"))
        # Performance: the arrays are written directly, with the values of
        #   add_ob(1, ["fixation", "stimulus", "delay"], where="fixation")
        #   add_ob((1 - coh/100)/2, "stimulus", where="stimulus"); set_ob((1 + coh/100)/2, "stimulus", where=[gt])
        #   add_randn(0, sigma, "stimulus", where="stimulus"); set_groundtruth(gt, "decision")
        # (the periods follow one another, so the first three span rows 0 .. end of "delay").
        start, end = self.start_ind, self.end_ind
        ob = self.ob
        ob[: end["delay"], 0] = 1
        _add_noisy(rng, ob[start["stimulus"] : end["stimulus"], 1:], self._stimulus(gt, coh), float(trial["sigma"]))
        self.gt[start["decision"] : end["decision"]] = gt
        return trial

    def _stimulus(self, gt: int, coh: float) -> np.ndarray:
        """The two stimulus inputs: ``(1 + coh/100)/2`` on side ``gt``, ``(1 - coh/100)/2`` on the other."""
        cache = self.__dict__.get("_stimulus_cache")
        if cache is None:
            cache = self._stimulus_cache = {}
        key = (gt, coh)
        values = cache.get(key) if coh == coh else None
        if values is None:
            values = np.array([(1 - coh / 100) / 2] * 2)
            values[gt - 1] = (1 + coh / 100) / 2
            values = values.astype(np.float32)  # what writing them into the observation makes of them
            if coh == coh and len(cache) < _CACHE_MAX:
                cache[key] = values
        return values

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
        rng = self.rng
        n_bin = self.n_bin
        p1, p2 = self.p_pulse
        if rng.random() < 0.5:
            p1, p2 = p2, p1
        for derived in ("ground_truth", "evidence"):
            kwargs.pop(derived, None)
        if "pulse1" in kwargs or "pulse2" in kwargs:
            pulse1 = (rng.random(n_bin) < p1).astype(float)
            pulse2 = (rng.random(n_bin) < p2).astype(float)
            tie_break = float(rng.uniform(-0.1, 0.1))
            trial: dict[str, Any] = {"pulse1": pulse1.tolist(), "pulse2": pulse2.tolist()}
            trial.update(kwargs)
            pulse1 = np.asarray(trial["pulse1"], dtype=float)
            pulse2 = np.asarray(trial["pulse2"], dtype=float)
            if pulse1.shape != (n_bin,) or pulse2.shape != (n_bin,):
                raise ValueError(f"pulse1 and pulse2 must each have n_bin={n_bin} values")
            trial["pulse1"] = pulse1.tolist()
            trial["pulse2"] = pulse2.tolist()
            n1, n2 = float(pulse1.sum()), float(pulse2.sum())
            pulse1, pulse2 = trial["pulse1"], trial["pulse2"]
        else:
            # Performance: the same draws and values as above, in plain Python
            # (the sums of 0.0/1.0 pulses are exact whatever the order).
            pulse1 = [1.0 if r < p1 else 0.0 for r in rng.random(n_bin).tolist()]
            pulse2 = [1.0 if r < p2 else 0.0 for r in rng.random(n_bin).tolist()]
            tie_break = float(rng.uniform(-0.1, 0.1))
            trial = {"pulse1": pulse1, "pulse2": pulse2}
            trial.update(kwargs)
            n1, n2 = float(sum(pulse1)), float(sum(pulse2))
        trial["ground_truth"] = int(n1 < n2 + tie_break)
        trial["evidence"] = n2 - n1

        names = self.__dict__.get("_period_names")
        if names is None or names[0] != n_bin:
            periods = ["fixation"]
            for i in range(n_bin):
                periods += [f"cue{i}", f"bin{i}"]
            pre = tuple(periods)
            names = self._period_names = (n_bin, pre, (*pre, "decision"), pre[1::2], frozenset(pre))
        _, pre_decision, all_periods, cues, self._pre_decision_set = names
        self.add_period(all_periods)
        # Performance: the arrays are written directly, with the values of
        #   add_ob(1, where="fixation"); add_ob(pulse1[i], f"cue{i}", where=[1]) (and pulse2, [2])
        #   set_ob(0, "decision"); set_groundtruth(ground_truth, "decision", where="choice")
        # The periods follow one another and "decision" comes last, so only the fixation
        # input is on before it; adding a pulse v to 0 gives v (nothing to add for v == 0).
        start, end = self.start_ind, self.end_ind
        ob = self.ob
        decision = start["decision"]
        ob[:decision, 0] = 1
        for cue, v1, v2 in zip(cues, pulse1, pulse2):
            if v1 or v2:
                rows = ob[start[cue] : end[cue]]
                if v1:
                    rows[:, 1] = v1
                if v2:
                    rows[:, 2] = v2
        self.gt[decision : end["decision"]] = _choice_actions(self)[trial["ground_truth"]]
        self._pre_decision = pre_decision
        return trial

    def _step(self, action):
        # performance: the same periods as self._pre_decision, as a set (one lookup, not 13)
        return judge_fixate_then_choose(self, action, fixation_periods=self._pre_decision_set)
