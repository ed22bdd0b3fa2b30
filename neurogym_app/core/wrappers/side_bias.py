"""SideBias: draw the ground truth with block-wise biased probabilities."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from neurogym_app.core.trial_env import TrialWrapper
from neurogym_app.core.wrappers.base import (
    SeededWrapperMixin,
    bad_parameter,
    bad_parameter_type,
    task_choices,
    task_label,
)

__all__ = ["SideBias", "probability_matrix"]


#: NeuroGym's wording of what ``probs`` must be (kept in our message: code matches on it)
PROBS_SHAPE_TEXT = (
    "probs must be a 2D list of lists (matrix) with shape (n_blocks, n_choices),"
    "e.g., probs = [[0.5, 0.5], [0.2, 0.8], [0.8, 0.2]] for n_blocks = 3 and n_choices = 2."
)


def probability_matrix(wrapper: str, probs: Any, n_choices: int, label: str) -> np.ndarray:
    """``probs`` as a float matrix whose rows are distributions over ``n_choices``.

    Not a matrix of numbers: ``TypeError``; a matrix that is no set of
    distributions over the task's choices: ``ValueError`` (both
    ``WrapperParameterError``s, as NeuroGym raises them).
    """
    try:
        matrix = np.array(probs, dtype=float)
    except (TypeError, ValueError):
        raise bad_parameter_type(wrapper, f"{PROBS_SHAPE_TEXT} Got {probs!r}") from None
    if matrix.ndim != 2:
        raise bad_parameter_type(wrapper, f"{PROBS_SHAPE_TEXT} Got a {matrix.ndim}-D {probs!r}")
    if matrix.shape[1] != n_choices:
        raise bad_parameter(wrapper, f"probs rows have {matrix.shape[1]} entries but {label} has {n_choices} choices")
    if np.any(matrix < 0) or not np.all(np.isfinite(matrix)):
        raise bad_parameter(wrapper, "probs must be finite and non-negative")
    sums = matrix.sum(axis=1)
    bad = np.flatnonzero(~np.isclose(sums, 1.0, atol=1e-8))
    if bad.size:
        raise bad_parameter(wrapper, f"each row of probs must sum to 1; row {int(bad[0])} sums to {sums[bad[0]]:g}")
    return matrix


_BLOCK_DUR_TEXT = (
    "block_dur must be an int >= 1 (trials per block), a float in (0, 1) (switch probability per trial) "
    "or a (low, high) tuple of ints with 1 <= low <= high"
)


def _check_block_dur(block_dur: Any) -> Any:
    """The checked ``block_dur``; a value of the wrong kind is a ``TypeError``, out of range a ``ValueError``."""
    is_int = isinstance(block_dur, (int, np.integer)) and not isinstance(block_dur, bool)
    if is_int and block_dur >= 1:
        return int(block_dur)
    if isinstance(block_dur, (float, np.floating)) and 0 < block_dur < 1:
        return float(block_dur)
    if isinstance(block_dur, tuple) and len(block_dur) == 2:
        low, high = block_dur
        if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (low, high)):
            raise bad_parameter_type("SideBias", f"{_BLOCK_DUR_TEXT}; got {block_dur!r}")
        if 1 <= low <= high:
            return (int(low), int(high))
    if is_int or isinstance(block_dur, (float, np.floating, tuple)):
        raise bad_parameter("SideBias", f"{_BLOCK_DUR_TEXT}; got {block_dur!r}")
    raise bad_parameter_type("SideBias", f"{_BLOCK_DUR_TEXT}; got {type(block_dur).__name__} {block_dur!r}")


class SideBias(SeededWrapperMixin, TrialWrapper):
    """Changes the probability of the ground truth with block-wise biases.

    Args:
        env: a task with ``choices`` (the values its ``ground_truth`` takes).
        probs: matrix ``(n_blocks, n_choices)``; row ``b`` is the distribution
            of the ground truth in block ``b``.
        block_dur: ``int`` trials per block; ``float`` in (0, 1): probability of
            switching block after each trial; ``(low, high)``: a block lasts a
            uniform random number of trials in ``[low, high]``. A switch always
            goes to a different block (when there are several).

    Each trial records ``ground_truth`` and the block's ``probs``. A
    ``ground_truth`` passed to ``new_trial`` (a recorded trial) is kept.
    """

    metadata = {"description": "Changes the probability of ground truth with block-wise biases."}

    def __init__(self, env: gym.Env, probs: Any, block_dur: Any = 200) -> None:
        super().__init__(env)
        self._init_own_rng(env)
        self.choices = task_choices("SideBias", env)
        self.choice_prob = probability_matrix("SideBias", probs, len(self.choices), task_label(env))
        self.n_block = self.choice_prob.shape[0]
        self.block_dur = _check_block_dur(block_dur)
        self._on_seed()

    def _on_seed(self) -> None:
        self.curr_block = int(self._own_rng.integers(self.n_block))
        self._remaining_trials, self._p_switch = self._new_block_duration()

    def _new_block_duration(self) -> tuple[int, float | None]:
        """(trials left in the block, switch probability): a block ends after a count or with a probability."""
        if isinstance(self.block_dur, float):
            return 0, self.block_dur  # the count is not used
        if isinstance(self.block_dur, tuple):
            low, high = self.block_dur
            return int(self._own_rng.integers(low, high + 1)), None
        return self.block_dur, None

    def _switch_now(self) -> bool:
        if self._p_switch is not None:
            return bool(self._own_rng.random() < self._p_switch)
        self._remaining_trials -= 1
        return self._remaining_trials <= 0

    def new_trial(self, **kwargs: Any) -> dict[str, Any]:
        # Draw in a fixed order whatever the caller fixes, so the stream (and
        # the blocks) stay the same when a recorded trial is replayed.
        if self._switch_now():
            if self.n_block > 1:
                pick = int(self._own_rng.integers(self.n_block - 1))
                self.curr_block = pick + 1 if pick >= self.curr_block else pick
            self._remaining_trials, self._p_switch = self._new_block_duration()
        probs = self.choice_prob[self.curr_block]
        ground_truth = self.choices[int(self._own_rng.choice(len(self.choices), p=probs))]
        kwargs.setdefault("ground_truth", ground_truth.item())
        kwargs.setdefault("probs", probs.tolist())
        return super().new_trial(**kwargs)
