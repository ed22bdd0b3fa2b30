"""``neurogym.utils.logging``: the package's ``logger`` (NeuroGym's loguru logger, on the standard library).

``logger.info(msg)``, ``.debug``, ``.warning``, ``.error``, ``.success``,
``.exception`` take one message (any object, as loguru does) and ignore
loguru's styling keywords (``color=...``, ``style=...``). Records go to the
standard ``logging`` logger ``"neurogym_app"``, which prints ``INFO`` and
above to stderr unless the application configures logging itself.
"""

from __future__ import annotations

import logging as _std_logging
import sys
from typing import Any

__all__ = ["NeurogymLogger", "logger"]

SUCCESS = 25  # loguru's level between INFO and WARNING
_std_logging.addLevelName(SUCCESS, "SUCCESS")


class NeurogymLogger:
    """A loguru-shaped facade over a standard ``logging.Logger``."""

    def __init__(self, name: str = "neurogym_app") -> None:
        self.std = _std_logging.getLogger(name)
        if not self.std.handlers:
            handler = _std_logging.StreamHandler(sys.stderr)
            handler.setFormatter(_std_logging.Formatter("Neurogym | %(asctime)s | %(message)s", "%Y-%m-%d@%H:%M:%S"))
            self.std.addHandler(handler)
            self.std.setLevel(_std_logging.INFO)
            self.std.propagate = False

    def _log(self, level: int, message: Any, args: tuple[Any, ...]) -> None:
        # loguru formats with str.format when arguments are given; style keywords are dropped
        text = str(message)
        if args:
            try:
                text = text.format(*args)
            except (IndexError, KeyError, ValueError):
                text = " ".join([text, *map(str, args)])
        self.std.log(level, text)

    def debug(self, message: Any, *args: Any, **_style: Any) -> None:
        self._log(_std_logging.DEBUG, message, args)

    def info(self, message: Any, *args: Any, **_style: Any) -> None:
        self._log(_std_logging.INFO, message, args)

    def success(self, message: Any, *args: Any, **_style: Any) -> None:
        self._log(SUCCESS, message, args)

    def warning(self, message: Any, *args: Any, **_style: Any) -> None:
        self._log(_std_logging.WARNING, message, args)

    def error(self, message: Any, *args: Any, **_style: Any) -> None:
        self._log(_std_logging.ERROR, message, args)

    def critical(self, message: Any, *args: Any, **_style: Any) -> None:
        self._log(_std_logging.CRITICAL, message, args)

    def exception(self, message: Any, *args: Any, **_style: Any) -> None:
        self.std.exception(str(message))


logger = NeurogymLogger()
