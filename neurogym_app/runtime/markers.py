"""Event markers for synchronising a session with other recordings (EEG, eye tracker, ...).

The runner (and the experiment flow) call a :class:`MarkerSink` at every
onset and every response press::

    Marker(kind="onset", t=12.345, block=1, trial=3, data={"what": "stimulus"})
    Marker(kind="response", t=12.9, block=1, trial=3, data={"action": "left"})

``kind`` is ``"onset"`` (``data["what"]``: ``trial``, a period name such as
``stimulus``, ``feedback``, ``screen:<name>``), ``"response"``, or an
experiment event (``"block_start"``, ``"block_end"``, ``"experiment_start"``,
``"experiment_end"``, ``"abort"``). ``t`` is on the runner clock (seconds):
the frame's onset for onsets, the key event's own timestamp for responses.
A sink is called as soon as the runner knows of the event: onsets right
after the frame was presented, responses when the runner polls its input
(the next frame), so a real-time output (TTL) lags by at most one frame; LSL
markers carry the exact time as their timestamp.

Sinks here:

* :class:`RecordingSink` keeps markers in a list (tests, debugging);
* :class:`LSLSink` pushes string markers to a Lab Streaming Layer outlet
  (``pip install neurogym-app[lsl]``);
* :class:`CodeSink` turns markers into integer codes and hands each to a
  ``write(code)`` function: the way to plug a serial or parallel-port TTL
  device in without this package depending on its driver, e.g.::

      import serial                              # pyserial
      port = serial.Serial("/dev/ttyUSB0", 115200)
      sink = CodeSink(lambda code: port.write(bytes([code])), codes=DEFAULT_CODES)

      from psychopy import parallel              # a parallel port
      p = parallel.ParallelPort(0x0378)
      sink = CodeSink(p.setData, codes=DEFAULT_CODES, reset=lambda: p.setData(0))

A sink that raises does not stop the session: :func:`send_marker` counts
the failure on the sink (``failures``, ``last_error``) and the session's
manifest reports it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "DEFAULT_CODES",
    "CodeSink",
    "LSLSink",
    "Marker",
    "MarkerSink",
    "MultiSink",
    "RecordingSink",
    "send_marker",
]


@dataclass(frozen=True)
class Marker:
    """One event: what happened (``kind`` + ``data``), when (runner clock, s), in which block/trial."""

    kind: str
    t: float
    block: int | None = None
    trial: int | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """A short text label: ``"onset:stimulus"``, ``"response:left"``, ``"block_start"``..."""
        detail = self.data.get("what") if self.kind == "onset" else self.data.get("action") if self.kind == "response" else None
        return f"{self.kind}:{detail}" if detail else self.kind

    def to_json(self) -> str:
        payload = {"label": self.label, "t": self.t, "block": self.block, "trial": self.trial, **dict(self.data)}
        return json.dumps(payload, sort_keys=True, default=str)


@runtime_checkable
class MarkerSink(Protocol):
    """Anything with ``send(marker)``; optional ``close()``."""

    def send(self, marker: Marker) -> None: ...


def send_marker(sink: Any, marker: Marker) -> None:
    """Send ``marker`` to ``sink`` (if any) without letting a failing device stop the session."""
    if sink is None:
        return
    try:
        sink.send(marker)
    except Exception as exc:  # a marker device must not end a session: count and report
        try:
            sink.failures = int(getattr(sink, "failures", 0) or 0) + 1
            sink.last_error = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
        except AttributeError:
            pass


class RecordingSink:
    """Keeps every marker (tests, debugging)."""

    def __init__(self) -> None:
        self.markers: list[Marker] = []
        self.failures = 0
        self.last_error: str | None = None

    def send(self, marker: Marker) -> None:
        self.markers.append(marker)

    def labels(self) -> list[str]:
        return [m.label for m in self.markers]

    def describe(self) -> dict[str, Any]:
        return {"kind": "recording", "sent": len(self.markers)}


class MultiSink:
    """Sends each marker to several sinks (a failure in one does not stop the others)."""

    def __init__(self, *sinks: Any) -> None:
        self.sinks = [s for s in sinks if s is not None]
        self.failures = 0
        self.last_error: str | None = None

    def send(self, marker: Marker) -> None:
        for sink in self.sinks:
            send_marker(sink, marker)

    def close(self) -> None:
        for sink in self.sinks:
            close = getattr(sink, "close", None)
            if callable(close):
                close()

    def describe(self) -> dict[str, Any]:
        return {"kind": "multi", "sinks": [_describe(s) for s in self.sinks]}


#: a default table of integer codes (1-255) for TTL devices
DEFAULT_CODES: dict[str, int] = {
    "experiment_start": 250,
    "experiment_end": 251,
    "abort": 252,
    "block_start": 200,
    "block_end": 201,
    "onset:trial": 10,
    "onset:fixation": 11,
    "onset:stimulus": 12,
    "onset:delay": 13,
    "onset:decision": 14,
    "onset:feedback": 20,
    "response": 30,
}


class CodeSink:
    """Integer codes for TTL hardware: ``write(codes[label])`` for each marker with a code.

    Labels are looked up as ``"onset:stimulus"``, then their kind (``"response"``),
    so ``{"response": 30}`` codes every response. Markers without a code are
    skipped. ``reset`` (optional) is called after each write (e.g. set the
    parallel port back to 0); the pulse width is the caller's business.
    """

    def __init__(
        self,
        write: Callable[[int], Any],
        codes: Mapping[str, int] | None = None,
        reset: Callable[[], Any] | None = None,
    ) -> None:
        self.write = write
        self.codes = dict(DEFAULT_CODES if codes is None else codes)
        for label, code in self.codes.items():
            if not isinstance(code, int) or isinstance(code, bool) or not 0 <= code <= 255:
                raise ValueError(f"marker code for {label!r} must be an integer 0-255, got {code!r}")
        self.reset = reset
        self.sent = 0
        self.failures = 0
        self.last_error: str | None = None

    def code_for(self, marker: Marker) -> int | None:
        return self.codes.get(marker.label, self.codes.get(marker.kind))

    def send(self, marker: Marker) -> None:
        code = self.code_for(marker)
        if code is None:
            return
        self.write(code)
        self.sent += 1
        if self.reset is not None:
            self.reset()

    def describe(self) -> dict[str, Any]:
        return {"kind": "codes", "sent": self.sent, "codes": dict(self.codes)}


class LSLSink:
    """Lab Streaming Layer markers: one string sample per marker on an irregular-rate outlet.

    The stream has type ``Markers``, one ``string`` channel and the given
    name and source id. Each sample is ``marker.label`` (or, with
    ``as_json=True``, the marker as JSON), time-stamped with the marker's
    time converted to the LSL clock: ``lsl_time = t + offset`` where
    ``offset = pylsl.local_clock() - clock.now()`` is measured when the sink
    is made (the runner's monotonic clock and LSL's ``local_clock`` advance
    at the same rate; with a virtual clock the times are only ordered).
    """

    def __init__(
        self,
        clock: Any = None,
        *,
        name: str = "neurogym-app",
        source_id: str = "neurogym-app-markers",
        as_json: bool = False,
    ) -> None:
        try:
            import pylsl
        except ImportError as exc:
            raise ImportError(f"LSL markers need pylsl: pip install 'neurogym-app[lsl]' ({exc})") from None
        self._pylsl = pylsl
        info = pylsl.StreamInfo(name, "Markers", 1, pylsl.IRREGULAR_RATE, pylsl.cf_string, source_id)
        desc = info.desc()
        desc.append_child_value("manufacturer", "neurogym-app")
        self.outlet = pylsl.StreamOutlet(info)
        self.name = name
        self.source_id = source_id
        self.as_json = as_json
        now = float(clock.now()) if clock is not None else None
        self.offset = (pylsl.local_clock() - now) if now is not None else 0.0
        self.sent = 0
        self.failures = 0
        self.last_error: str | None = None

    def send(self, marker: Marker) -> None:
        sample = marker.to_json() if self.as_json else marker.label
        self.outlet.push_sample([sample], float(marker.t) + self.offset)
        self.sent += 1

    def wait_for_consumer(self, seconds: float) -> bool:
        """Block until an inlet is connected to the outlet or ``seconds`` have passed; True if one is."""
        if self.outlet is None:
            return False
        if self.outlet.have_consumers():
            return True
        return bool(self.outlet.wait_for_consumers(float(seconds)))

    def close(self) -> None:
        self.outlet = None

    def describe(self) -> dict[str, Any]:
        return {
            "kind": "lsl",
            "name": self.name,
            "source_id": self.source_id,
            "sent": self.sent,
            "clock_offset_s": self.offset,
            "liblsl": int(self._pylsl.library_version()),
        }


def _describe(sink: Any) -> dict[str, Any]:
    describe = getattr(sink, "describe", None)
    base = dict(describe()) if callable(describe) else {"kind": type(sink).__name__}
    failures = int(getattr(sink, "failures", 0) or 0)
    if failures:
        base["failures"] = failures
        base["last_error"] = getattr(sink, "last_error", None)
    return base


def describe_sink(sink: Any) -> dict[str, Any] | None:
    """Plain data about a sink for the manifest (None: no sink)."""
    return None if sink is None else _describe(sink)
