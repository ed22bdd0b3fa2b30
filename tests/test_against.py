"""`play --against`: a trained agent faces the very trials a (simulated) person plays, recorded and linked."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from neurogym_app.record.reader import open_session
from neurogym_app.record.verify import verify_session

ROOT = Path(__file__).resolve().parents[1]
PDM = "PerceptualDecisionMaking-v0"
PDM_AGENT = ROOT / "assets" / "agents" / "PerceptualDecisionMaking_gru32"
GONOGO_AGENT = ROOT / "assets" / "agents" / "GoNogo_gru16"
RECORDED = next((ROOT / "assets" / "sessions" / PDM).iterdir())


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "neurogym_app.cli.main", *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def sessions(root: Path) -> dict[str, Path]:
    """{player kind: session folder} of the sessions under ``root``."""
    out = {}
    for manifest in root.glob("*/*/manifest.json"):
        kind = json.loads(manifest.read_text())["player"]["kind"]
        assert kind not in out, f"two {kind} sessions under {root}"
        out[kind] = manifest.parent
    return out


def trials(folder: Path) -> list:
    with open_session(folder) as reader:
        return [reader.trial(i, arrays=True, events=False) for i in reader.trial_indices()]


@pytest.mark.slow
def test_simulated_participant_against_the_shipped_pdm_agent(tmp_path):
    out = tmp_path / "S"
    r = cli("play", PDM, "--auto", "oracle", "--trials", "20", "--backend", "null", "--seed", "11", "--out", str(out), "--against", str(PDM_AGENT))
    assert r.returncode == 0, r.stderr
    found = sessions(out)
    person, agent = found["simulated"], found["agent"]
    assert "against PerceptualDecisionMaking_gru32: 20 trial(s)" in r.stdout and str(agent) in r.stdout
    tp, ta = trials(person), trials(agent)
    assert len(tp) == len(ta) == 20
    # the very same trials: identical variables (trial seeds included) in the same order
    assert [t.vars for t in tp] == [t.vars for t in ta]
    assert len({t.vars["trial_seed"] for t in tp}) == 20
    # ...and the same stimuli, bit for bit, as long as both played (a response ends a trial early)
    for a, b in zip(tp, ta):
        n = min(len(a.arrays["observation"]), len(b.arrays["observation"]))
        assert n > 5 and a.arrays["observation"][:n].tobytes() == b.arrays["observation"][:n].tobytes()
    # the agent's own record carries its action probabilities
    assert ta[0].arrays["action_probs"].shape == (len(ta[0].arrays["action"]), 3)
    # linked manifests, both ways
    mp, ma = (json.loads((f / "manifest.json").read_text()) for f in (person, agent))
    assert [(x["kind"], x["session"], x["n_trials"]) for x in mp["against"]] == [("agent", str(agent), 20)]
    assert ma["reference"]["session"] == str(person) and ma["reference"]["role"] == "against"
    assert ma["trial_source"] == "match" and ma["match"]["session"] == str(person) and ma["match"]["live"] is True
    assert ma["player"]["kind"] == "agent" and ma["player"]["agent"]["name"] == "PerceptualDecisionMaking_gru32"
    assert mp["status"] == ma["status"] == "completed"
    # both pass verify
    for folder in (person, agent):
        report = verify_session(folder)
        assert report.identical and report.n_trials == 20, report.summary()
    # the live run equals `run-agent --match` of the finished person's session (hidden state carried over)
    from neurogym_app.agents import run_agent

    again = run_agent(PDM_AGENT, trials=20, out=tmp_path / "M", match=person)
    tm = trials(again.path)
    for a, b in zip(ta, tm):
        assert a.arrays["action"].tobytes() == b.arrays["action"].tobytes()
        assert a.arrays["action_probs"].tobytes() == b.arrays["action_probs"].tobytes()


def test_mismatched_agent_is_refused_before_anything_is_recorded(tmp_path):
    out = tmp_path / "S"
    r = cli("play", PDM, "--auto", "oracle", "--trials", "3", "--backend", "null", "--out", str(out), "--against", str(GONOGO_AGENT))
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "GoNogo_gru16" in lines[0] and "trained on GoNogo-v0, not PerceptualDecisionMaking-v0" in lines[0]
    assert not out.exists() or not any(out.rglob("manifest.json"))


def test_agent_with_other_spaces_is_refused(tmp_path):
    """Same task id, other parameters: the spaces no longer fit the network (one line, nothing recorded)."""
    from neurogym_app.agents.against import opponent_for
    from neurogym_app.core import registry
    from neurogym_app.runtime.against import AgainstError

    opponent = opponent_for([str(PDM_AGENT)], out=tmp_path)
    env = registry.make("yang19.dm1-v0")
    with pytest.raises(AgainstError, match="trained on PerceptualDecisionMaking-v0, not yang19.dm1-v0"):
        opponent.check(env, "yang19.dm1-v0")
    spec = json.loads((PDM_AGENT / "agent.json").read_text())
    spec["task"]["id"] = "yang19.dm1-v0"  # an agent that claims the task but has the wrong shape
    fake = tmp_path / "wrong_shape"
    shutil.copytree(PDM_AGENT, fake)
    (fake / "agent.json").write_text(json.dumps(spec))
    with pytest.raises(AgainstError, match=r"has 3 inputs and 3 discrete outputs, but yang19.dm1-v0 .* 33 inputs and 17 discrete"):
        opponent_for([str(fake)], out=tmp_path).check(env, "yang19.dm1-v0")
    assert not any(tmp_path.rglob("manifest.json"))


def test_a_recorded_agent_session_is_the_plan(tmp_path):
    out = tmp_path / "S"
    r = cli("play", PDM, "--auto", "oracle", "--trials", "6", "--backend", "null", "--out", str(out), "--against", str(RECORDED))
    assert r.returncode == 0, r.stderr
    person = sessions(out)["simulated"]
    recorded = trials(RECORDED)
    tp = trials(person)
    assert [t.vars for t in tp] == [t.vars for t in recorded[:6]]
    m = json.loads((person / "manifest.json").read_text())
    assert m["trial_source"] == "match" and m["match"]["session"] == str(RECORDED)
    assert m["against"] == [{"kind": "agent", "id": "PerceptualDecisionMaking_gru32", "session": str(RECORDED), "role": "plan"}]
    assert verify_session(person).identical
    r = cli("play", PDM, "--auto", "oracle", "--trials", "500", "--backend", "null", "--out", str(tmp_path / "T"), "--against", str(RECORDED))
    n = len(recorded)
    assert r.returncode != 0 and f"has {n} trials; play at most {n} against it" in r.stderr.strip().splitlines()[-1]
    # without --trials the person plays the whole plan
    r = cli("play", PDM, "--auto", "oracle", "--backend", "null", "--out", str(tmp_path / "U"), "--against", str(RECORDED))
    assert r.returncode == 0, r.stderr
    assert len(trials(sessions(tmp_path / "U")["simulated"])) == n


def test_a_folder_of_agents_plays_every_agent(tmp_path):
    """A sweep folder (agent folders plus a results table): each agent faces the trials in its own session."""
    from neurogym_app.agents.against import opponent_for
    from neurogym_app.core import registry
    from neurogym_app.runtime.clock import FakeClock
    from neurogym_app.runtime.null_display import NullDisplay
    from neurogym_app.runtime.play import play
    from neurogym_app.runtime.run import PlayOptions

    sweep = tmp_path / "sweep"  # the layout of `neurogym-app sweep`: agents/<agent folders>, a results table
    for seed in (0, 1):
        shutil.copytree(PDM_AGENT, sweep / "agents" / f"pdm_seed{seed}")
    shutil.copytree(GONOGO_AGENT, sweep / "agents" / "gonogo_seed0")  # another task of the sweep: left out
    (sweep / "results.csv").write_text("agent,accuracy\npdm_seed0,0.8\npdm_seed1,0.8\ngonogo_seed0,0.9\n")
    opponent = opponent_for([str(sweep)], out=tmp_path / "S")
    assert len(opponent.labels) == 3
    clock = FakeClock()
    options = PlayOptions(PDM, out=tmp_path / "S", n_trials=5, seed=2, player="oracle", virtual_clock=True, participant="p1")
    env = registry.make(PDM, timing="human")
    result = play(options, NullDisplay(clock, 60.0), clock, env=env, opponent=opponent)
    assert opponent.labels == ["PerceptualDecisionMaking_gru32#1", "PerceptualDecisionMaking_gru32#2"]
    model = result.against.model
    assert [len(model.tables[k]) for k in model.labels] == [5, 5]
    assert len(model.pooled()) == 10
    links = json.loads((result.path / "manifest.json").read_text())["against"]
    assert len(links) == 2 and all(Path(x["session"]).is_dir() and x["n_trials"] == 5 for x in links)
    assert len({x["session"] for x in links}) == 2
    assert model.marker(4) is not None and model.marker(4).startswith("agents: ")
    mean, lo, hi = model.accuracy_spread()
    assert lo <= mean <= hi
    m, lo, hi = model.running_accuracy_spread(20)
    assert m.shape == (5,) and np.all(lo <= m) and np.all(m <= hi)


def test_constant_agent_rt_gives_a_note_not_a_curve():
    from neurogym_app.analysis.trial_table import TrialTable
    from neurogym_app.runtime.against import constant_rt_note

    fixed = TrialTable.from_rows([{"rt_ms": 100.00000000000009, "correct": 1}, {"rt_ms": 100.0, "correct": 0}])
    assert "one dt (100 ms)" in constant_rt_note(fixed, 100.0)
    varied = TrialTable.from_rows([{"rt_ms": 300.0}, {"rt_ms": 450.0}])
    assert constant_rt_note(varied, 100.0) is None
    assert np.isnan(TrialTable().accuracy())


def _experiment(tmp_path: Path, against: str) -> Path:
    path = tmp_path / "exp.toml"
    path.write_text(f"""
