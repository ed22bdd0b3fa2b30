"""Experiment files: validation, plan (orders, trial lists, seeds), headless runs, staircase, abort."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import pytest

from neurogym_app.cli.main import main
from neurogym_app.config import ConfigError
from neurogym_app.config.experiment import StaircaseConfig, load_experiment
from neurogym_app.experiment.run import build_design, load_resume, run_experiment
from neurogym_app.experiment.screens import (
    ParticipantError,
    balanced_latin_square,
    participant_number,
    validate_participant,
)
from neurogym_app.experiment.staircases import Staircase
from neurogym_app.input.events import KeyEvent
from neurogym_app.record.reader import open_session
from neurogym_app.runtime.clock import FakeClock
from neurogym_app.runtime.markers import RecordingSink
from neurogym_app.runtime.null_display import NullDisplay

ROOT = Path(__file__).resolve().parents[1]
PILOT = ROOT / "envs" / "pilot_example.toml"


def run_pilot(tmp_path, pid, **kw):
    clock = FakeClock()
    return run_experiment(PILOT, NullDisplay(clock), clock, participant=validate_participant(pid, 1), out=tmp_path,
                          auto="psychometric", **kw)


def small(tmp_path, text: str) -> Path:
    path = tmp_path / "exp.toml"
    path.write_text(text)
    return path


# ------------------------------------------------------------------ the pilot
@pytest.fixture(scope="module")
def pilot_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("pilot")
    return {pid: run_pilot(out, pid, markers=RecordingSink()) for pid in ("P01", "P02")}


def test_pilot_runs_for_two_participants_with_counterbalanced_orders(pilot_runs):
    names = {pid: [b.name for b in r.design.plan] for pid, r in pilot_runs.items()}
    assert names["P01"] == ["rdm practice", "rdm 1/2", "rdm 2/2", "gonogo practice", "gonogo 1/2", "gonogo 2/2"]
    assert names["P02"] == ["gonogo practice", "gonogo 1/2", "gonogo 2/2", "rdm practice", "rdm 1/2", "rdm 2/2"]
    for pid, res in pilot_runs.items():
        m = json.loads((res.path / "experiment.json").read_text())
        assert m["status"] == "completed" and m["block_order"]["latin_square_row"] == participant_number(pid) - 1
        assert m["display"]["measured_refresh_hz"] == pytest.approx(60.0) and m["display"]["dropped_frames"] == 0


def test_every_planned_trial_is_recorded_once(pilot_runs):
    for res in pilot_runs.values():
        design = res.design
        planned = [(b.position, j) for b in design.plan for j in range(b.n_trials)]
        assert len(res.rows) == design.n_trials == 6 + 2 * 30 + 4 + 2 * 20
        got = [(r["exp_block_position"], r["exp_trial_in_block"]) for r in res.rows]
        assert sorted(got) == sorted(planned) and [r["exp_trial"] for r in res.rows] == list(range(design.n_trials))
        # the per-task session records hold the same trials, each block under its number (practice: 0)
        total = 0
        for key, path in res.sessions.items():
            with open_session(path) as reader:
                rows = reader.rows()
            total += len(rows)
            blocks = {b.number for b in design.plan if b.task == key}
            assert {r["block"] for r in rows} == blocks and 0 in blocks
            assert [r["trial"] for r in rows] == list(range(len(rows)))
        assert total == len(res.rows)
        with open(res.path / "trials.csv", newline="") as f:
            assert len(list(csv.DictReader(f))) == len(res.rows)


def test_staircase_converges_toward_the_simulated_threshold(pilot_runs):
    # psychometric observer: P(correct) = 0.5 + 0.48 * logistic((coh - 15) / 4); a 1-up/3-down
    # staircase targets 79.4 % correct, i.e. coh = 15 + 4 * ln(0.6125 / 0.3875) = 16.8
    target = 15 + 4 * np.log(0.6125 / 0.3875)
    for res in pilot_runs.values():
        rdm = [r for r in res.rows if r["task"] == "PerceptualDecisionMaking-v0" and not r["practice"]]
        assert len(rdm) == 60
        assert all(r["coh"] == r["adaptive_intensity"] for r in rdm)  # the staircase drives the trial variable
        assert rdm[0]["coh"] == 50.0 and rdm[-1]["adaptive_reversals"] >= 6
        estimate = rdm[-1]["adaptive_estimate"]
        assert abs(estimate - target) < 6.0, estimate
        assert np.mean([r["coh"] for r in rdm[-20:]]) < 30  # far below the start of 50
        states = [(r["adaptive_trial"], r["adaptive_step"]) for r in rdm]
        assert [s[0] for s in states] == list(range(1, 61))  # state recorded on every trial


def test_practice_has_feedback_its_trial_list_and_block_zero(pilot_runs):
    res = pilot_runs["P01"]
    practice = [r for r in res.rows if r["practice"]]
    assert {r["block"] for r in practice} == {0}
    rdm_practice = [r for r in practice if r["task"] == "PerceptualDecisionMaking-v0"]
    assert len(rdm_practice) == 6 and {r["coh"] for r in rdm_practice} == {51.2}
    assert sorted(r["ground_truth"] for r in rdm_practice) == [0, 0, 0, 1, 1, 1]  # factors: 2 x 1, shuffled, cycled
    assert all(r["adaptive_intensity"] is None for r in rdm_practice)


def test_explicit_trial_list_is_shuffled_per_cycle(pilot_runs):
    res = pilot_runs["P01"]
    gng = [r for r in res.rows if r["task"] == "GoNogo-v0" and not r["practice"]]
    for block in (3, 4):
        rows = [r for r in gng if r["block"] == block]
        assert len(rows) == 20 and sum(r["ground_truth"] for r in rows) == 15  # 75 % go, exactly
        conds = [r["exp_condition"] for r in rows]
        for k in range(0, 20, 4):
            assert sorted(conds[k : k + 4]) == [0, 1, 2, 3]


def test_seeds_depend_on_participant_and_session_and_reproduce(tmp_path):
    cfg = load_experiment(PILOT)
    a = build_design(cfg, validate_participant("P01", 1), source=str(PILOT))
    b = build_design(cfg, validate_participant("P01", 1), source=str(PILOT))
    c = build_design(cfg, validate_participant("P01", 2), source=str(PILOT))
    d = build_design(cfg, validate_participant("P03", 1), source=str(PILOT))
    seeds = lambda x: [bl.trial_vars(x.root, j)[0]["trial_seed"] for bl in x.plan for j in range(bl.n_trials)]  # noqa: E731
    assert seeds(a) == seeds(b)
    assert not set(seeds(a)) & set(seeds(c)) and not set(seeds(a)) & set(seeds(d))
    assert [bl.sequence for bl in a.plan] == [bl.sequence for bl in b.plan]


def test_markers_at_onsets_and_responses(pilot_runs):
    res = pilot_runs["P01"]
    # the RecordingSink was handed in; find it through the experiment manifest counts
    m = json.loads((res.path / "experiment.json").read_text())
    assert m["markers"]["kind"] == "recording" and m["markers"]["sent"] > 5 * len(res.rows)


def test_markers_sequence_of_a_trial(tmp_path):
    sink = RecordingSink()
    path = small(tmp_path, """
