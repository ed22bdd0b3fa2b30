"""An experiment is a plan over ordinary sessions: its folder works with every session tool.

Two simulated participants run a small experiment headless (``play EXP --auto``);
then ``verify``, ``compare --json`` and ``export --format bids`` take each
experiment folder; onsets are on one clock (strictly increasing across blocks and
tasks); practice trials are a column and are left out of compare/export by default.
"""

from __future__ import annotations

import csv
import json
import textwrap
from pathlib import Path

import pytest

from neurogym_app.analysis.catalog import scan_sessions
from neurogym_app.analysis.comparison import CompareModel
from neurogym_app.cli.main import main
from neurogym_app.record import schema
from neurogym_app.record.reader import SessionFormatError, open_session, session_folders
from neurogym_app.runtime.playback import ReplayModel

EXPERIMENT = textwrap.dedent(
    """
    name = "mini"
    seed = 7
    block_order = "fixed"

    [flow]
    feedback_ms = 200
    practice_feedback_ms = 200
    iti_ms = 200
    ready_ms = 100

    [tasks.rdm]
    id = "PerceptualDecisionMaking-v0"
    timing = "human"
    trials = 5

    [tasks.rdm.practice]
    trials = 3

    [tasks.gonogo]
    id = "GoNogo-v0"
    timing = "human"
    trials = 4

    [[blocks]]
    task = "rdm"
    repeat = 2

    [[blocks]]
    task = "gonogo"

    [simulated]
    strategy = "psychometric"
    threshold = 15.0
    """
)
N_PRACTICE, N_MAIN = 3, 5 * 2 + 4


