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
from neurogym_app.tasks._common import input_noise_sd, merge_rewards, ring_angles

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


def _pick(rng: np.random.Generator, seq: Any) -> Any:
    """``rng.choice(seq)`` for a non-empty 1-D array or tuple, without building an array.

    Performance: ``choice`` of one element is one ``integers(0, len)`` draw
    (see ``TaskRandom.choice``); this makes that draw and returns the element.
    """
    return seq[rng.integers(0, len(seq))]


def _choose_two(rng: np.random.Generator, m: int) -> tuple[int, int]:
    """``rng.choice(m, 2, replace=False)``: the same draws and the same pair.

    Performance: numpy's ``choice`` (~10 us) samples without replacement by
    Floyd's algorithm (a value in ``[0, m-2]``, then one in ``[0, m-1]``,
    replaced by ``m-1`` if it repeats the first) and shuffles the pair (one
    draw in ``[0, 1]``; 0 swaps it); each bounded draw is ``integers``'s.
    """
    if m < 2:  # numpy's error
        return rng.choice(m, 2, replace=False)
    first = int(rng.integers(0, m - 1))
    second = int(rng.integers(0, m))
    if second == first:
        second = m - 1
    if int(rng.integers(0, 2)) == 0:
        first, second = second, first
    return first, second


#: values kept per env (trial variables given to new_trial may be any floats): single rings, strengths
#: (a full cache starts afresh) and pairs of rings (beyond it, pairs are put together on every trial)
_ROW_CACHE_SIZE = 4096
_PAIR_CACHE_SIZE = 2048
#: bytes of noiseless trial arrays kept per env (see _Yang19Task._trial_arrays): a few hundred short
#: trials (a default trial's take 2-6 kB); trials above 1/64 of it are not kept (long trials gain little)
_TRIAL_CACHE_BYTES = 4 * 2**20
_COH_KEYS = {1: "coh_mod1", 2: "coh_mod2"}
_COH12_KEYS = {1: ("coh1_mod1", "coh2_mod1"), 2: ("coh1_mod2", "coh2_mod2")}
_MATCH_LABELS = ("match", "non-match")
_REACH_PERIODS = ("fixation", "stimulus", "delay", "decision")
_RT_PERIODS = ("fixation", "decision")
_DM_PERIODS = ("fixation", "stimulus", "decision")
_DLYDM_PERIODS = ("fixation", "stim1", "delay", "stim2", "decision")
_MATCH_PERIODS = ("fixation", "sample", "delay", "test", "decision")


