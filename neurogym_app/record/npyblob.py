"""numpy arrays <-> ``.npy`` bytes (the BLOBs of ``steps.sqlite``); never pickles."""

from __future__ import annotations

import io

import numpy as np

__all__ = ["to_npy", "from_npy"]


def to_npy(array: object) -> bytes:
    """The ``.npy`` bytes of ``array`` (object arrays are refused)."""
    arr = np.asarray(array)
    if arr.dtype.hasobject:
        raise TypeError(f"cannot store an object array (dtype {arr.dtype}); convert it to numbers first")
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def from_npy(blob: bytes) -> np.ndarray:
    """The array stored by :func:`to_npy`; ValueError if the bytes are not ``.npy``."""
    return np.load(io.BytesIO(bytes(blob)), allow_pickle=False)