@pytest.fixture(scope="module")
def experiment_folders(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("exp")
    toml = root / "mini.toml"
    toml.write_text(EXPERIMENT, encoding="utf-8")
    out = root / "sessions"
    for pid in ("P01", "P02"):
        assert main(["play", str(toml), "--auto", "psychometric", "--headless", "--participant", pid, "--out", str(out)]) == 0
    folders = sorted((out / "mini").iterdir())
    assert [f.name.split("_")[0] for f in folders] == ["P01", "P02"]
    return folders


def _combined_rows(folder: Path) -> list[dict[str, str]]:
    with open(folder / schema.CSV_NAME, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_each_experiment_folder_verifies_compares_and_exports(experiment_folders, capsys):
    for folder in experiment_folders:
        capsys.readouterr()
        assert main(["verify", str(folder)]) == 0
        state, *lines = capsys.readouterr().out.strip().splitlines()
        assert state.startswith(f"experiment {folder.resolve()}: completed, ")  # the experiment's real state first
        assert len(lines) == 2 and all(": identical: " in line for line in lines)  # both task sessions regenerated

        assert main(["compare", str(folder), "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        per_task = {e["task"]: e["n_trials"] for e in data}
        assert per_task == {"PerceptualDecisionMaking-v0": 10, "GoNogo-v0": 4}  # practice left out

        out = folder.parent / f"bids-{folder.name}"
        assert main(["export", str(folder), "--format", "bids", "--out", str(out)]) == 0
        tsvs = sorted(out.rglob("*_events.tsv"))
        assert [p.name.split("_task-")[1] for p in tsvs] == ["GoNogoV0_run-1_events.tsv", "PerceptualDecisionMakingV0_run-1_events.tsv"]
        sub = folder.name.split("_")[0]
        assert all(p.name.startswith(f"sub-{sub}_ses-1_") for p in tsvs)
        rdm = [line.split("\t") for line in tsvs[1].read_text().splitlines()]
        trials = {int(r[rdm[0].index("trial")]) for r in rdm[1:]}
        assert trials == set(range(N_PRACTICE, N_PRACTICE + 10))  # the practice trials (0-2) are not exported


def test_practice_is_a_column_and_can_be_included(experiment_folders, capsys):
    folder = experiment_folders[0]
    rows = _combined_rows(folder)
    assert len(rows) == N_PRACTICE + N_MAIN
    assert [r["practice"] for r in rows] == ["1"] * N_PRACTICE + ["0"] * N_MAIN
    assert {r["block"] for r in rows[:N_PRACTICE]} == {"0"} and {r["block"] for r in rows[N_PRACTICE:]} == {"1", "2", "3"}
    capsys.readouterr()
    assert main(["compare", str(folder), "--json", "--include-practice"]) == 0
    per_task = {e["task"]: e["n_trials"] for e in json.loads(capsys.readouterr().out)}
    assert per_task == {"PerceptualDecisionMaking-v0": 13, "GoNogo-v0": 4}
    out = folder.parent / "with-practice"
    assert main(["export", str(folder), "--format", "bids", "--out", str(out), "--include-practice"]) == 0
    rdm = next(out.rglob("*PerceptualDecisionMaking*_events.tsv")).read_text().splitlines()
    col = rdm[0].split("\t").index("trial")
    assert {int(r.split("\t")[col]) for r in rdm[1:]} == set(range(13))


def test_onsets_strictly_increase_across_blocks_and_tasks(experiment_folders):
    for folder in experiment_folders:
        rows = _combined_rows(folder)
        onsets = [float(r["trial_onset_s"]) for r in rows]
        assert all(b > a for a, b in zip(onsets, onsets[1:])), onsets
        ends = [float(r["trial_end_s"]) for r in rows]
        assert all(e > o for o, e in zip(onsets, ends)) and all(o2 >= e1 for e1, o2 in zip(ends, onsets[1:]))
        # the task sessions hold the same times: one clock for the whole run
        by_task = {}
        for sub in session_folders(folder):
            with open_session(sub) as reader:
                by_task[reader.manifest["task"]["id"]] = [r["trial_onset_s"] for r in reader.rows()]
        assert sorted(t for ts in by_task.values() for t in ts) == pytest.approx(onsets, abs=1e-6)  # trials.csv: to the microsecond
        assert min(by_task["GoNogo-v0"]) > max(by_task["PerceptualDecisionMaking-v0"])  # gonogo runs last


def test_task_sessions_are_complete_and_listed_by_the_experiment_manifest(experiment_folders):
    folder = experiment_folders[1]
    manifest = json.loads((folder / schema.EXPERIMENT_MANIFEST).read_text())
    assert manifest["format_version"] == schema.EXPERIMENT_FORMAT_VERSION
    assert set(manifest["sessions"]) == {"rdm", "gonogo"}
    for sub in session_folders(folder):
        with open_session(sub) as reader:
            m = reader.manifest
            assert m["format_version"] == schema.FORMAT_VERSION and m["trial_source"] == "plan"
            assert isinstance(m["seeds"]["env"], int) and m["status"] == "completed"
            assert all(isinstance(r["trial_seed"], int) for r in reader.rows())
            assert reader.status == "completed" and reader.n_committed == len(reader.rows())


def test_app_models_take_an_experiment_folder(experiment_folders):
    folder = experiment_folders[0]
    model = CompareModel()
    model.add(folder)
    assert sorted((e.task, len(e.table)) for e in model.entries) == [("GoNogo-v0", 4), ("PerceptualDecisionMaking-v0", 10)]
    listed = [i for i in scan_sessions(folder.parent.parent) if folder in i.path.parents]  # the Sessions view
    assert sorted((i.task, i.n_trials, i.status) for i in listed) == [
        ("GoNogo-v0", 4, "completed"), ("PerceptualDecisionMaking-v0", N_PRACTICE + 10, "completed")]
    replay = ReplayModel(folder)
    try:
        assert len(replay.sessions) == 2 and replay.n_trials == N_PRACTICE + 10 and replay.env is not None
    finally:
        replay.close()


def test_a_folder_that_is_neither_gives_one_line(tmp_path):
    with pytest.raises(SessionFormatError, match="not a neurogym-app session folder"):
        session_folders(tmp_path)


def test_a_format_1_session_stays_readable_and_verifiable(capsys):
    shipped = next((Path(__file__).resolve().parents[1] / "assets" / "sessions").glob("*/*"))
    with open_session(shipped) as reader:
        assert reader.manifest["format_version"] == 1 < schema.FORMAT_VERSION
        assert reader.status == "completed" and len(reader.rows(include_practice=False)) == reader.n_committed == 40
    assert main(["verify", str(shipped)]) == 0
    assert ": identical: 40 trials" in capsys.readouterr().out
