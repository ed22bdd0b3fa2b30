"""AnnubesEnv-v0: the Annubes task as neurogym-app 0.1 defined it (NeuroGym's older signature).

Kept unchanged so that sessions recorded with ``AnnubesEnv-v0`` still verify
(``neurogym-app verify`` rebuilds the task from its id). New code uses
``AnnubesEnv-v1`` (``neurogym_app.tasks.native.annubes.AnnubesEnv``), which
follows NeuroGym's current signature (``stim_intensities``, one input per
``session`` key, ``_duration``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from itertools import accumulate
from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.tasks.helpers import merge_rewards

#: reserved name of catch trials (in ``max_sequential`` and the sequence counts)
CATCH_KEYWORD = "catch"


class AnnubesEnvV0(TrialEnv):
    """AnnubesEnv-v0 (neurogym-app 0.1). Detect stimuli of one or more sensory modalities; withhold on catch trials.

    Each trial shows, after a fixation period, a stimulus made of one or more
    modalities (e.g. visual ``"v"``, auditory ``"a"`` or both), each at an
    intensity drawn from ``intensities``, or nothing at all (a catch trial,
    with probability ``catch_prob``). A "start" input marks the stimulus
    period. The agent must respond (action 1) on every step of the stimulus
    period when a stimulus is present and keep still otherwise; each step of
    the stimulus period is rewarded on its own, as in NeuroGym.

    Args:
        session: stimulus -> relative probability; a stimulus is a modality
            name or a tuple of names (shown together). Default ``{"v": 0.5, "a": 0.5}``.
        catch_prob: probability of a catch trial (0-1).
        intensities: a list of intensities for every modality, or modality -> list.
            Default ``[0.8, 0.9, 1.0]`` for each modality.
        stim_time: stimulus period (ms) (also settable as ``timing["stimulus"]``).
        max_sequential: most trials in a row that may show a modality; an int
            (for every modality, not catch trials) or a dict (``"catch"`` limits
            catch trials). ``None``: no limit.
        fix_intensity: value of the fixation input during fixation.
        fix_time: fixation period spec (also ``timing["fixation"]``).
        iti: inter-trial interval spec (also ``timing["iti"]``).
        dt: time step (ms).
        tau: time constant (ms) scaling the input noise.
        output_behavior: output values; its length is the number of actions.
        noise_std: input noise sd (before the ``tau`` scaling).
        rewards: dict updating ``abort``, ``correct``, ``fail``.
        random_seed: if given, seeds the task's generator (same as ``reset(seed=...)``).
        frozen_seed: accepted for NeuroGym compatibility; copies always continue
            the original's random stream here.
        timing: dict of period -> spec, or a preset name (``"human"``).

    Differences from NeuroGym (defects fixed): the observation space is
    unbounded (noise pushes NeuroGym's inputs outside its ``[0, 1]`` box); the
    recorded ``sequential_count`` is a snapshot, not the live counter; every
    random variable comes from the task's generator, so seeding reproduces
    trials; ``performance`` is 1 on a stimulus trial with a response and on a
    catch trial without one (NeuroGym counts any correct step, so a catch trial
    with a late response still counted as correct).
    """

    observation_space: spaces.Box  # named channels (name=...)

    metadata = {
        "paper_link": None,
        "paper_name": None,
        "tags": ["n-alternative", "perceptual", "supervised"],
        "rt_from": "stimulus",
        "condition_vars": ["stim_types", "catch"],
        "strength_var": None,
        "action_labels": {1: "go"},
    }
    default_timing = {"fixation": 500, "stimulus": 1000, "iti": 0}
    timing_presets = {"human": {"fixation": 500, "stimulus": 1500, "iti": 500}}

    def __init__(
        self,
        session: Mapping[Any, float] | None = None,
        catch_prob: float = 0.5,
        intensities: list[float] | Mapping[str, list[float]] | None = None,
        stim_time: Any = 1000,
        max_sequential: Mapping[str, int | None] | int | None = None,
        fix_intensity: float = 0,
        fix_time: Any = 500,
        iti: Any = 0,
        dt: float = 100,
        tau: float = 100,
        output_behavior: list[float] | None = None,
        noise_std: float = 0.01,
        rewards: dict[str, float] | None = None,
        random_seed: int | None = None,
        frozen_seed: bool = False,
        timing: dict[str, Any] | str | None = None,
    ) -> None:
        super().__init__(dt=dt)
        self.session, self.modalities = self._prepare_session(session)
        if not 0.0 <= float(catch_prob) <= 1.0:
            raise ValueError(f"catch_prob must be between 0 and 1, got {catch_prob}")
        self.catch_prob = float(catch_prob)
        self.intensities = self._prepare_intensities(intensities)
        self.max_sequential = self._prepare_max_sequential(max_sequential)
        self._check_max_sequential()
        if tau <= 0:
            raise ValueError(f"tau must be a positive number of ms, got {tau}")
        if noise_std < 0:
            raise ValueError(f"noise_std must be >= 0, got {noise_std}")
        self.output_behavior = list(output_behavior) if output_behavior else [0, 1]
        if len(self.output_behavior) < 2:
            raise ValueError(f"output_behavior needs at least two values, got {output_behavior!r}")
        self.stim_time = stim_time
        self.fix_time = fix_time
        self.iti = iti
        self.fix_intensity = float(fix_intensity)
        self.tau = tau
        self.noise_std = float(noise_std)
        alpha = dt / tau
        self.noise_factor = float(self.noise_std * np.sqrt(2 * alpha) / alpha)
        self.random_seed = random_seed
        self.frozen_seed = frozen_seed
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        defaults = {"fixation": fix_time, "stimulus": stim_time, "iti": iti}
        self.timing = self.resolve_timing(defaults, timing)
        self.sequential_count: dict[str, int] = dict.fromkeys(self.max_sequential, 0)
        names: dict[str, Any] = {"fixation": 0, "start": 1}
        names.update({m: i for i, m in enumerate(sorted(self.modalities), 2)})
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=(len(names),), dtype=np.float32, name=names)
        n_actions = len(self.output_behavior)
        self.action_space = spaces.Discrete(n_actions, name={"fixation": 0, "choice": list(range(1, n_actions))})
        if random_seed is not None:
            self.seed(int(random_seed))

    # ------------------------------------------------------------ validation
    @staticmethod
    def _prepare_session(session: Mapping[Any, float] | None) -> tuple[dict[tuple[str, ...], float], set[str]]:
        if session is None or (isinstance(session, Mapping) and not session):
            session = {"v": 0.5, "a": 0.5}
        if not isinstance(session, Mapping):
            raise TypeError(f"session must be a dict of stimulus -> probability, got {type(session).__name__}")
        prepared: dict[tuple[str, ...], float] = {}
        modalities: set[str] = set()
        for key, prob in session.items():
            stim = (key,) if isinstance(key, str) else tuple(key)
            if not stim or not all(isinstance(m, str) for m in stim):
                raise TypeError(f"session keys must be modality names or tuples of names, got {key!r}")
            if any(m.lower() == CATCH_KEYWORD for m in stim):
                raise ValueError(f"session: {CATCH_KEYWORD!r} is reserved for catch trials; use catch_prob")
            if float(prob) < 0:
                raise ValueError(f"session probabilities must be >= 0, got {prob} for {key!r}")
            prepared[tuple(sorted(stim))] = prepared.get(tuple(sorted(stim)), 0.0) + float(prob)
            modalities.update(stim)
        total = sum(prepared.values())
        if total <= 0:
            raise ValueError("session: at least one stimulus needs a probability > 0")
        return {k: v / total for k, v in prepared.items()}, modalities

    def _prepare_intensities(self, intensities: Any) -> dict[str, np.ndarray]:
        if intensities is None:
            intensities = [0.8, 0.9, 1.0]
        if isinstance(intensities, Mapping):
            if set(intensities) != self.modalities:
                raise ValueError(
                    f"intensities must give values for exactly the modalities {sorted(self.modalities)}, "
                    f"got {sorted(intensities)}"
                )
            out = {m: [float(v) for v in np.atleast_1d(intensities[m])] for m in sorted(self.modalities)}
        elif isinstance(intensities, (list, tuple, np.ndarray)):
            out = {m: [float(v) for v in intensities] for m in sorted(self.modalities)}
        else:
            raise TypeError(f"intensities must be a list, a dict of modality -> list, or None, got {intensities!r}")
        if any(not v for v in out.values()):
            raise ValueError("intensities: every modality needs at least one value")
        return {m: np.array(v) for m, v in out.items()}

    def _prepare_max_sequential(self, max_sequential: Any) -> dict[str, int | None]:
        if max_sequential is None or isinstance(max_sequential, int):
            limits: dict[str, int | None] = dict.fromkeys(sorted(self.modalities), max_sequential)
            limits[CATCH_KEYWORD] = None
        elif isinstance(max_sequential, Mapping):
            unknown = [k for k in max_sequential if k not in self.modalities and k != CATCH_KEYWORD]
            if unknown:
                raise ValueError(f"max_sequential has unknown key {unknown[0]!r}; use modalities or {CATCH_KEYWORD!r}")
            limits = {m: max_sequential.get(m) for m in sorted(self.modalities)}
            limits[CATCH_KEYWORD] = max_sequential.get(CATCH_KEYWORD)
        else:
            raise TypeError(f"max_sequential must be an int, a dict or None, got {max_sequential!r}")
        for key, value in limits.items():
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError(f"max_sequential[{key!r}] must be a positive int or None, got {value!r}")
        return limits

    def _check_max_sequential(self) -> None:
        """Refuse limits that no sequence of trials can satisfy."""
        if self.catch_prob >= 1.0 and self.max_sequential[CATCH_KEYWORD] is not None:
            raise ValueError("max_sequential limits catch trials, but catch_prob is 1")
        if self.catch_prob > 0.0:
            return
        share = dict.fromkeys(self.modalities, 0.0)
        for stim, prob in self.session.items():
            for modality in stim:
                share[modality] += prob
        for modality, prob in share.items():
            if self.max_sequential[modality] is not None and np.isclose(prob, 1.0):
                raise ValueError(
                    f"max_sequential limits modality {modality!r}, which appears in every trial (catch_prob is 0)"
                )

    # ----------------------------------------------------------------- trials
    def _options(self) -> list[tuple[tuple[str, ...], float]]:
        """Stimuli allowed now (given ``max_sequential``) with their probabilities (those > 0)."""
        max_sequential, counts, catch_prob = self.max_sequential, self.sequential_count, self.catch_prob
        keep = 1.0 - catch_prob
        options = []
        for stim, prob in self.session.items():
            for m in stim:
                limit = max_sequential[m]
                if limit is not None and not counts[m] < limit:
                    break  # this stimulus has been shown max_sequential times in a row
            else:
                p = keep * prob
                if p > 0:
                    options.append((stim, p))
        catch_limit = max_sequential[CATCH_KEYWORD]
        if catch_prob > 0.0 and (catch_limit is None or counts[CATCH_KEYWORD] < catch_limit):
            options.append(((), catch_prob))
        if not options:  # every option is blocked: fall back to the unconstrained ones
            options = [(s, (1.0 - self.catch_prob) * p) for s, p in self.session.items() if p > 0]
            if self.catch_prob > 0:
                options.append(((), self.catch_prob))
        return options

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        # Every random draw first, always the same ones in the same order.
        rng = self.rng
        u_stimulus = float(rng.random())
        modalities = sorted(self.modalities)
        drawn = {m: float(rng.choice(self.intensities[m])) for m in modalities}
        options = self._options()
        total = sum(p for _, p in options)
        # the option whose cumulative probability first exceeds the uniform drawn
        # above (drawn first so that every trial makes the same draws in the same order)
        cumulative = list(accumulate([p / total for _, p in options]))
        index = min(bisect_right(cumulative, u_stimulus), len(options) - 1)
        stim_types = options[index][0]

        recorded_count = None
        trial: dict[str, Any] = {"stim_types": stim_types, "stim_values": None}
        if kwargs:
            kwargs.pop("catch", None)  # derived from stim_types
            recorded_count = kwargs.pop("sequential_count", None)
            trial.update(kwargs)
        stim_types = tuple(sorted(trial["stim_types"] or ()))
        if not self.modalities.issuperset(stim_types):
            unknown = [m for m in stim_types if m not in self.modalities]
            raise ValueError(f"stim_types: unknown modality {unknown[0]!r}; modalities: {modalities}")
        trial["stim_types"] = stim_types
        catch = not stim_types
        trial["catch"] = catch
        if trial["stim_values"] is None:
            trial["stim_values"] = {m: drawn[m] for m in stim_types}
        else:
            trial["stim_values"] = {str(m): float(v) for m, v in dict(trial["stim_values"]).items()}

        # Sequence counts after this trial (a catch trial breaks every run).
        counts = self.sequential_count
        for key in counts:
            if key == CATCH_KEYWORD:
                counts[key] = counts[key] + 1 if catch else 0
            else:
                counts[key] = counts[key] + 1 if key in stim_types else 0
        if recorded_count is not None:
            self.sequential_count = {k: int(recorded_count.get(k, 0)) for k in self.sequential_count}
        trial["sequential_count"] = dict(self.sequential_count)

        self.add_period(["fixation", "stimulus", "iti"])
        self.add_ob(self.fix_intensity, "fixation", where="fixation")
        self.add_ob(1, "stimulus", where="start")
        for modality in modalities:
            if modality in stim_types:
                self.add_ob(trial["stim_values"][modality], "stimulus", where=modality)
                self.add_randn(0, self.noise_factor, "stimulus", where=modality)
        self.set_groundtruth(0 if catch else 1, "stimulus")
        # Withholding through a catch trial is correct unless a response comes.
        self.performance = 1 if catch else 0
        return trial

    def _step(self, action):
        gt = self.gt_now
        reward = 0.0
        if self.in_period("fixation") or self.in_period("iti"):
            if action != 0:
                reward = self.rewards["abort"]
        elif self.in_period("stimulus"):
            if action == gt:
                reward = self.rewards["correct"]
                if gt != 0:
                    self.performance = 1
            else:
                reward = self.rewards["fail"]
                if gt == 0:
                    self.performance = 0
        return OBNOW, reward, False, False, {"new_trial": False, "gt": gt}
