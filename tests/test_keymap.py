"""The input layer: default key maps, overrides, clashes, pointer, press/latch/hold."""

from __future__ import annotations

import math

import numpy as np
import pytest

import neurogym_app as ngym
from neurogym_app.config import Config
from neurogym_app.core import spaces
from neurogym_app.core.trial_env import TrialEnv
from neurogym_app.errors import UserError
from neurogym_app.input.events import KeyEvent, PointerEvent
from neurogym_app.input.keymap import KeyMapError, NotHumanPlayable, action_names, build_keymap, playability
from neurogym_app.input.keynames import KeyNameError, normalise_key
from neurogym_app.input.responses import ResponseTracker, map_event


def keys_of(km, name):
    return next(b.keys for b in km.bindings if b.name == name)


def action_of(km, name):
    return next(b.action for b in km.bindings if b.name == name)


class _Task(TrialEnv):
    """A tiny task with a configurable action space (for mapping tests)."""

    metadata = {"rt_from": "decision"}

    def __init__(self, action_space, metadata=None):
        super().__init__(dt=100)
        self.observation_space = spaces.Box(-1, 1, shape=(1,), dtype=np.float32)
        self.action_space = action_space
        if metadata:
            self.metadata = {**type(self).metadata, **metadata}

    def _new_trial(self, **kwargs):
        self.add_period("decision", 300)
        return {}

    def _step(self, action):
        return self.ob_now, 0.0, False, False, {"new_trial": False}


# ---------------------------------------------------------------- defaults
def test_two_choices_follow_left_right_labels():
    env = ngym.make("PerceptualDecisionMaking-v0")  # action_labels {1: right, 2: left}
    km = build_keymap(env)
    assert km.fixate == 0 and km.pointer is None and km.mode == "press"
    assert action_of(km, "left") == 2 and keys_of(km, "left") == ("left", "f")
    assert action_of(km, "right") == 1 and keys_of(km, "right") == ("right", "j")


def test_two_unlabelled_choices_first_is_left():
    km = build_keymap(ngym.make("DelayComparison-v0"))
    assert [(b.name, b.action, b.keys) for b in km.bindings] == [
        ("first", 1, ("left", "f")),
        ("second", 2, ("right", "j")),
    ]


def test_a_task_key_table_puts_keys_where_the_natural_view_puts_targets():
    # ContextDecisionMaking's choice 1 is the target at direction 0 (right), choice 2 the left one
    km = build_keymap(ngym.make("ContextDecisionMaking-v0"))
    assert sorted((b.name, b.action, b.keys) for b in km.bindings) == [("choice1", 1, ("right", "j")), ("choice2", 2, ("left", "f"))]
    # CVLearning: its eight inert actions are not offered to people
    assert [b.name for b in build_keymap(ngym.make("CVLearning-v0")).bindings] == ["left", "right"]


def test_stepped_tasks_without_a_choice_per_step_are_refused_with_one_line():
    for task_id in ("LeverPress-v0", "LeverPressWithPoke-v0", "LeverPressWithPokeRest-v0", "MemoryRecall-v0", "Pneumostomeopening-v0"):
        with pytest.raises(NotHumanPlayable, match="not human-playable: ") as info:
            build_keymap(ngym.make(task_id))
        assert "\n" not in str(info.value)


def test_match_nonmatch_left_right():
    km = build_keymap(ngym.make("DelayMatchSample-v0"))
    assert keys_of(km, "match") == ("left", "f") and keys_of(km, "non-match") == ("right", "j")


@pytest.mark.parametrize("task", ["GoNogo-v0", "ReadySetGo-v0"])
def test_single_go_is_space(task):
    km = build_keymap(ngym.make(task))
    assert [(b.name, b.keys) for b in km.bindings] == [("go", ("space",))]


def test_four_choices_get_number_keys_and_ring_pointer():
    env = ngym.make("PerceptualDecisionMaking-v0", dim_ring=4)
    km = build_keymap(env)
    assert [b.keys for b in km.bindings] == [("1",), ("2",), ("3",), ("4",)]
    assert km.pointer == "ring"
    # choice k of n points at 2*pi*k/n: right, up, left, down
    assert km.binding_for_pointer(5.0, 0.2).action == 1
    assert km.binding_for_pointer(0.1, 3.0).action == 2
    assert km.binding_for_pointer(-2.0, -0.1).action == 3
    assert km.binding_for_pointer(0.0, -1.0).action == 4
    assert km.binding_for_pointer(0.0, 0.0) is None


def test_many_ring_choices_pointer_only():
    env = ngym.make("PerceptualDecisionMaking-v0", dim_ring=16)
    km = build_keymap(env)
    assert km.pointer == "ring" and all(b.keys == () for b in km.bindings)
    angle = 2 * math.pi * 5 / 16
    assert km.binding_for_pointer(math.cos(angle), math.sin(angle)).action == 6
    assert "click" in km.describe()


