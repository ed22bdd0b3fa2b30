"""The sections of :class:`~neurogym_app.config.Config`, one pydantic model each.

Field names follow NeuroGym's configuration (``env``, ``monitor`` with its
``plot`` and ``log`` sub-sections, ``agent`` with ``training``/``inference``);
``session``, ``display`` and ``keys`` are this app's additions for human
psychophysics. Every section forbids unknown keys and validates assignments.

Sections are plain models, not settings: only the top-level ``Config`` reads
``NGYM_*`` environment variables (``NGYM_MONITOR__PLOT__CREATE=false``).
"""

from __future__ import annotations

import math
import numbers
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    field_validator,
)

from neurogym_app.config.limits import TrialCount

__all__ = [
    "AgentConfig",
    "AgentInferenceConfig",
    "AgentTrainingConfig",
    "DisplayConfig",
    "EnvConfig",
    "KeyMap",
    "MonitorConfig",
    "MonitorLogConfig",
    "MonitorPlotConfig",
    "SectionBase",
    "SessionConfig",
    "SweepConfig",
    "TIMING_DISTRIBUTIONS",
    "check_timing_spec",
]


class SectionBase(BaseModel):
    """Base of every section: unknown keys are errors, assignments are validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


# ---------------------------------------------------------------------------
# Reusable field types
# ---------------------------------------------------------------------------


def _singular_unit(value: Any) -> Any:
    """Accept NeuroGym's plural spellings ('trials', 'steps') for trigger units."""
    if isinstance(value, str):
        low = value.strip().lower()
        return {"trials": "trial", "steps": "step"}.get(low, low)
    return value


#: Unit counted by a trigger: ``"trial"`` or ``"step"`` (``"trials"``/``"steps"`` accepted).
Unit = Annotated[Literal["trial", "step"], BeforeValidator(_singular_unit)]


def _to_number(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"Input should be a number, not a boolean (got {value!r})")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, str):  # environment variables arrive as text
        text = value.strip()
        for parse in (int, float):
            try:
                return parse(text)
            except ValueError:
                pass
    raise ValueError(f"Input should be a number (got {value!r})")


def _positive(value: int | float) -> int | float:
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"Input should be a finite number greater than 0 (got {value!r})")
    return value


#: A positive int or float; ints stay ints (``dt = 10`` gives ``10``, not ``10.0``).
PositiveNumber = Annotated[int | float, BeforeValidator(_to_number), AfterValidator(_positive)]


def _expand_path(value: Any) -> Any:
    """``~`` and ``$VARS`` in paths are expanded (as NeuroGym does for its config)."""
    if isinstance(value, (str, os.PathLike)):
        return Path(os.path.expanduser(os.path.expandvars(os.fspath(value))))
    return value


#: A filesystem path with ``~`` and environment variables expanded.
ExpandedPath = Annotated[Path, BeforeValidator(_expand_path)]


# ---------------------------------------------------------------------------
# env
# ---------------------------------------------------------------------------


def lists_not_tuples(value: Any) -> Any:
    """Tuples -> lists, recursively, so Python and TOML specs compare equal."""
    if isinstance(value, (list, tuple)):
        return [lists_not_tuples(v) for v in value]
    return value


#: Distributions a ``[name, args]`` timing spec may name (as ``neurogym_app.core.timing``).
TIMING_DISTRIBUTIONS = ("constant", "uniform", "choice", "truncated_exponential", "until")


def _ms(period: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"timing for period {period!r}: expected a number of ms, got {value!r}")
    if math.isnan(value) or value < 0:
        raise ValueError(f"timing for period {period!r}: duration {value!r} is negative or NaN; use 0 or more")
    return float(value)


