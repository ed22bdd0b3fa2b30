"""The 20 tasks of Yang et al. 2019, one class per task (ids ``yang19.<name>-v0``).

"Task representations in neural networks trained to perform many cognitive
tasks" (Nature Neuroscience 22, 297-306). Every task shares one layout, as in
NeuroGym's ``yang19`` collection:

* observation: ``fixation`` (1 unit) + ``stimulus_mod1`` and ``stimulus_mod2``
  (a ring of ``dim_ring`` direction-tuned units each; a stimulus is a Gaussian
  bump, sd pi/8, peaking at its direction);
* action: ``fixation`` (0) + ``choice`` (1..``dim_ring``: a direction on the
  ring, ``choice[i]`` pointing at ``2*pi*i/dim_ring``).

The fixation input is on until the response period ("decision"); responding
(any non-fixation action) before it costs ``rewards["abort"]``, and the first
response in it ends the trial.

Families and how they differ from NeuroGym's implementation:

* reach (go, rtgo, dlygo, anti, rtanti, dlyanti): one stimulus in one
  modality (drawn per trial, ``trial["modality"]``); respond toward it (anti:
  away from it). ``dlygo``/``dlyanti`` no longer throw away the caller's
  ``timing`` (NeuroGym replaced it by ``{"delay": 500}``).
* decision making (dm1, dm2, ctxdm1, ctxdm2, multidm and the delayed dly*
  versions): two stimuli at different directions; respond toward the one with
  the larger (modality-weighted) strength. As in Yang et al. (not NeuroGym) the
  two directions are at least 90 degrees apart, so the two bumps never merge.
  A tie (possible in multidm/multidlydm, as in NeuroGym) is a zero-strength
  trial whose correct direction is drawn at random.
* delayed match (dms, dnms, dmc, dnmc): a sample, a delay, a test in the same
  modality; respond toward the test on a match (dms, dmc) or a non-match (dnms,
  dnmc) and keep fixating otherwise. A correctly withheld response counts as
  correct (``performance=1``, ``rewards["correct"]`` at the end of the trial).
  The category tasks fix NeuroGym's label defect, see ``_DelayedMatch``.

Noise (``sigma``, per sqrt(ms)) goes on both stimulus rings during the
stimulus periods (NeuroGym also noised the fixation input in the dm tasks);
the reach tasks are noiseless by default, as in NeuroGym.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.tasks.helpers import input_noise_sd, merge_rewards, ring_angles

__all__ = [
    "go", "rtgo", "dlygo", "anti", "rtanti", "dlyanti",
    "dm1", "dm2", "ctxdm1", "ctxdm2", "multidm",
    "dlydm1", "dlydm2", "ctxdlydm1", "ctxdlydm2", "multidlydm",
    "dms", "dnms", "dmc", "dnmc",
    "category_of",
]

PAPER_NAME = "Task representations in neural networks trained to perform many cognitive tasks"
PAPER_LINK = "https://www.nature.com/articles/s41593-018-0310-2"
_MODALITIES = (1, 2)


def _meta(tags: list[str], **extra: Any) -> dict[str, Any]:
    """Metadata shared by every Yang et al. 2019 task, plus the task's own."""
    meta: dict[str, Any] = {
        "paper_name": PAPER_NAME,
        "paper_link": PAPER_LINK,
        "tags": ["yang19", "multitask", *tags, "supervised"],
        "rt_from": "decision",
    }
    meta.update(extra)
    return meta


