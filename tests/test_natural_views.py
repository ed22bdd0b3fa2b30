"""Every task in the catalogue playable by a person: natural views, no printed answers, instructions.

Scope: every id of ``ngym.all_envs(contrib=True, collections=True)`` except
Null-v0 and the ``psychopy.*`` pixel tasks.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import neurogym_app as ngym
from neurogym_app.core import registry
from neurogym_app.input.keymap import build_keymap, playability
from neurogym_app.input.keynames import display_name
from neurogym_app.runtime.clock import FakeClock
from neurogym_app.runtime.loop import run_frames
from neurogym_app.runtime.null_display import NullDisplay
from neurogym_app.runtime.play_setup import start_play
from neurogym_app.runtime.run import PlayOptions
from neurogym_app.stimuli.instructions import task_instructions
from neurogym_app.stimuli.scene import DotField, Geometry, Image, Scene, Text
from neurogym_app.stimuli.views import StepState, drawn_view_kind, make_view

SCOPE = sorted(i for i in ngym.all_envs(contrib=True, collections=True) if i != "Null-v0" and not i.startswith("psychopy"))
GEO = Geometry(36.0, (800, 600))
DIGIT = re.compile(r"\d")


def _make(task_id: str):
    try:
        return registry.make(task_id, timing="human")
    except Exception:  # tasks without a human preset (the stepped ones)
        return registry.make(task_id)


def _playable(task_id: str) -> bool:
    return playability(_make(task_id)) is None


PLAYABLE = [i for i in SCOPE if _playable(i)]


def test_scope_is_the_whole_catalogue():
    assert len(SCOPE) == 66  # AnnubesEnv and ContextSwitch in two versions each (v0 kept for recorded sessions)
    assert len(PLAYABLE) == 60  # 5 stepped tasks and SpatialSuppressMotion (supervised only) are refused, with reasons


@pytest.mark.parametrize("task_id", SCOPE)
def test_every_task_has_a_natural_view_or_a_one_line_refusal(task_id):
    env = _make(task_id)
    reason = playability(env)
    if reason is None:
        assert drawn_view_kind(env, "natural") == "natural", f"{task_id} has no natural view"
        assert make_view(env, "natural", GEO).kind == "natural"
    else:
        assert reason.strip() and "\n" not in reason and len(reason) < 300, reason


class _Spy(NullDisplay):
    """A display that keeps every Text drawn during trials and the view of every frame."""

    def __init__(self, clock):
        super().__init__(clock)
        self.texts: set[str] = set()
        self.frames = 0

    def present(self, scene):
        if isinstance(scene, Scene):
            for item in scene.flat_items():
                if isinstance(item, Text):
                    self.texts.add(item.text)
        return super().present(scene)


@pytest.mark.parametrize("player", ["oracle", "psychometric"])
@pytest.mark.parametrize("task_id", PLAYABLE)
def test_simulated_participants_play_ten_trials_with_number_free_frames(task_id, player, tmp_path):
    clock = FakeClock()
    display = _Spy(clock)
    session = start_play(PlayOptions(task_id=task_id, n_trials=10, seed=5, player=player, feedback=False), display, sessions_root=tmp_path)
    run_frames(session.runner, clock, max_frames=400_000)
    session.close()
    assert session.runner.status == "completed" and session.runner.n_done == 10
    manifest = json.loads((session.path / "manifest.json").read_text())
    assert manifest["view"] == session.view_kind == session.runner.scenes.view.kind == "natural"
    numbers = {t for t in display.texts if DIGIT.search(t) and t not in _not_trial_texts(session)}
    assert not numbers, f"{task_id}: frames print numbers: {sorted(numbers)[:5]}"


def _not_trial_texts(session) -> set[str]:
    """Texts of the instruction screen (shown before the first trial; it names keys like 1-4)."""
    return {session.runner.scenes.message(session.keymap.describe()).items[-1].text}


# ------------------------------------------------------------ zero strength
#: tasks whose strength variable has no zero that leaves the answer open, with why
NO_ZERO_STRENGTH = {
    "HierarchicalReasoning-v0": "its strength_var is the flash interval, which decides the answer with the rule",
    "DelayComparison-v0": "vdiff is derived from the value pair; the task has no pair with equal values",
}
#: the trial variable that fixes the correct answer, where it is not ``ground_truth``
ANSWER_VAR = {"ChangingEnvironment-v0": "side"}
#: how to ask for a zero-strength trial where the strength variable is derived from others
ZERO_STRENGTH = {
    "ContextDecisionMaking-v0": {"coh_1": 0.0, "coh_2": 0.0},
    "PulseDecisionMaking-v0": {"pulse1": [1.0, 0.0, 1.0, 0.0, 0.0, 0.0], "pulse2": [0.0, 1.0, 0.0, 1.0, 0.0, 0.0]},
    "IntervalDiscrimination-v0": {"duration1": 400.0, "duration2": 400.0},  # (a tie: choice 2 by the task's rule)
    "ProbabilisticReasoning-v0": {"shapes": [1, 8, 3, 6]},  # weights -0.9 + 0.9 - 0.5 + 0.5
}
#: variables a view could read the answer from (each is overwritten in the view test)
ANSWER_KEYS = ("ground_truth", "target", "side", "other_choice")


def _zero_kwargs(task_id: str, trial: dict, strength_var: str) -> dict:
    if task_id in ZERO_STRENGTH:
        return dict(ZERO_STRENGTH[task_id])
    if task_id.startswith("yang19."):  # signed coherences (dm) or two strengths per modality (dly dm)
        out = {k: 0.0 for k in ("coh_mod1", "coh_mod2") if k in trial}
        out.update({f"coh{s}_mod{m}": 0.5 for s in (1, 2) for m in (1, 2) if f"coh{s}_mod{m}" in trial and f"coh_mod{m}" not in trial})
        return out
    return {strength_var: 0.0}


def _strength_of(task, trial: dict, strength_var: str) -> float:
    fn = getattr(task, "signed_strength", None)
    return abs(float(fn(trial))) if callable(fn) else abs(float(trial[strength_var]))


def _strength_tasks() -> list[str]:
    out = []
    for task_id in PLAYABLE:
        meta = getattr(_make(task_id).unwrapped, "metadata", {}) or {}
        if meta.get("strength_var") and task_id not in NO_ZERO_STRENGTH:
            out.append(task_id)
    return out


def _canonical(scene: Scene) -> list:
    out = []
    for item in scene.items:
        if isinstance(item, (DotField, Image)):
            arrays = [np.asarray(getattr(item, f)).tobytes() for f in ("positions", "colors", "data") if getattr(item, f, None) is not None]
            out.append((type(item).__name__, hash(tuple(arrays))))
        else:
            out.append(repr(item))
    return out


def _states(task) -> list[StepState]:
    names = task.observation_space.name
    return [StepState(ob=task.ob[k], trial=dict(task.trial), period=task.period_at(k), t_ms=k * task.dt, obs_space_names=names)
            for k in range(task.n_steps)]  # fmt: skip


def _frames(env, trial: dict) -> list:
    task = env.unwrapped
    task.new_trial(**trial)
    view = make_view(env, "natural", GEO)
    return [_canonical(view.scene(state)) for state in _states(task)]


def test_zero_strength_exclusions_are_tasks_with_a_strength():
    for task_id in NO_ZERO_STRENGTH:
        assert (getattr(_make(task_id).unwrapped, "metadata", {}) or {}).get("strength_var")


@pytest.mark.parametrize("task_id", _strength_tasks())
def test_zero_strength_frames_do_not_depend_on_the_answer(task_id):
    env = _make(task_id)
    env.reset(seed=2)
    task = env.unwrapped
    strength_var = task.metadata["strength_var"]
    key = ANSWER_VAR.get(task_id, "ground_truth")
    sample = dict(task.new_trial())
    answers = sorted({task.new_trial()[key] for _ in range(40)}, key=str)
    assert len(answers) >= 2, f"{task_id}: only one answer value seen"
    # only the seed, the zero strength and the answer are fixed: the rest comes from the seed
    base = {"trial_seed": int(sample["trial_seed"]), **_zero_kwargs(task_id, sample, strength_var)}
    frames, built = [], []
    for a in answers:
        frames.append(_frames(env, {**base, key: a}))
        built.append(task.trial[key])
        assert _strength_of(task, task.trial, strength_var) == 0.0, f"{task_id}: not a zero-strength trial: {task.trial}"
    assert all(f == frames[0] for f in frames[1:]), f"{task_id}: zero-strength frames differ with the answer"
    # and the view reads no answer: the same frames whatever the trial says the answer is
    view = make_view(env, "natural", GEO)
    for state in _states(task):
        seen = {str(_canonical(view.scene(state)))}
        for a in answers:
            trial = {**state.trial, **{k: a for k in ANSWER_KEYS if k in state.trial and k != key}, key: a}
            seen.add(str(_canonical(view.scene(StepState(**{**vars(state), "trial": trial})))))
        assert len(seen) == 1, f"{task_id}: period {state.period}: the view draws the answer"


# ------------------------------------------------------------ instructions
#: what the natural views draw (one of these words names the stimulus in every text)
STIMULUS_WORDS = ("patch", "dots", "disc", "tone", "symbol", "shape", "drops", "slot machine", "coin", "dot", "flash",
                  "circle", "square", "target")

@pytest.mark.parametrize("task_id", PLAYABLE)
def test_every_playable_task_has_instructions_naming_its_keys(task_id):
    env = _make(task_id)
    text = task_instructions(env)
    assert text and len(text) > 80, f"{task_id} has no instruction text in assets/instructions/tasks.toml"
    flat = " ".join(text.split())
    assert any(word in flat.lower() for word in STIMULUS_WORDS), f"{task_id}: the instructions name no stimulus"
    keymap = build_keymap(env)
    if keymap.pointer == "ring" and not any(b.keys for b in keymap.bindings):
        assert "click" in flat
    elif keymap.is_box:
        assert "pointer" in flat
    for binding in keymap.bindings:
        for key in binding.keys:
            assert display_name(key) in flat, f"{task_id}: instructions do not name key {display_name(key)!r}"


# ------------------------------------------------------------ generic view
def test_a_task_without_a_view_gets_the_generic_number_free_view(tmp_path, request):
    from neurogym_app.stimuli.views import register_view, unregister_view

    # a user's task: here GoNogo with its natural view unregistered
    removed = unregister_view("GoNogo")
    assert removed is not None
    request.addfinalizer(lambda: register_view("GoNogo", removed))
    env = registry.make("GoNogo-v0", timing="human")
    env.reset(seed=0)
    task = env.unwrapped
    view = make_view(env, "natural", GEO)
    assert view.kind == "generic" == drawn_view_kind(env, "natural")
    texts, patches = set(), 0
    for k in range(task.n_steps):
        scene = view.scene(StepState(ob=task.ob[k], trial=dict(task.trial), period=task.period_at(k), t_ms=k * task.dt))
        texts |= {i.text for i in scene.flat_items() if isinstance(i, Text)}
        patches += sum(type(i).__name__ == "Patch" and i.contrast > 0 for i in scene.flat_items())
    assert not any(DIGIT.search(t) for t in texts)
    assert patches > 0  # the go channel is drawn, as luminance
    clock = FakeClock()
    session = start_play(PlayOptions(task_id="GoNogo-v0", n_trials=2, seed=1, player="oracle"), NullDisplay(clock), sessions_root=tmp_path)
    run_frames(session.runner, clock, max_frames=100_000)
    session.close()
    assert json.loads((session.path / "manifest.json").read_text())["view"] == "generic" == session.view_kind


def test_the_template_task_has_a_natural_view_and_instructions():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "envs" / "template.py"
    spec = importlib.util.spec_from_file_location("envs_template_for_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    task = module.BrighterSide(timing="human")
    task.reset(seed=0)
    view = make_view(task, "natural", GEO)
    assert view.kind == "natural" and "Left arrow" in task_instructions(task)
    frames = {}
    for gt in (0, 1):
        task.new_trial(trial_seed=3, ground_truth=gt, difference=0.0)
        k = task.start_ind["stimulus"]
        frames[gt] = _canonical(view.scene(StepState(ob=task.ob[k], trial=dict(task.trial), period="stimulus", t_ms=k * task.dt)))
    assert frames[0] == frames[1] and any("Patch" in str(i) for i in frames[0])


#: tasks where WHEN to answer is the answer (the response window opens silently); in the
#: others the views may mark the start of the response period (people need a go signal)
TIMING_TASKS = ["ReadySetGo-v0", "MotorTiming-v0", "OneTwoThreeGo-v0", "Detection-v0"]


@pytest.mark.parametrize("task_id", TIMING_TASKS)
def test_nothing_on_screen_announces_the_moment_to_answer_that_the_inputs_do_not(task_id):
    """Where the correct answer starts while the observation stays the same, so does the frame.

    (A timing task whose response window opens silently must not be given away
    by a hint or a change of the drawing; moving dots are left out of the comparison.)
    """
    env = _make(task_id)
    env.reset(seed=4)
    task = env.unwrapped
    if not int(getattr(task, "n_steps", 0) or 0):
        pytest.fail(f"{task_id}: no steps to draw")
    keymap = build_keymap(env)
    gt = np.asarray(task.gt)
    fixate = np.asarray(keymap.fixate if keymap.fixate is not None else -1)
    view = make_view(env, "natural", GEO)
    states = _states(task)
    checked = 0
    for k in range(1, len(states)):
        starts = not np.array_equal(gt[k], fixate) and np.array_equal(gt[k - 1], fixate)
        if starts and np.array_equal(task.ob[k], task.ob[k - 1]):
            before, after = (
                [i for i in _canonical(view.scene(s)) if not isinstance(i, tuple) and not i.startswith("Tone")]
                for s in (states[k - 1], states[k])
            )
            assert before == after, f"{task_id}: the frame changes when the answer becomes due (step {k})"
            checked += 1
    if task_id != "Detection-v0":  # (Detection's window opens with the stimulus, which is drawn)
        assert checked == 1, f"{task_id}: expected one silent start of the response window, found {checked}"


def test_a_person_answers_a_ring_task_with_the_arrow_keys_and_sees_the_aim(tmp_path):
    """yang19.go played by key presses only: aim at the stimulus with the arrows, press Space."""
    import math

    from neurogym_app.input.events import KeyEvent
    from neurogym_app.runtime.runner import FlowSettings, Runner
    from neurogym_app.runtime.scenes import StimulusScenes
    from neurogym_app.stimuli.scene import Dot

    env = registry.make("yang19.go-v0", timing="human")
    keymap = build_keymap(env)
    clock = FakeClock()

    class Keys(NullDisplay):
        def __init__(self):
            super().__init__(clock)
            self.queue, self.last = [], None

        def poll(self):
            out = [e for e in self.queue if e.t <= clock.now()]
            self.queue = [e for e in self.queue if e.t > clock.now()]
            return out

        def present(self, scene):
            self.last = scene
            return super().present(scene)

    display = Keys()
    scenes = StimulusScenes(env, keymap, "natural")
    rows = []
    runner = Runner(env, keymap, display, scenes=scenes, n_trials=1, seed=11, flow=FlowSettings(feedback=False, iti_ms=0),
                    on_trial=rows.append)
    runner.tick(0.0)
    task = env.unwrapped
    target = int(task.trial["ground_truth"])  # the stimulus' place on the ring, 0-15 (action target + 1)
    decision = task.start_ind["decision"] * task.dt / 1000.0
    presses = ["right"] + ["left"] * target
    display.queue = [KeyEvent(k, decision + 0.05 + 0.02 * i) for i, k in enumerate(presses)]
    display.queue.append(KeyEvent("space", decision + 0.05 + 0.02 * len(presses) + 0.1))
    marks = []
    while runner.tick(clock.now()) and clock.now() < 30:
        scene = display.last
        if scene is not None and keymap.aim.angle is not None:
            marks += [i for i in scene.items if isinstance(i, Dot) and i.color == (255, 220, 60)]
        clock.advance(1 / 60)
    assert rows and rows[0]["correct"] == 1, {k: rows[0][k] for k in ("choice", "gt", "ground_truth", "outcome", "rt_ms")}
    assert marks  # the yellow aim mark was drawn on the ring
    angle = math.atan2(marks[-1].y, marks[-1].x) % (2 * math.pi)
    assert angle == pytest.approx(2 * math.pi * target / 16, abs=1e-6)