[tasks.gng]
id = "GoNogo-v0"
trials = 3
feedback = true
conditions = [{ground_truth = 1}]
""")
    clock = FakeClock()
    run_experiment(path, NullDisplay(clock), clock, participant=validate_participant("X1"), out=tmp_path / "o",
                   auto="oracle", markers=sink)
    labels = sink.labels()
    assert labels[:2] == ["experiment_start", "onset:screen:welcome"]
    first = labels.index("onset:trial")
    assert labels[first : first + 7] == ["onset:trial", "onset:fixation", "onset:stimulus", "onset:delay",
                                          "onset:decision", "response:go", "onset:feedback"]
    assert labels.count("response:go") == 3 and "block_start" in labels and labels[-3:] == ["block_end", "experiment_end", "onset:screen:end"]
    responses = [m for m in sink.markers if m.kind == "response"]
    assert all(m.block == 1 and m.trial is not None for m in responses)


# ------------------------------------------------------------------ orders
def test_balanced_latin_square():
    for n in (2, 3, 4, 5, 6):
        sq = balanced_latin_square(n)
        assert len(sq) == (n if n % 2 == 0 else 2 * n)
        for row in sq:
            assert sorted(row) == list(range(n))
        for col in range(n):  # every item in every position equally often
            counts = np.bincount([row[col] for row in sq], minlength=n)
            assert len(set(counts)) == 1
        pairs = np.zeros((n, n), int)  # first-order carry-over balanced
        for row in sq:
            for a, b in zip(row, row[1:]):
                pairs[a, b] += 1
        off = pairs[~np.eye(n, dtype=bool)]
        assert len(set(off)) == 1


EXP3 = """
block_order = "{order}"
seed = 5
[tasks.a]
id = "GoNogo-v0"
trials = 2
[tasks.b]
id = "GoNogo-v0"
trials = 2
[tasks.c]
id = "GoNogo-v0"
trials = 2
[[blocks]]
task = "a"
[[blocks]]
task = "b"
[[blocks]]
task = "c"
"""


def test_block_orders_fixed_randomized_counterbalanced(tmp_path):
    orders = {}
    for mode in ("fixed", "randomized", "counterbalanced"):
        cfg = load_experiment(small(tmp_path, EXP3.format(order=mode)))
        orders[mode] = {p: build_design(cfg, validate_participant(p)).order for p in [f"S{i}" for i in range(1, 7)]}
    assert all(o == [0, 1, 2] for o in orders["fixed"].values())
    assert orders["counterbalanced"]["S1"] == [0, 1, 2] and orders["counterbalanced"]["S2"] == [1, 2, 0]
    assert len({tuple(o) for o in orders["counterbalanced"].values()}) == 6  # 3 items: 2n rows, all orders here
    assert len({tuple(o) for o in orders["randomized"].values()}) > 1
    cfg = load_experiment(small(tmp_path, EXP3.format(order="randomized")))
    assert build_design(cfg, validate_participant("S1")).order == orders["randomized"]["S1"]  # reproducible


# ------------------------------------------------------------------ errors
BAD = [
    ('[tasks.a]\nid = "NoSuchTask-v0"\n', r"tasks\.a\.id: .*NoSuchTask-v0"),
    ('[tasks.a]\nid = "GoNogo-v0"\ntrails = 3\n', r"unknown field 'tasks\.a\.trails'"),
    ('[tasks.a]\nid = "GoNogo-v0"\ntrials = -1\n', r"tasks\.a\.trials: Input should be greater than 0"),
    ('[tasks.a]\nid = "GoNogo-v0"\n[[blocks]]\ntask = "b"\n', r"blocks\[0\]\.task: no task 'b' in \[tasks\]"),
    ('block_order = "latin"\n[tasks.a]\nid = "GoNogo-v0"\n', r"block_order: Input should be"),
    ('[tasks.a]\nid = "GoNogo-v0"\nconditions = [{ground_truht = 1}]\n', r"tasks\.a\.conditions\[0\]: unknown trial variable 'ground_truht'"),
    ('[tasks.a]\nid = "GoNogo-v0"\nconditions = [{ground_truth = 7}]\n',
     r"tasks\.a\.conditions\[0\]: .*correct answer 7, which is not one of GoNogo-v0's actions \(0-1\)"),
    ('[tasks.a]\nid = "PerceptualDecisionMaking-v0"\nparams = {cohs = [500]}\n', r"tasks\.a\.params\.cohs: .*cohs"),
    ('[tasks.a]\nid = "PerceptualDecisionMaking-v0"\n[tasks.a.adaptive]\nmethod = "staircase"\nvariable = "cohh"\nstart = 5\nsteps = 1\n',
     r"tasks\.a\.adaptive\.variable: unknown trial variable 'cohh'"),
    ('[tasks.a]\nid = "PerceptualDecisionMaking-v0"\n[tasks.a.adaptive]\nmethod = "staircase"\nvariable = "coh"\nstart = 5\nsteps = 1\ndown = 0\n',
     r"tasks\.a\.adaptive\.down: Input should be greater than 0"),
    ('[tasks.a]\nid = "GoNogo-v0"\ninstructions_file = "missing.txt"\n', r"tasks\.a\.instructions_file: .*not found"),
    ('[tasks.a]\nid = "GoNogo-v0"\nkeys = {jump = "x"}\n', r"tasks\.a\.keys: .*unknown action 'jump'"),
    ('[tasks.a]\nid = "GoNogo-v0"\ntiming = {stimulus = -3}\n', r"tasks\.a\.timing: .*negative"),
    ("tasks = 3\n", r"tasks: "),
    # limits (neurogym_app/config/limits.py): trial counts and the time step of a played session
    ('[tasks.a]\nid = "GoNogo-v0"\ntrials = 1000000000000\n',
     r"tasks\.a\.trials: 1000000000000 is too many: use 1 to 1000000 \(split long runs into sessions\)$"),
    ('[tasks.a]\nid = "GoNogo-v0"\ntrials = 0\n', r"tasks\.a\.trials: Input should be greater than 0"),
    ('[tasks.a]\nid = "GoNogo-v0"\n[[blocks]]\ntask = "a"\ntrials = 1000001\n',
     r"blocks\[0\]\.trials: 1000001 is too many: use 1 to 1000000 \(split long runs into sessions\)$"),
    ('[tasks.a]\nid = "GoNogo-v0"\n[tasks.a.practice]\ntrials = 1000000000000\n',
     r"tasks\.a\.practice\.trials: 1000000000000 is too many: use 1 to 1000000"),
    ('[tasks.a]\nid = "GoNogo-v0"\n[[blocks]]\ntask = "a"\nrepeat = 1000000000000\n',
     r"blocks\[0\]\.repeat: Input should be less than or equal to 1000000"),
    ('[tasks.a]\nid = "GoNogo-v0"\ntrials = 1000\n[[blocks]]\ntask = "a"\nrepeat = 5000\n',
     r"exp\.toml: blocks: the run plans 5000000 trials in all \(blocks x repeat, plus practice\), too many: "
     r"use 1 to 1000000 \(split long runs into sessions\)$"),
    ('[tasks.a]\nid = "GoNogo-v0"\ntrials = 600000\n[tasks.b]\nid = "GoNogo-v0"\ntrials = 600000\n',
     r"exp\.toml: tasks: the run plans 1200000 trials in all"),
    ('[tasks.a]\nid = "GoNogo-v0"\ndt = 100000\n',
     r"tasks\.a\.dt: 100000 ms is too long a time step for a session: use a dt of at most 1000 ms "
     r"\(dt is in milliseconds, e\.g\. dt = 100\)$"),
    ('[tasks.a]\nid = "GoNogo-v0"\nparams = {dt = 100000}\n',
     r"tasks\.a\.params: dt = 100000 ms is too long a time step for a session: use a dt of at most 1000 ms"),
    ('[tasks.a]\nid = "GoNogo-v0"\ntiming = {fixation = 500}\nparams = {dt = 1000.5}\n',
     r"tasks\.a\.params: dt = 1000\.5 ms is too long a time step"),
    ("[tasks.a\n", r"exp\.toml:1:\d+: malformed TOML"),
]


@pytest.mark.parametrize("text,pattern", BAD)
def test_bad_experiment_files_give_one_line_errors(tmp_path, text, pattern):
    path = small(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        cfg = load_experiment(path)
        build_design(cfg, validate_participant("P1"), source=str(path))
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path)), message
    assert re.search(pattern, message), message


def test_cli_reports_a_bad_file_in_one_line(tmp_path, capsys):
    from neurogym_app.cli.main import main

    path = small(tmp_path, '[tasks.a]\nid = "GoNogo-v0"\ntrails = 3\n')
    assert main(["play", str(path), "--auto", "oracle", "--backend", "null", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "trails" in err and str(path) in err


def test_limits_are_inclusive(tmp_path):
    """Exactly MAX_TRIALS planned trials and a 1000 ms time step are fine; one more trial is not."""
    from neurogym_app.config.limits import MAX_SESSION_DT_MS, MAX_TRIALS
    from neurogym_app.experiment.run import planned_trials

    cfg = load_experiment(small(tmp_path, f'[tasks.a]\nid = "GoNogo-v0"\ndt = {MAX_SESSION_DT_MS}\ntrials = 1000\n'
                                          f'[[blocks]]\ntask = "a"\nrepeat = {MAX_TRIALS // 1000}\n'))
    design = build_design(cfg, validate_participant("P1"))
    assert planned_trials(cfg) == design.n_trials == MAX_TRIALS
    assert design.tasks["a"].env.unwrapped.dt == MAX_SESSION_DT_MS
    cfg = load_experiment(small(tmp_path, '[tasks.a]\nid = "GoNogo-v0"\ntrials = 1000\n[tasks.a.practice]\ntrials = 1\n'
                                          f'[[blocks]]\ntask = "a"\nrepeat = {MAX_TRIALS // 1000}\n'))
    with pytest.raises(ConfigError, match=r"the run plans 1000001 trials in all"):
        build_design(cfg, validate_participant("P1"), source="exp.toml")


@pytest.mark.parametrize(
    "text, expected",
    [
        ('[tasks.a]\nid = "GoNogo-v0"\ntrials = 1000000000000\n',
         "{path}: tasks.a.trials: 1000000000000 is too many: use 1 to 1000000 (split long runs into sessions)"),
        ('[tasks.a]\nid = "GoNogo-v0"\ntrials = 1000\n[[blocks]]\ntask = "a"\nrepeat = 5000\n',
         "{path}: blocks: the run plans 5000000 trials in all (blocks x repeat, plus practice), too many: "
         "use 1 to 1000000 (split long runs into sessions)"),
        ('[tasks.a]\nid = "GoNogo-v0"\ndt = 100000\n',
         "{path}: tasks.a.dt: 100000 ms is too long a time step for a session: use a dt of at most 1000 ms "
         "(dt is in milliseconds, e.g. dt = 100)"),
        ('[tasks.a]\nid = "GoNogo-v0"\nparams = { dt = 100000 }\n',
         "{path}: tasks.a.params: dt = 100000 ms is too long a time step for a session: use a dt of at most 1000 ms "
         "(dt is in milliseconds, e.g. dt = 100)"),
    ],
)
def test_cli_reports_limits_of_an_experiment_file_in_one_line(tmp_path, capsys, text, expected):
    from neurogym_app.cli.main import main

    path = small(tmp_path, text)
    out = tmp_path / "out"
    code = main(["play", str(path), "--auto", "oracle", "--headless", "--backend", "null", "--participant", "P1",
                 "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err == f"neurogym-app: error: {expected.format(path=path)}\n"
    assert captured.out == ""
    assert not out.exists()


# ------------------------------------------------------------------ participant
def test_participant_validation():
    from neurogym_app.config.experiment import ParticipantField

    fields = [ParticipantField(name="age", type="int", min=18, max=99, required=True),
              ParticipantField(name="hand", type="choice", choices=["left", "right"])]
    info = validate_participant("  P 07 ", "2", {"age": "31", "hand": "left"}, fields)
    assert info.id == "P_07" and info.session == 2 and info.number == 7 and info.fields == {"age": 31, "hand": "left"}
    for args, match in [
        (("../x", 1, {"age": "20"}), "participant id"),
        (("P1", 0, {"age": "20"}), "session must be 1 or more"),
        (("P1", 1, {}), "Age: required"),
        (("P1", 1, {"age": "12"}), "at least 18"),
        (("P1", 1, {"age": "x"}), "whole number"),
        (("P1", 1, {"age": "20", "hand": "both"}), "choose one of left, right"),
        (("P1", 1, {"age": "20", "shoe": "4"}), "unknown participant field"),
    ]:
        with pytest.raises(ParticipantError, match=match) as e:
            validate_participant(*args, fields)
        assert "\n" not in str(e.value)


# ------------------------------------------------------------------ staircase unit
def test_staircase_rules():
    sc = Staircase(StaircaseConfig(method="staircase", variable="coh", start=10, up=1, down=2, steps=[4, 2], min=1, max=12))
    seq = []
    for correct in [1, 1, 1, 1, 0, 1, 1, 0, 0]:
        seq.append(sc.next_intensity())
        sc.update(None, bool(correct))
    # as PsychoPy's StairHandler: the next step size applies from the reversing move itself
    assert seq == [10, 10, 6, 6, 2, 4, 4, 2, 4]
    assert sc.reversals == [2, 4, 2] and sc.next_intensity() == 6 and sc.step == 2
    log = Staircase(StaircaseConfig(method="staircase", variable="coh", start=10, steps=[6], step_type="db", easier="lower"))
    for _ in range(3):
        log.update(None, True)
    assert log.next_intensity() == pytest.approx(10 * 10 ** (6 / 20))


def test_quest_on_a_trial_variable(tmp_path):
    import questplus  # noqa: F401 - the `adaptive` extra, installed by the Makefile

    path = small(tmp_path, """