def _circular_distance(a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    d = np.abs(np.mod(np.asarray(a) - np.asarray(b), 2 * np.pi))
    return np.minimum(d, 2 * np.pi - d)


def gaussian_bump(angles: np.ndarray, direction: float, strength: float = 1.0) -> np.ndarray:
    """Yang et al.'s ring code: ``0.8 * strength * exp(-d^2 / 2)``, d in units of pi/8."""
    d = _circular_distance(angles, direction) / (np.pi / 8)
    return 0.8 * float(strength) * np.exp(-(d**2) / 2)


_COH_KEYS = {1: "coh_mod1", 2: "coh_mod2"}
_COH12_KEYS = {1: ("coh1_mod1", "coh2_mod1"), 2: ("coh1_mod2", "coh2_mod2")}
_MATCH_LABELS = ("match", "non-match")


def category_of(index: int, dim_ring: int) -> int:
    """Category of ring direction ``index``: 0 for 0 < theta < pi, 1 for pi < theta < 2 pi.

    Directions on the boundary (theta = 0 or pi) belong to neither category and
    raise ``ValueError``; the category tasks never show them. A 2-unit ring has
    only the two boundary directions: there each is its own category (0 and 1).
    """
    half = dim_ring // 2
    i = int(index) % dim_ring
    if dim_ring == 2:
        return i
    if i == 0 or i == half:
        raise ValueError(f"direction {index} of a {dim_ring}-unit ring lies on the category boundary")
    return 0 if i < half else 1


class _Yang19Task(TrialEnv):
    """Shared layout, parameters and judging of the Yang et al. 2019 tasks."""

    default_timing: ClassVar[dict[str, Any]] = {}

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        sigma: float = 1.0,
        dim_ring: int = 16,
        abort: bool = False,
    ) -> None:
        super().__init__(dt=dt)
        if isinstance(dim_ring, bool) or not isinstance(dim_ring, (int, np.integer)) or dim_ring < 2:
            raise ValueError(f"dim_ring must be an integer of at least 2, got {dim_ring!r}")
        self.dim_ring = int(dim_ring)
        self.sigma = input_noise_sd(sigma, dt)
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.abort = bool(abort)
        n = self.dim_ring
        self.theta = ring_angles(n)
        self.choices = np.arange(n)
        self.observation_space = spaces.Box(
            -np.inf, np.inf, shape=(1 + 2 * n,), dtype=np.float32,
            name={
                "fixation": 0,
                "stimulus_mod1": list(range(1, n + 1)),
                "stimulus_mod2": list(range(n + 1, 2 * n + 1)),
            },
        )
        self.action_space = spaces.Discrete(1 + n, name={"fixation": 0, "choice": list(range(1, n + 1))})

    # ------------------------------------------------------------- helpers
    def _check_index(self, name: str, value: Any) -> int:
        if type(value) is int and 0 <= value < self.dim_ring:  # the usual case, checked first
            return value
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value < self.dim_ring:
            raise ValueError(f"{name} must be a ring index in 0..{self.dim_ring - 1}, got {value!r}")
        return int(value)

    def _check_modality(self, value: Any) -> int:
        if type(value) is int and (value == 1 or value == 2):  # the usual case, checked first
            return value
        if value not in _MODALITIES:
            raise ValueError(f"modality must be 1 or 2, got {value!r}")
        return int(value)

    def _show(self, modality: int, direction: float, strength: float, period: str) -> None:
        """A stimulus at ``direction`` on ``modality``'s ring during ``period``."""
        self.add_ob(gaussian_bump(self.theta, direction, strength), period, where=f"stimulus_mod{modality}")

    def _add_noise(self, periods: list[str]) -> None:
        """Input noise on both rings during ``periods`` (none when ``sigma`` is 0)."""
        if self.sigma > 0:
            self.add_randn(0, self.sigma, periods, where="stimulus_mod1")
            self.add_randn(0, self.sigma, periods, where="stimulus_mod2")

    def _begin_trial(self, periods: list[str]) -> None:
        """Add ``periods`` (the last is "decision"); the fixation input is on until "decision"."""
        self.add_period(periods)
        self.add_ob(1, where="fixation")
        self.set_ob(0, "decision", where="fixation")

    # -------------------------------------------------------------- judging
    def _step(self, action):
        """Respond in "decision" (correct if it is the gt); before it, fixate."""
        gt = self.gt_now
        reward, new_trial = 0.0, False
        if action != 0 and self.in_period("decision"):
            new_trial = True
            reward = self.rewards["correct"] if action == gt else self.rewards["fail"]
            self.performance = 1 if action == gt else 0
        elif action != 0:  # the fixation input is on: responding now breaks fixation
            reward = self.rewards["abort"]
            if self.abort:
                new_trial = True
                self.performance = 0
        return OBNOW, reward, False, False, {"new_trial": new_trial, "gt": gt}


