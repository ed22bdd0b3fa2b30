"""Bounds on what one run may ask for: trial counts and the time step of a played session.

One place for the CLI (``--trials`` of every command), the TOML config
(``session.trials``), experiment files (``trials = N``) and the session layer
(the env built for people to play). A huge number here is a typo (``--trials
1000000000000``, ``dt = 100000``) that would give a run that never ends, or
one step lasting minutes; the messages say what is allowed and how to fix it.

The task library itself is not bounded: ``ngym.make(id, dt=...)`` keeps
taking any positive ``dt``; only sessions that people play (``neurogym-app
play``, experiment files, the app's Play view) check :data:`MAX_SESSION_DT_MS`.
"""

from __future__ import annotations

import math
import numbers
from typing import Annotated, Any

from pydantic import AfterValidator, NonNegativeInt, PositiveInt

__all__ = [
    "MAX_TRIALS",
    "MAX_SESSION_DT_MS",
    "PracticeTrialCount",
    "TrialCount",
    "check_trial_count",
    "session_dt_error",
    "too_many_trials",
]

#: Most trials one run (a session, an experiment file's whole plan, an agent run) may have.
MAX_TRIALS = 1_000_000

#: Longest time step (ms) of a session people play; the task library takes any positive dt.
MAX_SESSION_DT_MS = 1000


def too_many_trials(value: Any, name: str = "") -> str:
    """``'--trials 2000000 is too many: use 1 to 1000000 (split long runs into sessions)'``."""
    lead = f"{name} {value}" if name else f"{value}"
    return f"{lead} is too many: use 1 to {MAX_TRIALS} (split long runs into sessions)"


def check_trial_count(value: int | None, name: str) -> str | None:
    """The one-line problem with trial count ``value`` of option ``name`` (None: fine or not given)."""
    if value is None:
        return None
    if value < 1:
        return f"{name} must be at least 1, got {value} (use 1 to {MAX_TRIALS})"
    if value > MAX_TRIALS:
        return too_many_trials(value, name)
    return None


def session_dt_error(value: Any, name: str = "") -> str | None:
    """The one-line problem with time step ``value`` (ms) of a played session, or None.

    Only numbers above :data:`MAX_SESSION_DT_MS` are reported; anything else
    (text, NaN, zero or negative) is left to the checks of the config or the task.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
        return None
    if value <= MAX_SESSION_DT_MS:
        return None
    lead = f"{name} = {value:g}" if name else f"{value:g}"
    return (
        f"{lead} ms is too long a time step for a session: use a dt of at most {MAX_SESSION_DT_MS} ms "
        f"(dt is in milliseconds, e.g. dt = 100)"
    )


def _at_most_max_trials(value: int) -> int:
    if value > MAX_TRIALS:
        raise ValueError(too_many_trials(value))
    return value


#: A number of trials, 1 to :data:`MAX_TRIALS`.
TrialCount = Annotated[PositiveInt, AfterValidator(_at_most_max_trials)]

#: A number of practice trials, 0 (none) to :data:`MAX_TRIALS`.
PracticeTrialCount = Annotated[NonNegativeInt, AfterValidator(_at_most_max_trials)]