def test_five_non_ring_choices_number_keys():
    env = _Task(spaces.Discrete(6, name={"fixation": 0, "a": 1, "b": 2, "c": 3, "d": 4, "e": 5}))
    km = build_keymap(env)
    assert km.pointer is None and [b.keys for b in km.bindings] == [("1",), ("2",), ("3",), ("4",), ("5",)]


def test_box_action_is_pointer_position():
    env = _Task(spaces.Box(-1, 1, shape=(2,), dtype=np.float32))
    km = build_keymap(env)
    assert km.pointer == "box" and np.array_equal(km.fixate, [0, 0])
    assert np.allclose(km.box_action(0.5, 3.0), [0.5, 1.0])  # clipped to the box
    m = map_event(km, PointerEvent(0.25, -0.5, 1.0, "move"))
    assert np.allclose(m.action, [0.25, -0.5])


# ------------------------------------------------------- not human-playable
@pytest.mark.parametrize(
    "space, words",
    [
        (spaces.MultiDiscrete([2, 2]), "cannot be mapped"),
        (spaces.Discrete(12), "more than the number keys"),
        (spaces.Box(-1, 1, shape=(3,), dtype=np.float32), "cannot be given with a pointer"),
        (spaces.Box(-np.inf, np.inf, shape=(2,), dtype=np.float32), "unbounded"),
        (spaces.Discrete(1), "no response action"),
    ],
)
def test_unmappable_spaces_are_not_playable(space, words):
    env = _Task(space)
    assert words in playability(env)
    with pytest.raises(NotHumanPlayable, match=words):
        build_keymap(env)


def test_metadata_says_not_playable():
    env = _Task(spaces.Discrete(3), metadata={"human_playable": False, "human_playable_reason": "needs 1 ms precision"})
    with pytest.raises(NotHumanPlayable) as info:
        build_keymap(env)
    assert "needs 1 ms precision" in str(info.value) and isinstance(info.value, UserError)


# ---------------------------------------------------------------- overrides
def test_config_keys_override_defaults():
    cfg = Config(keys={"left": ["a", "Left"], "right": "L"})
    km = build_keymap(ngym.make("PerceptualDecisionMaking-v0"), cfg.keys)
    assert keys_of(km, "left") == ("a", "left") and keys_of(km, "right") == ("l",)
    assert km.binding_for_key("a").action == 2 and km.binding_for_key("f") is None


def test_toml_keys(tmp_path):
    path = tmp_path / "keys.toml"
    path.write_text('[keys]\ngo = ["Return", "b"]\n')
    km = build_keymap(ngym.make("GoNogo-v0"), Config(path).keys)
    assert keys_of(km, "go") == ("return", "b")


@pytest.mark.parametrize(
    "overrides, words",
    [
        ({"right": ["f"]}, "key 'f' is bound to both 'left' and 'right'"),
        ({"left": ["shift-q"]}, "unknown key name 'shift-q'"),
        ({"up": ["u"]}, "unknown action 'up'; this task's actions are: left, right"),
        ({"left": ["escape"]}, "reserved"),
        ({"left": []}, "no key is bound to action 'left'"),
    ],
)
def test_bad_overrides_are_one_line_errors(overrides, words):
    with pytest.raises(UserError) as info:
        build_keymap(ngym.make("PerceptualDecisionMaking-v0"), overrides)
    assert words in str(info.value) and "\n" not in str(info.value)


def test_key_names_normalised():
    assert normalise_key("Left") == "left" and normalise_key("F") == "f" and normalise_key("Enter") == "return"
    assert normalise_key("esc") == "escape" and normalise_key(" ") == "space"
    with pytest.raises(KeyNameError):
        normalise_key("F13")


def test_action_names_and_describe():
    env = ngym.make("PerceptualDecisionMaking-v0")
    assert action_names(env) == {0: "fixation", 1: "right", 2: "left"}
    text = build_keymap(env).describe()
    assert "Left arrow or F: left" in text and "no key: fixate" in text and "Esc: quit" in text
    assert "\n" not in text
    assert build_keymap(env).to_dict()["actions"][0] == {"name": "left", "action": 2, "keys": ["left", "f"]}


def test_mode_from_argument_and_metadata():
    env = ngym.make("GoNogo-v0")
    assert build_keymap(env, mode="hold").mode == "hold"
    env2 = _Task(spaces.Discrete(2), metadata={"input_mode": "latch"})
    assert build_keymap(env2).mode == "latch"
    with pytest.raises(KeyMapError):
        build_keymap(env, mode="tap")


# ------------------------------------------------------- press/latch/hold
def _events(km, *evs):
    return [map_event(km, e) for e in evs]


