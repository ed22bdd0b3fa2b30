"""Recorded agent runs: session format, hidden states, --match, verify, record_policy for any policy."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from neurogym_app.agents.player import record_policy
from neurogym_app.cli.main import main
from neurogym_app.record.npyblob import from_npy, to_npy
from neurogym_app.record.reader import open_session
from neurogym_app.record.verify import verify_session

PDM = "PerceptualDecisionMaking-v0"


def _only_run(root: Path) -> Path:
    runs = [p for p in root.glob("*/*") if (p / "manifest.json").is_file()]
    assert len(runs) == 1, runs
    return runs[0]


def _csv_rows(run: Path) -> list[dict[str, str]]:
    with open(run / "trials.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _tamper(run: Path, trial: int, name: str, change) -> None:
    con = sqlite3.connect(run / "steps.sqlite")
    blob = con.execute("SELECT npy FROM arrays WHERE trial = ? AND name = ?", (trial, name)).fetchone()[0]
    arr = from_npy(blob).copy()
    change(arr)
    con.execute("UPDATE arrays SET npy = ? WHERE trial = ? AND name = ?", (to_npy(arr), trial, name))
    con.commit()
    con.close()


# --------------------------------------------------------------------------- any policy (no torch)
def test_record_policy_with_a_plain_function(tmp_path):
    result = record_policy("GoNogo-v0", lambda ob: 0, trials=6, out=tmp_path, seed=4, player_id="always-fixate")
    run = result.path
    assert run.parent == tmp_path / "GoNogo-v0" and run.name.startswith("always-fixate_1_")
    with open_session(run) as reader:
        assert len(reader) == 6
        m = reader.manifest
        assert m["player"]["kind"] == "agent" and m["player"]["id"] == "always-fixate"
        assert m["seeds"]["env"] == 4 and m["status"] == "completed" and m["n_trials"] == 6
        assert m["task"]["id"] == "GoNogo-v0" and m["trial_source"] == "seed"
        t0 = reader.trial(0)
        assert set(t0.arrays) >= {"observation", "action", "reward", "gt", "step_start"}
        assert np.all(t0.arrays["action"] == 0)
    rows = _csv_rows(run)
    assert len(rows) == 6
    # withholding is right on no-go trials only
    for row in rows:
        assert row["correct"] == ("1" if row["ground_truth"] == "0" else "0")
        assert row["outcome"] == ("correct" if row["ground_truth"] == "0" else "too late")
    assert verify_session(run).identical


def test_record_policy_times_agent_responses_at_the_end_of_the_step(tmp_path):
    def respond_in_decision(ob):  # the decision period of GoNogo has the fixation input off
        return 1 if ob[0] == 0 else 0

    result = record_policy("GoNogo-v0", respond_in_decision, trials=4, out=tmp_path, seed=1)
    for row in result.rows:
        assert row["choice"] == 1 and row["rt_ms"] == pytest.approx(100.0)
        assert row["n_early_responses"] == 0


def test_record_policy_records_any_gymnasium_env(tmp_path):
    import gymnasium as gym

    env = gym.make("CartPole-v1")
    result = record_policy(env, lambda ob: int(ob[2] > 0), trials=3, out=tmp_path, seed=0, player_id="heuristic")
    with open_session(result.path) as reader:
        assert len(reader) == 3
        assert [reader.trial(i).vars["episode"] for i in range(3)] == [0, 1, 2]
        assert reader.trial(0).arrays["observation"].shape[1] == 4


def test_record_policy_rejects_bad_trials(tmp_path):
    from neurogym_app.errors import UserError

    with pytest.raises(UserError, match="positive integer"):
        record_policy("GoNogo-v0", lambda ob: 0, trials=0, out=tmp_path)


@pytest.mark.parametrize(
    "trials, expected",
    [
        ("1000000000000", "--trials 1000000000000 is too many: use 1 to 1000000 (split long runs into sessions)"),
        ("1000001", "--trials 1000001 is too many: use 1 to 1000000 (split long runs into sessions)"),
        ("0", "--trials must be at least 1, got 0 (use 1 to 1000000)"),
        ("-3", "--trials must be at least 1, got -3 (use 1 to 1000000)"),
    ],
)
def test_run_agent_bounds_the_trial_count_before_loading_anything(tmp_path, capsys, trials, expected):
    out = tmp_path / "out"
    code = main(["run-agent", str(tmp_path / "no_agent"), "--trials", trials, "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err == f"neurogym-app: error: {expected}\n"
    assert captured.out == ""
    assert not out.exists()


# --------------------------------------------------------------------------- trained agents
@pytest.fixture(scope="module")
def agent_folder(tmp_path_factory) -> Path:
    """A tiny LSTM trained for a few seconds on PerceptualDecisionMaking (mixed timing)."""
    from neurogym_app.agents.train import train

    out = tmp_path_factory.mktemp("agents") / "pdm-mixed"
    train(PDM, out=out, model="lstm", hidden_size=16, lr=3e-2, steps=60, seq_len=50, timing="mixed", seed=1,
          eval_every=0, final_eval_trials=20, checkpoint_every=0, progress=False, plot=False)
    return out


@pytest.fixture(scope="module")
def human_like_session(tmp_path_factory) -> Path:
    """A simulated participant's session (the human runner, human timing, virtual clock)."""
    root = tmp_path_factory.mktemp("human")
    code = main(["play", PDM, "--auto", "lapse", "--trials", "12", "--seed", "9", "--backend", "null", "--out", str(root)])
    assert code == 0
    return _only_run(root)