[tasks.rdm]
id = "{PDM}"
trials = 6
against = "{against}"
factors = {{ ground_truth = [0, 1], coh = [12.8, 51.2] }}

[tasks.gng]
id = "GoNogo-v0"
trials = 3
""")
    return path


def test_experiment_task_against_an_agent(tmp_path):
    from neurogym_app.cli.experiment_hooks import make_opponent
    from neurogym_app.config.experiment import load_experiment  # noqa: F401  (the field is part of the schema)
    from neurogym_app.experiment.run import run_experiment, validate_participant
    from neurogym_app.runtime.clock import FakeClock
    from neurogym_app.runtime.null_display import NullDisplay

    clock = FakeClock()
    result = run_experiment(
        _experiment(tmp_path, str(PDM_AGENT)), NullDisplay(clock), clock, participant=validate_participant("E1"),
        out=tmp_path / "o", auto="oracle", opponents=make_opponent,
    )
    person = Path(result.sessions["rdm"])
    links = json.loads((person / "manifest.json").read_text())["against"]
    assert len(links) == 1 and links[0]["n_trials"] == 6
    agent = Path(links[0]["session"])
    assert agent.parent.parent == tmp_path / "o"  # beside the experiment folder, not inside it
    assert json.loads((agent / "manifest.json").read_text())["reference"]["session"] == str(person)
    assert [t.vars for t in trials(person)] == [t.vars for t in trials(agent)]
    assert verify_session(agent).identical
    gng = json.loads((Path(result.sessions["gng"]) / "manifest.json").read_text())
    assert "against" not in gng


def test_experiment_refuses_a_mismatched_agent_before_recording(tmp_path):
    from neurogym_app.cli.experiment_hooks import make_opponent
    from neurogym_app.errors import UserError
    from neurogym_app.experiment.run import run_experiment, validate_participant
    from neurogym_app.runtime.clock import FakeClock
    from neurogym_app.runtime.null_display import NullDisplay

    clock = FakeClock()
    with pytest.raises(UserError, match=r"^tasks\.rdm\.against: .*trained on GoNogo-v0, not PerceptualDecisionMaking-v0"):
        run_experiment(
            _experiment(tmp_path, str(GONOGO_AGENT)), NullDisplay(clock), clock, participant=validate_participant("E1"),
            out=tmp_path / "o", auto="oracle", opponents=make_opponent,
        )
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").rglob("manifest.json"))


def test_teaching_demo_shows_the_network_answer_after_each_trial(tmp_path):
    """Only when the demo asks: the feedback screen says what the network chose on the trial just played."""
    from neurogym_app.agents.against import opponent_for
    from neurogym_app.core import registry
    from neurogym_app.input.keymap import build_keymap
    from neurogym_app.runtime.against import RevealScenes
    from neurogym_app.runtime.clock import FakeClock
    from neurogym_app.runtime.null_display import NullDisplay
    from neurogym_app.runtime.play import play
    from neurogym_app.runtime.run import PlayOptions
    from neurogym_app.runtime.scenes import StimulusScenes
    from neurogym_app.stimuli.scene import Text

    seen: list[str] = []

    class Spy(NullDisplay):
        def present(self, scene):
            for item in getattr(scene, "items", ()):
                if isinstance(item, Text) and "chose" in item.text:
                    seen.append(item.text)
            return super().present(scene)

    clock = FakeClock()
    env = registry.make(PDM, timing="human")
    keymap = build_keymap(env)
    options = PlayOptions(PDM, out=tmp_path / "S", n_trials=3, seed=4, player="oracle", virtual_clock=True)
    scenes = StimulusScenes(env, keymap, "natural", title=PDM)
    play(options, Spy(clock, 60.0), clock, scenes=scenes, env=env, keymap=keymap,
         opponent=opponent_for([str(PDM_AGENT)], out=tmp_path / "S"), reveal=True)
    assert seen and all(t.startswith("the network chose ") for t in seen)
    # without reveal nothing of the agent reaches the participant's screen
    seen.clear()
    clock = FakeClock()
    env = registry.make(PDM, timing="human")
    play(PlayOptions(PDM, out=tmp_path / "T", n_trials=2, seed=4, player="oracle", virtual_clock=True), Spy(clock, 60.0), clock,
         scenes=StimulusScenes(env, keymap, "natural", title=PDM), env=env, keymap=keymap,
         opponent=opponent_for([str(PDM_AGENT)], out=tmp_path / "T"))
    assert seen == []
    assert RevealScenes  # the scene source of play --show-agent



def test_closing_the_app_session_is_prompt_while_the_agent_is_busy(tmp_path):
    """PlaySession.close with a backlog of trials in the worker: the trial in progress is finished, the rest
    cancelled, the agent's session closed as aborted, and close returns within a couple of seconds."""
    import time

    from neurogym_app.agents.against import opponent_for
    from neurogym_app.runtime.clock import FakeClock
    from neurogym_app.runtime.null_display import NullDisplay
    from neurogym_app.runtime.play_setup import start_play
    from neurogym_app.runtime.run import PlayOptions

    clock = FakeClock()
    opponent = opponent_for([str(PDM_AGENT)], out=tmp_path / "S")
    options = PlayOptions(PDM, n_trials=50, seed=3, player="oracle", virtual_clock=True, participant="p1")
    session = start_play(options, NullDisplay(clock, 60.0), sessions_root=tmp_path / "S", opponent=opponent)
    opponent.wait_ready()
    while len(session.table) < 3:
        session.tick(clock.now())
        clock.advance(1 / 60)
    # a backlog the worker needs many seconds for (each trial is a full GRU run and a committed record)
    first = trials(session.path)[0].vars
    for k in range(600):
        opponent.submit(1000 + k, first)
    t0 = time.monotonic()
    session.close()
    took = time.monotonic() - t0
    assert took < 3.0, f"close took {took:.1f} s"
    agent = sessions(tmp_path / "S")["agent"]
    ma = json.loads((agent / "manifest.json").read_text())
    assert ma["status"] == "aborted"
    with open_session(agent) as reader:
        n = len(list(reader.trial_indices()))
    assert 3 <= n < 603  # what was played before the close is kept; the queued rest was cancelled
