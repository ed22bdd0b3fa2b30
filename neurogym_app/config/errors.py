"""`ConfigError`: one-line, file-naming errors for bad configurations.

Every problem with a configuration (unreadable or malformed TOML, unknown keys,
wrong types or values) is raised as :class:`ConfigError`, whose message is a
single line that names where the value came from and which field is wrong::

    config.toml: monitor.plot.trigger: Input should be 'trial' or 'step' (got 'x')
    config.toml: unknown field 'envv' (valid: env, monitor, agent, ...)
    config.toml:3:5: malformed TOML: Expected '=' after a key in a key/value pair
"""

from __future__ import annotations

import difflib
import os
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["ConfigError", "close_name", "format_loc", "raise_text_numbers", "text_number_errors", "text_numbers"]

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


def _unwrap(annotation: Any) -> Any:
    """Strip ``Annotated`` and ``None`` from an annotation (``X | None`` -> ``X``)."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _union_members(annotation: Any) -> list[Any]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [_unwrap(a) for a in typing.get_args(annotation) if a is not type(None)]
    return [annotation]


def _member_named(members: Sequence[Any], part: Any) -> Any:
    """The union member a pydantic error location names: by its tag (``method``) or class name."""
    for m in members:
        if getattr(m, "__name__", None) == part:
            return m
        for field in getattr(m, "model_fields", {}).values():
            args = typing.get_args(_unwrap(field.annotation)) if typing.get_origin(_unwrap(field.annotation)) is typing.Literal else ()
            if len(args) == 1 and args[0] == part and field.is_required():
                return m
    return None


def _annotation_at(model: Any, loc: Sequence[Any]) -> Any:
    """The annotation reached by walking ``loc`` from ``model`` (None when lost).

    Walks through tables of models (``tasks.<key>``), lists (``blocks[0]``) and
    unions, whose member pydantic names in ``loc`` (``adaptive.staircase.down``).
    """
    node: Any = model
    parts = list(loc)
    i = 0
    while i < len(parts):
        part = parts[i]
        node = _unwrap(node)
        fields = getattr(node, "model_fields", None)
        origin = typing.get_origin(node)
        if part == "[key]":
            return None
        if fields is not None:
            if part not in fields:
                return None
            node = fields[part].annotation
        elif origin is dict:
            node = typing.get_args(node)[1] if len(typing.get_args(node)) == 2 else Any
        elif origin in (list, set, frozenset) or (origin is tuple and isinstance(part, int)):
            args = typing.get_args(node)
            if origin is tuple and args and args[-1] is not Ellipsis:
                node = args[part] if isinstance(part, int) and part < len(args) else Any
            else:
                node = args[0] if args else Any
        elif origin in (typing.Union, types.UnionType):
            member = _member_named(_union_members(node), part)
            if member is None:
                return None
            node = member
        else:
            return None
        i += 1
    return _unwrap(node)


def _model_at(model: Any, loc: Sequence[Any]) -> Any:
    """The pydantic model class reached by walking ``loc`` from ``model`` (None if not a model)."""
    node = _annotation_at(model, loc)
    return node if hasattr(node, "model_fields") else None


def _is_number_type(annotation: Any) -> bool:
    members = _union_members(_unwrap(annotation))
    kinds = [_unwrap(m) for m in members]
    return bool(kinds) and all(k in (int, float) for k in kinds)


def text_numbers(data: Any, model: Any, loc: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], str]]:
    """Places in ``data`` (as read from a file) where a number field is given as quoted text.

    ``threshold = "0.06"`` in a TOML file is a mistake (a quoted number), even
    though lax validation would turn it into 0.06; environment variables are
    text by nature and are not checked here.
    """
    found: list[tuple[tuple[Any, ...], str]] = []
    if isinstance(data, Mapping):
        for key, value in data.items():
            found += text_numbers(value, model, (*loc, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += text_numbers(value, model, (*loc, i))
    elif isinstance(data, str) and _parses_as_number(data):
        annotation = _annotation_at(model, loc)
        if annotation is not None and _is_number_type(annotation):
            found.append((loc, data))
    return found


def _parses_as_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def text_number_message(value: str) -> str:
    """``'0.06'`` -> the message for a number given as text."""
    return f"Input should be a number, not the text {value!r}: write {value.strip()} without quotes"


def close_name(name: Any, names: Iterable[str]) -> str:
    """``"; did you mean 'down'?"`` when ``name`` is a likely typo of one of ``names``, else ``""``."""
    close = difflib.get_close_matches(str(name), list(names), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def describe_error(err: Mapping[str, Any], root_model: Any) -> str:
    """One pydantic error dict -> ``'loc: message (got value)'`` (no origin prefix)."""
    loc = tuple(err.get("loc", ()))
    kind = err.get("type", "")
    msg = str(err.get("msg", "invalid value"))
    if kind == "extra_forbidden" and loc:
        parent, name = loc[:-1], loc[-1]
        model = _model_at(root_model, parent)
        full = format_loc((*parent, name))
        if model is None:
            return f"unknown field {full!r}"
        return f"unknown field {full!r} (valid: {', '.join(model.model_fields)}){close_name(name, model.model_fields)}"
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
    first: Sequence[tuple[tuple[Any, ...], str]] = (),
) -> ConfigError:
    """Turn a pydantic ``ValidationError`` into a one-line :class:`ConfigError`.

    ``first``: ``(loc, line)`` problems found before validation (numbers written as
    text), reported first; pydantic's errors at the same places are left out.
    """
    lines: list[str] = [line for _, line in first]
    seen: set[tuple[Any, ...]] = {tuple(loc) for loc, _ in first}
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


def text_number_errors(data: Mapping[str, Any], root_model: Any, *, source: str) -> list[tuple[tuple[Any, ...], str]]:
    """``(loc, line)`` for every number written as text in a file (see :func:`text_numbers`)."""
    return [(loc, f"{source}: {format_loc(loc)}: {text_number_message(value)}") for loc, value in text_numbers(data, root_model)]


def raise_text_numbers(found: Sequence[tuple[tuple[Any, ...], str]], *, source: str) -> None:
    """Raise the lines of :func:`text_number_errors` (when there are any) as one :class:`ConfigError`."""
    if found:
        raise ConfigError.from_lines([line for _, line in found], source=source)
