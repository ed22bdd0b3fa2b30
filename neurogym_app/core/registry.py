"""The task registry: ids -> lazy entry points, metadata, ``make``.

Entries hold entry points as ``"module:attr"`` strings, so registering the
whole catalogue imports nothing. Every id is also registered with Gymnasium,
so ``gymnasium.make(id)`` works and returns Gymnasium's usual wrapped env,
while ``ngym.make(id)`` returns the bare task (NeuroGym-style attribute access).
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import inspect
import sys
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym

from neurogym_app.errors import UserError

__all__ = [
    "GROUPS",
    "TaskEntry",
    "UnknownTaskError",
    "TaskImportError",
    "TaskParameterError",
    "register",
    "unregister",
    "make",
    "spec",
    "all_envs",
    "all_tags",
    "entries",
    "load",
    "task_metadata",
]

GROUPS = ("native", "collections", "contrib", "psychopy", "custom")


class UnknownTaskError(UserError, gym.error.UnregisteredEnv, LookupError):
    """An id that is not registered; the message names the closest ids (a ``gymnasium.error.UnregisteredEnv``, as ``gym.make`` raises)."""


class TaskImportError(UserError, gym.error.Error, ImportError):
    """A task's module failed to import; the message names the module and the cause."""


class TaskParameterError(UserError, gym.error.Error, TypeError):
    """A parameter the task does not take, or a value it rejects."""


@dataclass
class TaskEntry:
    id: str
    entry_point: str | Callable[..., gym.Env]
    kwargs: dict[str, Any] = field(default_factory=dict)
    group: str = "native"
    source: str | None = None  # file a custom task came from
    note: str | None = None  # e.g. why a psychopy task cannot be made here
    available: bool = True

    def load(self) -> Callable[..., gym.Env]:
        if callable(self.entry_point):
            return self.entry_point
        if not self.available:
            raise TaskImportError(f"{self.id}: {self.note}")
        module_name, _, attr = self.entry_point.partition(":")
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:  # report any import failure with its location
            raise TaskImportError(f"{self.id}: module {module_name} failed to import: {_where(exc)}") from exc
        try:
            return getattr(module, attr)
        except AttributeError as exc:
            raise TaskImportError(f"{self.id}: module {module_name} has no {attr!r}") from exc


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    if isinstance(exc, SyntaxError) and exc.filename:
        return f"{exc.filename}:{exc.lineno}: SyntaxError: {exc.msg}"
    if frames:
        last = frames[-1]
        return f"{last.filename}:{last.lineno}: {type(exc).__name__}: {exc}"
    return f"{type(exc).__name__}: {exc}"


_REGISTRY: dict[str, TaskEntry] = {}


def register(
    id: str,
    entry_point: str | Callable[..., gym.Env],
    *,
    kwargs: dict[str, Any] | None = None,
    group: str = "custom",
    source: str | None = None,
    note: str | None = None,
    available: bool = True,
    replace: bool = False,
    **extra: Any,
) -> TaskEntry:
    """Register a task id (NeuroGym's ``ngym.register``; also with Gymnasium).

    Extra keyword arguments (as NeuroGym passes them) are taken as env kwargs.
    Registering an existing id again is an error naming both sources unless
    ``replace=True``.
    """
    if group not in GROUPS:
        raise ValueError(f"unknown task group {group!r}; use one of {', '.join(GROUPS)}")
    merged = dict(kwargs or {})
    merged.update(extra)
    if id in _REGISTRY and not replace:
        old = _REGISTRY[id]
        where_old = old.source or _describe_entry(old.entry_point)
        where_new = source or _describe_entry(entry_point)
        raise ValueError(f"task id {id!r} is defined twice: by {where_old} and by {where_new}; rename one of them")
    entry = TaskEntry(id=id, entry_point=entry_point, kwargs=merged, group=group, source=source, note=note, available=available)
    _REGISTRY[id] = entry
    if available:
        if id in gym.registry:
            del gym.registry[id]
        gym.register(id=id, entry_point=entry_point, kwargs=merged, disable_env_checker=False)
    return entry


def _describe_entry(entry_point: Any) -> str:
    if isinstance(entry_point, str):
        return entry_point
    return f"{getattr(entry_point, '__module__', '?')}.{getattr(entry_point, '__qualname__', repr(entry_point))}"


