"""Views: agent view from named channels, natural views from trial variables (pure, no Qt)."""

from __future__ import annotations

import numpy as np
import pytest

import neurogym_app as ngym
from neurogym_app.core import spaces
from neurogym_app.stimuli.natural.gratings import orientation_of
from neurogym_app.stimuli.natural.motion import CHOICE_COLORS
from neurogym_app.stimuli.scene import Bar, Dot, DotField, FixationPoint, Geometry, Image, Patch, Ring, Scene, Text
from neurogym_app.stimuli.views import (
    AgentView,
    StepState,
    View,
    channel_plan,
    feedback_scene,
    instruction_scene,
    key_caption,
    make_view,
    register_view,
    registered_views,
    representative_step,
    unregister_view,
)

GEO = Geometry(pix_per_deg=36.0, size=(800, 600))
FLAGSHIPS = ["PerceptualDecisionMaking-v0", "ContextDecisionMaking-v0", "GoNogo-v0", "DelayMatchSample-v0", "ReadySetGo-v0"]


def _items(scene: Scene, kind: type) -> list:
    return [i for i in scene.items if isinstance(i, kind)]


def _trial_env(task_id: str, trial: dict | None = None, seed: int = 0, **kwargs):
    env = ngym.make(task_id, **kwargs)
    env.reset(seed=seed, options={"trial": trial or {}})
    return env, env.unwrapped


def _state(task, step: int, **extra) -> StepState:
    return StepState(
        ob=task.ob[step], trial=dict(task.trial), period=task.period_at(step), t_ms=step * task.dt,
        obs_space_names=task.observation_space.name, **extra,
    )


def _step_in(task, period: str) -> int:
    return (task.start_ind[period] + task.end_ind[period] - 1) // 2


# ------------------------------------------------------------------ plans
def test_channel_plan_fixation_ring_and_bars():
    plan = channel_plan({"fixation": 0, "stimulus": [1, 2, 3, 4], "go": 5}, 7)
    assert [(g.kind, g.label, g.indices) for g in plan] == [
        ("fixation", "fixation", (0,)),
        ("ring", "stimulus", (1, 2, 3, 4)),
        ("bar", "go", (5,)),
        ("bar", "#6", (6,)),  # a channel no name covers
    ]


def test_channel_plan_groups_numbered_scalar_names_into_rings():
    names = {"fixation": 0, "stim1_mod1": 1, "stim2_mod1": 2, "stim1_mod2": 3, "stim2_mod2": 4, "ready": 5}
    plan = channel_plan(names, 6)
    rings = {g.label: g.indices for g in plan if g.kind == "ring"}
    assert rings == {"stim_mod1": (1, 2), "stim_mod2": (3, 4)}
    assert [g.label for g in plan if g.kind == "bar"] == ["ready"]


def test_channel_plan_without_names_is_bars_by_index():
    assert [(g.kind, g.label) for g in channel_plan(None, 3)] == [("bar", "#0"), ("bar", "#1"), ("bar", "#2")]


# ------------------------------------------------------------- agent view
def test_agent_view_shows_exactly_the_observation_noise_included():
    env, task = _trial_env("PerceptualDecisionMaking-v0")
    view = make_view(env, "agent", GEO)
    assert isinstance(view, AgentView) and view.kind == "agent"
    step = _step_in(task, "stimulus")
    scene = view.scene(_state(task, step))
    (ring,) = _items(scene, Ring)
    expected = np.clip(task.ob[step][1:], -1, 1)
    np.testing.assert_allclose(ring.values, expected, rtol=0, atol=1e-6)
    assert ring.label == "stimulus"
    (fix,) = _items(scene, FixationPoint)
    assert fix.opacity == pytest.approx(1.0) and (fix.x, fix.y) == (0.0, 0.0)


