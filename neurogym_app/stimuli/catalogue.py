"""Which natural view draws each built-in task (plain data: task class -> ``"module:View"``).

Keys are task class names; a key with dots is a qualified name
(``module.Class``), used where a class name alone would be ambiguous (the
Yang et al. 2019 collection's classes are called ``go``, ``dm1``, ...). A
subclass inherits its base's view. The views are grouped by stimulus family,
one module each under ``neurogym_app/stimuli/natural/``.
"""

from __future__ import annotations

__all__ = ["NATURAL_VIEWS", "YANG19_TASKS"]

_N = "neurogym_app.stimuli.natural."
_YANG19 = "neurogym_app.tasks.collections.yang19."

YANG19_TASKS = (
    "go", "rtgo", "dlygo", "anti", "rtanti", "dlyanti",
    "dm1", "dm2", "ctxdm1", "ctxdm2", "multidm",
    "dlydm1", "dlydm2", "ctxdlydm1", "ctxdlydm2", "multidlydm",
    "dms", "dnms", "dmc", "dnmc",
)  # fmt: skip

NATURAL_VIEWS: dict[str, str] = {
    # random-dot motion
    "PerceptualDecisionMaking": _N + "motion:PerceptualDecisionMakingView",
    "ContextDecisionMaking": _N + "motion:ContextDecisionMakingView",
    "PerceptualDecisionMakingDelayResponse": _N + "motion:LeftRightChoiceMotionView",
    "CVLearning": _N + "motion:LeftRightChoiceMotionView",
    "ChangingEnvironment": _N + "motion:ChangingEnvironmentView",
    "PostDecisionWager": _N + "motion:PostDecisionWagerView",
    "MultiSensoryIntegration": _N + "motion:MultiSensoryView",
    "DelayMatchCategory": _N + "motion:MotionCategoryView",
    # gratings
    "DelayMatchSample": _N + "gratings:DelayMatchSampleView",
    "DelayMatchSampleDistractor1D": _N + "gratings:DistractorMatchView",
    "DualDelayMatchSample": _N + "gratings:DualMatchView",
    "IBL": _N + "gratings:SideGratingView",
    "IBL_Block": _N + "gratings:SideGratingView",
    "SpatialSuppressMotion": _N + "gratings:SuppressMotionView",
    # ring stimuli
    **{_YANG19 + name: _N + "ring:Yang19View" for name in YANG19_TASKS},
    "AntiReach": _N + "ring:AntiReachView",
    "AngleReproduction": _N + "ring:AngleReproductionView",
    "Reaching1D": _N + "ring:ReachingView",
    "Reaching1DWithSelfDistraction": _N + "ring:ReachingView",
    "ReachingDelayResponse": _N + "ring:LineReachView",
    # flashes, flicker, clicks
    "ReadySetGo": _N + "flashes:ReadySetGoView",
    "MotorTiming": _N + "flashes:MotorTimingView",
    "OneTwoThreeGo": _N + "flashes:OneTwoThreeGoView",
    "IntervalDiscrimination": _N + "flashes:IntervalDiscriminationView",
    "DelayComparison": _N + "flashes:DelayComparisonView",
    "PulseDecisionMaking": _N + "flashes:PulseView",
    "HierarchicalReasoning": _N + "flashes:HierarchicalReasoningView",
    "Detection": _N + "flashes:DetectionView",
    # tones
    "ToneDetection": _N + "tones:ToneDetectionView",
    "AnnubesEnv": _N + "tones:AnnubesView",
    "AnnubesEnvV0": _N + "tones:AnnubesView",  # AnnubesEnv-v0, kept for sessions recorded with it
    # shapes and symbols
    "GoNogo": _N + "shapes:GoNogoView",
    "DelayPairedAssociation": _N + "symbols:PairedAssociationView",
    "DawTwoStep": _N + "symbols:TwoStepView",
    "MatchingPenny": _N + "symbols:MatchingPennyView",
    "ProbabilisticReasoning": _N + "symbols:ProbabilisticShapesView",
    "ContextSwitch": _N + "symbols:ContextSwitchView",
    "ContextSwitchV0": _N + "symbols:ContextSwitchView",  # ContextSwitch-v0, kept for sessions recorded with it
    # quantities
    "EconomicDecisionMaking": _N + "quantities:JuiceOffersView",
    "Bandit": _N + "quantities:SlotMachinesView",
}