def test_press_lasts_one_step():
    km = build_keymap(ngym.make("PerceptualDecisionMaking-v0"))
    tr = ResponseTracker(km)
    action, cause = tr.step(_events(km, KeyEvent("f", 0.05)))
    assert action == 2 and cause.event.t == 0.05
    assert tr.step([]) == (0, None)  # the key may still be down: press lasts one step
    # unbound keys and releases are not responses
    assert tr.step(_events(km, KeyEvent("x", 0.3), KeyEvent("f", 0.31, "release"))) == (0, None)
    # the first press of a window wins
    action, cause = tr.step(_events(km, KeyEvent("j", 0.45), KeyEvent("f", 0.41)))
    assert action == 2 and cause.event.t == 0.41


def test_latch_lasts_until_the_trial_ends():
    km = build_keymap(ngym.make("PerceptualDecisionMaking-v0"), mode="latch")
    tr = ResponseTracker(km)
    assert tr.step(_events(km, KeyEvent("j", 0.01)))[0] == 1
    assert tr.step([])[0] == 1 and tr.step(_events(km, KeyEvent("f", 0.2)))[0] == 1
    tr.new_trial()
    assert tr.step([]) == (0, None)


def test_hold_lasts_while_down():
    km = build_keymap(ngym.make("GoNogo-v0"), mode="hold")
    tr = ResponseTracker(km)
    assert tr.step(_events(km, KeyEvent("space", 0.05)))[0] == 1
    assert tr.step([])[0] == 1  # still down
    assert tr.step(_events(km, KeyEvent("space", 0.25, "release")))[0] == 1  # down for part of the step
    assert tr.step([]) == (0, None)
    # a tap inside one window counts for that window
    assert tr.step(_events(km, KeyEvent("space", 0.41), KeyEvent("space", 0.43, "release")))[0] == 1
    assert tr.step([]) == (0, None)


def test_ring_click_maps_through_tracker():
    km = build_keymap(ngym.make("PerceptualDecisionMaking-v0", dim_ring=8))
    tr = ResponseTracker(km)
    action, cause = tr.step(_events(km, PointerEvent(-1.0, 0.01, 0.5)))
    assert action == 5 and cause.name == "choice5"
    assert map_event(km, PointerEvent(-1.0, 0.0, 0.6, "release")).action is None


def test_reaching_delay_response_is_a_click_on_the_line_its_view_draws():
    km = build_keymap(ngym.make("ReachingDelayResponse-v0"))
    assert km.is_box and km.line_half_width == 7.0
    assert km.box_action(7.0, 3.0, "press").tolist() == [1.0, 1.0]  # right end of the line: the highest position
    assert km.box_action(-7.0, 0.0, "press").tolist() == [1.0, 0.0]
    assert km.box_action(0.0, 0.0, "move").tolist() == [-1.0, 0.5]  # moving is not answering
    x, y = km.pointer_for([1.0, 0.25])
    assert km.box_action(x, y, "press").tolist() == pytest.approx([1.0, 0.25])
    assert "click on the line" in km.describe()


def test_tone_detection_is_answered_by_a_latched_number_key():
    # judged on its last step only: a press held until the trial ends answers it; no key is "no tone"
    env = ngym.make("ToneDetection-v0", timing="human")
    assert playability(env) is None
    km = build_keymap(env)
    assert km.mode == "latch" and km.fixate == 0 and not km.turn_based
    assert [(b.name, b.action, b.keys) for b in km.bindings] == [("tone 1", 1, ("1",)), ("tone 2", 2, ("2",)), ("tone 3", 3, ("3",))]


def test_ring_tasks_without_number_keys_aim_with_the_arrows_and_answer_with_space():
    env = ngym.make("yang19.go-v0")
    km = build_keymap(env)
    assert km.pointer == "ring" and km.aim is not None and km.aim.n == 16
    tracker = ResponseTracker(km)
    tracker.new_trial()
    assert map_event(km, KeyEvent("space", 0.0)).action is None  # not aimed yet: Space does nothing
    assert map_event(km, KeyEvent("right", 0.1)).action is None  # first press: aim at the right (choice 1)
    assert map_event(km, KeyEvent("space", 0.2)).action == km.binding_for_pointer(1.0, 0.0).action
    for t in (0.3, 0.4, 0.5, 0.6):  # four choices counter-clockwise: straight up
        map_event(km, KeyEvent("left", t))
    up = map_event(km, KeyEvent("space", 0.7))
    assert up.action == km.binding_for_pointer(0.0, 1.0).action and up.is_response
    assert map_event(km, KeyEvent("left", 0.8, "release")).action is None
    tracker.new_trial()
    assert km.aim.index is None and "aim with Left / Right arrow" in km.describe()
    # tasks with keys for their choices have no aim
    assert build_keymap(ngym.make("PerceptualDecisionMaking-v0")).aim is None
