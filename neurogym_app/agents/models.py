"""Recurrent policy networks: input -> recurrent hidden layer -> action outputs.

``PolicyNet(input_size, hidden_size, output_size, kind="lstm")`` is a
``torch.nn.Module`` (kinds: ``rnn`` (tanh), ``gru``, ``lstm``). Its
``forward(x, state)`` takes ``x`` of shape ``(seq, batch, input_size)`` and
returns ``(outputs, hidden, state)``: ``outputs`` ``(seq, batch, output_size)``
(action logits for a Discrete task, the action itself for a Box task),
``hidden`` ``(seq, batch, hidden_size)`` the hidden activity at every step
(exposed for recording and plots), and ``state`` the recurrent state to carry
on with (a tensor; a ``(h, c)`` pair for an LSTM).

torch is imported on first use: importing this module needs no torch, and
``PolicyNet`` is built when first asked for (``models.PolicyNet`` or
:func:`build_model`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from neurogym_app.agents._deps import require_torch

__all__ = ["KINDS", "ModelSpec", "build_model", "PolicyNet"]  # noqa: F822 (PolicyNet is built lazily)

#: recurrent cell types
KINDS = ("rnn", "gru", "lstm")


@dataclass(frozen=True)
class ModelSpec:
    """Everything needed to rebuild a network before loading its weights.

    ``action`` is ``"discrete"`` (outputs are logits over ``output_size``
    actions) or ``"box"`` (outputs are the action vector, flattened).
    ``action_shape`` is the Box action's shape (``[]`` for Discrete).
    """

    kind: str
    input_size: int
    hidden_size: int
    output_size: int
    action: str = "discrete"
    action_shape: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown model {self.kind!r}; use one of {', '.join(KINDS)}")
        for name in ("input_size", "hidden_size", "output_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if self.action not in ("discrete", "box"):
            raise ValueError(f"action must be 'discrete' or 'box', got {self.action!r}")
        object.__setattr__(self, "action_shape", tuple(int(n) for n in self.action_shape))

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["action_shape"] = list(self.action_shape)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelSpec:
        return cls(**{**data, "action_shape": tuple(data.get("action_shape", ()))})


_CLASSES: dict[str, type] = {}


def _define() -> dict[str, type]:
    if _CLASSES:
        return _CLASSES
    torch = require_torch()
    nn = torch.nn

    class PolicyNet(nn.Module):
        """Input -> recurrent hidden layer (rnn/gru/lstm) -> linear readout."""

        def __init__(self, input_size: int, hidden_size: int, output_size: int, kind: str = "lstm") -> None:
            super().__init__()
            if kind not in KINDS:
                raise ValueError(f"unknown model {kind!r}; use one of {', '.join(KINDS)}")
            self.kind = kind
            self.input_size = int(input_size)
            self.hidden_size = int(hidden_size)
            self.output_size = int(output_size)
            cell = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}[kind]
            self.rnn = cell(self.input_size, self.hidden_size)  # time-major: (seq, batch, features)
            self.readout = nn.Linear(self.hidden_size, self.output_size)

        def initial_state(self, batch_size: int = 1) -> Any:
            """The zero state for ``batch_size`` sequences."""
            zeros = torch.zeros(1, batch_size, self.hidden_size)
            return (zeros, zeros.clone()) if self.kind == "lstm" else zeros

        def forward(self, x: Any, state: Any = None) -> tuple[Any, Any, Any]:
            """``x`` (seq, batch, input) -> (outputs (seq, batch, out), hidden (seq, batch, H), state)."""
            hidden, state = self.rnn(x, state)
            return self.readout(hidden), hidden, state

        def step(self, x: Any, state: Any = None) -> tuple[Any, Any, Any]:
            """One time step: ``x`` (batch, input) -> (outputs (batch, out), hidden (batch, H), state)."""
            out, hidden, state = self.forward(x.unsqueeze(0), state)
            return out[0], hidden[0], state

        @staticmethod
        def state_arrays(state: Any) -> dict[str, Any]:
            """The recurrent state as named arrays (batch, H): ``hidden`` and, for an LSTM, ``cell``."""
            if isinstance(state, tuple):
                return {"hidden": state[0][0].detach().numpy(), "cell": state[1][0].detach().numpy()}
            return {"hidden": state[0].detach().numpy()}

        def extra_repr(self) -> str:
            return f"kind={self.kind!r}"

    PolicyNet.__module__ = __name__
    PolicyNet.__qualname__ = "PolicyNet"
    _CLASSES["PolicyNet"] = PolicyNet
    return _CLASSES


def __getattr__(name: str) -> Any:
    if name == "PolicyNet":
        cls = _define()["PolicyNet"]
        globals()["PolicyNet"] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def build_model(spec: ModelSpec) -> Any:
    """A freshly initialised ``PolicyNet`` for ``spec`` (draws from torch's global generator)."""
    cls = _define()["PolicyNet"]
    return cls(spec.input_size, spec.hidden_size, spec.output_size, kind=spec.kind)
