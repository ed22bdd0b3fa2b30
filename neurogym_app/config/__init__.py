"""Configuration: ``Config`` (pydantic-settings) and its sections.

Imports only pydantic / pydantic-settings (no Qt, psychopy, torch or matplotlib).
"""

from __future__ import annotations

from typing import Any

from neurogym_app.config.config import ENV_NESTED_DELIMITER, ENV_PREFIX, Config, load_toml
from neurogym_app.config.errors import ConfigError
from neurogym_app.config.experiment import ExperimentConfig as ExperimentConfig
from neurogym_app.config.experiment import load_experiment as load_experiment
from neurogym_app.config.sections import (
    AgentConfig,
    AgentInferenceConfig,
    AgentTrainingConfig,
    DisplayConfig,
    EnvConfig,
    KeyMap,
    MonitorConfig,
    MonitorLogConfig,
    MonitorPlotConfig,
    SectionBase,
    SessionConfig,
)

__all__ = [
    "ENV_NESTED_DELIMITER",
    "ENV_PREFIX",
    "AgentConfig",
    "AgentInferenceConfig",
    "AgentTrainingConfig",
    "Config",
    "ConfigError",
    "DisplayConfig",
    "EnvConfig",
    "KeyMap",
    "MonitorConfig",
    "MonitorLogConfig",
    "MonitorPlotConfig",
    "SectionBase",
    "SessionConfig",
    "config",
    "load_toml",
]

_default: Config | None = None


def __getattr__(name: str) -> Any:
    # ``from neurogym_app.config import config``: a shared default Config (as NeuroGym's),
    # built on first use so importing this package never reads the environment.
    if name == "config":
        global _default
        if _default is None:
            _default = Config()
        return _default
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