# =========================================================================
# Reach family: go, rtgo, dlygo, anti, rtanti, dlyanti
# =========================================================================
class _Reach(_Yang19Task):
    """Respond toward (or, anti, away from) a single stimulus on the ring.

    Trial variables: ``ground_truth`` (index of the correct direction),
    ``modality`` (1 or 2, the ring the stimulus appears on); derived
    ``stim_theta`` (the stimulus direction, rad) and ``anti``.
    """

    anti: ClassVar[bool] = False
    reaction: ClassVar[bool] = False
    default_timing = {"fixation": 500, "stimulus": 500, "delay": 0, "decision": 500}

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        dim_ring: int = 16,
        sigma: float = 0.0,
        abort: bool = False,
    ) -> None:
        super().__init__(dt=dt, rewards=rewards, timing=timing, sigma=sigma, dim_ring=dim_ring, abort=abort)

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial: dict[str, Any] = {
            "ground_truth": int(self.rng.choice(self.choices)),
            "modality": int(self.rng.choice(_MODALITIES)),
        }
        kwargs.pop("stim_theta", None)  # derived from the ground truth
        kwargs.pop("anti", None)  # fixed by the task
        trial.update(kwargs)
        gt = trial["ground_truth"] = self._check_index("ground_truth", trial["ground_truth"])
        mod = trial["modality"] = self._check_modality(trial["modality"])
        shift = np.pi if self.anti else 0.0
        trial["stim_theta"] = stim_theta = float(np.mod(self.theta[gt] + shift, 2 * np.pi))
        trial["anti"] = self.anti

        # reaction time: the stimulus comes on with the response period
        stim_period = "decision" if self.reaction else "stimulus"
        self._begin_trial(["fixation", "decision"] if self.reaction else ["fixation", "stimulus", "delay", "decision"])
        self._show(mod, stim_theta, 1.0, stim_period)
        self._add_noise([stim_period])
        self.set_groundtruth(gt, "decision", where="choice")
        return trial


_REACH_CONDITIONS = ["ground_truth", "modality"]
_GO_HUMAN = {"fixation": ("uniform", (500, 1000)), "stimulus": 500, "delay": 0, "decision": 2000}
_DLY_HUMAN = {"fixation": ("uniform", (500, 1000)), "stimulus": 500, "delay": 1000, "decision": 2000}
_RT_HUMAN = {"fixation": ("uniform", (500, 1000)), "decision": 2000}


class go(_Reach):
    """Go: when the fixation input goes off, respond toward the stimulus shown.

    A stimulus appears on one modality's ring while the agent fixates; it goes
    off together with the fixation input, and the agent then responds in its
    direction.
    """

    metadata = _meta(["perceptual", "reaching"], condition_vars=_REACH_CONDITIONS)
    timing_presets = {"human": dict(_GO_HUMAN)}


class rtgo(_Reach):
    """Reaction-time go: respond toward the stimulus as soon as it appears.

    The fixation input goes off and the stimulus comes on at the same time; the
    agent responds in the stimulus direction.
    """

    metadata = _meta(["perceptual", "reaching", "reaction time"], condition_vars=_REACH_CONDITIONS)
    reaction = True
    default_timing = {"fixation": 500, "decision": 500}
    timing_presets = {"human": dict(_RT_HUMAN)}


class dlygo(_Reach):
    """Delayed go: remember the stimulus direction over a delay, then respond toward it."""

    metadata = _meta(["perceptual", "reaching", "working memory", "delayed response"], condition_vars=_REACH_CONDITIONS)
    default_timing = {"fixation": 500, "stimulus": 500, "delay": 500, "decision": 500}
    timing_presets = {"human": dict(_DLY_HUMAN)}


