"""NeuroGym's native tasks, one module per family (ids ``Name-v0``)."""

_MODULES = {
    "AnnubesEnv": "annubes",
    "AntiReach": "antireach",
    "Bandit": "bandit",
    "ContextDecisionMaking": "contextdecisionmaking",
    "DawTwoStep": "dawtwostep",
    "DelayComparison": "delaycomparison",
    "DelayMatchCategory": "delaymatchcategory",
    "DelayMatchSample": "delaymatchsample",
    "DelayMatchSampleDistractor1D": "delaymatchsample",
    "DelayPairedAssociation": "delaypairedassociation",
    "Detection": "detection",
    "DualDelayMatchSample": "dualdelaymatchsample",
    "EconomicDecisionMaking": "economicdecisionmaking",
    "GoNogo": "gonogo",
    "HierarchicalReasoning": "hierarchicalreasoning",
    "IntervalDiscrimination": "intervaldiscrimination",
    "MotorTiming": "readysetgo",
    "MultiSensoryIntegration": "multisensory",
    "Null": "null",
    "OneTwoThreeGo": "readysetgo",
    "PerceptualDecisionMaking": "perceptualdecisionmaking",
    "PerceptualDecisionMakingDelayResponse": "perceptualdecisionmaking",
    "PostDecisionWager": "postdecisionwager",
    "ProbabilisticReasoning": "probabilisticreasoning",
    "PulseDecisionMaking": "perceptualdecisionmaking",
    "Reaching1D": "reaching",
    "Reaching1DWithSelfDistraction": "reaching",
    "ReachingDelayResponse": "reachingdelayresponse",
    "ReadySetGo": "readysetgo",
    "SpatialSuppressMotion": "spatialsuppressmotion",
    "ToneDetection": "tonedetection",
}

#: id -> "module:Class" (strings only: importing this module imports no task)
ENTRIES = {f"{name}-v0": f"{__name__}.{module}:{name}" for name, module in _MODULES.items()}
