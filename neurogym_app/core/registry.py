"""The task registry: ids -> lazy entry points, metadata, ``make``.

One registry: Gymnasium's. Each task is a ``TaskSpec`` (a Gymnasium
``EnvSpec`` with the task's group, source file and availability) in
``gymnasium.registry``, so ids are parsed as Gymnasium parses them
(``namespace.name-vN``), ``gymnasium.make(id)`` returns Gymnasium's usual
wrapped env and ``ngym.make(id)`` the bare task (NeuroGym-style attribute
access). Entry points are ``"module:attr"`` strings, so registering the whole
catalogue imports nothing. Parameters are checked against the constructor's
signature (``inspect.signature``) and its annotations (pydantic, strict).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import importlib
import importlib.util
import inspect
import sys
import traceback
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
from gymnasium.envs.registration import EnvSpec, parse_env_id

from neurogym_app.errors import UserError

__all__ = [
    "GROUPS",
    "TaskSpec",
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
class TaskSpec(EnvSpec):
    """A task's entry in ``gymnasium.registry``: Gymnasium's spec plus what the app needs to know."""

    group: str = "native"
    source: str | None = None  # file a custom task came from
    note: str | None = None  # e.g. why a psychopy task cannot be made here
    available: bool = True

    def load(self) -> Callable[..., gym.Env]:
        if not self.available:
            raise TaskImportError(f"{self.id}: {self.note}")
        if callable(self.entry_point):
            return self.entry_point
        module_name, _, attr = str(self.entry_point).partition(":")
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


#: the name the app has used for a registry entry
TaskEntry = TaskSpec


def _unavailable(note: str) -> Callable[..., gym.Env]:
    def make_unavailable(**kwargs: Any) -> gym.Env:
        raise TaskImportError(note)

    return make_unavailable


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
) -> TaskSpec:
    """Register a task id in Gymnasium's registry (NeuroGym's ``ngym.register``).

    Extra keyword arguments (as NeuroGym passes them) are taken as env kwargs.
    Registering an existing id again is an error naming both sources unless
    ``replace=True``; a malformed id is an error saying how ids are written.
    """
    if group not in GROUPS:
        raise ValueError(f"unknown task group {group!r}; use one of {', '.join(GROUPS)}")
    try:
        parse_env_id(id)
    except gym.error.Error as exc:
        raise ValueError(f"task id {id!r} is not a Gymnasium id ([namespace.]Name-vN, e.g. MyTask-v0): {exc}") from None
    merged = dict(kwargs or {})
    merged.update(extra)
    old = gym.registry.get(id)
    if old is not None and not replace:
        where_old = getattr(old, "source", None) or _describe_entry(old.entry_point)
        where_new = source or _describe_entry(entry_point)
        raise ValueError(f"task id {id!r} is defined twice: by {where_old} and by {where_new}; rename one of them")
    entry = TaskSpec(
        id=id,
        entry_point=entry_point if available else _unavailable(f"{id}: {note}"),
        kwargs=merged,
        disable_env_checker=False,
        group=group,
        source=source,
        note=note,
        available=available,
    )
    gym.registry[id] = entry
    return entry


def _describe_entry(entry_point: Any) -> str:
    if isinstance(entry_point, str):
        return entry_point
    return f"{getattr(entry_point, '__module__', '?')}.{getattr(entry_point, '__qualname__', repr(entry_point))}"


def unregister(id: str) -> None:
    if isinstance(gym.registry.get(id), TaskSpec):
        del gym.registry[id]


def _ensure_builtin() -> None:
    # The catalogue lives in a higher layer; importing it by name (lazily) keeps
    # `core` free of task imports. Its register_builtin() registers once.
    tasks = sys.modules.get("neurogym_app.tasks") or importlib.import_module("neurogym_app.tasks")
    tasks.register_builtin()


def entries() -> dict[str, TaskSpec]:
    """All registered tasks (id -> TaskSpec), the built-in catalogue included; Gymnasium's own envs left out."""
    _ensure_builtin()
    return {k: v for k, v in gym.registry.items() if isinstance(v, TaskSpec)}


