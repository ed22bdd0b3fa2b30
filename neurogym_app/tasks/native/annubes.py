"""Annubes: respond while a sensory stimulus is on, withhold on catch trials (``AnnubesEnv-v1``).

NeuroGym's current ``AnnubesEnv`` signature. The task of neurogym-app 0.1
(NeuroGym's older signature) stays registered as ``AnnubesEnv-v0``
(``annubes_v0.py``) so that sessions recorded with it still verify.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.timing import duration_as_spec_type
from neurogym_app.core.trial_env import TrialEnv
from neurogym_app.tasks.helpers import merge_rewards

__all__ = ["AnnubesEnv"]

PERIODS = ("fixation", "stimulus", "iti")


class AnnubesEnv(TrialEnv):
    """Detect a stimulus of one of several kinds (e.g. visual ``"v"``, auditory ``"a"``); withhold on catch trials.

    After a fixation period, a "start" input marks the stimulus period. On a
    stimulus trial one input of ``session`` (drawn with the session's relative
    probabilities) carries an intensity from ``stim_intensities`` plus noise;
    on a catch trial (probability ``catch_prob``) no stimulus comes. The agent
    must respond (action 1) on every step of the stimulus period when there is
    a stimulus and keep still (action 0) otherwise; each step of the stimulus
    period is rewarded on its own, a response during fixation or the
    inter-trial interval costs ``abort``.

    Args:
        session: stimulus kind -> relative frequency; each kind is one input
            channel, in the order given. Default ``{"v": 0.5, "a": 0.5}``.
        stim_intensities: intensities a stimulus takes (one drawn per trial).
            Default ``[0.8, 0.9, 1.0]``.
        stim_time: stimulus period (ms; any timing spec).
        catch_prob: probability of a catch trial (0-1).
        max_sequential: most stimulus trials in a row of the same kind (catch
            trials break a run and are not limited). ``None``: no limit.
        fix_intensity: value of the fixation input during fixation.
        fix_time: fixation period (ms; any timing spec).
        iti: inter-trial interval (ms; any timing spec).
        dt: time step (ms).
        tau: time constant (ms) scaling the input noise.
        output_behavior: the output values; its length is the number of actions.
        noise_std: input noise sd (before the ``tau`` scaling).
        rewards: dict updating ``abort``, ``correct``, ``fail``.
        random_seed: if given, seeds the task's generator (as ``reset(seed=...)``).
        timing: dict of period -> spec or a preset name (``"human"``); wins
            over ``fix_time``/``stim_time``/``iti``.

    Each trial records ``catch``, ``stim_type`` (``None`` on catch trials),
    ``stim_value`` and ``sequential_count`` (the run length of ``stim_type``
    including this trial); ``new_trial(**trial)`` rebuilds it. The sampled
    durations of the current trial are in ``_duration`` (period -> ms, in the
    number type of its timing spec, as NeuroGym).

    Differences from NeuroGym (defects fixed): the observation space is
    unbounded (the noise pushes inputs outside NeuroGym's ``[0, 1]`` box);
    the action names are action indices (NeuroGym puts the output values
    there, which no key map or policy can use); every random number comes from
    the task's generator, so a seed reproduces trials; ``performance`` is 1 on
    a stimulus trial with a correct response and on a catch trial without any
    response (NeuroGym counts any correct step, so a catch trial with a late
    response still counted as correct); a forced switch after
    ``max_sequential`` keeps the relative frequencies of the other kinds.
    """

    observation_space: spaces.Box  # named channels (name=...)

    metadata = {
        "paper_link": None,
        "paper_name": None,
        "tags": ["n-alternative", "perceptual", "supervised"],
        "rt_from": "stimulus",
        "condition_vars": ["stim_type", "catch"],
        "strength_var": None,
        "action_labels": {1: "go"},
    }
    timing_presets = {"human": {"fixation": 500, "stimulus": 1500, "iti": 500}}

    def __init__(
        self,
        session: dict[str, float] | None = None,
        stim_intensities: list[float] | None = None,
        stim_time: Any = 1000,
        catch_prob: float = 0.5,
        max_sequential: int | None = None,
        fix_intensity: float = 0,
        fix_time: Any = 500,
        iti: Any = 0,
        dt: float = 100,
        tau: float = 100,
        output_behavior: list[float] | None = None,
        noise_std: float = 0.01,
        rewards: dict[str, float] | None = None,
        random_seed: int | None = None,
        timing: dict[str, Any] | str | None = None,
    ) -> None:
        super().__init__(dt=dt)
        self.session = _relative_frequencies({"v": 0.5, "a": 0.5} if session is None else session)
        self.stim_intensities = _intensities([0.8, 0.9, 1.0] if stim_intensities is None else stim_intensities)
        if not 0.0 <= float(catch_prob) <= 1.0:
            raise ValueError(f"catch_prob must be between 0 and 1, got {catch_prob}")
        self.catch_prob = float(catch_prob)
        if max_sequential is not None and (isinstance(max_sequential, bool) or not isinstance(max_sequential, int) or max_sequential < 1):
            raise ValueError(f"max_sequential must be a positive int or None, got {max_sequential!r}")
        self.max_sequential = max_sequential
        if tau <= 0:
            raise ValueError(f"tau must be a positive number of ms, got {tau}")
        if noise_std < 0:
            raise ValueError(f"noise_std must be >= 0, got {noise_std}")
        self.output_behavior = [0, 1] if output_behavior is None else list(output_behavior)
        if len(self.output_behavior) < 2:
            raise ValueError(f"output_behavior needs at least two values, got {output_behavior!r}")
        self.stim_time, self.fix_time, self.iti = stim_time, fix_time, iti
        self.fix_intensity = float(fix_intensity)
        self.tau = tau
        self.noise_std = float(noise_std)
        alpha = dt / tau
        self.noise_factor = self.noise_std * np.sqrt(2 * alpha) / alpha
        self.random_seed = random_seed
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing({"fixation": fix_time, "stimulus": stim_time, "iti": iti}, timing)
        # run of the last stimulus kind (NeuroGym's counters: a catch trial ends the run)
        self.last_modality: str | None = None
        self.sequential_count = 1
        self._duration: dict[str, Any] = {}
        names = {"fixation": 0, "start": 1, **{kind: i for i, kind in enumerate(self.session, 2)}}
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=(len(names),), dtype=np.float32, name=names)
        n_actions = len(self.output_behavior)
        self.action_space = spaces.Discrete(n_actions, name={"fixation": 0, "choice": list(range(1, n_actions))})
        if random_seed is not None:
            self.seed(int(random_seed))

    # ----------------------------------------------------------------- trials
    def _kinds_allowed(self) -> list[str]:
        """Stimulus kinds the next stimulus trial may show (``max_sequential`` forces a switch)."""
        kinds = [k for k, p in self.session.items() if p > 0]
        limit = self.max_sequential
        if limit is not None and self.last_modality is not None and self.sequential_count >= limit:
            others = [k for k in kinds if k != self.last_modality]
            if others:  # with a single kind there is nothing to switch to
                return others
        return kinds

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        # The same draws in the same order on every trial, whatever the caller fixes.
        rng = self.rng
        u_catch, u_kind = float(rng.random()), float(rng.random())
        drawn_value = rng.choice(self.stim_intensities)

        catch = bool(kwargs.get("catch", u_catch < self.catch_prob))
        stim_type = None
        if not catch:
            kinds = self._kinds_allowed()
            weights = np.array([self.session[k] for k in kinds])
            cumulative = np.cumsum(weights / weights.sum())
            picked = kinds[min(int(np.searchsorted(cumulative, u_kind, side="right")), len(kinds) - 1)]
            stim_type = kwargs.get("stim_type") or picked
            if stim_type not in self.session:
                raise ValueError(f"stim_type {stim_type!r} is not in the session {list(self.session)}")
        stim_value = None if catch else float(kwargs.get("stim_value", drawn_value))

        if catch:
            self.sequential_count, self.last_modality = 1, None
        else:
            self.sequential_count = self.sequential_count + 1 if stim_type == self.last_modality else 1
            self.last_modality = stim_type
        if kwargs.get("sequential_count") is not None:
            self.sequential_count = int(kwargs["sequential_count"])

        self.add_period(list(PERIODS))
        self._duration = {
            p: duration_as_spec_type(self.timing[p], self.end_t[p] - self.start_t[p]) for p in PERIODS
        }
        self.add_ob(self.fix_intensity, "fixation", where="fixation")
        self.add_ob(1, "stimulus", where="start")
        if not catch:
            self.add_ob(stim_value, "stimulus", where=stim_type)
            self.add_randn(0, self.noise_factor, "stimulus", where=stim_type)
        self.set_groundtruth(0 if catch else 1, period="stimulus")
        # withholding through a catch trial is correct unless a response comes
        self.performance = 1 if catch else 0
        return {"catch": catch, "stim_type": stim_type, "stim_value": stim_value, "sequential_count": self.sequential_count}

    def _step(self, action: Any):
        gt = self.gt_now
        reward = 0.0
        if self.in_period("stimulus"):
            if action == gt:
                reward = self.rewards["correct"]
                if gt != 0:
                    self.performance = 1
            else:
                reward = self.rewards["fail"]
                if gt == 0:
                    self.performance = 0
        elif action != 0:  # fixation or inter-trial interval
            reward = self.rewards["abort"]
        return self.ob_now, reward, False, False, {"new_trial": False, "gt": gt}


def _relative_frequencies(session: Any) -> dict[str, float]:
    if not isinstance(session, Mapping) or not session:
        raise TypeError(f"session must be a non-empty dict of stimulus kind -> frequency, got {session!r}")
    out: dict[str, float] = {}
    for kind, freq in session.items():
        if not isinstance(kind, str) or not kind:
            raise TypeError(f"session keys must be names of stimulus kinds (e.g. 'v'), got {kind!r}")
        if kind in ("fixation", "start"):
            raise ValueError(f"session: {kind!r} is the name of another input; rename that stimulus kind")
        if isinstance(freq, bool) or not isinstance(freq, (int, float, np.integer, np.floating)) or freq < 0:
            raise ValueError(f"session[{kind!r}] must be a frequency >= 0, got {freq!r}")
        out[kind] = float(freq)
    total = sum(out.values())
    if total <= 0:
        raise ValueError("session: at least one stimulus kind needs a frequency > 0")
    return {kind: freq / total for kind, freq in out.items()}


def _intensities(values: Any) -> list[float]:
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)) or len(values) == 0:
        raise TypeError(f"stim_intensities must be a non-empty list of numbers, got {values!r}")
    return [float(v) for v in values]