@pytest.mark.torch
def test_run_agent_writes_a_valid_agent_session(agent_folder, tmp_path, capsys):
    out = tmp_path / "runs"
    code = main(["run-agent", str(agent_folder), "--task", PDM, "--trials", "15", "--seed", "3", "--out", str(out)])
    assert code == 0
    assert "15 trial(s)" in capsys.readouterr().out
    run = _only_run(out)
    with open_session(run) as reader:
        m = reader.manifest
        assert m["player"]["kind"] == "agent"
        assert m["player"]["agent"]["model"]["kind"] == "lstm"
        assert m["player"]["agent"]["trained_on"]["timing"] == "mixed"
        assert m["task"]["timing_preset"] == "human"  # a mixed agent plays the human preset by default
        assert m["seeds"]["env"] == 3 and m["status"] == "completed"
        assert len(reader) == 15
        for i in reader.trial_indices():
            tr = reader.trial(i)
            n = len(tr.arrays["action"])
            assert tr.arrays["observation"].shape == (n, 3)
            assert tr.arrays["hidden"].shape == (n, 16) and tr.arrays["cell"].shape == (n, 16)
            probs = tr.arrays["action_probs"]
            assert probs.shape == (n, 3) and np.allclose(probs.sum(axis=1), 1, atol=1e-5)
            # the recorded (greedy) action is the most probable one
            assert np.array_equal(tr.arrays["action"], probs.argmax(axis=1))
    rows = _csv_rows(run)
    assert len(rows) == 15
    assert [int(r["trial"]) for r in rows] == list(range(15))
    assert all(r["response_key"] in ("agent", "") for r in rows)


@pytest.mark.torch
def test_run_agent_default_timing_and_task(agent_folder, tmp_path):
    from neurogym_app.agents.player import run_agent

    result = run_agent(agent_folder, trials=3, out=tmp_path, seed=0, timing="default")
    with open_session(result.path) as reader:
        assert reader.manifest["task"]["timing_preset"] == "default"
        assert reader.manifest["task"]["id"] == PDM


@pytest.mark.torch
def test_match_reproduces_the_matched_sessions_trials(agent_folder, human_like_session, tmp_path):
    out = tmp_path / "matched"
    code = main(["run-agent", str(agent_folder), "--match", str(human_like_session), "--out", str(out)])
    assert code == 0
    run = _only_run(out)
    with open_session(human_like_session) as human, open_session(run) as agent:
        assert len(agent) == len(human) == 12
        assert agent.manifest["trial_source"] == "match"
        assert agent.manifest["match"]["session"] == str(human_like_session.resolve())
        assert agent.manifest["task"]["timing_preset"] == human.manifest["task"]["timing_preset"] == "human"
        for i in human.trial_indices():
            h, a = human.trial(i), agent.trial(i)
            assert a.vars == h.vars  # the same trial variables, trial seed included
            ho, ao = h.arrays["observation"], a.arrays["observation"]
            n = min(len(ho), len(ao))  # each player ended the trial when it responded
            assert n > 0 and np.array_equal(ho[:n], ao[:n])  # bit-identical observations
            hg, ag = h.arrays["gt"], a.arrays["gt"]
            assert np.array_equal(hg[:n], ag[:n])
    assert verify_session(run).identical


@pytest.mark.torch
def test_match_rejects_more_trials_than_the_session_has(agent_folder, human_like_session, tmp_path, capsys):
    code = main(["run-agent", str(agent_folder), "--match", str(human_like_session), "--trials", "50", "--out", str(tmp_path)])
    assert code == 2
    assert "has 12 trials" in capsys.readouterr().err