def test_agent_view_fixation_point_follows_the_fixation_input():
    env, task = _trial_env("PerceptualDecisionMaking-v0")
    view = make_view(env, "agent", GEO)
    on = view.scene(StepState(ob=np.array([1.0, 0.0, 0.0], dtype=np.float32)))
    off = view.scene(StepState(ob=np.array([0.0, 0.0, 0.0], dtype=np.float32)))
    half = view.scene(StepState(ob=np.array([0.4, 0.0, 0.0], dtype=np.float32)))
    assert len(_items(on, FixationPoint)) == 1 and not _items(off, FixationPoint)
    assert _items(half, FixationPoint)[0].opacity == pytest.approx(0.4)
    thresh = AgentView(env, GEO, fixation_mode="threshold")
    assert not _items(thresh.scene(StepState(ob=np.array([0.4, 0.0, 0.0]))), FixationPoint)


def test_agent_view_bars_for_scalar_channels():
    env, task = _trial_env("GoNogo-v0", {"ground_truth": 1})
    view = make_view(env, "agent", GEO)
    scene = view.scene(_state(task, _step_in(task, "stimulus")))
    bars = {b.label: b.value for b in _items(scene, Bar)}
    assert bars == {"nogo": 0.0, "go": 1.0}


def test_agent_view_of_unnamed_discrete_and_pixel_spaces():
    boxed = AgentView(observation_space=spaces.Box(-1, 1, shape=(3,)), geometry=GEO)
    assert [b.label for b in _items(boxed.scene(StepState(ob=np.zeros(3))), Bar)] == ["#0", "#1", "#2"]
    discrete = AgentView(observation_space=spaces.Discrete(5), geometry=GEO)
    scene = discrete.scene(StepState(ob=np.int64(3)))
    assert len(_items(scene, Dot)) == 1 and _items(scene, Text)[0].text == "3"
    pixels = AgentView(observation_space=spaces.Box(0, 255, shape=(20, 30, 3), dtype=np.uint8), geometry=GEO)
    frame = np.random.default_rng(0).integers(0, 255, (20, 30, 3), dtype=np.uint8)
    (img,) = _items(pixels.scene(StepState(ob=frame)), Image)
    assert np.array_equal(img.data, frame) and not img.smooth


def test_agent_view_layout_fits_the_screen():
    env, task = _trial_env("ContextDecisionMaking-v0")
    small = Geometry(pix_per_deg=36.0, size=(400, 300))
    view = make_view(env, "agent", small)
    hw, hh = small.extent("deg")
    for ring in _items(view.scene(_state(task, 0)), Ring):
        assert abs(ring.x) + ring.radius + ring.patch_size / 2 <= hw
        assert ring.radius + ring.patch_size / 2 <= hh


@pytest.mark.parametrize("task_id", FLAGSHIPS)
def test_every_step_of_a_trial_has_a_scene_in_both_views(task_id):
    env, task = _trial_env(task_id, timing="human")
    for kind in ("agent", "natural"):
        view = make_view(env, kind, GEO, caption="F = left")
        assert view.kind == kind
        for step in range(task.n_steps):
            scene = view.scene(_state(task, step))
            assert isinstance(scene, Scene) and scene.caption == "F = left" and scene.units == "deg"


# ----------------------------------------------------------- natural views
def test_pdm_natural_view_dots_only_during_the_stimulus():
    env, task = _trial_env("PerceptualDecisionMaking-v0", {"ground_truth": 0, "coh": 51.2}, timing="human")
    view = make_view(env, "natural", GEO)
    fixation = view.scene(_state(task, _step_in(task, "fixation")))
    assert not _items(fixation, DotField) and len(_items(fixation, FixationPoint)) == 1
    stimulus = view.scene(_state(task, _step_in(task, "stimulus")))
    (field,) = _items(stimulus, DotField)
    assert field.visible().sum() > 50
    decision = view.scene(_state(task, _step_in(task, "decision")))
    assert not _items(decision, DotField) and not _items(decision, FixationPoint)
    targets = [d for d in _items(decision, Dot)]
    assert len(targets) == 2 and all(d.fill for d in targets)  # targets fill in at the decision
    labels = {t.text: t.x for t in _items(decision, Text)}
    assert labels["right"] > 0 > labels["left"]