class _RingCache:
    """Per-env values of ``theta`` that trials reuse (made again if ``theta`` is replaced)."""

    __slots__ = ("theta", "angles", "reach", "trials", "trial_bytes", "spaces", "rows", "pairs", "strengths", "rounded")

    def __init__(self, theta: np.ndarray) -> None:
        self.theta = theta
        self.angles = [float(t) for t in theta]  # float(self.theta[i])
        self.reach: dict[bool, list[float]] = {}  # stimulus direction of each ground truth, go / anti
        # ob, gt and shown rings of a trial by its steps and stimuli (_trial_arrays), made with these spaces
        self.trials: dict[tuple[Any, ...], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.trial_bytes = 0  # their size
        self.spaces: tuple[Any, Any] = (None, None)
        self.rows: dict[tuple[float, ...], np.ndarray] = {}  # one ring by (direction, strength, ...)
        self.pairs: dict[tuple[tuple[float, ...], tuple[float, ...]], np.ndarray] = {}  # both rings
        self.strengths: dict[float, tuple[float, float]] = {}  # _strengths of a coherence
        self.rounded: dict[float, float] = {}  # round(x, 12) of an evidence x


def category_of(index: int, dim_ring: int) -> int:
    """Category of ring direction ``index``: 0 for 0 < theta < pi, 1 for pi < theta < 2 pi.

    Directions on the boundary (theta = 0 or pi) belong to neither category and
    raise ``ValueError``; the category tasks never show them.
    """
    half = dim_ring // 2
    i = int(index) % dim_ring
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

    def _ring_cache(self) -> _RingCache:
        cache = self.__dict__.get("_ring_values")
        if cache is None or cache.theta is not self.theta:
            cache = self.__dict__["_ring_values"] = _RingCache(self.theta)
        return cache

    def _ring_row(self, cache: _RingCache, stimuli: tuple[float, ...]) -> np.ndarray:
        """One ring showing ``stimuli`` (direction, strength, direction, strength, ...), as the observation holds it.

        Each stimulus was added onto the zero ring with ``add_ob(gaussian_bump(...))``:
        float32 sums of float64 bumps, in order. Performance: the row is made by
        exactly those operations once per distinct stimuli and then reused.
        """
        rows = cache.rows
        row = rows.get(stimuli)
        if row is None:
            if len(rows) >= _ROW_CACHE_SIZE:
                rows.clear()
            row = np.zeros(len(self.theta), dtype=np.float32)
            for i in range(0, len(stimuli), 2):
                row += gaussian_bump(self.theta, stimuli[i], stimuli[i + 1])
            rows[stimuli] = row
        return row

    def _rings(self, cache: _RingCache, ring1: tuple[float, ...], ring2: tuple[float, ...]) -> np.ndarray:
        """Both rings, ``(2, dim_ring)`` float32: ring 1 showing ``ring1``, ring 2 ``ring2`` (see ``_ring_row``)."""
        key = (ring1, ring2)
        pair = cache.pairs.get(key)
        if pair is None:
            pair = np.array((self._ring_row(cache, ring1), self._ring_row(cache, ring2)))
            if len(cache.pairs) < _PAIR_CACHE_SIZE:
                cache.pairs[key] = pair
        return pair

    @staticmethod
    def _on_ring(modality: int, stimuli: tuple[float, ...]) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """``(ring1, ring2)`` arguments of ``_rings`` for ``stimuli`` on ``modality``'s ring only."""
        return (stimuli, ()) if modality == 1 else ((), stimuli)

    def _trial_arrays(
        self, cache: _RingCache, modality: int, stimuli: tuple[tuple[int, int, float], ...], choice: int | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Make this trial's ob and gt, noiseless, after its periods were added.

        The fixation input is on until "decision" (the last period), each of
        ``stimuli`` (``(start, stop, direction)``: a full-strength stimulus on
        ``modality``'s ring during steps ``start..stop-1``) is shown, and the gt
        is action ``choice`` during "decision" (None: fixate). The arrays written
        as ``add_ob``/``set_ob``/``set_groundtruth`` make them (see ``_rings``).
        Returns ob and the rings shown, ``ob[start:stop, 1:]`` of each stimulus
        one after another (read-only: shared by the env's trials).

        Performance: trials with the same steps and stimuli have the same arrays,
        so they are built once per env and then copied (one copy each instead of
        zeros and three writes); up to ``_TRIAL_CACHE_BYTES`` of them are kept.
        """
        decision = self.start_ind["decision"]
        end = self.end_ind["decision"]  # the trial's end
        key = (decision, end, modality, stimuli, choice)
        trials = cache.trials
        spaces = cache.spaces
        if spaces[0] is not self.observation_space or spaces[1] is not self.action_space:
            trials.clear()  # the arrays' dtypes and shapes come from the spaces
            cache.trial_bytes = 0
            cache.spaces = (self.observation_space, self.action_space)
        arrays = trials.get(key)
        if arrays is not None:
            self.ob = ob = arrays[0].copy()
            self.gt = arrays[1].copy()
            return ob, arrays[2]
        ob = self.ob
        ob[:decision, 0] = 1
        n = self.dim_ring
        for start, stop, direction in stimuli:
            ob[start:stop, 1:] = self._rings(cache, *self._on_ring(modality, (direction, 1.0))).reshape(2 * n)
        gt = self.gt
        if choice is not None:
            gt[decision:end] = choice
        shown = np.concatenate([ob[start:stop, 1:] for start, stop, _ in stimuli])
        shown.flags.writeable = False
        size = ob.nbytes + gt.nbytes + shown.nbytes
        # len(ob) == end always ("decision" ends the trial): the key then says all
        if len(ob) == end and size <= _TRIAL_CACHE_BYTES // 64:
            if cache.trial_bytes + size > _TRIAL_CACHE_BYTES:
                trials.clear()
                cache.trial_bytes = 0
            trials[key] = (ob.copy(), gt.copy(), shown)
            cache.trial_bytes += size
        return ob, shown

    def _noise(self, spans: tuple[tuple[int, int], ...]) -> np.ndarray:
        """The noise of ``add_randn(0, sigma, periods, where=f"stimulus_mod{m}")`` for ring 1, then ring 2.

        ``periods`` are on steps ``spans``. Performance: one ``normal`` call draws,
        in that order, what those calls drew (``mu + sigma * standard_normal``);
        returned as they added it (cast to float32), laid out as ``ob[:, 1:]``
        over the spans one after another: ``(steps, 2 * dim_ring)``, contiguous.
        """
        n = self.dim_ring
        steps = 0
        for start, stop in spans:
            steps += stop - start
        noise = self.rng.normal(0, self.sigma, (2, steps, n))
        return noise.transpose(1, 0, 2).astype(np.float32, order="C").reshape(steps, 2 * n)

    def _add_noise(self, ob: np.ndarray, spans: tuple[tuple[int, int], ...], shown: np.ndarray) -> None:
        """Add ``_noise(spans)`` to both rings of ``ob``, which show ``shown`` there (see ``_trial_arrays``).

        Performance: the float32 sums of ``add_randn`` are made in the (contiguous)
        noise array and copied into ``ob``: cheaper than adding into ``ob``'s strided rows.
        """
        noise = self._noise(spans)
        noise += shown
        i = 0
        for start, stop in spans:
            j = i + stop - start
            ob[start:stop, 1:] = noise[i:j]
            i = j

    def _begin_trial(self, periods: tuple[str, ...]) -> tuple[np.ndarray, int, int]:
        """Add ``periods`` (the last is "decision"); the fixation input is on until "decision".

        Returns the observation and the first and end steps of "decision". As
        ``add_ob(1, where="fixation")`` and ``set_ob(0, "decision", where="fixation")``,
        written directly.
        """
        self.add_period(periods)
        ob = self.ob
        decision = self.start_ind["decision"]
        ob[:decision, 0] = 1
        return ob, decision, self.end_ind["decision"]

    def _show(self, ob: np.ndarray, spans: tuple[tuple[int, int], ...], rings: tuple[np.ndarray, ...]) -> None:
        """Show ``rings[i]`` (a ``(2, dim_ring)`` pair from ``_rings``) on steps ``spans[i]``, plus noise on both rings.

        The same numbers as ``add_ob`` of each stimulus in its period followed by
        the ``add_randn`` calls of ``_noise``. Performance: each period gets its
        rings plus the float32 noise in one float32 addition (the rings were zero before).
        """
        n2 = 2 * self.dim_ring
        if not self.sigma > 0:
            for (start, stop), pair in zip(spans, rings):
                ob[start:stop, 1:] = pair.reshape(n2)
            return
        noise = self._noise(spans)
        i = 0
        for (start, stop), pair in zip(spans, rings):
            j = i + stop - start
            np.add(noise[i:j], pair.reshape(n2), out=ob[start:stop, 1:])
            i = j

    # ------------------------------------------------ batch_trials helpers
    def _bump_table(self) -> np.ndarray:
        """``exp(-d^2/2)`` of ``gaussian_bump``: row ``k`` for a stimulus at ring direction ``k``.

        The same float operations as ``gaussian_bump``, so ``0.8 * s * table[k]``
        is bit for bit ``gaussian_bump(theta, theta[k], s)``.
        """
        table = self.__dict__.get("_bump_cache")
        if table is None or table.shape[0] != self.theta.size:
            d = _circular_distance(self.theta[None, :], self.theta[:, None]) / (np.pi / 8)
            table = self.__dict__["_bump_cache"] = np.exp(-(d**2) / 2)
        return table

    def _batch_ring(self, ob: np.ndarray, lay: Any, period: str, values: np.ndarray, modality: np.ndarray | int) -> None:
        """Add per-trial ring vectors ``values`` (float32, ``(n, dim_ring)``) on ``modality``'s ring during ``period``.

        The grid is zero there (periods of one trial never overlap), so the sum is the value.
        """
        cols = lay.span(period)
        if cols.stop <= cols.start:
            return
        shown = lay.mask(period, cols)[..., None]
        n_ring = self.dim_ring
        if isinstance(modality, (int, np.integer)):
            lo = 1 + (int(modality) - 1) * n_ring
            ob[:, cols, lo : lo + n_ring] += shown * values[:, None, :]
        else:
            both = np.zeros((lay.n, 2, n_ring), dtype=np.float32)
            both[np.arange(lay.n), np.asarray(modality) - 1] = values
            ob[:, cols, 1:] += shown * both.reshape(lay.n, 1, 2 * n_ring)

    def _batch_noise(self, ob: np.ndarray, lay: Any, rng: np.random.Generator, periods: list[str]) -> None:
        """Noise on both rings during ``periods`` (as ``_show``)."""
        if self.sigma <= 0:
            return
        cols = lay.span(periods)
        if cols.stop <= cols.start:
            return
        shown = lay.mask(periods, cols)[..., None]
        block = ob[:, cols, 1:]
        block += (shown * (self.sigma * rng.standard_normal(block.shape))).astype(np.float32)

    # -------------------------------------------------------------- judging
    def _step(self, action):
        """Respond in "decision" (correct if it is the gt); before it, fixate."""
        gt_array = self._gt_array  # gt_now, inlined (it runs on every step)
        gt = (self.gt if gt_array is None else gt_array)[self.t_ind]
        if action == 0:  # fixating: nothing to judge
            return OBNOW, 0.0, False, False, {"new_trial": False, "gt": gt}
        start = self.start_t.get("decision")  # in_period("decision"), inlined
        if start is not None and start <= self.t < self.end_t["decision"]:
            if action == gt:
                self.performance = 1
                return OBNOW, self.rewards["correct"], False, False, {"new_trial": True, "gt": gt}
            self.performance = 0
            return OBNOW, self.rewards["fail"], False, False, {"new_trial": True, "gt": gt}
        # the fixation input is on: responding now breaks fixation
        if self.abort:
            self.performance = 0
            return OBNOW, self.rewards["abort"], False, False, {"new_trial": True, "gt": gt}
        return OBNOW, self.rewards["abort"], False, False, {"new_trial": False, "gt": gt}


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
        rng = self.rng
        choices = self.choices
        # rng.choice(self.choices), rng.choice(_MODALITIES): one integers(0, len) draw each (see _pick)
        gt = int(choices[rng.integers(0, len(choices))])
        mod = _MODALITIES[rng.integers(0, 2)]
        trial: dict[str, Any] = {"ground_truth": gt, "modality": mod}
        if kwargs:
            kwargs.pop("stim_theta", None)  # derived from the ground truth
            kwargs.pop("anti", None)  # fixed by the task
            trial.update(kwargs)
            gt = trial["ground_truth"] = self._check_index("ground_truth", trial["ground_truth"])
            mod = trial["modality"] = self._check_modality(trial["modality"])
        cache = self._ring_cache()
        anti = self.anti
        directions = cache.reach.get(anti)
        if directions is None:
            shift = np.pi if anti else 0.0
            directions = cache.reach[anti] = [float(np.mod(t + shift, 2 * np.pi)) for t in self.theta]
        trial["stim_theta"] = stim_theta = directions[gt]
        trial["anti"] = anti

        if self.reaction:  # the stimulus comes on with the response period
            self.add_period(_RT_PERIODS)
            stim_period = "decision"
        else:
            self.add_period(_REACH_PERIODS)
            stim_period = "stimulus"
        start, stop = self.start_ind[stim_period], self.end_ind[stim_period]
        # set_groundtruth(gt, "decision", where="choice"): choice i is action i + 1
        ob, shown = self._trial_arrays(cache, mod, ((start, stop, stim_theta),), gt + 1)
        if self.sigma > 0:
            self._add_noise(ob, ((start, stop),), shown)
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

    def _draw_cohs(self, rng: np.random.Generator, trial: dict[str, Any], mod: int) -> None:
        """Draw modality ``mod``'s coherence(s) into ``trial``."""
        cohs = self.cohs
        if self.delaycomparison:
            first, second = _choose_two(rng, cohs.size)  # rng.choice(cohs.size, 2, replace=False)
            key1, key2 = _COH12_KEYS[mod]
            trial[key1] = float(cohs[first])
            trial[key2] = float(cohs[second])
        else:  # rng.choice(cohs) * rng.choice([-1.0, 1.0])
            trial[_COH_KEYS[mod]] = float(_pick(rng, cohs)) * _pick(rng, (-1.0, 1.0))

    def _strengths(self, trial: dict[str, Any], mod: int, cache: _RingCache | None = None) -> tuple[float, float]:
        if self.delaycomparison:
            key1, key2 = _COH12_KEYS[mod]
            return float(trial[key1]), float(trial[key2])
        coh = float(trial[_COH_KEYS[mod]])
        known = cache.strengths.get(coh) if cache is not None else None
        if known is None:  # (round() is slow: kept per coherence)
            # rounded so that equal conditions compare equal (0.5 + 0.64/2 is 0.8200000000000001)
            known = round(0.5 + coh / 2, 12), round(0.5 - coh / 2, 12)
            if cache is not None:
                if len(cache.strengths) >= _ROW_CACHE_SIZE:
                    cache.strengths.clear()
                cache.strengths[coh] = known
        return known

    def batch_trials(self, rng: np.random.Generator, n: int):
        """``n`` trials at once, for ``ngym.Dataset`` (same distribution as ``new_trial``)."""
        from neurogym_app.core.dataset import BatchLayout

        n_ring = self.dim_ring
        stim1 = rng.integers(n_ring, size=n)
        stim2 = (stim1 + self._offsets[rng.integers(self._offsets.size, size=n)]) % n_ring
        table = self._bump_table()
        trials: dict[str, Any] = {"stim1_index": stim1, "stim2_index": stim2}
        n_coh = self.cohs.size
        strengths = {}
        evidence = np.zeros(n)
        for mod, weight in zip(_MODALITIES, self.w_mod):
            if mod not in self._mods:
                continue
            if self.delaycomparison:  # two different cohs (choice without replacement)
                first = rng.integers(n_coh, size=n)
                second = rng.integers(n_coh - 1, size=n)
                second += second >= first
                s1, s2 = self.cohs[first], self.cohs[second]
                trials[f"coh1_mod{mod}"], trials[f"coh2_mod{mod}"] = s1, s2
            else:
                k = rng.integers(n_coh, size=n)
                j = rng.integers(2, size=n)  # choice([-1.0, 1.0])
                s1_tab, s2_tab = self._strength_tables()
                trials[f"coh_mod{mod}"] = self.cohs[k] * np.array([-1.0, 1.0])[j]
                s1, s2 = s1_tab[k, j], s2_tab[k, j]
                trials[f"coh1_mod{mod}"], trials[f"coh2_mod{mod}"] = s1, s2
            strengths[mod] = (s1, s2)
            evidence += weight * (s1 - s2)
        tie_break = rng.random(n)
        tie = np.abs(evidence) < 1e-9
        target = np.where(tie, np.where(tie_break < 0.5, 1, 2), np.where(evidence > 0, 1, 2))
        ground_truth = np.where(target == 1, stim1, stim2)

        lay = BatchLayout(self, rng, n)
        if self.delaycomparison:
            lay.add(["fixation", "stim1", "delay", "stim2", "decision"])
            stim_periods = ["stim1", "stim2"]
        else:
            lay.add(["fixation", "stimulus", "decision"])
            stim_periods = ["stimulus"]
        ob, gt = lay.build(self.observation_space.shape)
        decision = lay.mask("decision")
        ob[..., 0] = ~decision
        for mod, (s1, s2) in strengths.items():
            bump1 = (0.8 * s1)[:, None] * table[stim1]
            bump2 = (0.8 * s2)[:, None] * table[stim2]
            if self.delaycomparison:
                self._batch_ring(ob, lay, "stim1", bump1.astype(np.float32), mod)
                self._batch_ring(ob, lay, "stim2", bump2.astype(np.float32), mod)
            else:  # both added to one float32 ring, in this order, as add_ob does
                both = (bump1.astype(np.float32) + bump2).astype(np.float32)
                self._batch_ring(ob, lay, "stimulus", both, mod)
        self._batch_noise(ob, lay, rng, stim_periods)
        gt[...] = decision * (1 + ground_truth[:, None])
        trials.update(
            theta1=self.theta[stim1], theta2=self.theta[stim2], target=target, ground_truth=ground_truth,
            strength=np.round(np.abs(np.where(tie, 0.0, evidence)), 12), durations=lay.durations_ms(),
        )
        return (*lay.finish(ob, gt), trials)

    def _strength_tables(self) -> tuple[np.ndarray, np.ndarray]:
        """Strengths ``0.5 +- coh/2`` (rounded as ``_strengths``) by coh index and sign (-1, +1)."""
        cached = self.__dict__.get("_strength_cache")
        if cached is None or cached[0] is not self.cohs:
            s1 = np.array([[round(0.5 + float(c) * sign / 2, 12) for sign in (-1.0, 1.0)] for c in self.cohs])
            s2 = np.array([[round(0.5 - float(c) * sign / 2, 12) for sign in (-1.0, 1.0)] for c in self.cohs])
            cached = self.__dict__["_strength_cache"] = (self.cohs, s1, s2)
        return cached[1], cached[2]

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        rng = self.rng
        stim1 = int(_pick(rng, self.choices))
        offset = int(_pick(rng, self._offsets))
        trial: dict[str, Any] = {"stim1_index": stim1}
        for mod in self._mods:
            self._draw_cohs(rng, trial, mod)
        tie_break = float(rng.random())
        if kwargs:
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
        cache = self._ring_cache()
        trial["theta1"] = theta1 = cache.angles[stim1]
        trial["theta2"] = theta2 = cache.angles[stim2]

        delayed = self.delaycomparison
        ob, decision, end = self._begin_trial(_DLYDM_PERIODS if delayed else _DM_PERIODS)
        start_ind, end_ind = self.start_ind, self.end_ind
        if delayed:
            spans: tuple[tuple[int, int], ...] = (
                (start_ind["stim1"], end_ind["stim1"]), (start_ind["stim2"], end_ind["stim2"]),
            )
        else:
            spans = ((start_ind["stimulus"], end_ind["stimulus"]),)

        evidence = 0.0
        mods = self._mods
        shown1: list[tuple[float, ...]] = [(), ()]  # per ring: what it shows in stim1 / stimulus
        shown2: list[tuple[float, ...]] = [(), ()]  # and in stim2
        for mod, weight in zip(_MODALITIES, self.w_mod):
            if mod not in mods:
                continue
            s1, s2 = self._strengths(trial, mod, cache)
            if delayed:
                shown1[mod - 1] = (theta1, s1)
                shown2[mod - 1] = (theta2, s2)
            else:
                key1, key2 = _COH12_KEYS[mod]
                trial[key1], trial[key2] = s1, s2
                shown1[mod - 1] = (theta1, s1, theta2, s2)  # stimulus 1 added first, then stimulus 2
            evidence += weight * (s1 - s2)
        if delayed:
            rings = (self._rings(cache, *shown1), self._rings(cache, *shown2))
        else:
            rings = (self._rings(cache, *shown1),)
        self._show(ob, spans, rings)

        if abs(evidence) < 1e-9:  # equal weighted strengths: either answer is as good
            evidence = 0.0
            target = 1 if tie_break < 0.5 else 2
        else:
            target = 1 if evidence > 0 else 2
        trial["target"] = target
        unsigned = float(abs(evidence))
        strength = cache.rounded.get(unsigned)
        if strength is None:  # round(unsigned, 12), kept per value (round() is slow)
            if len(cache.rounded) >= _ROW_CACHE_SIZE:
                cache.rounded.clear()
            strength = cache.rounded[unsigned] = round(unsigned, 12)
        trial["strength"] = strength
        trial["ground_truth"] = ground_truth = stim1 if target == 1 else stim2
        self.gt[decision:end] = ground_truth + 1  # set_groundtruth(.., "decision", where="choice")
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
    drawn (``dim_ring`` must then be at least 4).

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
            if self.dim_ring < 4:
                raise ValueError(f"dim_ring must be at least 4 for the category tasks, got {dim_ring}")
            # Directions strictly inside each category (the boundary 0, pi excluded).
            self.category_members = [
                np.arange(1, self.half_ring),
                np.arange(self.half_ring + 1, self.dim_ring),
            ]
            self.sample_choices = np.concatenate(self.category_members)
        else:
            self.sample_choices = self.choices

    def _is_match(self, sample: int, test: int) -> bool:
        if self.matchto == "category":
            return category_of(sample, self.dim_ring) == category_of(test, self.dim_ring)
        return sample == test

    def batch_trials(self, rng: np.random.Generator, n: int):
        """``n`` trials at once, for ``ngym.Dataset`` (same distribution as ``new_trial``)."""
        from neurogym_app.core.dataset import BatchLayout

        n_ring, half = self.dim_ring, self.half_ring
        match = rng.integers(2, size=n) == 0  # choice(["match", "non-match"])
        modality = np.array(_MODALITIES)[rng.integers(2, size=n)]
        sample = self.sample_choices[rng.integers(self.sample_choices.size, size=n)]
        trials: dict[str, Any] = {}
        if self.matchto == "category":
            rank = rng.integers(half - 1, size=n)
            sample_cat = (sample % n_ring >= half).astype(np.int64)  # category_of (boundaries are never drawn)
            test_cat = np.where(match, sample_cat, 1 - sample_cat)
            test = np.stack(self.category_members)[test_cat, rank]
            trials.update(sample_category=sample_cat, test_category=test_cat)
        else:
            test = np.where(match, sample, (sample + half) % n_ring)
        go_trial = match == self.matchgo

        lay = BatchLayout(self, rng, n)
        lay.add(["fixation", "sample", "delay", "test", "decision"])
        ob, gt = lay.build(self.observation_space.shape)
        decision = lay.mask("decision")
        ob[..., 0] = ~decision
        table = self._bump_table()
        self._batch_ring(ob, lay, "sample", (0.8 * table[sample]).astype(np.float32), modality)
        self._batch_ring(ob, lay, "test", (0.8 * table[test]).astype(np.float32), modality)
        self._batch_noise(ob, lay, rng, ["sample", "test"])
        gt[...] = decision * np.where(go_trial, 1 + test, 0)[:, None]
        trials.update(
            ground_truth=np.where(match, "match", "non-match"), modality=modality, sample_index=sample, test_index=test,
            sample_theta=self.theta[sample], test_theta=self.theta[test], durations=lay.durations_ms(),
        )
        return (*lay.finish(ob, gt), trials)

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
        rng = self.rng
        # rng.choice of each: one integers(0, len) draw (see _pick)
        label = _MATCH_LABELS[rng.integers(0, 2)]
        mod = _MODALITIES[rng.integers(0, 2)]
        sample_choices = self.sample_choices
        sample = int(sample_choices[rng.integers(0, len(sample_choices))])
        category = self.matchto == "category"
        test_rank = int(rng.integers(0, self.half_ring - 1)) if category else 0  # integers(h - 1), a cheaper call
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
        cache = self._ring_cache()
        trial["sample_theta"] = sample_theta = cache.angles[sample]
        trial["test_theta"] = test_theta = cache.angles[test]
        if category:
            trial["sample_category"] = sample_cat
            trial["test_category"] = test_cat

        self.add_period(_MATCH_PERIODS)
        start_ind, end_ind = self.start_ind, self.end_ind
        sample_span = (start_ind["sample"], end_ind["sample"])
        test_span = (start_ind["test"], end_ind["test"])
        go_trial = match == self.matchgo
        ob, shown = self._trial_arrays(
            cache, mod, ((*sample_span, sample_theta), (*test_span, test_theta)),
            test + 1 if go_trial else None,  # set_groundtruth(test, "decision", where="choice")
        )
        if self.sigma > 0:
            self._add_noise(ob, (sample_span, test_span), shown)

        if go_trial:
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
