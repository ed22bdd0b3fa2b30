"""`ConfigError`: one-line, file-naming errors for bad configurations.

Every problem with a configuration (unreadable or malformed TOML, unknown keys,
wrong types or values) is raised as :class:`ConfigError`, whose message is a
single line that names where the value came from and which field is wrong::

    config.toml: monitor.plot.trigger: Input should be 'trial' or 'step' (got 'x')
    config.toml: unknown field 'envv' (valid: env, monitor, agent, ...)
    config.toml:3:5: malformed TOML: Expected '=' after a key in a key/value pair
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["ConfigError", "format_loc"]

_MAX_SHOWN = 3  # errors spelled out in the message; the rest are counted
_MAX_REPR = 60


class ConfigError(ValueError):
    """A configuration that cannot be used.

    Attributes:
        source: Where the configuration came from (a file path as given, or ``"Config"``).
        errors: One line per problem, each already prefixed with its origin.
    """

    def __init__(self, message: str, *, source: str | None = None, errors: Sequence[str] | None = None) -> None:
        super().__init__(message)
        self.source = source
        self.errors: list[str] = list(errors) if errors is not None else [message]

    @classmethod
    def from_lines(cls, lines: Sequence[str], *, source: str | None = None) -> ConfigError:
        lines = list(lines) or [f"{source or 'Config'}: invalid configuration"]
        shown = lines[:_MAX_SHOWN]
        message = "; ".join(shown)
        if len(lines) > _MAX_SHOWN:
            message += f"; ... and {len(lines) - _MAX_SHOWN} more"
        return cls(message, source=source, errors=lines)


def format_loc(loc: Iterable[Any]) -> str:
    """``('display', 'resolution', 0)`` -> ``'display.resolution[0]'``."""
    out = ""
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _short_repr(value: Any) -> str:
    text = repr(value)
    if len(text) > _MAX_REPR:
        text = text[: _MAX_REPR - 3] + "..."
    return text


def _lookup(data: Any, loc: Sequence[Any]) -> bool:
    """True when the path ``loc`` exists in nested mappings/sequences ``data``."""
    node = data
    for part in loc:
        if part == "[key]":
            return True
        if hasattr(node, "model_dump") and not isinstance(node, Mapping):
            return True  # a model instance given directly: the path is inside it
        if isinstance(node, Mapping):
            if part not in node:
                return False
            node = node[part]
        elif isinstance(node, Sequence) and not isinstance(node, str) and isinstance(part, int):
            if not -len(node) <= part < len(node):
                return False
            node = node[part]
        else:
            return False
    return True


def _env_var_for(loc: Sequence[Any], prefix: str, delimiter: str) -> str | None:
    """Name of a set environment variable that feeds ``loc`` (or a parent of it)."""
    names = {k.upper(): k for k in os.environ}
    parts = [str(p) for p in loc if not isinstance(p, int) and p != "[key]"]
    for n in range(len(parts), 0, -1):
        name = (prefix + delimiter.join(parts[:n])).upper()
        if name in names:
            return names[name]
    return None


def _model_at(model: Any, loc: Sequence[Any]) -> Any:
    """The pydantic model class reached by walking field names ``loc`` from ``model``."""
    for part in loc:
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            return None
        model = fields[part].annotation
        if not hasattr(model, "model_fields"):
            return None
    return model


def describe_error(err: Mapping[str, Any], root_model: Any) -> str:
    """One pydantic error dict -> ``'loc: message (got value)'`` (no origin prefix)."""
    loc = tuple(err.get("loc", ()))
    kind = err.get("type", "")
    msg = str(err.get("msg", "invalid value"))
    if kind == "extra_forbidden" and loc:
        parent, name = loc[:-1], loc[-1]
        model = _model_at(root_model, parent)
        full = format_loc((*parent, name))
        valid = f" (valid: {', '.join(model.model_fields)})" if model is not None else ""
        return f"unknown field {full!r}{valid}"
    if kind == "missing":
        return f"{format_loc(loc)}: field required"
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    where = format_loc(loc)
    text = f"{where}: {msg}" if where else msg
    if "input" in err and kind not in ("value_error", "assertion_error"):
        value = err["input"]
        if not isinstance(value, Mapping):
            text += f" (got {_short_repr(value)})"
    return text


def origin_of(
    loc: Sequence[Any],
    *,
    source: str | None,
    file_data: Mapping[str, Any] | None,
    init_data: Mapping[str, Any] | None,
    env_prefix: str,
    env_delimiter: str,
) -> str:
    """Best guess of where the bad value at ``loc`` came from, for the message prefix."""
    if init_data and _lookup(init_data, loc):
        return "Config"
    if source and file_data is not None and _lookup(file_data, loc):
        return source
    env_name = _env_var_for(loc, env_prefix, env_delimiter)
    if env_name is not None:
        return f"${env_name}"
    return source or "Config"


def from_validation_error(
    exc: Any,
    root_model: Any,
    *,
    source: str | None = None,
    file_data: Mapping[str, Any] | None = None,
    init_data: Mapping[str, Any] | None = None,
    env_prefix: str = "NGYM_",
    env_delimiter: str = "__",
) -> ConfigError:
    """Turn a pydantic ``ValidationError`` into a one-line :class:`ConfigError`."""
    lines: list[str] = []
    seen: set[tuple[Any, ...]] = set()
    for err in exc.errors(include_url=False):
        loc = tuple(err.get("loc", ()))
        if loc in seen:  # several union branches failing at one place: keep the first
            continue
        seen.add(loc)
        origin = origin_of(
            loc,
            source=source,
            file_data=file_data,
            init_data=init_data,
            env_prefix=env_prefix,
            env_delimiter=env_delimiter,
        )
        lines.append(f"{origin}: {describe_error(err, root_model)}")
    return ConfigError.from_lines(lines, source=source)
