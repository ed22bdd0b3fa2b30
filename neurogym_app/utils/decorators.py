"""``neurogym.utils.decorators``: ``suppress_during_pytest``."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, TypeVar

from neurogym_app.utils.logging import logger

__all__ = ["suppress_during_pytest"]

F = TypeVar("F", bound=Callable[..., Any])


def suppress_during_pytest(*exceptions: type[BaseException], message: str | None = None) -> Callable[[F], F]:
    """Log and swallow ``exceptions`` raised by the function while pytest runs; re-raise them otherwise.

    (Upstream uses it on its plotting helpers so that a plot of too few trials
    does not fail a test run.)
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except exceptions as exc:
                if not os.environ.get("PYTEST_CURRENT_TEST"):
                    raise
                logger.error(f"{func.__name__}: {type(exc).__name__}: {exc}" + (f" ({message})" if message else ""))
                return None

        return run  # type: ignore[return-value]

    return decorate