def spec(id: str) -> TaskSpec:
    """The entry of ``id``; an unknown id raises ``UnknownTaskError`` naming the closest ids.

    As in Gymnasium, an id without a version means its highest registered version.
    """
    _ensure_builtin()
    found = gym.registry.get(id) if isinstance(id, str) else None
    if isinstance(found, TaskSpec):
        return found
    if not isinstance(id, str):
        raise UnknownTaskError(f"task id must be a string, got {type(id).__name__}")
    tasks = entries()
    try:
        namespace, name, version = parse_env_id(id)
    except gym.error.Error:
        namespace, name, version = None, id, None
    if version is None:
        versions = [t for t in tasks.values() if t.namespace == namespace and t.name == name and t.version is not None]
        if versions:
            return max(versions, key=lambda t: t.version or 0)  # `versions` holds only versioned specs
    lowered = {k.lower(): k for k in tasks}
    for candidate in (id.lower(), f"{id}-v0".lower()):
        if candidate in lowered:
            close = lowered[candidate]
            raise UnknownTaskError(f"unknown task id {id!r}; did you mean {close!r}? (ids are case-sensitive)")
    raise UnknownTaskError(_unknown_message(id))


def _unknown_message(id: str) -> str:
    names = list(entries())
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


#: what a value of each pydantic error type should have been, for the one-line message
_WANTED = {
    "int_type": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "string_type": "text",
    "dict_type": "a table (dict)",
    "list_type": "a list",
    "tuple_type": "a list",
    "is_instance_of": "",
}


@functools.lru_cache(maxsize=512)
def _parameter_types(factory: Callable[..., Any]) -> dict[str, Any]:
    """Parameter name -> pydantic ``TypeAdapter`` of its annotation (parameters pydantic cannot check are left out)."""
    from pydantic import TypeAdapter

    try:
        sig = inspect.signature(factory)
    except (TypeError, ValueError):
        return {}
    target = factory.__init__ if inspect.isclass(factory) else factory
    try:
        hints = typing.get_type_hints(target)
    except Exception:  # an annotation naming what the module does not define: check none by annotation
        hints = {}
    adapters = {}
    for name in sig.parameters:
        annotation = hints.get(name)
        if annotation is None or annotation is Any:
            continue
        try:
            adapters[name] = TypeAdapter(annotation)
        except Exception:  # a type pydantic has no schema for (an array, a task's own class): the task checks it
            continue
    return adapters


def _plain(value: Any) -> Any:
    """Numpy values as the Python ones they stand for (what a config file or a caller means)."""
    import numpy as np

    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _check_parameter_types(task_id: str, factory: Callable[..., Any], params: dict[str, Any]) -> None:
    """A one-line ``TaskParameterError`` for a value of the wrong type (``dim_ring = 2.5``, ``cohs = "abc"``).

    Each annotated parameter is validated by pydantic in strict mode (no text
    taken for a number, no float for an integer); the task gets the value as given.
    """
    from pydantic import ValidationError

    adapters = _parameter_types(factory)
    for name, value in params.items():
        adapter = adapters.get(name)
        if adapter is None:
            continue
        tries = [value, _plain(value)]
        errors = None
        for candidate in tries:
            try:
                adapter.validate_python(candidate, strict=True)
                errors = None
                break
            except ValidationError as exc:
                errors = errors or exc.errors()
        if errors is None:
            continue
        wanted: list[str] = []
        for error in errors:
            if error["type"] == "none_required":
                continue
            if isinstance(value, dict) and any(isinstance(part, str) and part in value for part in error["loc"]):
                wanted = []  # a value inside a table (a reward by name): the task names the entry and the fix
                break
            in_list = any(isinstance(part, int) for part in error["loc"])
            what = _WANTED.get(error["type"], "")
            if in_list:
                what = "a list of integers" if error["type"] in ("int_type", "int_from_float") else "a list of numbers"
            if what and what not in wanted:
                wanted.append(what)
        if wanted:
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
    gym_spec = entry
    if gym_spec is not None:
        try:
            env.unwrapped.spec = dataclasses.replace(gym_spec, kwargs=params)
        except (AttributeError, TypeError):
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
    ids = sorted(i for i, e in entries().items() if e.group in wanted and e.available)
    if tag is None:
        return ids
    return [i for i in ids if tag in task_metadata(i).get("tags", [])]


def all_tags(ids: Iterable[str] | None = None) -> list[str]:
    """Every tag used by the registered tasks, sorted."""
    _ensure_builtin()
    if ids is None:
        ids = [i for i, e in entries().items() if e.available]
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