def _dot_motion(view, task, t_ms: float, dt_ms: float = 10.0) -> np.ndarray:
    base = _state(task, _step_in(task, "stimulus"))
    a = _items(view.scene(StepState(**{**base.__dict__, "t_ms": t_ms})), DotField)[0].positions
    b = _items(view.scene(StepState(**{**base.__dict__, "t_ms": t_ms + dt_ms})), DotField)[0].positions
    d = b - a
    return d[np.hypot(d[:, 0], d[:, 1]) < 0.5]  # dots that were not reborn or wrapped


@pytest.mark.parametrize(("choice", "sign"), [(0, 1.0), (1, -1.0)])
def test_pdm_coherent_dots_move_toward_the_correct_choice(choice, sign):
    env, task = _trial_env("PerceptualDecisionMaking-v0", {"ground_truth": choice, "coh": 100.0}, timing="human")
    view = make_view(env, "natural", GEO)
    t = task.start_t["stimulus"] + 200
    d = _dot_motion(view, task, t)
    assert np.median(d[:, 0]) * sign > 0.04  # 5 deg/s for 10 ms
    assert np.median(np.abs(d[:, 1])) < 1e-9


def test_natural_dots_are_reproducible_from_the_trial_seed():
    trial = {"ground_truth": 1, "coh": 25.6}
    env_a, task_a = _trial_env("PerceptualDecisionMaking-v0", trial, seed=1, timing="human")
    env_b, task_b = _trial_env("PerceptualDecisionMaking-v0", trial, seed=1, timing="human")
    env_c, task_c = _trial_env("PerceptualDecisionMaking-v0", trial, seed=2, timing="human")
    step = _step_in(task_a, "stimulus")
    pos = [_items(make_view(e, "natural", GEO).scene(_state(t, step)), DotField)[0].positions for e, t in
           ((env_a, task_a), (env_b, task_b), (env_c, task_c))]
    assert np.array_equal(pos[0], pos[1])
    assert not np.array_equal(pos[0], pos[2])
    # a replay of the recorded trial (its trial_seed) shows the same dots
    replay = dict(task_a.trial)
    task_c.new_trial(**replay)
    again = _items(make_view(env_c, "natural", GEO).scene(_state(task_c, step)), DotField)[0].positions
    assert np.array_equal(again, pos[0])


def test_cdm_colour_and_motion_follow_the_modalities():
    trial = {"ground_truth": 1, "other_choice": 2, "context": 1, "coh_1": 50.0, "coh_2": 100.0}
    env, task = _trial_env("ContextDecisionMaking-v0", trial, timing="human")
    view = make_view(env, "natural", GEO)
    scene = view.scene(_state(task, _step_in(task, "stimulus")))
    (field,) = _items(scene, DotField)
    # colour modality: coh_2 = 100 % -> every dot has the colour of its choice (ground truth 1)
    assert {tuple(c) for c in field.colors} == {CHOICE_COLORS[0]}
    assert any(isinstance(t, Text) and t.text == "COLOUR" for t in scene.items)
    # motion modality (coh_1) points to the other choice in the colour context: 2 = leftward
    task.new_trial(**{**trial, "coh_1": 100.0})
    d = _dot_motion(view, task, task.start_t["stimulus"] + 200)
    assert np.median(d[:, 0]) < -0.04
    fix = view.scene(_state(task, _step_in(task, "fixation")))
    assert _items(fix, FixationPoint)[0].shape == "square"  # colour context


def test_gonogo_shapes():
    for go, shape, colour in ((1, "circle", (60, 200, 80)), (0, "square", (225, 60, 50))):
        env, task = _trial_env("GoNogo-v0", {"ground_truth": go}, timing="human")
        scene = make_view(env, "natural", GEO).scene(_state(task, _step_in(task, "stimulus")))
        (dot,) = _items(scene, Dot)
        assert (dot.shape, dot.color) == (shape, colour)
        delay = make_view(env, "natural", GEO).scene(_state(task, _step_in(task, "delay")))
        assert not _items(delay, Dot) and _items(delay, FixationPoint)


