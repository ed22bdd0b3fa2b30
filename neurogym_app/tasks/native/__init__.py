"""NeuroGym's native tasks, one module per family (ids ``Name-v0``)."""

_MODULES = {
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

# AnnubesEnv changed (NeuroGym's current signature) in version 1; -v0 stays the
# neurogym-app 0.1 task so that sessions recorded with it still verify.
ENTRIES["AnnubesEnv-v0"] = f"{__name__}.annubes_v0:AnnubesEnvV0"
ENTRIES["AnnubesEnv-v1"] = f"{__name__}.annubes:AnnubesEnv"