@pytest.mark.torch
def test_verify_clean_run_and_tampered_sqlite(agent_folder, tmp_path, capsys):
    out = tmp_path / "runs"
    assert main(["run-agent", str(agent_folder), "--trials", "8", "--seed", "11", "--out", str(out)]) == 0
    run = _only_run(out)
    capsys.readouterr()
    assert main(["verify", str(run)]) == 0
    assert "identical: 8 trials" in capsys.readouterr().out

    for name, change, what in (
        ("observation", lambda a: a.__setitem__((4, 1), np.nextafter(a[4, 1], np.float32(9))), "observation"),
        ("reward", lambda a: a.__setitem__(-1, a[-1] + 0.5), "reward"),
        ("action", lambda a: a.__setitem__(0, (a[0] + 1) % 3), None),
    ):
        bad = tmp_path / f"tampered-{name}"
        shutil.copytree(run, bad)
        _tamper(bad, 5, name, change)
        assert main(["verify", str(bad)]) == 1
        text = capsys.readouterr().out
        assert "MISMATCH at trial 5" in text, text
        if what:
            assert f"{what} differs" in text


def test_verify_a_human_runner_session(human_like_session, capsys):
    assert main(["verify", str(human_like_session)]) == 0
    assert "identical: 12 trials" in capsys.readouterr().out


def test_verify_reports_tampered_trial_variables(human_like_session, tmp_path, capsys):
    bad = tmp_path / "bad-vars"
    shutil.copytree(human_like_session, bad)
    con = sqlite3.connect(bad / "steps.sqlite")
    vars_text = con.execute("SELECT vars FROM trials WHERE trial = 2").fetchone()[0]
    data = json.loads(vars_text)
    data["coh"] = 99.0
    con.execute("UPDATE trials SET vars = ? WHERE trial = 2", (json.dumps(data),))
    con.commit()
    con.close()
    assert main(["verify", str(bad)]) == 1
    assert "trial 2: trial variables differs" in capsys.readouterr().out


def test_verify_rejects_a_folder_that_is_not_a_session(tmp_path, capsys):
    assert main(["verify", str(tmp_path)]) == 2
    assert "not a neurogym-app session" in capsys.readouterr().err


# --------------------------------------------------------------------------- compare and demo
def test_metrics_intervals_are_deterministic_and_contain_the_estimate(human_like_session):
    from neurogym_app.analysis.metrics import load_sessions, summarise_table
    from neurogym_app.analysis.statistics import wilson_interval

    (entry,) = load_sessions([human_like_session])
    a = summarise_table(entry.table)
    b = summarise_table(load_sessions([human_like_session])[0].table)
    assert a == b
    acc = a["accuracy"]
    assert acc["n"] == 12 and acc["lo"] <= acc["value"] <= acc["hi"]
    k = round(acc["value"] * 12)
    lo, hi = wilson_interval(np.array([k]), np.array([12]))
    assert (acc["lo"], acc["hi"]) == (float(lo[0]), float(hi[0]))  # the documented method, not another
    psy = a["psychometric"]
    assert psy["xlabel"] == "signed strength" and all(lo <= y <= hi for y, lo, hi in zip(psy["y"], psy["lo"], psy["hi"]))
    assert sum(v["n"] for v in a["by_condition"].values()) == 12


def test_compare_writes_html_and_png_reports(human_like_session, tmp_path, capsys):
    result = record_policy(PDM, lambda ob: 1 if ob[0] == 0 else 0, trials=10, out=tmp_path / "runs", seed=2,
                           timing="human", player_id="always-right")
    html_path = tmp_path / "report.html"
    assert main(["compare", str(human_like_session), str(result.path), "--out", str(html_path)]) == 0
    text = html_path.read_text(encoding="utf-8")
    assert "Accuracy per condition" in text and "data:image/png;base64," in text
    assert "always-right" in text and "sim-lapse" in text
    png = tmp_path / "report.png"
    assert main(["compare", str(human_like_session), str(result.path), "--out", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    capsys.readouterr()
    assert main(["compare", str(result.path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0]["kind"] == "agent" and data[0]["n_trials"] == 10
    assert main(["compare", str(result.path), "--out", str(tmp_path / "report.txt")]) == 2


@pytest.mark.torch
def test_demo_headless_writes_frames(tmp_path, capsys):
    frames = tmp_path / "frames"
    code = main(["demo", "GoNogo-v0", "--headless", "--frames", str(frames), "--trials", "2", "--time-scale", "1",
                 "--size", "800x400"])
    assert code == 0
    out = capsys.readouterr().out
    assert "played 2 trial(s)" in out
    pngs = sorted(frames.glob("frame_*.png"))
    assert len(pngs) >= 10  # one per step, plus feedback and pauses
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in pngs[:3])
