"""A stateless random-dot kinematogram: dot positions as a pure function of (seed, time).

Every dot lives for ``lifetime`` seconds (each with its own phase, so deaths
are spread out), is reborn at a random place and, for that life, either moves
in the signal direction (with probability ``coherence``) or in its own random
direction ("random direction" noise), at ``speed``. Positions wrap around a
square of side ``2 * aperture`` (so the density stays uniform) and only dots
inside the circular aperture are drawn.

Because a frame depends only on ``(seed, t)``, a replay of a trial (same
``trial_seed``) shows the same dots at the same times, whatever the frame rate.
Random numbers come from a counter-based hash (splitmix64), so any frame costs
the same to compute.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["RDKFrame", "rdk_frame", "hash_uniform"]

_C = (
    np.uint64(0x9E3779B97F4A7C15),
    np.uint64(0xBF58476D1CE4E5B9),
    np.uint64(0x94D049BB133111EB),
    np.uint64(0xD6E8FEB86659FD93),
)


def _splitmix(x: np.ndarray) -> np.ndarray:
    x = x + _C[0]
    x = (x ^ (x >> np.uint64(30))) * _C[1]
    x = (x ^ (x >> np.uint64(27))) * _C[2]
    return x ^ (x >> np.uint64(31))


def hash_uniform(seed: int, i: np.ndarray, epoch: np.ndarray, stream: int) -> np.ndarray:
    """Uniform [0, 1) numbers, one per ``(seed, i, epoch, stream)``, reproducible everywhere."""
    with np.errstate(over="ignore"):
        s = _splitmix(np.asarray([int(seed) % (2**64)], dtype=np.uint64))[0]
        x = _splitmix(np.asarray(i, dtype=np.uint64) ^ s)
        x = _splitmix(x ^ (np.asarray(epoch, dtype=np.int64).astype(np.uint64) * _C[3]))
        x = _splitmix(x ^ np.uint64(stream))
    return (x >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


@dataclass(frozen=True)
class RDKFrame:
    positions: np.ndarray  # (N, 2), relative to the aperture centre
    coherent: np.ndarray  # (N,) bool: moving in the signal direction
    extra: np.ndarray  # (N,) uniform [0, 1) per dot life (e.g. to pick a colour)
    visible: np.ndarray  # (N,) bool: inside the aperture


def rdk_frame(
    seed: int,
    t: float,
    *,
    n_dots: int = 150,
    aperture: float = 4.0,
    speed: float = 5.0,
    coherence: float = 0.5,
    direction: float = 0.0,
    lifetime: float = 0.25,
) -> RDKFrame:
    """The dots at time ``t`` (s). ``direction`` in radians (0 = rightward, pi/2 = up).

    ``speed`` in aperture units per second; ``coherence`` 0-1.
    """
    i = np.arange(int(n_dots), dtype=np.uint64)
    phase = hash_uniform(seed, i, np.zeros(len(i), dtype=np.int64), 0)
    life_t = max(float(t), 0.0) / float(lifetime) + phase
    epoch = np.floor(life_t).astype(np.int64) + 1  # epoch 0 is the phase stream
    age = (life_t - np.floor(life_t)) * float(lifetime)
    side = 2.0 * float(aperture)
    x0 = (hash_uniform(seed, i, epoch, 1) - 0.5) * side
    y0 = (hash_uniform(seed, i, epoch, 2) - 0.5) * side
    coherent = hash_uniform(seed, i, epoch, 3) < float(coherence)
    noise_dir = hash_uniform(seed, i, epoch, 4) * (2.0 * np.pi)
    d = np.where(coherent, float(direction), noise_dir)
    x = x0 + np.cos(d) * speed * age
    y = y0 + np.sin(d) * speed * age
    x = (x + aperture) % side - aperture
    y = (y + aperture) % side - aperture
    pos = np.stack([x, y], axis=1)
    visible = x * x + y * y <= aperture * aperture
    return RDKFrame(pos, coherent, hash_uniform(seed, i, epoch, 5), visible)