class anti(_Reach):
    """Anti: when the fixation input goes off, respond opposite to the stimulus shown."""

    metadata = _meta(["perceptual", "reaching", "anti-response"], condition_vars=_REACH_CONDITIONS)
    anti = True
    timing_presets = {"human": dict(_GO_HUMAN)}


class rtanti(_Reach):
    """Reaction-time anti: respond opposite to the stimulus as soon as it appears."""

    metadata = _meta(["perceptual", "reaching", "anti-response", "reaction time"], condition_vars=_REACH_CONDITIONS)
    anti = True
    reaction = True
    default_timing = {"fixation": 500, "decision": 500}
    timing_presets = {"human": dict(_RT_HUMAN)}


class dlyanti(_Reach):
    """Delayed anti: remember the stimulus over a delay, then respond opposite to it."""

    metadata = _meta(
        ["perceptual", "reaching", "anti-response", "working memory", "delayed response"],
        condition_vars=_REACH_CONDITIONS,
    )
    anti = True
    default_timing = {"fixation": 500, "stimulus": 500, "delay": 500, "decision": 500}
    timing_presets = {"human": dict(_DLY_HUMAN)}


# =========================================================================
# Decision-making family: dm1, dm2, ctxdm1, ctxdm2, multidm and delayed
# =========================================================================
class _DMFamily(_Yang19Task):
    """Two stimuli at different directions; respond toward the stronger one.

    ``stim_mod`` says which modalities show the stimuli, ``w_mod`` how much each
    counts toward the decision. Without a delay both stimuli are shown together
    with strengths ``0.5 +- coh/2`` (``coh_mod<m>``: signed coherence, positive
    favouring stimulus 1); with a delay stimulus 1 (``stim1``) and stimulus 2
    (``stim2``) are shown one after the other with two different strengths
    drawn from ``cohs`` (``coh1_mod<m>``, ``coh2_mod<m>``).

    Trial variables: ``stim1_index``, ``stim2_index`` (ring directions, at
    least 90 degrees apart) and the coherences; derived ``theta1``/``theta2``
    (rad), ``target`` (1 or 2: the stimulus to choose), ``ground_truth``
    (index of the correct direction) and ``strength`` (the unsigned weighted
    strength difference; ``signed_strength`` is positive toward stimulus 1).
    """

    w_mod: ClassVar[tuple[float, float]] = (1.0, 1.0)
    stim_mod: ClassVar[tuple[bool, bool]] = (True, True)
    delaycomparison: ClassVar[bool] = False
    default_cohs: ClassVar[tuple[float, ...]] = (0.08, 0.16, 0.32, 0.64)
    default_timing = {"fixation": ("uniform", (200, 500)), "stimulus": 500, "decision": 200}
    timing_presets = {"human": {"fixation": ("uniform", (500, 1000)), "stimulus": 1000, "decision": 2000}}

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        sigma: float = 1.0,
        cohs: list[float] | None = None,
        dim_ring: int = 16,
        abort: bool = False,
    ) -> None:
        super().__init__(dt=dt, rewards=rewards, timing=timing, sigma=sigma, dim_ring=dim_ring, abort=abort)
        values = np.asarray(self.default_cohs if cohs is None else cohs, dtype=float).ravel()
        if values.size == 0 or not np.all(np.isfinite(values)) or np.any(values < 0):
            raise ValueError(f"cohs must be a non-empty list of non-negative numbers, got {cohs!r}")
        if not self.delaycomparison and np.any(values > 1):
            raise ValueError(f"cohs must lie in 0-1 (strengths are 0.5 +- coh/2), got {cohs!r}")
        if self.delaycomparison and np.unique(values).size < 2:
            raise ValueError(f"cohs needs at least two different values (stimulus strengths differ), got {cohs!r}")
        self.cohs = values
        # Stimulus 2 lies 90-270 degrees from stimulus 1 (Yang et al.), as ring offsets.
        n = self.dim_ring
        self._offsets = np.array([k for k in range(1, n) if min(k, n - k) * 4 >= n])
        self._mods = [m for m, shown in zip(_MODALITIES, self.stim_mod) if shown]

    @staticmethod
    def signed_strength(trial: dict[str, Any]) -> float:
        """Weighted strength difference, positive when stimulus 1 is the one to choose."""
        return float(trial["strength"]) * (1.0 if int(trial["target"]) == 1 else -1.0)

    def _draw_cohs(self, trial: dict[str, Any], mod: int) -> None:
        """Draw modality ``mod``'s coherence(s) into ``trial``."""
        if self.delaycomparison:
            first, second = self.rng.choice(self.cohs.size, 2, replace=False)
            key1, key2 = _COH12_KEYS[mod]
            trial[key1] = float(self.cohs[first])
            trial[key2] = float(self.cohs[second])
        else:
            trial[_COH_KEYS[mod]] = float(self.rng.choice(self.cohs)) * float(self.rng.choice((-1.0, 1.0)))

    def _strengths(self, trial: dict[str, Any], mod: int) -> tuple[float, float]:
        if self.delaycomparison:
            key1, key2 = _COH12_KEYS[mod]
            return float(trial[key1]), float(trial[key2])
        coh = float(trial[_COH_KEYS[mod]])
        # rounded so that equal conditions compare equal (0.5 + 0.64/2 is 0.8200000000000001)
        return round(0.5 + coh / 2, 12), round(0.5 - coh / 2, 12)

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        stim1 = int(self.rng.choice(self.choices))
        offset = int(self.rng.choice(self._offsets))
        trial: dict[str, Any] = {"stim1_index": stim1}
        for mod in self._mods:
            self._draw_cohs(trial, mod)
        tie_break = self.rng.random()  # not float(): the Dataset then runs this code once for many trials
        for key in ("theta1", "theta2", "target", "ground_truth", "strength"):
            kwargs.pop(key, None)  # derived below
        if not self.delaycomparison:
            for mod in _MODALITIES:
                kwargs.pop(f"coh1_mod{mod}", None)
                kwargs.pop(f"coh2_mod{mod}", None)
        trial.update(kwargs)
        stim1 = trial["stim1_index"] = self._check_index("stim1_index", trial["stim1_index"])
        if "stim2_index" not in trial:
            trial["stim2_index"] = (stim1 + offset) % self.dim_ring
        stim2 = trial["stim2_index"] = self._check_index("stim2_index", trial["stim2_index"])
        if stim1 == stim2:
            raise ValueError(f"stim1_index and stim2_index must differ, both are {stim1}")
        trial["theta1"] = theta1 = float(self.theta[stim1])
        trial["theta2"] = theta2 = float(self.theta[stim2])

        delayed = self.delaycomparison
        self._begin_trial(["fixation", "stim1", "delay", "stim2", "decision"] if delayed else ["fixation", "stimulus", "decision"])
        evidence = 0.0
        for mod, weight in zip(_MODALITIES, self.w_mod):
            if mod not in self._mods:
                continue
            s1, s2 = self._strengths(trial, mod)
            if not delayed:
                key1, key2 = _COH12_KEYS[mod]
                trial[key1], trial[key2] = s1, s2
            self._show(mod, theta1, s1, "stim1" if delayed else "stimulus")
            self._show(mod, theta2, s2, "stim2" if delayed else "stimulus")
            evidence += weight * (s1 - s2)
        self._add_noise(["stim1", "stim2"] if delayed else ["stimulus"])

        if abs(evidence) < 1e-9:  # equal weighted strengths: either answer is as good
            evidence = 0.0
            target = 1 if tie_break < 0.5 else 2
        else:
            target = 1 if evidence > 0 else 2
        trial["target"] = target
        trial["strength"] = round(float(abs(evidence)), 12)
        trial["ground_truth"] = ground_truth = stim1 if target == 1 else stim2
        self.set_groundtruth(ground_truth, "decision", where="choice")
        return trial


