"""Experiment files (``envs/*.toml``): tasks, blocks, trial lists, staircases (pydantic, pure).

An experiment file describes a whole pilot session: which tasks, with what
parameters, timing and keys; their instructions and practice; the blocks and
their order across participants; explicit trial lists or sampled trials;
adaptive procedures; the optional fields of the participant dialog.
``load_experiment(path)`` reads and validates one; every problem is a
one-line :class:`~neurogym_app.config.ConfigError` naming the file and the
field (``pilot.toml: tasks.rdm.adaptive.down: Input should be greater than 0 (got 0)``).

Layout (every section but ``[tasks.*]`` is optional)::

    name = "pilot_example"            # default: the file name
    title = "Motion and go/no-go pilot"
    seed = 2024                       # base seed; each participant/session derives its own
    block_order = "counterbalanced"   # fixed | randomized | counterbalanced (Latin square)
    welcome = "Welcome! ..."

    [[participant_fields]]            # extra fields of the participant dialog
    name = "age"                      # type: text | int | float | choice
    type = "int"
    min = 18
    max = 99

    [flow]                            # between trials and blocks
    feedback_ms = 600
    iti_ms = 500
    break_min_s = 0                   # breaks cannot be skipped before this

    [tasks.rdm]                       # a task, referred to by its key ("rdm")
    id = "PerceptualDecisionMaking-v0"
    params = { cohs = [51.2] }        # constructor keyword arguments
    timing = "human"                  # human | default | {period = ms or [dist, args]}
    dt = 20                           # time step in ms (default: the task's; at most 1000)
    keys = { left = "f", right = "j" }
    view = "natural"                  # natural | agent
    trials = 40                       # default trials per block (1 to 1000000, the whole plan too)
    instructions = "..."              # or instructions_file = "rdm.txt" (assets/instructions/)
    conditions = [{coh = 25.6}, ...]  # explicit trial list (new_trial variables), or
    factors = { ground_truth = [1, 2], coh = [6.4, 25.6] }   # a full factorial list, or
    conditions_file = "rdm_trials.csv"                        # a CSV trial list
    order = "shuffle"                 # shuffle | sequential (for trial lists)
    against = "assets/agents/PerceptualDecisionMaking_gru32"  # a trained agent faces the same trials (experimenter's data only)
    [tasks.rdm.practice]
    trials = 6
    conditions = [{coh = 51.2}]
    [tasks.rdm.adaptive]              # staircase | quest, on a trial variable or a task parameter
    method = "staircase"
    variable = "coh"
    start = 50
    up = 1
    down = 3
    steps = [12.8, 6.4, 3.2]
    min = 0
    max = 100

    [[blocks]]                        # default: one block per task, in file order
    task = "rdm"
    trials = 40
    repeat = 2                        # consecutive blocks of this entry (kept together)

    [simulated]                       # the --auto participant's parameters (psychometric curve in the
    threshold = 20                    #   task's strength units; default: from each task's strength range)
    slope = 0.25                      #   steepness (1 / strength unit), or width = 1 / slope
    [tasks.lum.simulated]             # a task's own curve, in its units (e.g. luminance differences)
    threshold = 0.06

    [markers]                         # fields: MarkersConfig
    lsl = true                        # push Lab Streaming Layer markers
    stream_name = "neurogym-app"      # the outlet's name
    source_id = ""                    # default: neurogym-app-<name>
    as_json = false                   # JSON samples instead of labels
    wait_for_consumer = 30            # hold the start until an inlet connects (s; 0: no wait)
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    ValidationError,
    field_validator,
    model_validator,
)

from neurogym_app.config.config import load_toml
from neurogym_app.config.errors import (
    ConfigError,
    close_name,
    from_validation_error,
    raise_text_numbers,
    text_number_errors,
)
from neurogym_app.config.limits import MAX_TRIALS, PracticeTrialCount, TrialCount, session_dt_error
from neurogym_app.config.sections import KeyMap, PositiveNumber, check_timing_spec, lists_not_tuples

__all__ = [
    "AdaptiveConfig",
    "BlockConfig",
    "ExperimentConfig",
    "ExperimentFlowConfig",
    "MarkersConfig",
    "ParticipantField",
    "PracticeConfig",
    "QuestConfig",
    "SimulatedConfig",
    "TaskSimulatedConfig",
    "StaircaseConfig",
    "TaskConfig",
    "INSTRUCTIONS_DIR",
    "load_experiment",
    "design_hash",
]

#: where ``instructions_file`` is looked up (after the experiment file's folder)
INSTRUCTIONS_DIR = Path("assets") / "instructions"

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_RESERVED_FIELDS = {"participant", "id", "session"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


# ----------------------------------------------------------------- participant
class ParticipantField(_Model):
    """One extra field of the participant dialog (id and session are always asked)."""

    name: str
    label: str = ""
    type: Literal["text", "int", "float", "choice"] = "text"
    choices: list[str] = Field(default_factory=list)
    required: bool = False
    default: str | int | float | None = None
    min: float | None = None
    max: float | None = None
    help: str = ""

    @field_validator("name")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(f"field name {value!r} must be a word of letters, digits and _ (e.g. 'age')")
        if value.lower() in _RESERVED_FIELDS:
            raise ValueError(f"field name {value!r} is reserved (participant id and session are always asked)")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ParticipantField:
        if self.type == "choice" and not self.choices:
            raise ValueError(f"field {self.name!r}: type 'choice' needs a list of choices")
        if self.type != "choice" and self.choices:
            raise ValueError(f"field {self.name!r}: choices are for type 'choice' only")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"field {self.name!r}: min {self.min:g} > max {self.max:g}")
        return self

    @property
    def shown(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


# --------------------------------------------------------------------- adaptive
class _AdaptiveBase(_Model):
    variable: str | None = None
    parameter: str | None = None

    @model_validator(mode="after")
    def _one_target(self) -> _AdaptiveBase:
        if (self.variable is None) == (self.parameter is None):
            raise ValueError("give exactly one of variable (a trial variable, e.g. 'coh') or parameter (a task attribute)")
        return self

    @property
    def target(self) -> str:
        return str(self.variable or self.parameter)

    @property
    def target_kind(self) -> str:
        return "variable" if self.variable is not None else "parameter"


class StaircaseConfig(_AdaptiveBase):
    """An n-up/m-down staircase.

    After ``up`` wrong answers in a row the intensity moves toward easier by
    one step, after ``down`` correct answers in a row toward harder
    (1-up/3-down converges to 79.4 % correct). ``steps`` are the step sizes,
    the next one used after each reversal (the last one stays);
    ``step_type``: ``linear`` (add/subtract), ``log`` (steps in log10 units)
    or ``db`` (steps in decibels, 20*log10). ``easier``: whether a higher or
    a lower intensity makes the task easier (coherence: higher).
    """

    method: Literal["staircase"]
    start: float
    up: PositiveInt = 1
    down: PositiveInt = 3
    steps: list[PositiveFloat] = Field(min_length=1)
    step_type: Literal["linear", "log", "db"] = "linear"
    easier: Literal["higher", "lower"] = "higher"
    min: float | None = None
    max: float | None = None
    estimate_reversals: PositiveInt = 6

    @field_validator("steps", mode="before")
    @classmethod
    def _one_step(cls, value: Any) -> Any:
        return [value] if isinstance(value, (int, float)) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _bounds(self) -> StaircaseConfig:
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise ValueError(f"min {self.min:g} must be below max {self.max:g}")
        if self.step_type != "linear" and (self.start <= 0 or (self.min is not None and self.min <= 0)):
            raise ValueError(f"a {self.step_type} staircase needs a positive start and min")
        if (self.min is not None and self.start < self.min) or (self.max is not None and self.start > self.max):
            raise ValueError(f"start {self.start:g} is outside min-max")
        return self


class QuestConfig(_AdaptiveBase):
    """A QUEST+ Bayesian procedure (needs ``pip install 'neurogym-app[adaptive]'``: questplus).

    Intensities are ``intensity_min`` to ``intensity_max`` in ``intensity_step``;
    the threshold prior is uniform over ``threshold_min``-``threshold_max``
    (default: the intensity range); ``slope``, ``guess`` (lower asymptote) and
    ``lapse`` are fixed (a list of slopes is estimated too). ``function``:
    ``weibull`` or ``norm_cdf``. Each trial presents the intensity that
    minimises the expected posterior entropy.
    """

    method: Literal["quest"]
    intensity_min: float
    intensity_max: float
    intensity_step: PositiveFloat
    threshold_min: float | None = None
    threshold_max: float | None = None
    threshold_step: PositiveFloat | None = None
    slope: PositiveFloat | list[PositiveFloat] = 3.5
    guess: Annotated[float, Field(ge=0, lt=1)] = 0.5
    lapse: Annotated[float, Field(ge=0, lt=1)] = 0.02
    function: Literal["weibull", "norm_cdf"] = "weibull"
    scale: Literal["linear", "log10", "dB"] = "linear"

    @model_validator(mode="after")
    def _ranges(self) -> QuestConfig:
        if self.intensity_min >= self.intensity_max:
            raise ValueError(f"intensity_min {self.intensity_min:g} must be below intensity_max {self.intensity_max:g}")
        n = (self.intensity_max - self.intensity_min) / self.intensity_step
        if n > 2000:
            raise ValueError(f"{int(n)} intensities is too many (at most 2000): use a larger intensity_step")
        if self.guess + self.lapse >= 1:
            raise ValueError("guess + lapse must be below 1")
        lo, hi = self.threshold_min, self.threshold_max
        if lo is not None and hi is not None and lo >= hi:
            raise ValueError(f"threshold_min {lo:g} must be below threshold_max {hi:g}")
        if self.function == "weibull" and self.scale == "linear" and self.intensity_min < 0:
            raise ValueError("a weibull function on a linear scale needs intensities >= 0")
        return self


AdaptiveConfig = Annotated[StaircaseConfig | QuestConfig, Field(discriminator="method")]


# ------------------------------------------------------------------------ tasks
def _check_conditions(value: Any) -> Any:
    if value is None:
        return value
    if isinstance(value, dict):
        raise ValueError("conditions must be a list of tables, e.g. [{coh = 12.8}, {coh = 25.6}]")
    for i, cond in enumerate(value):
        if not isinstance(cond, dict):
            raise ValueError(f"condition {i} must be a table of trial variables, got {cond!r}")
        for name in cond:
            if name == "trial_seed":
                raise ValueError(f"condition {i}: trial_seed is set by the experiment (from the participant's seed)")
    return value


Conditions = Annotated[list[dict[str, Any]] | None, Field(default=None)]


class _TrialList(_Model):
    conditions: Conditions = None
    factors: dict[str, list[Any]] | None = None
    conditions_file: str | None = None
    order: Literal["shuffle", "sequential"] | None = None

    @field_validator("conditions", mode="after")
    @classmethod
    def _conditions(cls, value: Any) -> Any:
        return _check_conditions(value)

    @field_validator("factors", mode="after")
    @classmethod
    def _factors(cls, value: Any) -> Any:
        if value is not None:
            if not value:
                raise ValueError("factors must name at least one variable")
            for name, levels in value.items():
                if not levels:
                    raise ValueError(f"factor {name!r} has no levels")
        return value

    @model_validator(mode="after")
    def _one_list(self) -> _TrialList:
        given = [n for n in ("conditions", "factors", "conditions_file") if getattr(self, n) is not None]
        if len(given) > 1:
            raise ValueError(f"give only one of {', '.join(given)}")
        return self


class PracticeConfig(_TrialList):
    """Practice trials before the task's first block (recorded as block 0, with feedback)."""

    trials: PracticeTrialCount = 0
    feedback: bool = True
    text: str = ""