def check_timing_spec(period: str, spec: Any) -> None:
    """Raise ``ValueError`` (one line, naming the period) if ``spec`` is not a timing spec.

    A structural check that needs no numpy; the task checks the spec again when built.
    """
    if callable(spec):
        return
    if isinstance(spec, numbers.Real) and not isinstance(spec, bool):
        if math.isinf(_ms(period, spec)):
            raise ValueError(f"timing for period {period!r}: an infinite duration never ends")
        return
    if isinstance(spec, (list, tuple)) and spec and isinstance(spec[0], str):
        name = spec[0]
        if name not in TIMING_DISTRIBUTIONS:
            raise ValueError(
                f"timing for period {period!r}: unknown distribution {name!r}; "
                f"use one of {', '.join(TIMING_DISTRIBUTIONS)}"
            )
        if len(spec) != 2:
            raise ValueError(f"timing for period {period!r}: write [{name!r}, args], got {spec!r}")
        args = spec[1]
        if name in ("constant", "until"):
            _ms(period, args)
            return
        sizes = {"uniform": (2, 2), "choice": (1, None), "truncated_exponential": (1, 3)}[name]
        if not isinstance(args, (list, tuple)) or len(args) < sizes[0] or (sizes[1] and len(args) > sizes[1]):
            shape = {"uniform": "[low, high]", "choice": "[ms, ...]", "truncated_exponential": "[mean, min, max]"}
            raise ValueError(f"timing for period {period!r}: {name} needs {shape[name]}, got {args!r}")
        values = [_ms(period, a) for a in args]
        if name == "uniform" and values[0] > values[1]:
            raise ValueError(f"timing for period {period!r}: uniform low {values[0]:g} > high {values[1]:g}")
        # truncated_exponential with min >= max is allowed (always max), as in the core and NeuroGym
        return
    if isinstance(spec, (list, tuple)) and spec:
        for a in spec:
            _ms(period, a)
        return
    raise ValueError(
        f"timing for period {period!r}: {spec!r} is not a timing spec; give ms, a list of ms, "
        f"or [distribution, args] with distribution in {', '.join(TIMING_DISTRIBUTIONS)}"
    )