def _dm_meta(tags: list[str], mods: list[int], delayed: bool) -> dict[str, Any]:
    keys = [f"coh1_mod{m}" for m in mods] + [f"coh2_mod{m}" for m in mods] if delayed else [f"coh_mod{m}" for m in mods]
    base = ["perceptual", "decision making"] + (["working memory", "delayed comparison"] if delayed else [])
    return _meta(base + tags, condition_vars=keys, strength_var="strength")


_DLYDM_TIMING = {"fixation": ("uniform", (200, 500)), "stim1": 500, "delay": 1000, "stim2": 500, "decision": 200}
_DLYDM_HUMAN = {"fixation": ("uniform", (500, 1000)), "stim1": 500, "delay": 1000, "stim2": 500, "decision": 2000}


class dm1(_DMFamily):
    """Decision making, modality 1: respond toward the stronger of two stimuli on ring 1."""

    metadata = _dm_meta([], [1], False)
    w_mod = (1.0, 1.0)
    stim_mod = (True, False)


class dm2(_DMFamily):
    """Decision making, modality 2: respond toward the stronger of two stimuli on ring 2."""

    metadata = _dm_meta([], [2], False)
    w_mod = (1.0, 1.0)
    stim_mod = (False, True)


class ctxdm1(_DMFamily):
    """Context decision making 1: stimuli on both rings; choose by ring 1, ignore ring 2."""

    metadata = _dm_meta(["context dependent"], [1, 2], False)
    w_mod = (1.0, 0.0)
    stim_mod = (True, True)


