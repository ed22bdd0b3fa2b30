"""Period durations: the timing specs a task accepts and how they are sampled.

A spec is one of

* a number (ms): a constant duration;
* a callable taking no argument (NeuroGym style) or the env's generator;
* a list/tuple of numbers: one of them, chosen uniformly;
* ``(name, args)`` with ``name`` one of ``constant`` (v), ``uniform`` (low, high),
  ``choice`` (values), ``truncated_exponential`` (mean, min=0, max=inf; always max if
  min >= max, as NeuroGym) or
  ``until`` (t): the period lasts until ``t`` ms after the trial start.

Sampled durations are rounded to the nearest multiple of ``dt``; a positive
duration is never rounded to zero (NeuroGym floors, so periods shorter than
``dt`` silently vanish).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "DISTRIBUTIONS",
    "Until",
    "TimingError",
    "round_to_dt",
    "sample_duration",
    "truncated_exponential",
    "validate_timing",
    "spec_bounds",
    "describe_spec",
    "duration_as_spec_type",
]

DISTRIBUTIONS = ("constant", "uniform", "choice", "truncated_exponential", "until")


class TimingError(ValueError):
    """A timing spec that cannot be used; the message names the period and the fix."""


@dataclass(frozen=True)
class Until:
    """A period that ends at ``t`` ms after the trial start, whatever came before."""

    t: float


def truncated_exponential(rng: np.random.Generator, mean: float, vmin: float = 0.0, vmax: float = math.inf) -> float:
    """One draw of an exponential with ``mean``, truncated to ``[vmin, vmax]``.

    Uses the inverse CDF, so it always takes exactly one random number (a
    rejection loop would make the number of draws, and thus later trials,
    depend on luck).
    """
    if vmin >= vmax:
        return float(vmax)
    if mean <= 0:
        return float(vmin)
    lo = -math.expm1(-vmin / mean)
    hi = 1.0 if math.isinf(vmax) else -math.expm1(-vmax / mean)
    u = lo + (hi - lo) * rng.random()
    return float(min(max(-mean * math.log1p(-u), vmin), vmax))


def _as_number(period: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TimingError(f"timing for period {period!r}: expected a number of ms, got {value!r}")
    value = float(value)
    if not math.isfinite(value) and value != math.inf:
        raise TimingError(f"timing for period {period!r}: {value!r} is not a finite number of ms")
    if value < 0:
        raise TimingError(f"timing for period {period!r}: duration {value:g} ms is negative; use 0 or more")
    return value


def validate_timing(period: str, spec: Any) -> None:
    """Raise ``TimingError`` with a one-line message if ``spec`` is unusable."""
    if callable(spec):
        return
    if isinstance(spec, (int, float, np.integer, np.floating)) and not isinstance(spec, bool):
        value = _as_number(period, spec)
        if math.isinf(value):
            raise TimingError(f"timing for period {period!r}: an infinite duration never ends; give a number of ms")
        return
    if isinstance(spec, (list, tuple)) and spec and isinstance(spec[0], str):
        name = spec[0]
        if name not in DISTRIBUTIONS:
            raise TimingError(
                f"timing for period {period!r}: unknown distribution {name!r}; use one of {', '.join(DISTRIBUTIONS)}"
            )
        if len(spec) != 2:
            raise TimingError(f"timing for period {period!r}: write ({name!r}, args), got {spec!r}")
        args = spec[1]
        if name in ("constant", "until"):
            _as_number(period, args)
        elif name == "uniform":
            if not isinstance(args, (list, tuple)) or len(args) != 2:
                raise TimingError(f"timing for period {period!r}: uniform needs (low, high), got {args!r}")
            low, high = (_as_number(period, a) for a in args)
            if low > high:
                raise TimingError(f"timing for period {period!r}: uniform low {low:g} > high {high:g}")
        elif name == "choice":
            if not isinstance(args, (list, tuple, np.ndarray)) or len(args) == 0:
                raise TimingError(f"timing for period {period!r}: choice needs a non-empty list of ms")
            for a in args:
                _as_number(period, a)
        elif name == "truncated_exponential":
            if not isinstance(args, (list, tuple)) or not 1 <= len(args) <= 3:
                raise TimingError(
                    f"timing for period {period!r}: truncated_exponential needs (mean, [min, [max]]), got {args!r}"
                )
            # min >= max is allowed, as in NeuroGym: every draw is then max
            for a in args:
                _as_number(period, a)
        return
    if isinstance(spec, (list, tuple, np.ndarray)) and len(spec) > 0:
        for a in spec:
            _as_number(period, a)
        return
    raise TimingError(
        f"timing for period {period!r}: {spec!r} is not a timing spec; give ms, a list of ms, "
        f"or (distribution, args) with distribution in {', '.join(DISTRIBUTIONS)}"
    )


def _call(spec: Callable, rng: np.random.Generator) -> Any:
    try:
        params = inspect.signature(spec).parameters
    except (TypeError, ValueError):
        return spec()
    required = [p for p in params.values() if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return spec(rng) if required else spec()


def sample_duration(period: str, spec: Any, rng: np.random.Generator) -> float | Until:
    """Draw one raw duration (ms, not yet rounded) or an ``Until`` marker."""
    if callable(spec):
        return _as_number(period, _call(spec, rng))
    if isinstance(spec, (int, float, np.integer, np.floating)) and not isinstance(spec, bool):
        return _as_number(period, spec)
    validate_timing(period, spec)
    if isinstance(spec[0], str):
        name, args = spec
        if name == "constant":
            return float(args)
        if name == "until":
            return Until(float(args))
        if name == "uniform":
            return float(rng.uniform(args[0], args[1]))
        if name == "choice":
            return float(args[int(rng.integers(len(args)))])
        return truncated_exponential(rng, *[float(a) for a in args])
    return float(spec[int(rng.integers(len(spec)))])


def round_to_dt(duration: float, dt: float) -> float:
    """Nearest multiple of ``dt``; a positive duration is at least one ``dt``."""
    if duration <= 0:
        return 0.0
    steps = max(1, int(math.floor(duration / dt + 0.5)))
    return steps * dt


def spec_bounds(spec: Any) -> tuple[float, float] | None:
    """(min, max) ms a spec can produce, or None when unknown (callables)."""
    if callable(spec):
        return None
    if isinstance(spec, (int, float, np.integer, np.floating)) and not isinstance(spec, bool):
        return float(spec), float(spec)
    if isinstance(spec, (list, tuple)) and spec and isinstance(spec[0], str):
        name, args = spec
        if name in ("constant", "until"):
            return float(args), float(args)
        if name == "uniform":
            return float(args[0]), float(args[1])
        if name == "choice":
            return float(min(args)), float(max(args))
        vals = [float(a) for a in args]
        low, high = (vals[1] if len(vals) > 1 else 0.0), (vals[2] if len(vals) > 2 else math.inf)
        return (high, high) if low >= high else (low, high)
    if isinstance(spec, (list, tuple, np.ndarray)):
        return float(min(spec)), float(max(spec))
    return None


def describe_spec(spec: Any) -> str:
    """A short human-readable form of a spec, for `info` and the inspector."""
    if callable(spec):
        return getattr(spec, "__name__", "callable")
    if isinstance(spec, (int, float, np.integer, np.floating)) and not isinstance(spec, bool):
        return f"{float(spec):g} ms"
    if isinstance(spec, (list, tuple)) and spec and isinstance(spec[0], str):
        name, args = spec
        if name == "constant":
            return f"{float(args):g} ms"
        if name == "until":
            return f"until {float(args):g} ms"
        if name == "uniform":
            return f"uniform {float(args[0]):g}-{float(args[1]):g} ms"
        if name == "choice":
            return "one of " + ", ".join(f"{float(a):g}" for a in args) + " ms"
        vals = [f"{float(a):g}" for a in args]
        return "truncated exponential mean " + vals[0] + (f", {vals[1]}-{vals[2]}" if len(vals) == 3 else "") + " ms"
    if isinstance(spec, (list, tuple, np.ndarray)):
        return "one of " + ", ".join(f"{float(a):g}" for a in spec) + " ms"
    return repr(spec)


def normalise_timing(timing: Mapping[str, Any]) -> dict[str, Any]:
    """Validate every entry of a timing mapping, returning a plain dict copy."""
    out: dict[str, Any] = {}
    for period, spec in timing.items():
        validate_timing(period, spec)
        if isinstance(spec, list) and spec and isinstance(spec[0], str):
            spec = tuple(spec)  # TOML gives lists; keep specs hashable-looking and uniform
        out[period] = spec
    return out


def is_sequence_of_numbers(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str) and all(
        isinstance(v, (int, float, np.integer, np.floating)) for v in value
    )


def duration_as_spec_type(spec: Any, duration: float) -> Any:
    """``duration`` (ms, already drawn and rounded) in the number type NeuroGym gives for ``spec``.

    NeuroGym code checks the type of a sampled duration (``isinstance(d, int)``
    for a spec ``500``, ``np.integer`` for a list of ints, ``float`` for
    ``500.0`` or ``("uniform", ...)``): an ``int``/``float`` spec keeps its
    type, a list or ``("choice", ...)`` gives a numpy scalar of the list's
    dtype, ``uniform`` gives a float, ``truncated_exponential`` a float (its
    bound itself when min >= max), ``constant``/``until`` the type of their
    value, a callable an int when the duration is whole.
    """
    if isinstance(spec, bool):
        return duration
    if isinstance(spec, (int, np.integer)):
        return int(duration)
    if isinstance(spec, (float, np.floating)):
        return float(duration)
    if callable(spec):
        return int(duration) if float(duration).is_integer() else float(duration)
    if isinstance(spec, (list, tuple, np.ndarray)) and len(spec) and not isinstance(spec[0], str):
        return np.asarray(spec).dtype.type(duration)
    if isinstance(spec, (list, tuple)) and len(spec) == 2 and isinstance(spec[0], str):
        name, args = spec
        if name == "choice":
            return np.asarray(args).dtype.type(duration)
        if name in ("constant", "until"):
            return duration_as_spec_type(args, duration)
        if name == "truncated_exponential":
            values = list(args)
            if len(values) == 3 and values[1] >= values[2]:
                return duration_as_spec_type(values[2], duration)
        return float(duration)
    return duration
