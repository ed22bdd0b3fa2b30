"""Lazy imports of the optional heavy packages, with one-line errors naming the extra.

Nothing in ``neurogym_app`` imports torch or Stable-Baselines3 at module level:
every use goes through these functions, called inside the function that needs
the package.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from neurogym_app.errors import UserError

__all__ = ["MissingExtraError", "require_torch", "require_sb3", "require_sb3_contrib", "require_matplotlib", "require_ray"]


class MissingExtraError(UserError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""


def _import(module: str, extra: str, hint: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(
            f"{module} is not installed ({exc.name or module} missing): install the `{extra}` extra ({hint})"
        ) from None


def require_torch() -> ModuleType:
    """``torch``, or a one-line error naming the ``agents`` extra."""
    return _import("torch", "agents", "pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu")


def require_sb3() -> ModuleType:
    """``stable_baselines3``, or a one-line error naming the ``rl`` extra."""
    require_torch()
    return _import("stable_baselines3", "rl", "pip install 'neurogym-app[rl]' after torch")


def require_sb3_contrib() -> ModuleType:
    """``sb3_contrib`` (RecurrentPPO), or a one-line error naming the ``rl`` extra."""
    require_torch()
    return _import("sb3_contrib", "rl", "pip install 'neurogym-app[rl]' after torch")


def require_matplotlib() -> ModuleType:
    """``matplotlib.figure`` (figures are drawn with ``Figure`` + Agg, never pyplot, so no
    global backend is touched), or a one-line error naming the ``plot`` extra."""
    return _import("matplotlib.figure", "plot", "pip install 'neurogym-app[plot]'")


def require_ray() -> ModuleType:
    """``ray``, or a one-line error naming the ``cluster`` extra (sweeps on a Ray cluster)."""
    return _import("ray", "cluster", "pip install 'neurogym-app[cluster]'")