def unregister(id: str) -> None:
    _REGISTRY.pop(id, None)
    if id in gym.registry:
        del gym.registry[id]


def entries() -> dict[str, TaskEntry]:
    """All registered entries (id -> TaskEntry), the built-in catalogue included."""
    _ensure_builtin()
    return dict(_REGISTRY)


_builtin_loaded = False


def _ensure_builtin() -> None:
    # The catalogue lives in a higher layer; the package __init__ installs it.
    # Importing it here (lazily, by name) keeps `core` free of task imports
    # while still letting `core` be used on its own.
    global _builtin_loaded
    if not _builtin_loaded:
        _builtin_loaded = True
        if "neurogym_app.tasks" not in sys.modules:
            importlib.import_module("neurogym_app.tasks").register_builtin()


def spec(id: str) -> TaskEntry:
    """The entry of ``id``; an unknown id raises ``UnknownTaskError`` naming the closest ids."""
    _ensure_builtin()
    try:
        return _REGISTRY[id]
    except KeyError:
        pass
    if not isinstance(id, str):
        raise UnknownTaskError(f"task id must be a string, got {type(id).__name__}")
    # Forgiving lookups: a missing version suffix, or different case.
    if f"{id}-v0" in _REGISTRY:
        return _REGISTRY[f"{id}-v0"]
    lowered = {k.lower(): k for k in _REGISTRY}
    for candidate in (id.lower(), f"{id}-v0".lower()):
        if candidate in lowered:
            close = lowered[candidate]
            raise UnknownTaskError(f"unknown task id {id!r}; did you mean {close!r}? (ids are case-sensitive)")
    raise UnknownTaskError(_unknown_message(id))


def _unknown_message(id: str) -> str:
    names = list(_REGISTRY)
    close = difflib.get_close_matches(id, names, n=3, cutoff=0.5)
    if not close:
        bare = {k.rsplit("-v", 1)[0]: k for k in names}
        close = [bare[c] for c in difflib.get_close_matches(id.rsplit("-v", 1)[0], list(bare), n=3, cutoff=0.5)]
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return f"unknown task id {id!r}{hint} (run `neurogym-app list` to see all ids)"


def load(id: str) -> Callable[..., gym.Env]:
    """The class (or factory) registered as ``id``, imported on demand."""
    return spec(id).load()


def _accepted_parameters(factory: Callable[..., Any]) -> tuple[list[str], bool]:
    try:
        sig = inspect.signature(factory)
    except (TypeError, ValueError):
        return [], True
    names = [p.name for p in sig.parameters.values() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    has_var_kw = any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())
    return [n for n in names if n != "self"], has_var_kw


