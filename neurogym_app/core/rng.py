"""The random generator every task draws from.

Tasks get one ``numpy.random.Generator`` per env. Code written for NeuroGym
calls the legacy ``RandomState`` method names (``rand``, ``randn``,
``randint``); ``TaskRandom`` answers to those too, so ported tasks run
unchanged while drawing from the modern PCG64 stream.
"""

from __future__ import annotations

import ctypes
from typing import Any, TypeVar

import numpy as np

__all__ = ["TaskRandom", "make_rng", "derive_seed"]

_SEED_BOUND = 2**63


class TaskRandom(np.random.Generator):
    """``np.random.Generator`` plus the RandomState names NeuroGym tasks use."""

    def rand(self, *shape):
        return self.random(shape if shape else None)

    def randn(self, *shape):
        return self.standard_normal(shape if shape else None)

    def randint(self, low, high=None, size=None):
        return self.integers(low, high, size=size)

    def random_sample(self, size=None):
        return self.random(size)

    def choice(self, a, size=None, replace=True, p=None, axis=0, shuffle=True):
        # Tasks draw one element of a short 1-D sequence on every trial; numpy's
        # general ``choice`` takes ~12 us for that. This path makes the same
        # single ``integers(0, len(a))`` draw and returns the same element
        # (tests/test_dataset.py checks it against ``Generator.choice``).
        if size is None and replace and p is None and axis == 0:
            kind = type(a)
            if kind is np.ndarray:
                if a.ndim == 1 and a.shape[0] > 0:
                    return a[self.integers(0, a.shape[0])]
            elif (kind is list or kind is tuple) and a:
                arr = np.array(a)
                if arr.ndim == 1:
                    return arr[self.integers(0, arr.shape[0])]
        return super().choice(a, size, replace, p, axis, shuffle)

    def __reduce__(self):
        # Generator pickles as the base class; keep the subclass (and its state).
        return (_rebuild, (self.bit_generator.state,))


def _rebuild(state: dict) -> TaskRandom:
    bitgen = np.random.PCG64()
    bitgen.state = state  # type: ignore[assignment]  # numpy's stub wants its private TypedDict; a dict is what it takes
    return TaskRandom(bitgen)


def make_rng(seed: int | None = None) -> TaskRandom:
    """A new generator; ``None`` seeds from OS entropy."""
    return TaskRandom(np.random.PCG64(seed))


def derive_seed(rng: np.random.Generator) -> int:
    """A fresh integer seed drawn from ``rng`` (one draw, always)."""
    return int(rng.integers(_SEED_BOUND))


# --------------------------------------------------------------------------- many trial seeds at once
# TrialEnv draws a seed per trial and runs the trial on ``make_rng(seed)``.
# Building a PCG64 from an int hashes the seed through numpy's SeedSequence
# (~15 us, most of a short trial's cost). ``SeedStates`` draws the next trial
# seeds as a block (the same numbers as one ``derive_seed`` at a time), hashes
# them all with numpy array arithmetic (SeedSequence's algorithm, with pool size
# 4, as numpy does for an int entropy), and ``reseed`` puts a state into an
# existing generator: the generator is then exactly ``make_rng(seed)``.
_M32 = 0xFFFFFFFF
_M128 = (1 << 128) - 1
_PCG_MULT = 0x2360ED051FC65DA44385DF649FCCF645  # PCG64's 128-bit LCG multiplier


def _hash_consts(init: int, mult: int, n: int) -> list[tuple[int, int]]:
    """(xor constant, multiplier) of SeedSequence's successive hashmix calls."""
    out, h = [], init
    for _ in range(n):
        nxt = (h * mult) & _M32
        out.append((h, nxt))
        h = nxt
    return out


_MIX_CONSTS = _hash_consts(0x43B0D7E5, 0x931E8875, 4 + 12)  # mix_entropy: 4 words in, then 12 cross mixes
_OUT_CONSTS = _hash_consts(0x8B51F9DD, 0x58F38DED, 8)  # generate_state(4, uint64): 8 uint32 words


_MULT_LIMBS = tuple(np.uint64((_PCG_MULT >> (32 * k)) & _M32) for k in range(4))


def _add128(a: list[np.ndarray], b: list[np.ndarray]) -> list[np.ndarray]:
    """``a + b`` mod 2**128, numbers as four 32-bit limbs (least significant first) in uint64 arrays."""
    m, s32 = np.uint64(_M32), np.uint64(32)
    out, carry = [], None
    for x, y in zip(a, b):
        v = x + y if carry is None else x + y + carry
        out.append(v & m)
        carry = v >> s32
    return out


