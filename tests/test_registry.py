"""The registry is Gymnasium's: ids parsed as Gymnasium does, parameters checked by signature and pydantic."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import neurogym_app as ngym
from neurogym_app.core import registry


class Versioned(ngym.TrialEnv):
    def __init__(self, dt: float = 100, n: int = 2, levels: list[float] | None = None, label: str = "a"):
        super().__init__(dt=dt)
        self.n = n
        self.observation_space = ngym.spaces.Box(-np.inf, np.inf, shape=(1,))
        self.action_space = ngym.spaces.Discrete(2)


@pytest.fixture
def versions():
    for v in (0, 2, 1):
        registry.register(f"RegistryVersioned-v{v}", Versioned, kwargs={"n": v + 1})
    yield
    for v in (0, 1, 2):
        registry.unregister(f"RegistryVersioned-v{v}")


def test_tasks_are_entries_of_gymnasiums_registry(versions):
    spec = gym.registry["RegistryVersioned-v2"]
    assert isinstance(spec, registry.TaskSpec) and spec.group == "custom"
    assert (spec.namespace, spec.name, spec.version) == (None, "RegistryVersioned", 2)
    assert "RegistryVersioned-v1" in registry.entries() and "CartPole-v1" not in registry.entries()
    assert type(gym.make("RegistryVersioned-v1")).__name__ == "OrderEnforcing"  # Gymnasium's usual wrapping
    registry.unregister("RegistryVersioned-v1")
    assert "RegistryVersioned-v1" not in gym.registry


def test_an_id_without_version_is_its_highest_version(versions):
    assert registry.spec("RegistryVersioned").id == "RegistryVersioned-v2"
    assert ngym.make("RegistryVersioned").unwrapped.n == 3
    with pytest.raises(registry.UnknownTaskError, match="did you mean 'RegistryVersioned-v0'"):
        registry.spec("registryversioned-v0")


def test_malformed_and_repeated_ids_are_one_line_errors(versions):
    with pytest.raises(ValueError, match=r"is not a Gymnasium id \(\[namespace.\]Name-vN"):
        registry.register("bad id!", Versioned)
    with pytest.raises(ValueError, match="defined twice"):
        registry.register("RegistryVersioned-v0", Versioned)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 2.5}, "parameter 'n' must be an integer, got 2.5"),
        ({"n": True}, "parameter 'n' must be an integer"),
        ({"n": "3"}, "parameter 'n' must be an integer"),
        ({"levels": "abc"}, "parameter 'levels' must be a list"),
        ({"levels": [1, "x"]}, "parameter 'levels' must be a list of numbers"),
        ({"label": 3}, "parameter 'label' must be text"),
        ({"nope": 1}, "has no parameter 'nope'; valid parameters: dt, n, levels, label"),
    ],
)
def test_parameters_are_checked_strictly(versions, kwargs, message):
    with pytest.raises(registry.TaskParameterError, match=message.replace("(", r"\(").replace("?", r"\?")):
        ngym.make("RegistryVersioned-v0", **kwargs)


@pytest.mark.parametrize("kwargs", [{"n": np.int64(4)}, {"levels": (1, 2.5)}, {"levels": np.array([0.1, 0.2])}, {"dt": 10}, {"levels": None}])
def test_values_that_mean_the_right_thing_pass_unchanged(versions, kwargs):
    env = ngym.make("RegistryVersioned-v0", **kwargs)
    if "n" in kwargs:
        assert env.unwrapped.n is kwargs["n"]  # the task gets the value as given