class TaskConfig(_TrialList):
    """One task of the experiment (see the module doc)."""

    id: str
    title: str = ""
    params: dict[str, Any] = Field(default_factory=dict)
    timing: Literal["human", "default"] | dict[str, Any] = "human"
    dt: PositiveNumber | None = None
    keys: KeyMap = Field(default_factory=dict)
    input_mode: Literal["press", "latch", "hold"] | None = None
    view: Literal["natural", "agent"] = "natural"
    time_scale: PositiveFloat = Field(default=1.0, ge=0.01, le=100.0)  # inf used to give a session that never ends
    trials: TrialCount = 20
    feedback: bool = False
    instructions: str = ""
    instructions_file: str | None = None
    practice: PracticeConfig = Field(default_factory=PracticeConfig)
    adaptive: AdaptiveConfig | None = None
    against: str | list[str] | None = None  # agent folder(s) or a folder of agents facing this task's trials
    simulated: TaskSimulatedConfig | None = None

    @field_validator("timing", mode="after")
    @classmethod
    def _timing(cls, value: Any) -> Any:
        if isinstance(value, dict):
            out = {}
            for period, spec in value.items():
                spec = lists_not_tuples(spec)
                check_timing_spec(period, spec)
                out[period] = spec
            return out
        return value

    @field_validator("dt", mode="after")
    @classmethod
    def _session_dt(cls, value: Any) -> Any:
        problem = session_dt_error(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("params", mode="after")
    @classmethod
    def _session_params_dt(cls, value: dict[str, Any]) -> dict[str, Any]:
        problem = session_dt_error(value.get("dt"), "dt")
        if problem:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _instructions(self) -> TaskConfig:
        if self.instructions and self.instructions_file:
            raise ValueError("give instructions or instructions_file, not both")
        return self

    def make_kwargs(self) -> dict[str, Any]:
        """Constructor keyword arguments (``timing`` only when given as a table)."""
        out = dict(self.params)
        if self.dt is not None:
            out["dt"] = self.dt
        if isinstance(self.timing, dict):
            out["timing"] = {
                p: tuple(s) if isinstance(s, list) and s and isinstance(s[0], str) else s for p, s in self.timing.items()
            }
        return out

    @property
    def timing_preset(self) -> str:
        return self.timing if isinstance(self.timing, str) else "custom"


class BlockConfig(_TrialList):
    """One entry of the block list: ``repeat`` consecutive blocks of ``task``."""

    task: str
    name: str = ""
    trials: TrialCount | None = None
    repeat: PositiveInt = Field(default=1, le=MAX_TRIALS)  # each block has a trial at least
    feedback: bool | None = None


class ExperimentFlowConfig(_Model):
    """Timing and texts between trials and blocks."""

    # at most 10 minutes each (a typo such as 1e12 used to give a session that never ends)
    feedback_ms: NonNegativeInt = Field(default=500, le=600_000)
    practice_feedback_ms: NonNegativeInt = Field(default=1000, le=600_000)
    iti_ms: NonNegativeInt = Field(default=500, le=600_000)
    ready_ms: NonNegativeInt = Field(default=1000, le=600_000)
    break_min_s: NonNegativeFloat = 0.0
    break_text: str = "Take a short break."
    end_text: str = "This is the end of the experiment. Please let the experimenter know."
    continue_key: str = "space"
    show_accuracy: bool = True

    @field_validator("continue_key")
    @classmethod
    def _key(cls, value: str) -> str:
        key = value.strip().lower()
        if not key:
            raise ValueError("continue_key is empty")
        if key in ("escape", "esc"):
            raise ValueError("continue_key cannot be escape (it asks to quit)")
        return key


class _Psychometric(_Model):
    """The psychometric observer's curve, in the task's stimulus-strength units (``coh``, a luminance difference...).

    ``threshold``: strength at the curve's midpoint; ``slope``: its steepness (1 / strength unit), or
    ``width`` = 1 / slope. Not given: from the task's strength range (geometric mean of the weakest
    non-zero and strongest level; slope 4 / threshold).
    """

    threshold: NonNegativeFloat | None = None
    slope: PositiveFloat | None = None
    width: PositiveFloat | None = None
    variable: str | None = None
    guess: Annotated[float, Field(ge=0, le=1)] | None = None

    @model_validator(mode="after")
    def _slope_or_width(self) -> _Psychometric:
        if self.slope is not None and self.width is not None:
            raise ValueError("give slope or width (= 1 / slope), not both")
        return self


class SimulatedConfig(_Psychometric):
    """Parameters of the simulated participant (``--auto``); a task's ``[tasks.<key>.simulated]`` overrides them."""

    strategy: Literal["oracle", "random", "lapse", "psychometric"] = "psychometric"
    lapse: Annotated[float, Field(ge=0, le=1)] = 0.02
    rt_mean_ms: PositiveFloat = 450.0
    rt_sd_ms: PositiveFloat = 120.0
    screen_s: PositiveFloat = 0.5

    def for_task(self, task: TaskSimulatedConfig | None) -> SimulatedConfig:
        """These settings with a task's own psychometric curve (threshold, slope/width, variable, guess) applied."""
        if task is None:
            return self
        given = task.model_dump(exclude_unset=True)
        if "slope" in given or "width" in given:
            given.setdefault("slope", None)
            given.setdefault("width", None)
        return self.model_copy(update=given)


class TaskSimulatedConfig(_Psychometric):
    """A task's own psychometric curve for the simulated participant, in that task's strength units."""


class MarkersConfig(_Model):
    """Event markers sent to other recordings (EEG, eye tracker) over Lab Streaming Layer.

    Attributes:
        lsl: Push markers to an LSL outlet (needs ``pip install 'neurogym-app[lsl]'``): one string
            sample per onset (``onset:<period>``, ``onset:feedback``, ``onset:screen:<name>``), response
            (``response:<action>``) and experiment event (``experiment_start``, ``block_start``, ...),
            time-stamped with its onset moved onto the LSL clock.
        stream_name: The outlet's stream name (what an inlet resolves, e.g. in LabRecorder).
        source_id: The outlet's source id (default ``neurogym-app-<experiment name>``), so a recorder
            reconnects to the same stream after a restart.
        as_json: Send each marker as JSON (label, time, block, trial and its data) instead of the label.
        wait_for_consumer: Seconds to hold the run at its start until an inlet is connected (0: do not
            wait); without one the first markers (``experiment_start``, the welcome screen) are lost.
            When the time is up the run starts anyway and says so. ``play --wait-for-lsl S`` overrides it.
    """

    lsl: bool = False
    stream_name: str = "neurogym-app"
    source_id: str = ""
    as_json: bool = False
    wait_for_consumer: NonNegativeFloat = Field(default=0.0, le=3600.0)


TaskConfig.model_rebuild()


class ExperimentConfig(_Model):
    """A whole experiment file (see the module doc)."""

    name: str = ""
    title: str = ""
    version: str = ""
    seed: NonNegativeInt | None = None  # a negative seed used to end in a numpy traceback
    block_order: Literal["fixed", "randomized", "counterbalanced"] = "fixed"
    welcome: str = ""
    participant_fields: list[ParticipantField] = Field(default_factory=list)
    flow: ExperimentFlowConfig = Field(default_factory=ExperimentFlowConfig)
    tasks: dict[str, TaskConfig] = Field(min_length=1)
    blocks: list[BlockConfig] = Field(default_factory=list)
    simulated: SimulatedConfig = Field(default_factory=SimulatedConfig)
    markers: MarkersConfig = Field(default_factory=MarkersConfig)

    @field_validator("tasks", mode="after")
    @classmethod
    def _task_keys(cls, value: dict[str, TaskConfig]) -> dict[str, TaskConfig]:
        for key in value:
            if not _NAME.match(key):
                raise ValueError(f"task key {key!r} must be a word of letters, digits and _ (e.g. 'rdm')")
        return value

    @field_validator("participant_fields", mode="after")
    @classmethod
    def _unique_fields(cls, value: list[ParticipantField]) -> list[ParticipantField]:
        seen: set[str] = set()
        for f in value:
            if f.name in seen:
                raise ValueError(f"participant field {f.name!r} is given twice")
            seen.add(f.name)
        return value

    @model_validator(mode="after")
    def _blocks_name_tasks(self) -> ExperimentConfig:
        if not self.blocks:
            self.__dict__["blocks"] = [BlockConfig(task=key) for key in self.tasks]
        for i, block in enumerate(self.blocks):
            if block.task not in self.tasks:
                hint = close_name(block.task, self.tasks)
                raise _BlockTaskError(i, f"no task {block.task!r} in [tasks] (defined: {', '.join(self.tasks)}){hint}")
        return self

    def task_trials(self, block: BlockConfig) -> int:
        return int(block.trials or self.tasks[block.task].trials)


class _BlockTaskError(ValueError):
    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


# ------------------------------------------------------------------- loading
def _lookup_file(name: str, base: Path, what: str) -> Path:
    candidates = [Path(name)] if Path(name).is_absolute() else [base / name, base / INSTRUCTIONS_DIR / name, base.parent / INSTRUCTIONS_DIR / name, INSTRUCTIONS_DIR / name]
    for c in candidates:
        if c.is_file():
            return c
    raise FileNotFoundError(f"{what} {name!r} not found (looked in {base} and {INSTRUCTIONS_DIR})")


def _read_csv_conditions(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise ValueError(f"{path} has no trials (a header line and one row per trial)")
    out = []
    for row in rows:
        cond: dict[str, Any] = {}
        for key, text in row.items():
            if key is None or text is None or text == "":
                continue
            cond[key.strip()] = _parse_cell(text.strip())
        out.append(cond)
    return out


def _parse_cell(text: str) -> Any:
    for parse in (int, float):
        try:
            return parse(text)
        except ValueError:
            pass
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if text[:1] in "[{":
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


def _finish(cfg: ExperimentConfig, source: str, base: Path) -> ExperimentConfig:
    """Read instruction and CSV files; check what pydantic cannot (file-relative lookups)."""
    if not cfg.name:
        cfg.__dict__["name"] = Path(source).stem or "experiment"
    for key, task in cfg.tasks.items():
        if task.instructions_file:
            try:
                path = _lookup_file(task.instructions_file, base, "instructions file")
                task.__dict__["instructions"] = path.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{source}: tasks.{key}.instructions_file: {_one_line(exc)}", source=source) from None
        for where, lst in ((f"tasks.{key}", task), (f"tasks.{key}.practice", task.practice)):
            _load_csv(lst, where, source, base)
    for i, block in enumerate(cfg.blocks):
        _load_csv(block, f"blocks[{i}]", source, base)
    return cfg


def _load_csv(lst: _TrialList, where: str, source: str, base: Path) -> None:
    if not lst.conditions_file:
        return
    try:
        path = _lookup_file(lst.conditions_file, base, "conditions file")
        conditions = _check_conditions(_read_csv_conditions(path))
    except (OSError, ValueError, UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(f"{source}: {where}.conditions_file: {_one_line(exc)}", source=source) from None
    lst.__dict__["conditions"] = conditions
    lst.__dict__["conditions_file"] = None


def _one_line(exc: BaseException) -> str:
    strerror = getattr(exc, "strerror", None)
    text = f"{strerror}: {getattr(exc, 'filename', '')}" if strerror else str(exc)
    return " ".join(text.split())


def load_experiment(path: str | os.PathLike[str]) -> ExperimentConfig:
    """Read and validate an experiment file; problems are one-line :class:`ConfigError` s."""
    source = os.fspath(path)
    data = load_toml(source)
    return experiment_from_dict(data, source=source, base=Path(source).parent)


def experiment_from_dict(data: dict[str, Any], *, source: str = "experiment", base: Path | None = None) -> ExperimentConfig:
    text_numbers = text_number_errors(data, ExperimentConfig, source=source)
    try:
        cfg = ExperimentConfig.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            inner = (err.get("ctx") or {}).get("error")
            if isinstance(inner, _BlockTaskError):
                raise ConfigError(f"{source}: blocks[{inner.index}].task: {inner}", source=source) from None
        config_error = from_validation_error(exc, ExperimentConfig, source=source, file_data=data, first=text_numbers)
        message = re.sub(r"\.adaptive\.(staircase|quest)\b", ".adaptive", str(config_error))
        errors = [re.sub(r"\.adaptive\.(staircase|quest)\b", ".adaptive", e) for e in config_error.errors]
        raise ConfigError(message, source=source, errors=errors) from None
    raise_text_numbers(text_numbers, source=source)
    return _finish(cfg, source, base or Path("."))


def design_hash(cfg: ExperimentConfig) -> str:
    """A hash of what decides the trial sequence (tasks, blocks, lists, adaptive, seed, order).

    Texts (instructions, titles) are left out, so fixing a typo does not stop a ``--resume``.
    """
    data = cfg.model_dump(mode="json")
    for key in ("title", "version", "welcome", "participant_fields", "flow", "simulated", "markers"):
        data.pop(key, None)
    for task in data.get("tasks", {}).values():
        for key in ("title", "instructions", "instructions_file", "feedback", "simulated"):
            task.pop(key, None)
        task.get("practice", {}).pop("text", None)
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