class EnvConfig(SectionBase):
    """The task (NeuroGym environment) to run.

    Attributes:
        name: Task id as registered with gymnasium, e.g. ``"GoNogo-v0"``.
        dt: Time step in ms.
        kwargs: Extra keyword arguments for the task constructor.
        timing: Period name -> duration spec: ms, a list of ms (one chosen
            uniformly) or ``[distribution, args]`` with distribution one of
            constant, uniform, choice, truncated_exponential, until.
    """

    name: str = ""
    dt: PositiveNumber = 10
    kwargs: dict[str, Any] = Field(default_factory=dict)
    timing: dict[str, Any] = Field(default_factory=dict)

    @field_validator("timing", mode="after")
    @classmethod
    def _check_timing(cls, timing: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for period, spec in timing.items():
            spec = lists_not_tuples(spec)
            check_timing_spec(period, spec)
            out[period] = spec
        return out

    def make_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for the task constructor: ``kwargs`` plus ``dt`` and ``timing``.

        ``[distribution, args]`` timing lists become tuples, NeuroGym's form.
        """
        out = dict(self.kwargs)
        out["dt"] = self.dt
        if self.timing:
            out["timing"] = {
                period: tuple(spec) if isinstance(spec, list) and spec and isinstance(spec[0], str) else spec
                for period, spec in self.timing.items()
            }
        return out


# ---------------------------------------------------------------------------
# monitor
# ---------------------------------------------------------------------------


class MonitorPlotConfig(SectionBase):
    """Plots made while monitoring.

    Attributes:
        create: Whether to make plots at all.
        title: Plot title; empty means the task name (``env.name``).
        ext: Image file extension for saved plots.
        step: Number of steps shown in one figure.
        trigger: Unit that ``value`` counts (``"trial"`` or ``"step"``).
        value: Plot every ``value`` trials/steps.
    """

    create: bool = True
    title: str = ""
    ext: str = "png"
    step: PositiveInt = 10
    trigger: Unit = "trial"
    value: PositiveInt = 10


LogLevel = Literal["TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL"]


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


class MonitorLogConfig(SectionBase):
    """Logging while monitoring (loguru-style format string).

    Attributes:
        verbose: Whether to log at all.
        format: Log line format.
        level: Minimum level (TRACE, DEBUG, INFO, SUCCESS, WARNING, ERROR, CRITICAL).
        trigger: Unit that ``interval`` counts.
        interval: Log every ``interval`` trials/steps.
    """

    verbose: bool = True
    format: str = "<magenta>Neurogym</magenta> | <cyan>{time:YYYY-MM-DD@HH:mm:ss}</cyan> | <level>{message}</level>"
    level: Annotated[LogLevel, BeforeValidator(_upper)] = "INFO"
    trigger: Unit = "trial"
    interval: PositiveInt = 10


class MonitorConfig(SectionBase):
    """Monitoring of a run (saving data, plots, logs).

    Attributes:
        name: Optional monitor name.
        trigger: Unit that ``interval`` counts.
        interval: Save every ``interval`` trials/steps.
        verbose: Whether to print progress.
        plot: Plot options.
        log: Logging options.
    """

    name: str = ""
    trigger: Unit = "trial"
    interval: PositiveInt = 1000
    verbose: bool = True
    plot: MonitorPlotConfig = Field(default_factory=MonitorPlotConfig)
    log: MonitorLogConfig = Field(default_factory=MonitorLogConfig)


# ---------------------------------------------------------------------------
# agent
# ---------------------------------------------------------------------------


class AgentTrainingConfig(SectionBase):
    """How long to train: ``value`` units of ``unit``."""

    unit: Unit = "trial"
    value: PositiveInt = 100


class AgentInferenceConfig(SectionBase):
    """How long to run a trained agent: ``value`` units of ``unit``."""

    unit: Unit = "step"
    value: PositiveInt = 10000


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


class AgentConfig(SectionBase):
    """A recurrent network agent trained on the task (supervised).

    Attributes:
        model: Recurrent cell type.
        hidden_size: Number of hidden units.
        steps: Number of optimiser steps.
        lr: Learning rate.
        seed: Random seed (None: not seeded).
        batch_size: Sequences per batch.
        seq_len: Time steps per training sequence.
        training: NeuroGym's training length (unit/value).
        inference: NeuroGym's inference length (unit/value).
    """

    model: Annotated[Literal["rnn", "gru", "lstm"], BeforeValidator(_lower)] = "lstm"
    hidden_size: PositiveInt = 64
    steps: PositiveInt = 2000
    lr: PositiveFloat = 1e-3
    seed: int | None = None
    batch_size: PositiveInt = 16
    seq_len: PositiveInt = 100
    training: AgentTrainingConfig = Field(default_factory=AgentTrainingConfig)
    inference: AgentInferenceConfig = Field(default_factory=AgentInferenceConfig)


class SweepConfig(SectionBase):
    """A sweep of agents (``neurogym-app sweep``): the grid, how each point trains, where it runs.

    Unset training fields take the values of ``neurogym-app train``'s defaults.

    Attributes:
        tasks: Task ids.
        seeds: Seeds (one agent per seed and per model and size).
        models: Recurrent cell types.
        hidden: Hidden sizes.
        steps, lr, batch_size, seq_len: Training, as ``[agent]``.
        timing: ``default``, ``human`` or ``mixed`` (the timing the agents train on).
        record_trials: Trials each agent records (its psychometric fit and the Compare view use them).
        executor: ``local`` (process pool) or ``ray``.
        address: A Ray cluster to join (``HOST:PORT``); empty: start a local one.
        workers: Parallel points (local: processes; a started Ray cluster: CPUs).
        out: The sweep folder.
    """

    tasks: list[str] = Field(default_factory=list)
    seeds: list[NonNegativeInt] = Field(default_factory=list)
    models: list[Annotated[Literal["rnn", "gru", "lstm"], BeforeValidator(_lower)]] = Field(default_factory=list)
    hidden: list[PositiveInt] = Field(default_factory=list)
    steps: PositiveInt | None = None
    lr: PositiveFloat | None = None
    batch_size: PositiveInt | None = None
    seq_len: PositiveInt | None = None
    timing: Literal["default", "human", "mixed"] | None = None
    record_trials: PositiveInt | None = None
    executor: Literal["local", "ray"] | None = None
    address: str | None = None
    workers: PositiveInt | None = None
    out: ExpandedPath | None = None


# ---------------------------------------------------------------------------
# session (human runs)
# ---------------------------------------------------------------------------


class SessionConfig(SectionBase):
    """One human session.

    Attributes:
        out: Root folder of saved sessions.
        participant: Participant id (letters, digits, ``.``, ``_``, ``-``; used in paths).
        session: Session number (1, 2, ...).
        timing: ``"human"``: the task's human-friendly timing; ``"default"``: the task's own.
        view: ``"agent"`` shows the observation vector as the agent sees it;
            ``"natural"`` draws the stimulus.
        backend: Display backend, ``"qt"`` or ``"psychopy"``.
        time_scale: Multiplies every period duration (> 0).
        trials: Number of trials (1 to ``limits.MAX_TRIALS``).
        seed: Random seed (None: fresh entropy, recorded in the session).
        feedback: Whether to show feedback after each trial.
        feedback_ms: How long feedback stays on screen.
        iti_ms: Blank inter-trial interval.
    """

    out: ExpandedPath = Path("sessions")
    participant: str = Field(default="anon", pattern=r"^[A-Za-z0-9._-]+$")
    session: PositiveInt = 1
    timing: Literal["human", "default"] = "human"
    view: Literal["agent", "natural"] = "natural"
    backend: Annotated[Literal["qt", "psychopy"], BeforeValidator(_lower)] = "qt"
    time_scale: PositiveFloat = 1.0
    trials: TrialCount = 100
    seed: int | None = None
    feedback: bool = True
    feedback_ms: NonNegativeInt = 500
    iti_ms: NonNegativeInt = 0


# ---------------------------------------------------------------------------
# display (monitor geometry for visual-degree units)
# ---------------------------------------------------------------------------

ColorChannel = Annotated[int, Field(ge=0, le=255)]


def _parse_color(value: Any) -> Any:
    """``"#808080"`` or ``"808080"`` -> ``(128, 128, 128)``; triples pass through."""
    if isinstance(value, str):
        text = value.strip().lstrip("#")
        if len(text) == 6:
            try:
                return tuple(int(text[i : i + 2], 16) for i in (0, 2, 4))
            except ValueError:
                pass
        raise ValueError(f"colour should be [r, g, b] with 0-255 channels or '#rrggbb' (got {value!r})")
    return value


class DisplayConfig(SectionBase):
    """The physical screen, for converting visual degrees to pixels.

    Defaults describe a 24" 16:9 monitor (53 cm wide, 1920x1080) viewed from
    57 cm, where 1 cm on screen is about 1 degree of visual angle.

    Attributes:
        distance_cm: Eye-to-screen distance.
        width_cm: Visible width of the screen.
        resolution: ``[width, height]`` in pixels.
        refresh_hz: Screen refresh rate.
        fullscreen: Whether to open a full-screen window.
        background: Background colour ``[r, g, b]`` (0-255), mid grey by default.
        units: Units of stimulus sizes: ``"pix"`` or ``"deg"``.
    """

    distance_cm: PositiveFloat = 57.0
    width_cm: PositiveFloat = 53.0
    resolution: tuple[PositiveInt, PositiveInt] = (1920, 1080)
    refresh_hz: PositiveFloat = 60.0
    fullscreen: bool = False
    background: Annotated[tuple[ColorChannel, ColorChannel, ColorChannel], BeforeValidator(_parse_color)] = (
        128,
        128,
        128,
    )
    units: Literal["pix", "deg"] = "pix"

    def pix_per_cm(self) -> float:
        """Horizontal pixels per centimetre on the screen."""
        return self.resolution[0] / self.width_cm

    def cm_per_deg(self) -> float:
        """Size on screen (cm) of 1 degree of visual angle centred on the line of sight."""
        return 2.0 * self.distance_cm * math.tan(math.radians(0.5))

    def pix_per_deg(self) -> float:
        """Pixels spanned by 1 degree of visual angle at the centre of the screen.

        ``resolution[0] / width_cm * 2 * distance_cm * tan(0.5 deg)``; about 36.0
        for the defaults.
        """
        return self.pix_per_cm() * self.cm_per_deg()

    def deg_to_pix(self, deg: float) -> float:
        """Pixels spanned by a centred stimulus of ``deg`` degrees (exact, not linearised)."""
        return 2.0 * self.distance_cm * math.tan(math.radians(deg) / 2.0) * self.pix_per_cm()

    def pix_to_deg(self, pix: float) -> float:
        """Visual angle (degrees) of a centred stimulus ``pix`` pixels wide."""
        return math.degrees(2.0 * math.atan(pix / self.pix_per_cm() / (2.0 * self.distance_cm)))

    @property
    def frame_ms(self) -> float:
        """Duration of one screen refresh in ms."""
        return 1000.0 / self.refresh_hz


# ---------------------------------------------------------------------------
# keys
# ---------------------------------------------------------------------------


def _key_lists(value: Any) -> Any:
    """Let a single key name stand for a one-element list: ``left = "f"``."""
    if isinstance(value, dict):
        return {k: [v] if isinstance(v, str) else v for k, v in value.items()}
    return value


def _unique_keys(value: dict[str, list[str]]) -> dict[str, list[str]]:
    owner: dict[str, str] = {}
    for action, names in value.items():
        for name in names:
            if not name:
                raise ValueError(f"empty key name for action {action!r}")
            if name in owner and owner[name] != action:
                raise ValueError(f"key {name!r} is bound to both {owner[name]!r} and {action!r}")
            owner[name] = action
    return value


#: Action name -> key names, e.g. ``{"left": ["Left", "f"], "right": ["Right", "j"]}``.
KeyMap = Annotated[dict[str, list[str]], BeforeValidator(_key_lists), AfterValidator(_unique_keys)]
