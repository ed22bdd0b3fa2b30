"""``neurogym.config.components.monitor`` (the sections live in ``neurogym_app.config.sections``)."""

from neurogym_app.config.sections import MonitorConfig, MonitorLogConfig, MonitorPlotConfig

__all__ = ["MonitorConfig", "MonitorLogConfig", "MonitorPlotConfig"]
