"""`export --format bids`: a valid BIDS dataset (checked by the official validator), merged
over several sessions, participants and exports, never overwriting a file already there."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from neurogym_app.cli.main import main
from neurogym_app.record.bids import bids_label, export_bids
from neurogym_app.record.reader import open_session

VALIDATOR = shutil.which("bids-validator-deno") or str(Path(sys.executable).with_name("bids-validator-deno"))

EXPERIMENT = """
name = "mini"
seed = 5
[tasks.rdm]
id = "PerceptualDecisionMaking-v0"
trials = 6
[tasks.rdm.practice]
trials = 2
[tasks.gonogo]
id = "GoNogo-v0"
trials = 5
"""


def validate(dataset: Path) -> dict:
    """Run bids-validator-deno; return its issues by severity (it must run: no silent skip)."""
    assert Path(VALIDATOR).exists(), "bids-validator-deno is in the dev extra (pip install -e '.[dev]')"
    proc = subprocess.run([VALIDATOR, str(dataset), "--format", "json"], capture_output=True, text=True, timeout=300)
    report = json.loads(proc.stdout)
    issues = report["issues"]["issues"]
    return {
        "errors": [f"{i['code']} {i.get('location')} {i.get('subCode') or ''}" for i in issues if i["severity"] == "error"],
        "warnings": [i for i in issues if i["severity"] == "warning"],
    }


def assert_valid(dataset: Path) -> None:
    found = validate(dataset)
    assert found["errors"] == []
    undefined = [w.get("subCode") for w in found["warnings"] if w["code"] == "TSV_ADDITIONAL_COLUMNS_UNDEFINED"]
    assert undefined == []  # every column is described in its sidecar


def play(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "sessions"
    code = main(["play", *args, "--auto", "psychometric", "--headless", "--backend", "null", "--out", str(out)])
    assert code == 0
    return out


def newest(root: Path, pattern: str) -> Path:
    return sorted(root.glob(pattern), key=lambda p: p.stat().st_mtime)[-1]


def test_labels_hold_letters_and_digits_only():
    assert bids_label("P_01") == "P01"
    assert bids_label("yang19.dm1-v0") == "yang19Dm1V0"
    assert bids_label("PerceptualDecisionMaking-v0") == "PerceptualDecisionMakingV0"
    assert bids_label("Zoë 3") == "Zoe3"
    assert bids_label("__") == "x"


def test_single_session_is_a_valid_dataset(tmp_path, capsys):
    root = play(tmp_path, "PerceptualDecisionMaking-v0", "--trials", "6", "--participant", "P_01", "--seed", "3")
    folder = newest(root, "PerceptualDecisionMaking-v0/P_01_*")
    dataset = tmp_path / "bids"
    assert main(["export", str(folder), "--format", "bids", "--out", str(dataset)]) == 0
    beh = dataset / "sub-P01" / "ses-1" / "beh"
    stem = "sub-P01_ses-1_task-PerceptualDecisionMakingV0_run-1"
    for suffix in ("_beh.tsv", "_beh.json", "_events.tsv", "_events.json"):
        assert (beh / f"{stem}{suffix}").is_file()
    for name in ("dataset_description.json", "participants.tsv", "participants.json", "README"):
        assert (dataset / name).is_file()
    assert_valid(dataset)
    # the trials table is the session's, every column described with its units
    with open_session(folder) as s:
        n = len(s)
        columns = s.columns
    lines = (beh / f"{stem}_beh.tsv").read_text().splitlines()
    assert lines[0].split("\t") == columns and len(lines) == n + 1
    side = json.loads((beh / f"{stem}_beh.json").read_text())
    assert side["TaskName"] == "PerceptualDecisionMaking-v0"
    assert side["rt_ms"]["Units"] == "ms" and side["key_resp.rt"]["Units"] == "s"
    assert side["correct"]["Levels"] == {"0": "incorrect", "1": "correct"}
    events = (beh / f"{stem}_events.tsv").read_text().splitlines()
    header = events[0].split("\t")
    kinds = {line.split("\t")[header.index("trial_type")] for line in events[1:]}
    assert {"fixation", "stimulus", "decision", "key_press", "response", "feedback"} <= kinds
    onsets = [float(line.split("\t")[0]) for line in events[1:]]
    assert onsets == sorted(onsets)
    # the mapping of the original id is recorded
    participants = (dataset / "participants.tsv").read_text().splitlines()
    assert participants[0].split("\t")[:3] == ["participant_id", "original_id", "player_kind"]
    assert participants[1].split("\t")[:3] == ["sub-P01", "P_01", "simulated"]
    labels = json.loads((dataset / "sourcedata" / "neurogym-app" / "labels.json").read_text())
    assert labels["participants"] == {"P_01": "P01"} and labels["tasks"] == {"PerceptualDecisionMaking-v0": "PerceptualDecisionMakingV0"}


def test_two_participant_experiment_is_a_valid_dataset(tmp_path):
    exp = tmp_path / "mini.toml"
    exp.write_text(EXPERIMENT)
    for who in ("P_01", "P02"):
        root = play(tmp_path, str(exp), "--participant", who)
    experiment_root = root / "mini"
    assert len(list(experiment_root.iterdir())) == 2
    dataset = tmp_path / "bids"
    assert main(["export", str(experiment_root), "--out", str(dataset)]) == 0
    assert_valid(dataset)
    for sub in ("sub-P01", "sub-P02"):
        names = sorted(p.name for p in (dataset / sub / "ses-1" / "beh").iterdir())
        assert names == sorted(
            f"{sub}_ses-1_task-{t}_run-1_{kind}" for t in ("GoNogoV0", "PerceptualDecisionMakingV0")
            for kind in ("beh.tsv", "beh.json", "events.tsv", "events.json")
        )
    rows = (dataset / "participants.tsv").read_text().splitlines()[1:]
    assert [r.split("\t")[:2] for r in rows] == [["sub-P01", "P_01"], ["sub-P02", "P02"]]


def test_mixed_dataset_merges_and_never_overwrites(tmp_path, capsys):
    exp = tmp_path / "mini.toml"
    exp.write_text(EXPERIMENT)
    root = play(tmp_path, str(exp), "--participant", "P_01")
    experiment = newest(root / "mini", "P_01_*")
    dataset = tmp_path / "bids"
    assert main(["export", str(experiment), "--out", str(dataset)]) == 0
    before = {p: p.read_bytes() for p in dataset.rglob("*") if p.is_file() and p.suffix in (".tsv", ".json") and "sub-" in str(p)}
    readme = (dataset / "README").read_text()
    # a plain session of the same participant and task, another participant "P01" whose label clashes,
    # and a session with a dotted task id go into the same dataset
    play(tmp_path, "GoNogo-v0", "--trials", "4", "--participant", "P_01", "--seed", "9")
    play(tmp_path, "GoNogo-v0", "--trials", "4", "--participant", "P01", "--seed", "10")
    play(tmp_path, "yang19.dm1-v0", "--trials", "3", "--participant", "S.3", "--seed", "11")
    capsys.readouterr()
    assert main(["export", str(root), "--out", str(dataset)]) == 0
    out = capsys.readouterr().out
    assert out.count("skipped ") == 2  # the experiment's two task sessions are already there
    assert "3 run(s) added, 2 already there" in out
    for path, data in before.items():
        assert path.read_bytes() == data  # nothing overwritten
    assert (dataset / "README").read_text() == readme
    assert (dataset / "sub-P01" / "ses-1" / "beh" / "sub-P01_ses-1_task-GoNogoV0_run-2_beh.tsv").is_file()
    assert (dataset / "sub-P012" / "ses-1" / "beh" / "sub-P012_ses-1_task-GoNogoV0_run-1_events.tsv").is_file()
    assert (dataset / "sub-S3" / "ses-1" / "beh" / "sub-S3_ses-1_task-yang19Dm1V0_run-1_beh.tsv").is_file()
    labels = json.loads((dataset / "sourcedata" / "neurogym-app" / "labels.json").read_text())
    assert labels["participants"] == {"P_01": "P01", "P01": "P012", "S.3": "S3"}
    assert labels["tasks"]["yang19.dm1-v0"] == "yang19Dm1V0"
    rows = [r.split("\t")[:2] for r in (dataset / "participants.tsv").read_text().splitlines()[1:]]
    assert rows == [["sub-P01", "P_01"], ["sub-P012", "P01"], ["sub-S3", "S.3"]]
    assert_valid(dataset)
    # exporting everything again adds nothing
    assert main(["export", str(root), "--out", str(dataset)]) == 0
    assert "0 run(s) added, 5 already there" in capsys.readouterr().out


def test_export_errors_are_one_line(tmp_path, capsys):
    assert main(["export", str(tmp_path / "nope"), "--out", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("neurogym-app: error: no such session folder:") and "\n" not in err
    (tmp_path / "empty").mkdir()
    assert main(["export", str(tmp_path / "empty"), "--out", str(tmp_path / "d")]) == 2
    assert "is not a neurogym-app session folder (no manifest.json)" in capsys.readouterr().err
    root = play(tmp_path, "GoNogo-v0", "--trials", "2", "--participant", "A")
    other = tmp_path / "not_bids"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    assert main(["export", str(root), "--out", str(other)]) == 2
    err = capsys.readouterr().err
    assert "is not empty and not a BIDS dataset" in err
    assert (other / "notes.txt").read_text() == "mine"


def test_export_bids_api_returns_runs(tmp_path):
    root = play(tmp_path, "GoNogo-v0", "--trials", "2", "--participant", "A")
    result = export_bids([root], tmp_path / "d")
    assert result.runs == ["sub-A/ses-1/beh/sub-A_ses-1_task-GoNogoV0_run-1"] and not result.skipped
    with pytest.raises(Exception, match="is a file"):
        export_bids([root], tmp_path / "d" / "README")


def test_csv_export_of_an_experiment_keeps_each_task_apart(tmp_path, capsys):
    exp = tmp_path / "mini.toml"
    exp.write_text(EXPERIMENT)
    root = play(tmp_path, str(exp), "--participant", "P_01")
    capsys.readouterr()
    assert main(["export", str(root / "mini"), "--format", "csv", "--out", str(tmp_path / "csv")]) == 0
    files = sorted(Path(p) for p in capsys.readouterr().out.split())
    assert [f.parent.name for f in files] == ["GoNogo-v0", "PerceptualDecisionMaking-v0"]  # same run name, two tasks
    for f in files:
        lines = f.read_text().splitlines()
        assert "key_resp.rt" in lines[0].split(",")
        assert len(lines) - 1 == (5 if f.parent.name == "GoNogo-v0" else 6)  # main trials (practice left out)


@pytest.mark.torch
def test_people_simulated_players_and_networks_in_one_dataset(tmp_path):
    from neurogym_app.agents.player import run_agent

    root = play(tmp_path, "PerceptualDecisionMaking-v0", "--trials", "5", "--participant", "sim_1", "--seed", "2")
    agent = Path(__file__).resolve().parents[1] / "assets" / "agents" / "PerceptualDecisionMaking_gru32"
    run_agent(agent, trials=5, out=root, task="PerceptualDecisionMaking-v0", seed=1, timing="human", session=1)
    dataset = tmp_path / "bids"
    assert main(["export", str(root), "--out", str(dataset)]) == 0
    assert_valid(dataset)
    rows = [r.split("\t") for r in (dataset / "participants.tsv").read_text().splitlines()]
    kinds = {r[rows[0].index("original_id")]: r[rows[0].index("player_kind")] for r in rows[1:]}
    assert kinds == {"sim_1": "simulated", "PerceptualDecisionMaking_gru32": "agent"}
