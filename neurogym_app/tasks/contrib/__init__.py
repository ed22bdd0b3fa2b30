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
    "ContextSwitch": "leverpress",
    "MatchingPenny": "matchingpenny",
    "MemoryRecall": "memoryrecall",
    "Pneumostomeopening": "pneumostomeopening",
}

#: id -> "module:Class" (strings only)
ENTRIES: dict[str, str] = {f"{name}-v0": f"{__name__}.{module}:{name}" for name, module in _CLASSES.items()}
