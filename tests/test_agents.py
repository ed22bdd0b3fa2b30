"""RNN agents: model shapes, supervised training, save/load, timing presets, RL through SB3, lazy torch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from neurogym_app.agents._deps import MissingExtraError, require_torch
from neurogym_app.cli.main import main

PDM = "PerceptualDecisionMaking-v0"


# --------------------------------------------------------------------------- no torch needed
def test_importing_agents_and_cli_does_not_import_torch():
    code = (
        "import sys\n"
        "import neurogym_app, neurogym_app.agents\n"
        "from neurogym_app.agents import agent, models, player, train, rl\n"
        "from neurogym_app.cli import main\n"
        "main.build_parser()\n"
        "print('torch' in sys.modules, 'stable_baselines3' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


def test_missing_torch_is_one_line_naming_the_agents_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch -> ImportError
    with pytest.raises(MissingExtraError) as info:
        require_torch()
    message = str(info.value)
    assert "`agents` extra" in message and "\n" not in message


def test_missing_sb3_names_the_rl_extra(monkeypatch):
    from neurogym_app.agents._deps import require_sb3

    monkeypatch.setitem(sys.modules, "stable_baselines3", None)
    with pytest.raises(MissingExtraError, match="`rl` extra"):
        require_sb3()


def test_train_cli_unknown_task_and_bad_values_are_user_errors(capsys):
    assert main(["train", "NoSuchTask-v0"]) == 2
    assert "unknown task id" in capsys.readouterr().err
    assert main(["train", PDM, "--steps", "0"]) == 2
    assert main(["train", PDM, "--target", "1.5"]) == 2


# --------------------------------------------------------------------------- models
@pytest.mark.torch
@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
def test_policy_net_shapes_and_hidden_state(kind):
    torch = require_torch()
    from neurogym_app.agents.models import ModelSpec, build_model

    torch.manual_seed(0)
    net = build_model(ModelSpec(kind, input_size=3, hidden_size=8, output_size=4))
    x = torch.randn(7, 5, 3)
    out, hidden, state = net(x)
    assert out.shape == (7, 5, 4) and hidden.shape == (7, 5, 8)
    arrays = net.state_arrays(state)
    assert arrays["hidden"].shape == (5, 8)
    assert ("cell" in arrays) == (kind == "lstm")
    # the last hidden activity is the state's hidden part
    np.testing.assert_allclose(hidden[-1].detach().numpy(), arrays["hidden"], rtol=1e-6)
    # stepping one step at a time gives the same outputs as the whole sequence
    s = None
    for t in range(7):
        o, h, s = net.step(x[t], s)
        np.testing.assert_allclose(o.detach().numpy(), out[t].detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.torch
def test_model_spec_validates():
    from neurogym_app.agents.models import ModelSpec

    with pytest.raises(ValueError, match="unknown model"):
        ModelSpec("transformer", 3, 8, 3)
    with pytest.raises(ValueError, match="hidden_size"):
        ModelSpec("gru", 3, 0, 3)
    spec = ModelSpec("gru", 3, 8, 2, "box", (2,))
    assert ModelSpec.from_dict(spec.to_dict()) == spec


# --------------------------------------------------------------------------- training
@pytest.fixture(scope="module")
def pdm_agent(tmp_path_factory):
    """A small GRU trained briefly on PerceptualDecisionMaking (a few seconds)."""
    from neurogym_app.agents.train import train

    out = tmp_path_factory.mktemp("agents") / "pdm"
    return train(
        PDM, out=out, model="gru", hidden_size=32, lr=3e-2, steps=200, seq_len=50, seed=0,
        eval_every=100, eval_trials=100, final_eval_trials=300, checkpoint_every=100, progress=False,
    )


@pytest.mark.torch
def test_short_training_beats_chance_on_perceptual_decision_making(pdm_agent):
    held = pdm_agent.evaluation["held_out"]
    assert set(held) == {"default", "human"}  # the evaluation reports both timings
    assert held["default"]["n_trials"] == 300
    assert held["default"]["accuracy"] > 0.65  # chance is 0.5
    # accuracy per coherence: the easiest trials are the best
    by = held["default"]["by_condition"]
    assert by["51.2"]["accuracy"] > by["0"]["accuracy"]


@pytest.mark.torch
def test_training_writes_the_agent_folder(pdm_agent):
    folder = pdm_agent.folder
    for name in ("agent.json", "model.pt", "evaluation.json", "learning_curve.csv", "learning_curve.json", "learning_curve.png"):
        assert (folder / name).is_file(), name
    assert sorted(p.name for p in (folder / "checkpoints").iterdir()) == ["step_000100.pt", "step_000200.pt"]
    spec = json.loads((folder / "agent.json").read_text())
    assert spec["format"] == "neurogym-app-agent"
    assert spec["task"] == {"id": PDM, "kwargs": {}, "dt": 100, "timing": "default"}
    assert spec["model"]["kind"] == "gru" and spec["model"]["hidden_size"] == 32
    assert spec["seeds"]["torch"] == 0 and spec["seeds"]["dataset"] == {"default": 0}
    assert spec["training"]["lr"] == 3e-2 and spec["training"]["steps_trained"] == 200
    curve = json.loads((folder / "learning_curve.json").read_text())
    assert curve["rows"][-1]["step"] == 200 and "accuracy_default" in curve["rows"][-1]
    header = (folder / "learning_curve.csv").read_text().splitlines()[0]
    assert header == "step,seconds,loss,accuracy_default"


@pytest.mark.torch
def test_save_and_load_rebuild_the_agent_exactly(pdm_agent, tmp_path):
    torch = require_torch()
    from neurogym_app.agents.agent import Agent, evaluate
    from neurogym_app.agents.loading import load_agent

    loaded = load_agent(pdm_agent.folder)
    assert isinstance(loaded, Agent) and loaded.task_id == PDM
    x = torch.randn(30, 4, 3)
    a, _, _ = pdm_agent.agent.net(x)
    b, _, _ = loaded.net(x)
    assert torch.equal(a, b)
    for name, tensor in pdm_agent.agent.net.state_dict().items():
        assert torch.equal(tensor, loaded.net.state_dict()[name])
    # the same held-out evaluation gives the same numbers
    e1 = evaluate(pdm_agent.agent, timing="default", trials=50, seed=7)
    e2 = evaluate(loaded, timing="default", trials=50, seed=7)
    assert e1 == e2
    # saving again writes the same weights
    loaded.save(tmp_path / "copy")
    again = load_agent(tmp_path / "copy")
    assert all(torch.equal(t, again.net.state_dict()[n]) for n, t in loaded.net.state_dict().items())


@pytest.mark.torch
def test_deterministic_training_is_reproducible(tmp_path):
    from neurogym_app.agents.train import train

    kw = dict(model="lstm", hidden_size=8, steps=15, seq_len=20, batch_size=4, seed=3, eval_every=0,
              final_eval_trials=20, checkpoint_every=0, progress=False, plot=False, deterministic=True)
    a = train("GoNogo-v0", out=tmp_path / "a", **kw)
    b = train("GoNogo-v0", out=tmp_path / "b", **kw)
    sa, sb = a.agent.net.state_dict(), b.agent.net.state_dict()
    assert all(np.array_equal(sa[k].numpy(), sb[k].numpy()) for k in sa)
    assert [r["loss"] for r in a.curve] == [r["loss"] for r in b.curve]


@pytest.mark.torch
def test_mixed_timing_trains_on_both_presets(tmp_path):
    from neurogym_app.agents.loading import load_agent
    from neurogym_app.agents.train import train

    r = train("GoNogo-v0", out=tmp_path / "mixed", timing="mixed", model="gru", hidden_size=8, steps=10, batch_size=4,
              seq_len=30, eval_every=5, eval_trials=20, final_eval_trials=20, checkpoint_every=0, progress=False, plot=False)
    spec = json.loads((r.folder / "agent.json").read_text())
    assert spec["task"]["timing"] == "mixed"
    assert spec["seeds"]["dataset"] == {"default": 0, "human": 1000}
    assert {"accuracy_default", "accuracy_human"} <= set(r.curve[-1])
    assert set(r.evaluation["held_out"]) == {"default", "human"}
    agent = load_agent(r.folder)
    assert agent.default_play_timing() == "human"
    assert agent.make_env().unwrapped.timing_preset == "human"


@pytest.mark.torch
def test_existing_agent_folder_is_not_overwritten(pdm_agent):
    from neurogym_app.agents.agent import AgentError
    from neurogym_app.agents.train import train

    with pytest.raises(AgentError, match="--force"):
        train(PDM, out=pdm_agent.folder, steps=1, progress=False)


@pytest.mark.torch
def test_box_action_task_trains_with_mse(tmp_path):
    from neurogym_app.agents.loading import load_agent
    from neurogym_app.agents.train import train

    r = train("ReachingDelayResponse-v0", out=tmp_path / "reach", model="rnn", hidden_size=8, steps=5, seq_len=20, batch_size=2,
              eval_every=0, final_eval_trials=4, checkpoint_every=0, progress=False, plot=False)
    spec = json.loads((r.folder / "agent.json").read_text())
    assert spec["model"]["action"] == "box" and spec["training"]["loss"] == "mse"
    agent = load_agent(r.folder)
    env = agent.make_env()
    ob, _ = env.reset(seed=0)
    step = agent.policy().act(ob)
    assert step.probs is None and np.shape(step.action) == env.action_space.shape


@pytest.mark.torch
def test_train_cli_with_config_file(tmp_path, capsys):
    cfg = tmp_path / "agent.toml"
    cfg.write_text('[agent]\nmodel = "rnn"\nhidden_size = 6\nsteps = 4\nbatch_size = 2\nseq_len = 10\nseed = 5\n\n[env]\nname = "GoNogo-v0"\ndt = 100\n')
    out = tmp_path / "cli_agent"
    code = main(["train", "--config", str(cfg), "--out", str(out), "--eval-every", "0", "--final-trials", "10", "--quiet", "--json"])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["folder"] == str(out)
    spec = json.loads((out / "agent.json").read_text())
    assert spec["task"]["id"] == "GoNogo-v0" and spec["task"]["kwargs"] == {"dt": 100}
    assert spec["model"]["kind"] == "rnn" and spec["model"]["hidden_size"] == 6 and spec["seeds"]["torch"] == 5
    # a second run into the same folder is refused (one line, exit 2) unless --force
    assert main(["train", "--config", str(cfg), "--out", str(out), "--quiet"]) == 2
    assert "--force" in capsys.readouterr().err


# --------------------------------------------------------------------------- RL
@pytest.mark.torch
def test_ppo_runs_a_few_hundred_steps_on_bandit(tmp_path):
    from neurogym_app.agents.loading import load_agent
    from neurogym_app.agents.rl import SB3Agent, train_rl

    r = train_rl("Bandit-v0", algo="ppo", steps=256, seed=0, env_kwargs={"p": [0.1, 0.9]}, out=tmp_path / "ppo",
                 progress=False, eval_trials=20)
    assert (r.folder / "sb3_model.zip").is_file()
    assert r.evaluation["held_out"]["default"]["n_trials"] == 20
    agent = load_agent(r.folder)
    assert isinstance(agent, SB3Agent) and agent.algo == "ppo"
    env = agent.make_env()
    ob, _ = env.reset(seed=1)
    step = agent.policy().act(ob)
    assert step.action in (0, 1) and step.probs.shape == (2,) and abs(float(step.probs.sum()) - 1) < 1e-5
    assert step.hidden["hidden"].ndim == 1


@pytest.mark.torch
def test_train_cli_rl_algo(tmp_path, capsys):
    out = tmp_path / "a2c"
    assert main(["train", "Bandit-v0", "--algo", "a2c", "--steps", "50", "--out", str(out), "--quiet", "--eval-trials", "10"]) == 0
    assert "held-out accuracy" in capsys.readouterr().out
    assert json.loads((out / "agent.json").read_text())["training"]["algo"] == "a2c"


# --------------------------------------------------------------------------- shipped assets
@pytest.mark.torch
@pytest.mark.parametrize("name", ["PerceptualDecisionMaking-v0", "GoNogo-v0"])
def test_shipped_agents_load_and_play(name):
    from neurogym_app.agents.agent import evaluate
    from neurogym_app.agents.loading import load_agent

    folder = Path(__file__).resolve().parents[1] / "assets" / "agents"
    matches = sorted(p for p in folder.iterdir() if (p / "agent.json").is_file() and json.loads((p / "agent.json").read_text())["task"]["id"] == name)
    assert matches, f"no shipped agent for {name} in {folder} (run scripts/make_assets.py)"
    agent = load_agent(matches[0])
    size = sum(p.stat().st_size for p in matches[0].rglob("*") if p.is_file())
    assert size < 400_000
    res = evaluate(agent, timing="default", trials=100, seed=123)
    assert res["accuracy"] >= 0.75
