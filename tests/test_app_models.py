"""The desktop app's pure models: trial table metrics, catalog, inspection, replay cursor, play setup."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from _synthetic import write_synthetic_session

from neurogym_app.analysis.catalog import scan_sessions, session_info
from neurogym_app.analysis.comparison import CompareModel
from neurogym_app.analysis.statistics import fit_logistic, mean_interval, wilson_interval
from neurogym_app.analysis.trial_table import TimelineModel, TrialTable, sort_conditions
from neurogym_app.config import Config
from neurogym_app.core.timing import TimingError
from neurogym_app.runtime.clock import FakeClock
from neurogym_app.runtime.inspection import (
    experiment_toml,
    parse_form,
    sample_trials,
    spec_form,
    task_timing,
    write_experiment,
)
from neurogym_app.runtime.null_display import NullDisplay
from neurogym_app.runtime.play_setup import DeferredScene, start_play
from neurogym_app.runtime.playback import ReplayCursor, ReplayModel
from neurogym_app.runtime.run import PlayOptions

TASK = "PerceptualDecisionMaking-v0"


def _rows(correct, strength=None, rt=None, choice=None, gt=None, block=None):
    rows = []
    for i, c in enumerate(correct):
        row = {"trial": i, "correct": c, "outcome": "correct" if c else "wrong", "ground_truth": i % 2, "coh": 6.4}
        if strength is not None:
            row["signed_strength"] = strength[i]
        if rt is not None:
            row["rt_ms"] = rt[i]
        if choice is not None:
            row["choice"] = choice[i]
        if gt is not None:
            row["gt"] = gt[i]
        if block is not None:
            row["block"] = block[i]
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- statistics
def test_running_accuracy_matches_a_loop():
    rng = np.random.default_rng(0)
    c = rng.integers(0, 2, 57).astype(float)
    c[[3, 20]] = np.nan
    table = TrialTable.from_rows([{"correct": None if np.isnan(v) else int(v)} for v in c])
    got = table.running_accuracy(10)
    for i in range(c.size):
        window = c[max(0, i - 9) : i + 1]
        assert got[i] == pytest.approx(np.nanmean(window))


def test_mean_interval_uses_the_t_quantile():
    v = np.array([400.0, 500.0, 600.0])
    mean, lo, hi = mean_interval(np.array([v.sum()]), np.array([(v * v).sum()]), np.array([3.0]))
    se = np.std(v, ddof=1) / np.sqrt(3)
    assert mean[0] == 500.0 and hi[0] - mean[0] == pytest.approx(4.303 * se, rel=1e-4)
    one = mean_interval(np.array([450.0]), np.array([450.0**2]), np.array([1.0]))
    assert one[1][0] == one[2][0] == 450.0  # one trial: a point, no spread known


def test_wilson_interval_known_values():
    lo, hi = wilson_interval(np.array([5.0, 0.0]), np.array([10.0, 0.0]))
    assert lo[0] == pytest.approx(0.2366, abs=1e-4)
    assert hi[0] == pytest.approx(0.7634, abs=1e-4)
    assert math.isnan(lo[1]) and math.isnan(hi[1])


def test_fit_logistic_recovers_parameters():
    x = np.linspace(-50, 50, 11)
    p = 1 / (1 + np.exp(-(0.5 + 0.1 * x)))
    n = np.full_like(x, 10_000.0)
    bias, slope = fit_logistic(x, p * n, n)
    assert bias == pytest.approx(0.5, abs=0.02)
    assert slope == pytest.approx(0.1, abs=0.002)


def test_fit_logistic_separable_data_stays_finite():
    params = fit_logistic(np.array([-1.0, 1.0]), np.array([0.0, 5.0]), np.array([5.0, 5.0]))
    assert params is not None and all(np.isfinite(params))


# --------------------------------------------------------------------------- trial table
def test_table_accuracy_blocks_and_rt():
    table = TrialTable.from_rows(_rows([1, 0, 1, 1, 0, 1], rt=[300, None, 500, 700, 400, 600], block=[1, 1, 1, 2, 2, 2]))
    assert len(table) == 6
    assert table.accuracy() == pytest.approx(4 / 6)
    b = table.block_accuracy()
    assert b.blocks.tolist() == [1, 2]
    assert b.accuracy.tolist() == pytest.approx([2 / 3, 2 / 3])
    assert b.start.tolist() == [0, 3] and b.end.tolist() == [3, 6]
    edges, counts = table.rt_histogram(bins=5, range_ms=(0, 1000))
    assert counts.tolist() == [0, 1, 2, 2, 0]
    assert edges[0] == 0 and edges[-1] == 1000


def test_psychometric_uses_signed_strength_and_positive_action():
    strength = [-10, -10, 10, 10, 0, 0]
    gt = [2, 2, 1, 1, 1, 2]
    choice = [2, 1, 1, 1, 1, None]  # action 1 is the side of positive strengths
    table = TrialTable.from_rows(_rows([1, 0, 1, 1, 1, 0], strength=strength, gt=gt, choice=choice))
    assert table.positive_action() == 1.0
    curve = table.psychometric(fit=False)
    assert curve.x.tolist() == [-10, 0, 10]
    assert curve.y.tolist() == pytest.approx([0.5, 1.0, 1.0])
    assert curve.n.tolist() == [2, 1, 2]  # the trial without a choice is left out
    assert np.all(curve.lo <= curve.y) and np.all(curve.y <= curve.hi)


def test_psychometric_without_signed_strength_is_accuracy_vs_strength():
    rows = [{"correct": c, "coh": s} for c, s in [(1, 50), (1, 50), (0, 5), (1, 5)]]
    table = TrialTable.from_rows(rows, strength_var="coh")
    curve = table.psychometric(fit=False)
    assert curve.ylabel == "accuracy"
    assert curve.x.tolist() == [5, 50] and curve.y.tolist() == [0.5, 1.0]


def test_chronometric_means_and_interval():
    table = TrialTable.from_rows(_rows([1, 1, 1, 1], strength=[-10, 10, 20, -20], rt=[400, 600, 300, 300]))
    curve = table.chronometric()
    assert curve.x.tolist() == [10, 20]
    assert curve.y.tolist() == pytest.approx([500, 300])
    se = np.std([400, 600], ddof=1) / np.sqrt(2)
    assert curve.hi[0] - curve.y[0] == pytest.approx(12.706 * se, rel=1e-5)  # t(0.975, 1): two trials
    assert curve.hi[1] == curve.lo[1] == 300  # no spread


def test_condition_accuracy_and_natural_order():
    rows = [{"correct": c, "ground_truth": g, "coh": s} for c, g, s in [(1, 0, 12.8), (0, 0, 12.8), (1, 1, 6.4), (1, 0, 6.4)]]
    table = TrialTable.from_rows(rows, condition_vars=("ground_truth", "coh"))
    labels, curve = table.condition_accuracy()
    assert labels == ["ground_truth=0, coh=12.8", "ground_truth=1, coh=6.4", "ground_truth=0, coh=6.4"]
    assert curve.y.tolist() == [0.5, 1.0, 1.0]
    assert sort_conditions(labels) == ["ground_truth=0, coh=6.4", "ground_truth=0, coh=12.8", "ground_truth=1, coh=6.4"]


def test_table_grows_notifies_and_pools():
    table = TrialTable(capacity=16)
    seen = []
    table.subscribe(lambda t: seen.append(len(t)))
    for i in range(100):
        table.append({"correct": i % 2, "signed_strength": float(i % 5 - 2), "gt": 1 if i % 5 > 2 else 2, "choice": 1})
    assert len(table) == 100 and seen[-1] == 100 and len(seen) == 100
    other = TrialTable.from_rows([{"correct": 1}] * 10)
    pooled = TrialTable.pooled([table, other])
    assert len(pooled) == 110
    assert pooled.accuracy() == pytest.approx((50 + 10) / 110)


def test_metrics_of_10000_trials_are_vectorised():
    rng = np.random.default_rng(1)
    rows = [
        {"correct": int(rng.random() < 0.8), "rt_ms": float(rng.normal(450, 80)), "signed_strength": float(rng.choice([-20, -5, 0, 5, 20])), "gt": 1, "choice": 1}
        for _ in range(10_000)
    ]
    table = TrialTable.from_rows(rows)
    assert table.running_accuracy(50).shape == (10_000,)
    assert table.psychometric().x.size == 5
    assert table.rt_histogram()[1].sum() == pytest.approx(np.sum(np.array([r["rt_ms"] for r in rows]) < table.rt_histogram()[0][-1]))


# --------------------------------------------------------------------------- inspection
@pytest.mark.parametrize(
    "spec, form",
    [
        (500, ("constant", "500")),
        (("constant", 300), ("constant", "300")),
        (("uniform", (300, 700)), ("uniform", "300, 700")),
        (("choice", [100, 200]), ("choice", "100, 200")),
        ([100, 200, 300], ("choice", "100, 200, 300")),
        (("truncated_exponential", (600, 300, 3000)), ("truncated_exponential", "600, 300, 3000")),
        (("until", 2000), ("fixed", "until 2000 ms")),
    ],
)
def test_spec_form(spec, form):
    assert spec_form(spec) == form


def test_parse_form_round_trip_and_errors():
    assert parse_form("stimulus", "uniform", "300, 700") == ("uniform", (300.0, 700.0))
    assert parse_form("stimulus", "constant", "250") == 250.0
    assert parse_form("delay", "truncated_exponential", "600 300 3000") == ("truncated_exponential", (600.0, 300.0, 3000.0))
    with pytest.raises(TimingError, match="'stimulus'.*low, high"):
        parse_form("stimulus", "uniform", "300")
    with pytest.raises(TimingError, match="low 700 > high 300"):
        parse_form("stimulus", "uniform", "700, 300")
    with pytest.raises(TimingError, match="not a list of numbers"):
        parse_form("stimulus", "choice", "abc")


def test_sample_trials_periods_and_ground_truth_rewards():
    s = sample_trials(TASK, seed=3, n_trials=4, timing="human")
    assert len(s.trials) == 4
    assert s.ob.shape == (s.n_steps, 3)
    assert s.channels == ["fixation", "stimulus[0]", "stimulus[1]"]
    assert [p for p, _, _ in s.trials[0].periods] == ["fixation", "stimulus", "delay", "decision"]
    assert s.trials[0].periods[0] == ("fixation", 0.0, 500.0)
    assert all(t.correct for t in s.trials)  # the ground truth is always right
    assert s.reward.sum() == pytest.approx(4.0)
    assert sum(t.n_steps for t in s.trials) == s.n_steps
    again = sample_trials(TASK, seed=3, n_trials=4, timing="human")
    np.testing.assert_array_equal(s.ob, again.ob)  # same seed, same trials


def test_sample_trials_with_edited_timing():
    timing, dt, presets = task_timing(TASK, "human")
    assert presets == ["default", "human"] and dt == 100
    timing["stimulus"] = ("uniform", (300, 1500))
    s = sample_trials(TASK, seed=0, n_trials=8, timing=timing)
    durations = s.durations()["stimulus"]
    assert all(300 <= d <= 1500 for d in durations)
    assert len(set(durations)) > 1


def test_experiment_toml_loads_as_config(tmp_path):
    timing, dt, _ = task_timing(TASK, "human")
    timing["stimulus"] = ("uniform", (300.0, 700.0))
    text = experiment_toml(TASK, timing, dt=dt, n_trials=40, seed=7)
    assert text.startswith("# Experiment for PerceptualDecisionMaking-v0")
    path = write_experiment(tmp_path / "envs" / "pdm", TASK, timing, dt=dt, n_trials=40, seed=7)
    assert path.suffix == ".toml" and path.is_file()
    cfg = Config(path)
    assert cfg.env.name == TASK
    assert cfg.env.dt == 100
    assert cfg.env.timing["stimulus"] == ["uniform", [300, 700]]
    assert cfg.session.trials == 40 and cfg.session.seed == 7
    # the exported timing builds the task
    from neurogym_app.core import registry

    env = registry.make(TASK, **cfg.env.make_kwargs())
    name, args = env.unwrapped.timing["stimulus"]
    assert name == "uniform" and tuple(args) == (300, 700)


# --------------------------------------------------------------------------- play setup
def test_play_session_on_a_virtual_clock_feeds_live_models(tmp_path):
    clock = FakeClock()
    display = NullDisplay(clock)
    opts = PlayOptions(TASK, participant="p1", n_trials=6, seed=11, player="oracle", virtual_clock=True)
    seen = []
    session = start_play(opts, display, sessions_root=tmp_path, lazy_scenes=True, on_trial=seen.append)
    frames = 0
    while session.tick(clock.now()):
        clock.advance(1 / 60)
        frames += 1
    assert session.runner.status == "completed"
    assert len(session.table) == 6 and len(seen) == 6
    assert session.table.accuracy() == 1.0  # the oracle is always right
    assert len(session.timeline.trials) == 6
    last = session.timeline.trials[-1]
    assert last.choice is not None and last.outcome == "correct"
    assert set(last.periods) == {"fixation", "stimulus", "delay", "decision"}
    assert isinstance(display.last_scene, (DeferredScene, object))
    manifest = json.loads((session.path / "manifest.json").read_text())
    assert manifest["player"]["kind"] == "simulated" and manifest["status"] == "completed"
    assert manifest["seeds"]["env"] == 11 and manifest["clock"]["kind"] == "virtual"
    assert manifest["source"].startswith("neurogym-app desktop app")
    assert manifest["display"]["frames"] == session.runner.stats.frames


def test_play_session_same_seed_same_trials(tmp_path):
    rows = []
    for _ in range(2):
        clock = FakeClock()
        session = start_play(PlayOptions(TASK, n_trials=3, seed=5, player="lapse", record=False), NullDisplay(clock), sessions_root=None)
        while session.tick(clock.now()):
            clock.advance(1 / 60)
        rows.append([(r["ground_truth"], r["coh"], r["rt_ms"], r["choice"]) for r in session.runner.rows])
    assert rows[0] == rows[1]


def test_deferred_scene_builds_once():
    calls = []
    d = DeferredScene(lambda: calls.append(1) or "scene")
    assert d.resolve() == "scene" and d.resolve() == "scene" and calls == [1]


def test_timeline_keeps_the_last_trials():
    model = TimelineModel(keep=3)

    class Rec:
        def __init__(self, i):
            self.index = i
            self.arrays = {"step_start": np.array([i, i + 0.1]), "observation": np.zeros((2, 3))}
            self.events = []
            self.summary = {"outcome": "correct", "reward": 1.0, "trial_end_s": i + 0.2}

    for i in range(5):
        model.add_record(Rec(i), {"a": (0, 2)}, 0.1)
    assert [t.index for t in model.trials] == [2, 3, 4]
    assert model.trials[-1].t_end == 4.2


# --------------------------------------------------------------------------- sessions on disk
@pytest.fixture(scope="module")
def agent_session(tmp_path_factory):
    root = tmp_path_factory.mktemp("sessions")
    return write_synthetic_session(root, TASK, n_trials=12, seed=2, kwargs={"timing": "human"})


def test_catalog_lists_sessions_and_damaged_folders(agent_session, tmp_path):
    root = agent_session.parent.parent
    infos = scan_sessions(root)
    assert len(infos) == 1
    info = infos[0]
    assert info.task == TASK and info.kind == "agent" and info.n_trials == 12
    assert info.status == "completed" and 0 <= info.accuracy <= 1
    bad = tmp_path / "X" / "broken"
    bad.mkdir(parents=True)
    (bad / "manifest.json").write_text("{not json")
    broken = session_info(bad)
    assert broken.status == "damaged" and "manifest" in broken.error
    assert scan_sessions(tmp_path / "missing") == []


def test_replay_model_regenerates_periods_and_scenes(agent_session):
    model = ReplayModel(agent_session)
    assert model.n_trials == 12 and model.kind == "agent" and model.view_kind == "agent"
    trial = model.trial(0)
    assert trial.hidden is not None and trial.hidden.shape == (trial.n_steps, 16)
    assert trial.probs is not None and np.allclose(trial.probs.sum(axis=1), 1.0, atol=1e-5)
    a, b = trial.periods["fixation"]
    assert (a, b) == (0, 5)
    assert trial.period_of(0) == "fixation"
    scene = model.scene(trial, 6)
    assert scene is not None and len(scene.items) > 0
    assert model.action_names()[0] == "fixation"
    assert model.table.accuracy() == pytest.approx(np.mean([model.trial(i).row["correct"] for i in range(12)]))
    model.close()


def test_replay_cursor_steps_across_trials_and_plays():
    lengths = [3, 4, 2]
    cur = ReplayCursor(lambda i: lengths[i], len(lengths), step_s=0.1)
    cur.step_by(4)
    assert (cur.position, cur.step) == (1, 1)
    cur.step_by(-2)
    assert (cur.position, cur.step) == (0, 2)
    cur.trial_by(5)
    assert (cur.position, cur.step) == (2, 0)
    cur.seek(0, 0)
    cur.playing = True
    cur.speed = 2.0
    assert cur.advance(0.1)  # 0.2 s of replay: two steps
    assert (cur.position, cur.step) == (0, 2)
    cur.advance(10.0)
    assert cur.at_end and not cur.playing
    assert (cur.position, cur.step) == (2, 1)


def test_compare_model_pools_per_kind(agent_session, tmp_path):
    clock = FakeClock()
    sim = start_play(PlayOptions(TASK, participant="s1", n_trials=4, seed=1, player="oracle"), NullDisplay(clock), sessions_root=tmp_path)
    while sim.tick(clock.now()):
        clock.advance(1 / 60)
    model = CompareModel()
    events = []
    model.subscribe(lambda m: events.append(len(m.entries)))
    model.add(agent_session)
    model.add(sim.path)
    model.add(sim.path)  # twice: once
    assert events == [1, 2]
    groups = model.groups()
    assert list(groups) == ["agent", "simulated"]
    assert len(model.pooled("agent")) == 12 and len(model.pooled("simulated")) == 4
    assert model.tasks() == [TASK]
    model.set_enabled(sim.path, False)
    assert list(model.groups()) == ["agent"]


def test_continuous_strengths_are_binned_into_quantiles():
    rng = np.random.default_rng(3)
    s = rng.uniform(-30, 30, 2000)
    rows = [{"correct": 1, "signed_strength": float(v), "gt": 1 if v > 0 else 2, "choice": 1 if v > 0 else 2, "rt_ms": 300.0} for v in s]
    table = TrialTable.from_rows(rows)
    curve = table.psychometric()
    assert 2 <= curve.x.size <= 15
    assert np.all(np.diff(curve.x) > 0)
    assert curve.n.sum() == 2000
    assert curve.y[0] == 0.0 and curve.y[-1] == 1.0
    assert table.chronometric().n.sum() == 2000


def test_refits_start_from_the_last_fit():
    rows = _rows([1] * 40, strength=[(-1) ** i * (i % 5) * 5.0 for i in range(40)], gt=[1 if (-1) ** i * (i % 5) > 0 else 2 for i in range(40)], choice=[1 if (-1) ** i * (i % 5) > 0 else 2 for i in range(40)])
    table = TrialTable.from_rows(rows)
    first = table.psychometric()
    table.append(rows[1])
    second = table.psychometric()
    fresh = TrialTable.from_rows(rows + [rows[1]]).psychometric()
    np.testing.assert_allclose(second.fit_y, fresh.fit_y, atol=1e-6)
    assert first.fit_y is not None
