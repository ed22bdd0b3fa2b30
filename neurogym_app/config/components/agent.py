"""``neurogym.config.components.agent`` (the sections live in ``neurogym_app.config.sections``)."""

from neurogym_app.config.sections import AgentConfig, AgentInferenceConfig, AgentTrainingConfig

__all__ = ["AgentConfig", "AgentInferenceConfig", "AgentTrainingConfig"]