def test_dms_gratings_take_their_orientation_from_theta():
    env, task = _trial_env("DelayMatchSample-v0", {"ground_truth": 2, "sample_theta": 0.0}, timing="human")
    view = make_view(env, "natural", GEO)
    (sample,) = _items(view.scene(_state(task, _step_in(task, "sample"))), Patch)
    (test,) = _items(view.scene(_state(task, _step_in(task, "test"))), Patch)
    assert sample.orientation == pytest.approx(0.0)
    assert test.orientation == pytest.approx(90.0)  # the opposite direction: orthogonal grating
    assert sample.sf > 0 and orientation_of(np.pi / 2) == pytest.approx(45.0)
    assert not _items(view.scene(_state(task, _step_in(task, "delay"))), Patch)


def test_readysetgo_flashes():
    env, task = _trial_env("ReadySetGo-v0", timing="human")
    view = make_view(env, "natural", GEO)
    ready = {d.x < 0: d.fill for d in _items(view.scene(_state(task, _step_in(task, "ready"))), Dot)}
    assert ready == {True: True, False: False}
    set_ = {d.x < 0: d.fill for d in _items(view.scene(_state(task, _step_in(task, "set"))), Dot)}
    assert set_ == {True: False, False: True}
    production = view.scene(_state(task, _step_in(task, "production")))
    assert not _items(production, FixationPoint)


# ---------------------------------------------------------- feedback, misc
def test_feedback_replaces_the_stimulus_while_set():
    env, task = _trial_env("GoNogo-v0")
    view = make_view(env, "natural", GEO, caption="Space = go")
    scene = view.scene(_state(task, 0, feedback="correct"))
    assert [i.text for i in _items(scene, Text)] == ["Correct"] and scene.caption == "Space = go"
    assert feedback_scene("too early").items[0].text == "Too early"
    assert feedback_scene("wrong", reward=-0.5).items[1].text == "reward -0.5"
    pix = feedback_scene("abort", units="pix", pix_per_deg=30.0)
    assert pix.items[0].size == pytest.approx(30.0)


def test_instruction_scene_and_key_caption():
    scene = instruction_scene("Line one\nLine two", title="Task")
    assert scene.caption == "Press space to start" and [t.text for t in _items(scene, Text)][0] == "Task"
    caption = key_caption({"left": ["f"], "right": "j", "go": ["space", "return"]}, labels={"go": "respond"})
    assert caption == "F = left     J = right     Space / Enter = respond"


def test_tasks_without_a_natural_view_get_the_generic_view_never_the_agent_view(request):
    from neurogym_app.stimuli.natural.generic import GenericView

    removed = unregister_view("Detection")
    assert removed is not None
    request.addfinalizer(lambda: register_view("Detection", removed))
    env, _ = _trial_env("Detection-v0")
    view = make_view(env, "natural", GEO)
    assert isinstance(view, GenericView) and view.kind == "generic" and not view.show_values
    assert make_view(env, "agent", GEO).kind == "agent"
    with pytest.raises(ValueError, match="kind"):
        make_view(env, "fancy")


def test_register_view_for_a_task_class():
    class MyView(View):
        kind = "natural"

        def stimulus_items(self, state):
            return [Text("mine")]

    env, task = _trial_env("Detection-v0")
    name = type(task).__name__
    before = registered_views().get(name)
    try:
        register_view(name, MyView)
        assert registered_views()[name] is MyView
        view = make_view(env, "natural", GEO)
        assert isinstance(view, MyView) and view.scene(_state(task, 0)).items[0].text == "mine"
    finally:
        unregister_view(name)
        if before is not None:
            register_view(name, before)
    assert "PerceptualDecisionMaking" in registered_views()


def test_representative_step_is_in_the_stimulus():
    _, task = _trial_env("PerceptualDecisionMaking-v0")
    assert task.period_at(representative_step(task)) == "stimulus"