def _split_union(annotation: str) -> list[str]:
    """``"list[float] | None"`` -> ``["list[float]", "None"]`` (only top-level ``|``)."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(annotation):
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(annotation[start:i].strip())
            start = i + 1
    parts.append(annotation[start:].strip())
    return parts


_SEQUENCES = ("list[", "tuple[", "Sequence[")


def _accepts(kind: str, value: Any) -> tuple[bool | None, str]:
    """(does ``value`` fit annotation ``kind``? None if the annotation is not understood, description)."""
    import numbers

    import numpy as np

    is_bool = isinstance(value, (bool, np.bool_))
    if kind == "None":
        return value is None, ""
    if kind == "float":
        return isinstance(value, numbers.Real) and not is_bool, "a number"
    if kind == "int":
        return isinstance(value, numbers.Integral) and not is_bool, "an integer"
    if kind == "bool":
        return is_bool, "true or false"
    if kind == "str":
        return isinstance(value, str), "text"
    if kind.startswith(("dict[", "Mapping[")) or kind in ("dict", "Mapping"):
        from collections.abc import Mapping

        return isinstance(value, Mapping), "a table (dict)"
    if kind == "np.ndarray":
        return isinstance(value, np.ndarray), "an array"
    if kind.startswith(_SEQUENCES):
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, np.ndarray)):
            return False, "a list"
        inner = kind[kind.index("[") + 1 : -1].replace(", ...", "").strip()
        if inner in ("float", "int") and all(
            _accepts(inner, v)[0] for v in (value.tolist() if isinstance(value, np.ndarray) else value)
        ):
            return True, ""
        if inner in ("float", "int"):
            return False, "a list of numbers" if inner == "float" else "a list of integers"
        return True, "a list"
    return None, ""


def _check_parameter_types(task_id: str, factory: Callable[..., Any], params: dict[str, Any]) -> None:
    """A one-line ``TaskParameterError`` for a value of the wrong type (``dim_ring = 2.5``, ``cohs = "abc"``).

    Uses the constructor's annotations; parameters annotated with anything
    else than plain numbers, text, flags, tables and lists of numbers are left to the task.
    """
    try:
        sig = inspect.signature(factory)
    except (TypeError, ValueError):
        return
    for name, value in params.items():
        p = sig.parameters.get(name)
        if p is None or p.annotation is inspect.Parameter.empty:
            continue
        annotation = p.annotation if isinstance(p.annotation, str) else getattr(p.annotation, "__name__", "")
        wanted = []
        ok = False
        for kind in _split_union(annotation):
            fits, what = _accepts(kind, value)
            if fits is None:  # not understood: trust the task
                ok = True
                break
            if fits:
                ok = True
                break
            if what:
                wanted.append(what)
        if not ok and wanted:
            shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
            raise TaskParameterError(f"{task_id}: parameter {name!r} must be {' or '.join(wanted)}, got {shown}")


def make(id: str, **kwargs: Any) -> gym.Env:
    """Build task ``id`` with no wrappers added (NeuroGym's ``ngym.make``).

    A parameter the task does not take raises ``TaskParameterError`` listing
    the ones it does.
    """
    entry = spec(id)
    factory = entry.load()
    params = {**entry.kwargs, **kwargs}
    accepted, var_kw = _accepted_parameters(factory)
    if not var_kw:
        unknown = [k for k in params if k not in accepted]
        if unknown:
            close = difflib.get_close_matches(unknown[0], accepted, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise TaskParameterError(
                f"{entry.id} has no parameter {unknown[0]!r}; {hint}valid parameters: {', '.join(accepted) or 'none'}"
            )
    _check_parameter_types(entry.id, factory, params)
    env = factory(**params)
    try:
        gym_spec = gym.spec(entry.id) if entry.id in gym.registry else None
    except gym.error.Error:
        gym_spec = None
    if gym_spec is not None:
        env.unwrapped.spec = gym_spec.copy() if hasattr(gym_spec, "copy") else gym_spec
        try:
            env.unwrapped.spec.kwargs = params
        except AttributeError:
            pass
    return env


def all_envs(
    tag: str | None = None,
    psychopy: bool = False,
    contrib: bool = False,
    collections: bool = False,
    custom: bool = True,
) -> list[str]:
    """Sorted registered ids (NeuroGym's signature: native always, others on request)."""
    _ensure_builtin()
    wanted = {"native"}
    if psychopy:
        wanted.add("psychopy")
    if contrib:
        wanted.add("contrib")
    if collections:
        wanted.add("collections")
    if custom:
        wanted.add("custom")
    ids = sorted(i for i, e in _REGISTRY.items() if e.group in wanted and e.available)
    if tag is None:
        return ids
    return [i for i in ids if tag in task_metadata(i).get("tags", [])]


def all_tags(ids: Iterable[str] | None = None) -> list[str]:
    """Every tag used by the registered tasks, sorted."""
    _ensure_builtin()
    if ids is None:
        ids = [i for i, e in _REGISTRY.items() if e.available]
    tags: set[str] = set()
    for i in ids:
        tags.update(task_metadata(i).get("tags", []))
    return sorted(tags)


def task_metadata(id: str) -> dict[str, Any]:
    """Metadata of a task from its class, without building it."""
    from neurogym_app.core.trial_env import METADATA_DEFAULTS

    entry = spec(id)
    factory = entry.load()
    meta = dict(METADATA_DEFAULTS)
    meta.update(getattr(factory, "metadata", {}) or {})
    if not meta.get("description"):
        doc = inspect.getdoc(factory) or ""
        meta["description"] = doc.split("\n\n")[0].replace("\n", " ").strip()
    meta["tags"] = list(meta.get("tags") or [])
    meta["id"] = entry.id
    meta["group"] = entry.group
    return meta