seed = 3
[tasks.rdm]
id = "PerceptualDecisionMaking-v0"
trials = 40
[tasks.rdm.adaptive]
method = "quest"
variable = "coh"
intensity_min = 0
intensity_max = 60
intensity_step = 1
slope = 2.0
[simulated]
threshold = 15
width = 4
""")
    clock = FakeClock()
    res = run_experiment(path, NullDisplay(clock), clock, participant=validate_participant("Q1"), out=tmp_path / "o",
                         auto="psychometric")
    rows = res.rows
    assert len(rows) == 40 and all(r["coh"] == r["adaptive_intensity"] for r in rows)
    assert rows[-1]["adaptive_method"] == "quest" and rows[-1]["adaptive_estimate_sd"] < rows[0]["adaptive_estimate_sd"]
    assert 8 < rows[-1]["adaptive_estimate"] < 30


def test_adaptive_task_parameter(tmp_path, capsys):
    path = small(tmp_path, """
[tasks.rdm]
id = "PerceptualDecisionMaking-v0"
trials = 5
[tasks.rdm.adaptive]
method = "staircase"
parameter = "sigma"
start = 0.5
steps = [0.1]
min = 0.05
easier = "lower"
""")
    clock = FakeClock()
    res = run_experiment(path, NullDisplay(clock), clock, participant=validate_participant("S1"), out=tmp_path / "o", auto="oracle")
    seen = [r["param_sigma"] for r in res.rows]  # the task's sigma each trial was drawn with
    assert [r["adaptive_intensity"] for r in res.rows] == pytest.approx(seen)
    assert seen[0] == 0.5 and seen[-1] > 0.5  # the oracle is always right: harder = more noise (lower is easier)
    # verify regenerates the session: the parameter is recorded per trial and set again before each trial
    folder = res.sessions["rdm"]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["trial_parameters"] == ["sigma"] and "param_sigma" in manifest["csv_columns"]
    assert main(["verify", str(res.path)]) == 0
    # without it the noise of every trial after the first is drawn with the starting sigma: a mismatch
    del manifest["trial_parameters"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    capsys.readouterr()
    assert main(["verify", str(folder)]) == 1
    assert "observation" in capsys.readouterr().out


# ------------------------------------------------------------------ escape -> confirm
class ScriptedDisplay(NullDisplay):
    """A null display whose poll() follows a script: escape after N trials, then an answer on the confirm screen."""

    def __init__(self, clock, escape_after: int, answer: str):
        super().__init__(clock)
        self.escape_after, self.answer = escape_after, answer
        self.run = None
        self.sent_escape = False
        self.sent_answer = False

    def poll(self):
        run = self.run
        now = self.clock.now()
        if run is None:
            return []
        if not self.sent_escape and len(run.rows) >= self.escape_after and run.current_block is not None:
            stage = run.stage
            if getattr(stage, "runner", None) is not None and stage.runner.current_trial is not None:
                self.sent_escape = True
                return [KeyEvent("escape", now)]
        if run.confirm is not None and run.confirm.onset is not None and not self.sent_answer and now - run.confirm.onset > 1.0:
            self.sent_answer = True
            return [KeyEvent(self.answer, now)]
        return []


GNG = """
[tasks.gng]
id = "GoNogo-v0"
trials = 8
conditions = [{ground_truth = 1}, {ground_truth = 0}]
"""


@pytest.mark.parametrize("answer", ["y", "n"])
def test_escape_asks_and_keeps_every_committed_trial(tmp_path, answer):
    path = small(tmp_path, GNG)
    clock = FakeClock()
    display = ScriptedDisplay(clock, escape_after=3, answer=answer)
    sink = RecordingSink()
    res = run_experiment(path, display, clock, participant=validate_participant("E1"), out=tmp_path / "o", auto="oracle",
                         markers=sink, on_start=lambda run: setattr(display, "run", run))
    m = json.loads((res.path / "experiment.json").read_text())
    with open_session(res.sessions["gng"]) as reader:
        recorded = reader.rows()
    if answer == "y":
        assert res.status == "aborted" and m["status"] == "aborted" and "abort" in sink.labels()
        assert len(res.rows) == len(recorded) == 3  # the interrupted 4th trial is dropped, the 3 committed ones kept
        assert json.loads((Path(res.sessions["gng"]) / "manifest.json").read_text())["status"] == "aborted"
        state = load_resume(res.path)  # an aborted session can be resumed too
        assert state.done == {0: 3}
    else:
        assert res.status == "completed" and len(res.rows) == 8
        assert [r["exp_trial_in_block"] for r in recorded] == list(range(8))  # the interrupted trial re-run once
        assert [r["trial_seed"] for r in recorded] == [r["trial_seed"] for r in res.rows]
    assert "onset:confirm_abort" in sink.labels() and "onset:screen:confirm_abort" in sink.labels()