class ctxdm2(_DMFamily):
    """Context decision making 2: stimuli on both rings; choose by ring 2, ignore ring 1."""

    metadata = _dm_meta(["context dependent"], [1, 2], False)
    w_mod = (0.0, 1.0)
    stim_mod = (True, True)


class multidm(_DMFamily):
    """Multisensory decision making: choose the direction whose summed strength on both rings is larger."""

    metadata = _dm_meta(["multisensory"], [1, 2], False)
    w_mod = (1.0, 1.0)
    stim_mod = (True, True)


class _DelayedDM(_DMFamily):
    """Delayed decision making: the two stimuli come one after the other, separated by a delay."""

    delaycomparison = True
    default_cohs = (0.3, 0.6, 1.0)
    default_timing = dict(_DLYDM_TIMING)
    timing_presets = {"human": dict(_DLYDM_HUMAN)}


class dlydm1(_DelayedDM):
    """Delayed decision making, modality 1: two successive stimuli on ring 1; choose the stronger."""

    metadata = _dm_meta([], [1], True)
    w_mod = (1.0, 1.0)
    stim_mod = (True, False)


class dlydm2(_DelayedDM):
    """Delayed decision making, modality 2: two successive stimuli on ring 2; choose the stronger."""

    metadata = _dm_meta([], [2], True)
    w_mod = (1.0, 1.0)
    stim_mod = (False, True)


class ctxdlydm1(_DelayedDM):
    """Context delayed decision making 1: successive stimuli on both rings; choose by ring 1."""

    metadata = _dm_meta(["context dependent"], [1, 2], True)
    w_mod = (1.0, 0.0)
    stim_mod = (True, True)


class ctxdlydm2(_DelayedDM):
    """Context delayed decision making 2: successive stimuli on both rings; choose by ring 2."""

    metadata = _dm_meta(["context dependent"], [1, 2], True)
    w_mod = (0.0, 1.0)
    stim_mod = (True, True)


class multidlydm(_DelayedDM):
    """Multisensory delayed decision making: choose the stimulus with the larger summed strength."""

    metadata = _dm_meta(["multisensory"], [1, 2], True)
    w_mod = (1.0, 1.0)
    stim_mod = (True, True)


