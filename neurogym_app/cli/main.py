"""`neurogym-app`: one entry point, one module per subcommand (``cmd_*.py``).

Each ``cmd_<name>.py`` defines ``add_parser(subparsers)`` (returning its
parser, whose ``func`` default runs the command). User errors print one line
on stderr and exit with code 2; no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from typing import Any, Protocol

from neurogym_app.errors import UserError

PROG = "neurogym-app"
EXIT_USER_ERROR = 2


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line and exits with 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")
        raise SystemExit(EXIT_USER_ERROR)


class _TakesArguments(Protocol):
    """A parser or an argument group."""

    def add_argument(self, *names: str, **options: Any) -> Any: ...


def _command_modules() -> list[str]:
    import neurogym_app.cli as package

    return sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("cmd_"))


def build_parser() -> argparse.ArgumentParser:
    from neurogym_app import __version__

    parser = OneLineParser(prog=PROG, description="NeuroGym tasks for networks and people.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _add_global_options(parser, default=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    for name in _command_modules():
        module = importlib.import_module(f"neurogym_app.cli.{name}")
        module.add_parser(sub)
    for command in sub.choices.values():
        # Global options are accepted after the subcommand too (`play X --envs DIR`);
        # SUPPRESS keeps a value given before the subcommand when it is not repeated after it.
        _add_global_options(command.add_argument_group("global options"), default=argparse.SUPPRESS)
    return parser


def _add_global_options(parser: _TakesArguments, *, default: object) -> None:
    parser.add_argument(
        "--envs",
        metavar="DIR",
        default=default,
        help="folder of custom task modules to register (default: ./envs if it exists)",
    )


def _discover_custom_tasks(envs_dir: str | None) -> None:
    from neurogym_app.tasks.discovery import discover_envs

    for problem in discover_envs(envs_dir):
        sys.stderr.write(f"{PROG}: {problem}\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        # No subcommand: open the desktop app on the default task (`make run`).
        args = parser.parse_args(["app", *(list(argv) if argv is not None else sys.argv[1:])])
    try:
        _discover_custom_tasks(args.envs)
        code = args.func(args)
    except UserError as exc:
        sys.stderr.write(f"{PROG}: error: {exc}\n")
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: not an error of ours.
        sys.stderr.close()
        return 0
    return int(code or 0)


if __name__ == "__main__":
    raise SystemExit(main())
