"""NeuroGym's ``perceptualdecisionmaking`` collection: variants of PerceptualDecisionMaking.

Ids ``perceptualdecisionmaking.<name>-v0``. NeuroGym builds them by wrapping
``PerceptualDecisionMaking-v0`` (``ReactionTime``; ``RandomGroundTruth`` +
``ScheduleAttr`` with a ``RandomBlockSchedule``); here each is a subclass, so
its trials record every variable and rebuild exactly.

* ``roitman02``: reaction-time version -- the choice may be made any time
  from one step after stimulus onset (Roitman & Shadlen 2002).
* ``ibl20``: blocks of ``block_len`` trials (90) in which one side is correct
  with probability 0.8, alternating between the sides (IBL 2020).
"""

from __future__ import annotations

from typing import Any

from neurogym_app.tasks.helpers import judge_fixate_then_choose
from neurogym_app.tasks.native.perceptualdecisionmaking import PerceptualDecisionMaking

__all__ = ["roitman02", "ibl20"]


class roitman02(PerceptualDecisionMaking):  # noqa: N801 - NeuroGym's collection name
    """Reaction-time motion discrimination: respond as soon as you have decided.

    PerceptualDecisionMaking where the decision period starts one step after
    stimulus onset (NeuroGym's ``ReactionTime`` wrapper): the first choice
    from then on ends the trial, rewarded if correct; the ground truth is the
    correct choice from that step on. ``urgency`` is added to every step's reward.

    Args:
        dt, rewards, timing, cohs, sigma, dim_ring, abort: as PerceptualDecisionMaking.
        urgency: reward added at every step (negative: pressure to respond).
    """

    metadata = {
        **PerceptualDecisionMaking.metadata,
        "paper_link": "https://www.jneurosci.org/content/22/21/9475",
        "paper_name": "Response of neurons in the lateral intraparietal area during a combined visual "
        "discrimination reaction time task",
        "tags": ["perceptual", "reaction time", "two-alternative", "supervised"],
        "rt_from": "stimulus",
    }
    timing_presets = {"human": {"fixation": 500, "stimulus": 2000, "delay": 0, "decision": 500}}

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        cohs: list[float] | None = None,
        sigma: float = 1.0,
        dim_ring: int = 2,
        abort: bool = False,
        urgency: float = 0.0,
    ) -> None:
        super().__init__(dt=dt, rewards=rewards, timing=timing, cohs=cohs, sigma=sigma, dim_ring=dim_ring, abort=abort)
        self.urgency = float(urgency)

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial = super()._new_trial(**kwargs)
        # the decision period opens one step after stimulus onset and keeps its end
        start = self.start_ind["stimulus"] + 1
        if start < self.end_ind["decision"]:
            self.start_ind["decision"] = start
            self.start_t["decision"] = self.start_t["stimulus"] + self.dt
            self.set_groundtruth(trial["ground_truth"], "decision", where="choice")
        return trial

    def _step(self, action):
        ob, reward, terminated, truncated, info = judge_fixate_then_choose(self, action)
        return ob, reward + self.urgency, terminated, truncated, info


class ibl20(PerceptualDecisionMaking):  # noqa: N801 - NeuroGym's collection name
    """Motion discrimination with a block-wise side prior (International Brain Laboratory).

    PerceptualDecisionMaking (two choices) where trials come in blocks of
    ``block_len``: in block 0 choice 0 is correct with probability 0.8, in
    block 1 with probability 0.2; blocks alternate, starting with block 0 at
    ``reset`` (NeuroGym's ``RandomBlockSchedule`` with two blocks also
    alternates). ``trial["block"]`` and ``trial["p"]`` (probability of each
    choice) record the block.

    Args:
        dt, rewards, timing, cohs, sigma, abort: as PerceptualDecisionMaking.
        dim_ring: must be 2.
        block_len: trials per block.
    """

    metadata = {
        **PerceptualDecisionMaking.metadata,
        "paper_link": "https://elifesciences.org/articles/63711",
        "paper_name": "Standardized and reproducible measurement of decision-making in mice",
        "tags": ["perceptual", "two-alternative", "supervised", "blocks", "priors"],
        "condition_vars": ["block", "ground_truth", "coh"],
    }
    block_p = ((0.8, 0.2), (0.2, 0.8))

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        cohs: list[float] | None = None,
        sigma: float = 1.0,
        dim_ring: int = 2,
        abort: bool = False,
        block_len: int = 90,
    ) -> None:
        if dim_ring != 2:
            raise ValueError(f"dim_ring must be 2 for ibl20 (two-sided blocks), got {dim_ring!r}")
        if int(block_len) != block_len or block_len < 1:
            raise ValueError(f"block_len must be a positive integer, got {block_len!r}")
        super().__init__(dt=dt, rewards=rewards, timing=timing, cohs=cohs, sigma=sigma, dim_ring=dim_ring, abort=abort)
        self.block_len = int(block_len)

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        scheduled = (self.num_tr // self.block_len) % len(self.block_p)
        u = float(self.rng.random())
        kwargs.pop("p", None)  # derived from the block
        block = int(kwargs.pop("block", scheduled))
        if not 0 <= block < len(self.block_p):
            raise ValueError(f"block must be 0 or 1, got {block!r}")
        p = self.block_p[block]
        kwargs.setdefault("ground_truth", 0 if u < p[0] else 1)
        trial = super()._new_trial(**kwargs)
        trial["block"] = block
        trial["p"] = list(p)
        return trial
