"""Contributed tasks (upstream ships but never registers them)."""

_CLASSES = {
    "AngleReproduction": "anglereproduction",
    "ChangingEnvironment": "changingenvironment",
    "CVLearning": "cv_learning",
    "IBL": "ibl",
    "IBL_Block": "ibl",
    "LeverPress": "leverpress",
    "LeverPressWithPoke": "leverpress",
    "LeverPressWithPokeRest": "leverpress",
    "MatchingPenny": "matchingpenny",
    "MemoryRecall": "memoryrecall",
    "Pneumostomeopening": "pneumostomeopening",
}

#: id -> "module:Class" (strings only)
ENTRIES: dict[str, str] = {f"{name}-v0": f"{__name__}.{module}:{name}" for name, module in _CLASSES.items()}

# ContextSwitch became a TrialEnv (new_trial) in version 1; -v0 stays the
# neurogym-app 0.1 env so that sessions recorded with it still verify.
ENTRIES["ContextSwitch-v0"] = f"{__name__}.leverpress:ContextSwitchV0"
ENTRIES["ContextSwitch-v1"] = f"{__name__}.leverpress:ContextSwitch"
