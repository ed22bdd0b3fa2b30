"""`Config`: the whole configuration, from a TOML file, keyword arguments or a dict.

All three give equal objects::

    Config("config.toml")
    Config(local_dir="logs", env={"name": "GoNogo-v0"}, monitor={"name": "MyMonitor"})
    Config.model_validate({"env": {"name": "GoNogo-v0"}, "local_dir": "logs"})

Precedence (highest first): keyword arguments (or the dict given to
``model_validate``), the TOML file, ``NGYM_*`` environment variables (nested
with ``__``: ``NGYM_ENV__DT=20``), defaults.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from neurogym_app.config.errors import ConfigError, from_validation_error, raise_text_numbers, text_number_errors
from neurogym_app.config.sections import (
    AgentConfig,
    DisplayConfig,
    EnvConfig,
    ExpandedPath,
    KeyMap,
    MonitorConfig,
    SessionConfig,
    SweepConfig,
)

__all__ = ["ENV_PREFIX", "ENV_NESTED_DELIMITER", "Config", "load_toml"]

ENV_PREFIX = "NGYM_"
ENV_NESTED_DELIMITER = "__"

_TOML_POS = re.compile(r"^(?P<msg>.*?)\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)\s*$", re.S)
_TOML_END = re.compile(r"^(?P<msg>.*?)\s*\(at end of document\)\s*$", re.S)


def load_toml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a TOML file; any failure is a one-line :class:`ConfigError` naming the file.

    Malformed TOML reads ``"<file>:<line>:<col>: malformed TOML: <reason>"``.
    """
    name = os.fspath(path)
    p = Path(name)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{name}: config file not found", source=name) from None
    except IsADirectoryError:
        raise ConfigError(f"{name}: is a directory, not a TOML config file", source=name) from None
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read config file: {exc.strerror or exc}", source=name) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(f"{name}:{line}:{col}: malformed TOML: not valid UTF-8", source=name) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_toml_error_message(name, text, exc), source=name) from None


def _toml_error_message(name: str, text: str, exc: tomllib.TOMLDecodeError) -> str:
    line = getattr(exc, "lineno", None)
    col = getattr(exc, "colno", None)
    msg = getattr(exc, "msg", None) or str(exc)
    if line is None:
        m = _TOML_POS.match(str(exc))
        if m:
            msg, line, col = m["msg"], int(m["line"]), int(m["col"])
        else:
            m = _TOML_END.match(str(exc))
            if m:
                msg = m["msg"]
            lines = text.splitlines() or [""]
            line, col = len(lines), len(lines[-1]) + 1
    msg = " ".join(str(msg).split())  # one line
    return f"{name}:{line}:{col}: malformed TOML: {msg}"


def _deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


class Config(BaseSettings):
    """The app's configuration (NeuroGym-compatible ``ngym.Config``).

    Args:
        config_file: Optional TOML file (str or path) or a mapping of values;
            keyword arguments override what it sets.
        **values: Section values, e.g. ``env={"name": "GoNogo-v0"}``.

    Raises:
        ConfigError: one-line message naming the file (or ``Config``) and the field.

    Attributes:
        env: The task (:class:`EnvConfig`).
        monitor: Monitoring, plots and logs (:class:`MonitorConfig`).
        agent: Network agent (:class:`AgentConfig`).
        session: Human session (:class:`SessionConfig`).
        display: Screen geometry (:class:`DisplayConfig`).
        sweep: A sweep of agents (:class:`SweepConfig`).
        keys: Action name -> key names (empty: derived from the task).
        local_dir: Folder for program output (plots, logs, checkpoints).
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_NESTED_DELIMITER,
        case_sensitive=False,
        extra="forbid",
        validate_assignment=True,
    )

    env: EnvConfig = Field(default_factory=EnvConfig)
    monitor: MonitorConfig = Field(default_factory=MonitorConfig)
    agent: AgentConfig = Field(default_factory=AgentConfig)
    session: SessionConfig = Field(default_factory=SessionConfig)
    display: DisplayConfig = Field(default_factory=DisplayConfig)
    sweep: SweepConfig = Field(default_factory=SweepConfig)
    keys: KeyMap = Field(default_factory=dict)
    local_dir: ExpandedPath = Path("runs")

    def __init__(self, config_file: str | os.PathLike[str] | Mapping[str, Any] | None = None, **values: Any) -> None:
        source: str | None = None
        file_data: dict[str, Any] = {}
        if isinstance(config_file, Mapping):
            file_data = dict(config_file)
        elif config_file is not None:
            if not isinstance(config_file, (str, os.PathLike)):
                raise ConfigError(
                    f"Config: expected a TOML path or a mapping as first argument, got {type(config_file).__name__}"
                )
            source = os.fspath(config_file)
            file_data = load_toml(source)
        text_numbers = text_number_errors(file_data, type(self), source=source) if source else []
        data = _deep_merge(file_data, values)
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise from_validation_error(
                exc,
                type(self),
                source=source,
                file_data=file_data if source else None,
                init_data=values if source else data,
                env_prefix=ENV_PREFIX,
                env_delimiter=ENV_NESTED_DELIMITER,
                first=text_numbers,
            ) from exc
        except SettingsError as exc:  # e.g. an NGYM_* variable that is not valid JSON
            detail = str(exc) if exc.__cause__ is None else f"{exc}: {exc.__cause__}"
            raise ConfigError(f"{source or 'Config'}: {' '.join(detail.split())}", source=source) from exc
        raise_text_numbers(text_numbers, source=source or "Config")

    @model_validator(mode="after")
    def _plot_title_defaults_to_task(self) -> Config:
        # As NeuroGym: an empty plot title means the environment's name.
        if not self.monitor.plot.title and self.env.name:
            self.monitor.plot.title = self.env.name
        return self

    # -- construction ---------------------------------------------------------

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Config:
        """Validate a dict exactly as ``Config(**obj)`` would; errors are :class:`ConfigError`."""
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as exc:
            # pydantic runs our __init__ (a custom one), whose ConfigError it wraps: unwrap it.
            for err in exc.errors(include_url=False):
                inner = (err.get("ctx") or {}).get("error")
                if isinstance(inner, ConfigError):
                    raise inner from None
            raise from_validation_error(
                exc,
                cls,
                init_data=obj if isinstance(obj, Mapping) else None,
                env_prefix=ENV_PREFIX,
                env_delimiter=ENV_NESTED_DELIMITER,
            ) from exc

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str], **overrides: Any) -> Config:
        """Load ``path``; keyword arguments override what the file sets."""
        return cls(path, **overrides)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Config:
        """Same as :meth:`model_validate`."""
        return cls.model_validate(dict(data))

    # -- export ---------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain data (paths as strings, tuples as lists, ``None`` fields left out).

        ``Config.model_validate(cfg.to_dict()) == cfg``.
        """
        return self.model_dump(mode="json", exclude_none=True)

    def to_toml(self, path: str | os.PathLike[str] | None = None) -> str:
        """The configuration as TOML text; also written to ``path`` when given.

        ``Config.from_toml(path) == cfg``. Needs the ``tomli_w`` package.
        """
        try:
            import tomli_w
        except ImportError as exc:  # pragma: no cover - tomli_w is a core dependency
            raise ConfigError("Config.to_toml needs the 'tomli_w' package (pip install tomli-w)") from exc
        target = os.fspath(path) if path is not None else None
        try:
            text = tomli_w.dumps(self.to_dict())
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"{target or 'Config'}: cannot write as TOML: {' '.join(str(exc).split())}", source=target
            ) from exc
        if target is not None:
            p = Path(target)
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8")
        return text
