#!/usr/bin/env python
"""Build the small trained agents and the recorded agent session shipped in ``assets/``.

Deterministic: fixed seeds, ``torch.use_deterministic_algorithms(True)``, one
thread. Running it again gives bit-identical weights (``model.pt``) and
bit-identical recorded step data; the wall-clock fields (creation and start/end
times, training seconds) are the only things that change, and the times in
the files written here are pinned to a fixed date.

    .venv/bin/python scripts/make_assets.py            # (re)build assets/agents and assets/sessions
    .venv/bin/python scripts/make_assets.py --check    # rebuild in a temporary folder and compare

Outputs:
    assets/agents/PerceptualDecisionMaking_gru32/   (trained on both timings: "mixed")
    assets/agents/GoNogo_gru16/                      (mixed)
    assets/sessions/PerceptualDecisionMaking-v0/PerceptualDecisionMaking_gru32_1_20250101T000000/
        40 trials of the PDM agent on the human timing preset, seed 0
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIXED_TIME = datetime(2025, 1, 1, 0, 0, 0)
FIXED_ISO = "2025-01-01T00:00:00+00:00"

AGENTS = [
    {
        "name": "PerceptualDecisionMaking_gru32",
        "task": "PerceptualDecisionMaking-v0",
        "settings": dict(model="gru", hidden_size=32, lr=1e-2, steps=1500, batch_size=16, seq_len=50, seed=0, timing="mixed"),
    },
    {
        "name": "GoNogo_gru16",
        "task": "GoNogo-v0",
        "settings": dict(model="gru", hidden_size=16, lr=1e-2, steps=400, batch_size=16, seq_len=50, seed=0, timing="mixed"),
    },
]
SESSION = {"agent": "PerceptualDecisionMaking_gru32", "trials": 40, "seed": 0, "timing": "human"}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _pin_times(path: Path, keys: tuple[str, ...]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    for key in keys:
        if key in data and data[key] is not None:
            data[key] = FIXED_ISO
    data.setdefault("note", "built by scripts/make_assets.py; times pinned to a fixed date for reproducibility")
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def build(out: Path) -> dict[str, str]:
    import torch

    from neurogym_app.agents.player import run_agent
    from neurogym_app.agents.train import TrainSettings, train

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    digests: dict[str, str] = {}
    agents_dir = out / "agents"
    for spec in AGENTS:
        folder = agents_dir / spec["name"]
        if folder.exists():
            shutil.rmtree(folder)
        settings = TrainSettings(
            task=spec["task"], eval_every=250 if spec["task"].startswith("Perceptual") else 100, eval_trials=300,
            final_eval_trials=1000, checkpoint_every=0, threads=1, deterministic=True, **spec["settings"],
        )
        print(f"training {spec['name']} ...", file=sys.stderr)
        result = train(settings, out=folder, progress=True)
        _pin_times(folder / "agent.json", ("created",))
        held = {t: round(r["accuracy"], 3) for t, r in result.evaluation["held_out"].items()}
        print(f"  {spec['name']}: held-out accuracy {held}, {result.train_seconds:.1f} s", file=sys.stderr)
        digests[f"agents/{spec['name']}/model.pt"] = _sha(folder / "model.pt")

    sessions_dir = out / "sessions"
    task = next(a["task"] for a in AGENTS if a["name"] == SESSION["agent"])
    task_dir = sessions_dir / task
    if task_dir.exists():
        shutil.rmtree(task_dir)
    rec = run_agent(
        agents_dir / SESSION["agent"], trials=SESSION["trials"], out=sessions_dir, seed=SESSION["seed"],
        timing=SESSION["timing"], timestamp=FIXED_TIME,
    )
    manifest = rec.path / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["start_time"] = data["end_time"] = FIXED_ISO
    data["player"]["agent"]["folder"] = f"assets/agents/{SESSION['agent']}"
    data["note"] = "built by scripts/make_assets.py; times pinned to a fixed date for reproducibility"
    manifest.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    digests["session/trials.csv"] = _sha(rec.path / "trials.csv")
    digests["session/steps"] = _session_digest(rec.path)
    for leftover in ("steps.sqlite-wal", "steps.sqlite-shm"):  # no connection is open: the WAL was checkpointed
        (rec.path / leftover).unlink(missing_ok=True)
    correct = sum(int(r["correct"]) for r in rec.rows)
    print(f"recorded {len(rec.rows)} trials ({correct} correct) in {rec.path}", file=sys.stderr)
    return digests


def _session_digest(run: Path) -> str:
    """A digest of the committed step data (independent of SQLite page layout)."""
    from neurogym_app.record.reader import open_session

    h = hashlib.sha256()
    with open_session(run) as reader:
        for tr in reader:
            h.update(json.dumps(tr.vars, sort_keys=True).encode())
            for name in sorted(tr.arrays):
                h.update(name.encode())
                h.update(tr.arrays[name].tobytes())
    return h.hexdigest()[:16]


def _sizes(root: Path) -> None:
    for folder in sorted(p for p in (root / "agents").iterdir() if p.is_dir()):
        size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
        print(f"  {folder.relative_to(root.parent)}: {size / 1024:.0f} KB")
    for run in sorted((root / "sessions").glob("*/*")):
        size = sum(f.stat().st_size for f in run.rglob("*") if f.is_file())
        print(f"  {run.relative_to(root.parent)}: {size / 1024:.0f} KB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "assets"), help="assets folder (default: assets/)")
    parser.add_argument("--check", action="store_true", help="rebuild in a temporary folder and compare with --out")
    args = parser.parse_args()
    out = Path(args.out)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = build(Path(tmp))
            shipped = {
                **{f"agents/{a['name']}/model.pt": _sha(out / "agents" / a["name"] / "model.pt") for a in AGENTS},
                "session/steps": _session_digest(next((out / "sessions").glob("*/*"))),
                "session/trials.csv": _sha(next((out / "sessions").glob("*/*")) / "trials.csv"),
            }
        same = {k: fresh[k] == shipped.get(k) for k in fresh}
        print(json.dumps({"identical": all(same.values()), "files": same, "fresh": fresh, "shipped": shipped}, indent=1))
        return 0 if all(same.values()) else 1
    digests = build(out)
    print(json.dumps(digests, indent=1))
    _sizes(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