def _mul128(a: list[np.ndarray], b: tuple[np.uint64, ...]) -> list[np.ndarray]:
    """``a * b`` mod 2**128 in 32-bit limbs; every partial sum stays below 2**64."""
    m, s32 = np.uint64(_M32), np.uint64(32)
    columns: list[Any] = [0, 0, 0, 0]
    for i in range(4):
        for j in range(4 - i):
            product = a[i] * b[j]  # < 2**64
            columns[i + j] = columns[i + j] + (product & m)
            if i + j + 1 < 4:
                columns[i + j + 1] = columns[i + j + 1] + (product >> s32)
    out, carry = [], None
    for column in columns:
        v = column if carry is None else column + carry
        out.append(v & m)
        carry = v >> s32
    return out


def _words(limbs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The low and high 64-bit words of 128-bit numbers given as four 32-bit limbs."""
    s32 = np.uint64(32)
    return limbs[0] | (limbs[1] << s32), limbs[2] | (limbs[3] << s32)


def _pcg64_words(seeds: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(state low, state high, inc low, inc high) 64-bit words of ``np.random.PCG64(int(s))`` per seed."""
    seeds = np.asarray(seeds, dtype=np.uint64)
    m = np.uint64(_M32)
    s16 = np.uint64(16)
    consts = iter(_MIX_CONSTS)

    def hashmix(v: np.ndarray) -> np.ndarray:
        x, mult = next(consts)
        v = ((v ^ np.uint64(x)) * np.uint64(mult)) & m
        return v ^ (v >> s16)

    zero = np.zeros_like(seeds)
    pool = [hashmix(seeds & m), hashmix(seeds >> np.uint64(32)), hashmix(zero), hashmix(zero)]
    mix_l, mix_r = np.uint64(0xCA01F9DD), np.uint64(0x4973F715)
    for src in range(4):
        for dst in range(4):
            if src != dst:
                # numpy's stubs call uint64 scalar * uint64 array float64; it stays uint64
                r = (mix_l * pool[dst] - mix_r * hashmix(pool[src])) & m  # type: ignore[operator]
                pool[dst] = r ^ (r >> s16)
    w = []
    for i, (x, mult) in enumerate(_OUT_CONSTS):
        v = ((pool[i % 4] ^ np.uint64(x)) * np.uint64(mult)) & m
        w.append(v ^ (v >> s16))
    # PCG64 seeding (numpy's pcg64_set_seed): initstate = words 0-3, inc = (words 4-7 << 1) | 1,
    # then state = ((initstate + inc) * MULT + inc) mod 2**128 -- done in 32-bit limbs for the whole block.
    one, s31 = np.uint64(1), np.uint64(31)
    init = [w[2], w[3], w[0], w[1]]
    inc = [
        ((w[6] << one) | one) & m,
        ((w[7] << one) | (w[6] >> s31)) & m,
        ((w[4] << one) | (w[7] >> s31)) & m,
        ((w[5] << one) | (w[4] >> s31)) & m,
    ]
    state = _add128(_mul128(_add128(init, inc), _MULT_LIMBS), inc)
    return (*_words(state), *_words(inc))


def pcg64_states(seeds: np.ndarray) -> list[tuple[int, int]]:
    """``(state, inc)`` of ``np.random.PCG64(int(s))`` for each seed ``0 <= s < 2**64``."""
    state_lo, state_hi, inc_lo, inc_hi = (w.tolist() for w in _pcg64_words(seeds))
    return [((sh << 64) | sl, (ih << 64) | il) for sl, sh, il, ih in zip(state_lo, state_hi, inc_lo, inc_hi)]


_Gen = TypeVar("_Gen", bound=np.random.Generator)


def reseed(rng: _Gen, state: tuple[int, int]) -> _Gen:
    """Put ``rng`` (a PCG64 generator) in a state from ``pcg64_states``; returns it."""
    rng.bit_generator.state = {
        "bit_generator": "PCG64",
        "state": {"state": state[0], "inc": state[1]},
        "has_uint32": 0,
        "uinteger": 0,
    }
    return rng


# --------------------------------------------------------------------------- writing a state in place
# Setting ``bit_generator.state`` from a dict costs ~1.3 us (a dict checked and
# unpacked); a trial of one step pays it every trial. ``StateWriter`` writes the
# same numbers straight into numpy's C struct for PCG64 (``pcg64_state``: a
# pointer to {128-bit state, 128-bit inc}, then ``int has_uint32`` and
# ``uint32 uinteger``), ~0.2 us. The layout is checked once per process against
# the dict setter (same state read back, same draws); where it differs (a
# platform without 128-bit integers stores the high word first) writers are
# not made and ``reseed`` is used.
_direct_ok: bool | None = None


class StateWriter:
    """Puts one PCG64 generator in given states by writing its C state directly."""

    def __init__(self, rng: np.random.Generator) -> None:
        bitgen = rng.bit_generator
        self.rng = rng  # keeps the struct alive as long as the writer
        address = bitgen.ctypes.state_address
        inner = ctypes.c_void_p.from_address(address).value
        if not inner:
            raise ValueError("PCG64 without a state struct")
        self.words = (ctypes.c_uint64 * 4).from_address(inner)  # state low, high, inc low, high
        self.flags = (ctypes.c_uint32 * 2).from_address(address + ctypes.sizeof(ctypes.c_void_p))

    def write(self, state_lo: int, state_hi: int, inc_lo: int, inc_hi: int) -> None:
        words = self.words
        words[0] = state_lo
        words[1] = state_hi
        words[2] = inc_lo
        words[3] = inc_hi
        flags = self.flags
        flags[0] = 0  # has_uint32 (no buffered half of a 64-bit draw)
        flags[1] = 0  # uinteger


def state_writer(rng: np.random.Generator) -> StateWriter | None:
    """A ``StateWriter`` for ``rng``, or None where writing its C state is not known to work."""
    global _direct_ok
    if type(rng.bit_generator) is not np.random.PCG64:
        return None
    if _direct_ok is None:
        _direct_ok = _check_direct_writes()
    if not _direct_ok:
        return None
    try:
        return StateWriter(rng)
    except ValueError:
        return None


def _check_direct_writes() -> bool:
    """Whether a direct write gives the same generator as the dict setter (state read back and draws)."""
    try:
        seeds = np.array([12345, 2**63 - 7], dtype=np.uint64)
        words = [w.tolist() for w in _pcg64_words(seeds)]
        for i, (state, inc) in enumerate(pcg64_states(seeds)):
            direct, by_dict = make_rng(1), make_rng(2)
            direct.integers(2**32, size=3, dtype=np.uint32)  # leave a buffered half-word to be cleared
            StateWriter(direct).write(*(w[i] for w in words))
            reseed(by_dict, (state, inc))
            if direct.bit_generator.state != by_dict.bit_generator.state:
                return False
            if direct.integers(2**32, size=5, dtype=np.uint32).tolist() != by_dict.integers(2**32, size=5, dtype=np.uint32).tolist():
                return False
            if direct.random(3).tolist() != by_dict.random(3).tolist():
                return False
        return True
    except (AttributeError, TypeError, ValueError, OSError):  # no ctypes interface on this numpy/platform
        return False


class SeedStates:
    """The next trial seeds of a master generator, drawn and hashed a block at a time.

    ``next()`` returns ``(seed, state)``: ``seed`` is what ``derive_seed(master)``
    would return at that point of the master's stream, ``state`` that of
    ``make_rng(seed)``; ``advance(rng)`` puts ``rng`` in that state and returns
    the seed. Blocks grow from 16 to 2048 seeds (numpy work per seed shrinks with the block).
    """

    def __init__(self, master: np.random.Generator) -> None:
        self.master = master
        self.block = 16
        self.seeds: list[int] = []
        self.words: tuple[list[int], list[int], list[int], list[int]] = ([], [], [], [])
        self.i = 0
        self._target: np.random.Generator | None = None
        self._writer: StateWriter | None = None

    def __getstate__(self) -> dict[str, Any]:
        # a writer points at its generator's memory: a copy makes its own for its own generator
        return {**self.__dict__, "_target": None, "_writer": None}

    def _refill(self) -> None:
        drawn = self.master.integers(_SEED_BOUND, size=self.block)
        self.seeds = drawn.tolist()
        state_lo, state_hi, inc_lo, inc_hi = (w.tolist() for w in _pcg64_words(drawn))
        self.words = (state_lo, state_hi, inc_lo, inc_hi)
        self.i = 0
        self.block = min(2048, 2 * self.block)

    def next(self) -> tuple[int, tuple[int, int]]:
        if self.i >= len(self.seeds):
            self._refill()
        i = self.i
        self.i = i + 1
        state_lo, state_hi, inc_lo, inc_hi = self.words
        return self.seeds[i], ((state_hi[i] << 64) | state_lo[i], (inc_hi[i] << 64) | inc_lo[i])

    def advance(self, rng: np.random.Generator) -> int:
        """Put ``rng`` (PCG64) in the next trial's state; returns that trial's seed."""
        if self.i >= len(self.seeds):
            self._refill()
        i = self.i
        self.i = i + 1
        if rng is not self._target:
            self._target, self._writer = rng, state_writer(rng)
        writer = self._writer
        state_lo, state_hi, inc_lo, inc_hi = self.words
        if writer is None:
            reseed(rng, ((state_hi[i] << 64) | state_lo[i], (inc_hi[i] << 64) | inc_lo[i]))
        else:
            writer.write(state_lo[i], state_hi[i], inc_lo[i], inc_hi[i])
        return self.seeds[i]