# =========================================================================
# Delayed match family: dms, dnms, dmc, dnmc
# =========================================================================
class _DelayedMatch(_Yang19Task):
    """Sample, delay, test (same modality); go toward the test on a (non-)match.

    ``matchto="sample"``: the test is the sample direction (match) or the
    opposite one (non-match). ``matchto="category"``: directions in the upper
    half of the ring (0 < theta < pi) are category 0, those in the lower half
    (pi < theta < 2 pi) category 1; sample and test match when their categories
    agree. ``matchgo``: respond on a match (else keep fixating), or the reverse.

    The category defect of NeuroGym's version (6.25 % of trials mislabelled
    with 16 directions) came from two rules for one boundary: the sample's
    category was ``i_sample > half_ring`` while the test was drawn from
    ``half_ring..dim_ring-1`` for category 1, so a sample at theta = pi
    (index ``half_ring``) was called category 0 but shown beside tests of the
    lower half as if category 1, and every such trial got the wrong match
    label. Sample and test directions on the boundary (theta = 0 and pi) are
    also ambiguous; Yang et al. never show them. Here one rule
    (``category_of``) labels both stimuli, and the boundary directions are not
    drawn. A 2-unit ring (``dim_ring=2``, NeuroGym's yang19 example) has only
    the two boundary directions; each is then its own category, so a match is
    a test in the sample's direction (NeuroGym called both samples category 0,
    so its sample told nothing about the answer).

    Trial variables: ``ground_truth`` ("match" or "non-match"), ``modality``,
    ``sample_index`` and ``test_index`` (ring directions; by default the test
    follows from the sample and ``ground_truth``); derived ``sample_theta``,
    ``test_theta`` and, for categories, ``sample_category``/``test_category``.
    """

    matchto: ClassVar[str] = "sample"
    matchgo: ClassVar[bool] = True
    default_timing = {"fixation": 300, "sample": 500, "delay": 1000, "test": 500, "decision": 900}
    timing_presets = {"human": {"fixation": 500, "sample": 500, "delay": 1000, "test": 500, "decision": 1500}}

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        sigma: float = 1.0,
        dim_ring: int = 16,
        abort: bool = False,
    ) -> None:
        super().__init__(dt=dt, rewards=rewards, timing=timing, sigma=sigma, dim_ring=dim_ring, abort=abort)
        if self.dim_ring % 2 != 0:
            raise ValueError(f"dim_ring must be even (non-match and category halves), got {dim_ring}")
        self.half_ring = self.dim_ring // 2
        if self.matchto == "category":
            # Directions strictly inside each category (the boundary 0, pi excluded);
            # on a 2-unit ring (NeuroGym's yang19 example) each direction is a category.
            inner = 0 if self.dim_ring == 2 else 1
            self.category_members = [
                np.arange(inner, self.half_ring),
                np.arange(self.half_ring + inner, self.dim_ring),
            ]
            self.sample_choices = np.concatenate(self.category_members)
        else:
            self.sample_choices = self.choices

    def _is_match(self, sample: int, test: int) -> bool:
        if self.matchto == "category":
            return category_of(sample, self.dim_ring) == category_of(test, self.dim_ring)
        return sample == test

    def _test_of(self, sample: int, match: bool, test_rank: int) -> tuple[int, int, int]:
        """The test direction that makes ``sample`` a match (or not), and the sample's and test's categories.

        ``test_rank`` picks the test among its category's directions; without
        categories the test is the sample direction or the opposite one, and the
        categories are -1.
        """
        if self.matchto == "category":
            sample_cat = category_of(sample, self.dim_ring)
            test_cat = sample_cat if match else 1 - sample_cat
            # category_members[c] holds directions of category c only: the test's category is test_cat
            return int(self.category_members[test_cat][test_rank]), sample_cat, test_cat
        return (sample if match else (sample + self.half_ring) % self.dim_ring), -1, -1

    def _fix_variables(self, trial: dict[str, Any], kwargs: dict[str, Any], test_rank: int) -> tuple[int, int, int]:
        """Put ``new_trial``'s keyword arguments into the drawn ``trial``, checked: ``(modality, sample, test)``."""
        for key in ("sample_theta", "test_theta", "sample_category", "test_category"):
            kwargs.pop(key, None)  # derived
        fixed_test = kwargs.pop("test_index", None)
        trial.update(kwargs)
        if trial["ground_truth"] not in _MATCH_LABELS:
            raise ValueError(f"ground_truth must be 'match' or 'non-match', got {trial['ground_truth']!r}")
        mod = trial["modality"] = self._check_modality(trial["modality"])
        sample = trial["sample_index"] = self._check_index("sample_index", trial["sample_index"])
        test = self._test_of(sample, trial["ground_truth"] == "match", test_rank)[0]
        if fixed_test is not None:
            test = self._check_index("test_index", fixed_test)
            if self.matchto == "sample" and test not in (sample, (sample + self.half_ring) % self.dim_ring):
                raise ValueError("test_index must be the sample direction or the opposite one")
            derived = "match" if self._is_match(sample, test) else "non-match"
            if "ground_truth" in kwargs and kwargs["ground_truth"] != derived:
                raise ValueError(f"test_index {test} makes this trial a {derived}, not a {kwargs['ground_truth']}")
            trial["ground_truth"] = derived
        return mod, sample, test

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        label = str(self.rng.choice(_MATCH_LABELS))
        mod = int(self.rng.choice(_MODALITIES))
        sample = int(self.rng.choice(self.sample_choices))
        category = self.matchto == "category"
        test_rank = int(self.rng.integers(0, len(self.category_members[0]))) if category else 0
        trial: dict[str, Any] = {"ground_truth": label, "modality": mod, "sample_index": sample}
        if kwargs:
            mod, sample, test = self._fix_variables(trial, kwargs, test_rank)
            match = trial["ground_truth"] == "match"
            if category:
                sample_cat, test_cat = category_of(sample, self.dim_ring), category_of(test, self.dim_ring)
        else:
            match = label == "match"
            test, sample_cat, test_cat = self._test_of(sample, match, test_rank)
        trial["test_index"] = test
        trial["sample_theta"] = float(self.theta[sample])
        trial["test_theta"] = float(self.theta[test])
        if category:
            trial["sample_category"] = sample_cat
            trial["test_category"] = test_cat

        self._begin_trial(["fixation", "sample", "delay", "test", "decision"])
        self._show(mod, trial["sample_theta"], 1.0, "sample")
        self._show(mod, trial["test_theta"], 1.0, "test")
        self._add_noise(["sample", "test"])
        if match == self.matchgo:
            self.set_groundtruth(test, "decision", where="choice")
            self.r_tmax = 0.0
        else:
            # Keeping fixation is the correct answer: it holds unless a response is made.
            self.performance = 1
            self.r_tmax = self.rewards["correct"]
        return trial


_MATCH_CONDITIONS = ["ground_truth", "modality"]


class dms(_DelayedMatch):
    """Delayed match-to-sample: respond toward the test if it matches the sample, else keep fixating."""

    metadata = _meta(["perceptual", "working memory", "match-to-sample", "go-no-go"], condition_vars=_MATCH_CONDITIONS)
    matchto = "sample"
    matchgo = True


class dnms(_DelayedMatch):
    """Delayed non-match-to-sample: respond toward the test if it differs from the sample, else keep fixating."""

    metadata = _meta(["perceptual", "working memory", "match-to-sample", "go-no-go"], condition_vars=_MATCH_CONDITIONS)
    matchto = "sample"
    matchgo = False


class dmc(_DelayedMatch):
    """Delayed match-to-category: respond toward the test if it is in the sample's category, else keep fixating.

    Category 0 is the upper half of the ring (0 < theta < pi), category 1 the
    lower half; directions on the boundary are never shown.
    """

    metadata = _meta(
        ["perceptual", "working memory", "categorization", "go-no-go"],
        condition_vars=[*_MATCH_CONDITIONS, "sample_category"],
    )
    matchto = "category"
    matchgo = True


class dnmc(_DelayedMatch):
    """Delayed non-match-to-category: respond toward the test if its category differs from the sample's.

    Category 0 is the upper half of the ring (0 < theta < pi), category 1 the
    lower half; directions on the boundary are never shown.
    """

    metadata = _meta(
        ["perceptual", "working memory", "categorization", "go-no-go"],
        condition_vars=[*_MATCH_CONDITIONS, "sample_category"],
    )
    matchto = "category"
    matchgo = False
