"""The bad-input corpus (tests/bad_inputs/cases.toml) through the real CLI.

Every case runs ``python -m neurogym_app.cli.main ARGS`` in a subprocess and must
give exactly one line on stderr that starts with ``neurogym-app`` and contains the
case's words, exit code 2, no traceback, and leave every file it was shown
untouched: the sessions root that already holds a recorded session, the corpus
itself and the damaged session copy (hashes before/after), with no new run
folder anywhere. See cases.toml for the placeholders and damage specs.

The cases run concurrently (a few subprocesses at a time) in one module fixture;
each test then checks one case's result.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "bad_inputs"
REPO = HERE.parent
CASES = tomllib.loads((CORPUS / "cases.toml").read_text(encoding="utf-8"))["case"]
PLAY = ["--auto", "oracle", "--headless", "--backend", "null", "--trials", "2", "--out", "{OUT}"]
XPLAY = ["--auto", "oracle", "--headless", "--backend", "null", "--out", "{OUT}"]
TIMEOUT_S = 60


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("DISPLAY", None)  # no participant dialog, no window
    env.pop("WAYLAND_DISPLAY", None)
    return env


def tree_hashes(*roots: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under ``roots`` (folders as entries too)."""
    out: dict[str, str] = {}
    for root in roots:
        if not root.exists():
            continue
        for p in sorted(root.rglob("*")):
            key = f"{root}:{p.relative_to(root)}"
            out[key] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "<dir>"
    return out


# ------------------------------------------------------------------ damage
def apply_damage(spec: str, session: Path, tmp: Path, seed: int) -> None:
    """Damage ``session`` (a copy of a good run folder) as one line of a case's ``damage`` says."""
    parts = spec.split()
    kind = parts[0]
    rng = random.Random(seed)
    if kind == "truncate":
        f = session / parts[1]
        data = f.read_bytes()
        f.write_bytes(data[: int(len(data) * float(parts[2]))])
    elif kind == "empty":
        (session / parts[1]).write_bytes(b"")
    elif kind == "random":
        (session / parts[1]).write_bytes(rng.randbytes(int(parts[2])))
    elif kind == "random-file":
        Path(parts[1].replace("{TMP}", str(tmp))).write_bytes(rng.randbytes(int(parts[2])))
    elif kind == "delete":
        (session / parts[1]).unlink()
    elif kind == "copy":
        shutil.copyfile(CORPUS / parts[1], session / parts[2])
    elif kind == "manifest":
        key, _, value = parts[1].partition("=")
        path = session / "manifest.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        data[key] = json.loads(value)
        path.write_text(json.dumps(data), encoding="utf-8")
    elif kind == "meta":
        key, _, value = parts[1].partition("=")
        conn = sqlite3.connect(session / "steps.sqlite")
        conn.execute("UPDATE meta SET value = ? WHERE key = ?", (value, key))
        conn.commit()
        conn.close()
    elif kind == "foreign-db":
        db = session / "steps.sqlite"
        db.unlink()
        conn = sqlite3.connect(db)
        conn.execute("CREATE TABLE people (name TEXT, age INTEGER)")
        conn.execute("INSERT INTO people VALUES ('x', 1)")
        conn.commit()
        conn.close()
    elif kind == "no-tables":  # as a run killed while creating its database leaves it
        db = session / "steps.sqlite"
        db.unlink()
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.close()
    else:
        raise ValueError(f"unknown damage {spec!r}")


# ------------------------------------------------------------------ running
@dataclass
class Outcome:
    case: dict
    args: list[str]
    returncode: int | None
    stdout: str
    stderr: str
    changed: list[str]
    new_runs: list[str]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> tuple[Path, Path]:
    """A sessions root holding one recorded session: (root, run folder)."""
    out = tmp_path_factory.mktemp("sessions")
    r = subprocess.run(
        [sys.executable, "-m", "neurogym_app.cli.main", "play", "GoNogo-v0", "--auto", "oracle", "--headless",
         "--backend", "null", "--trials", "3", "--seed", "1", "--participant", "P01", "--out", str(out)],
        capture_output=True, text=True, env=_env(), timeout=TIMEOUT_S,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    (run,) = (out / "GoNogo-v0").iterdir()
    return out, run


def _run_case(case: dict, out: Path, good: Path, scratch: Path) -> Outcome:
    tmp = scratch / case["id"]
    tmp.mkdir(parents=True)
    session = tmp / "session"
    shutil.copytree(good, session)
    for i, spec in enumerate(case.get("damage", [])):
        apply_damage(spec, session, tmp, seed=i)
    args: list[str] = []
    for a in case["args"]:
        for item in {"PLAY": PLAY, "XPLAY": XPLAY}.get(a, [a]):
            args.append(
                item.replace("{IN}", str(CORPUS)).replace("{OUT}", str(out)).replace("{SESSION}", str(session))
                .replace("{TMP}", str(tmp))
            )  # fmt: skip
    watched = (out, CORPUS, session)
    before = tree_hashes(*watched)
    runs_before = {p for p in out.rglob("*") if p.is_dir()}
    r = subprocess.run(
        [sys.executable, "-m", "neurogym_app.cli.main", *args],
        capture_output=True, text=True, env=_env(), timeout=TIMEOUT_S, input=case.get("stdin", ""),
    )  # fmt: skip
    after = tree_hashes(*watched)
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    new_runs = sorted(str(p) for p in out.rglob("*") if p.is_dir() and p not in runs_before)
    return Outcome(case, args, r.returncode, r.stdout, r.stderr, changed, new_runs)


@pytest.fixture(scope="module")
def outcomes(recorded, tmp_path_factory) -> dict[str, Outcome]:
    out, good = recorded
    scratch = tmp_path_factory.mktemp("cases")
    # The corpus is watched by every case: run the cases that write into a
    # scratch folder of their own concurrently, they never share one.
    workers = max(2, min(6, (os.cpu_count() or 2) * 2))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {c["id"]: pool.submit(_run_case, c, out, good, scratch) for c in CASES}
        return {cid: f.result() for cid, f in futures.items()}


def test_case_ids_are_unique():
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 100


def test_corpus_files_exist():
    """Every {IN}/... file a case names is in the corpus (a typo would make a case test nothing)."""
    missing = []
    for c in CASES:
        for a in c["args"]:
            if "{IN}/" in a and "no_such" not in a:
                p = Path(a.replace("{IN}", str(CORPUS)))
                if not p.exists():
                    missing.append((c["id"], a))
    assert not missing


@pytest.mark.parametrize("case_id", [c["id"] for c in CASES])
def test_bad_input_gives_one_clear_line(outcomes, case_id):
    o = outcomes[case_id]
    shown = f"args: {o.args}\nexit: {o.returncode}\nstderr:\n{o.stderr}\nstdout:\n{o.stdout[-500:]}"
    assert "Traceback" not in o.stderr, shown
    assert o.returncode == 2, shown
    lines = o.stderr.strip().splitlines()
    assert len(lines) == 1, shown
    assert lines[0].startswith("neurogym-app"), shown
    for word in o.case["words"]:
        assert word in lines[0], f"{word!r} not in the message\n{shown}"
    assert not o.changed, f"files changed: {o.changed}\n{shown}"
    assert not o.new_runs, f"a run folder was created: {o.new_runs}\n{shown}"


def test_non_ascii_participant_letters_are_fine(recorded, tmp_path):
    """Not an error: ids in any script are kept (NFC), folders are made for them."""
    out = tmp_path / "s"
    r = subprocess.run(
        [sys.executable, "-m", "neurogym_app.cli.main", "play", "GoNogo-v0", "--auto", "oracle", "--headless",
         "--backend", "null", "--trials", "1", "--participant", "Jose\u0301_日本", "--out", str(out)],
        capture_output=True, text=True, env=_env(), timeout=TIMEOUT_S,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    (run,) = (out / "GoNogo-v0").iterdir()
    assert run.name.startswith("Jos\u00e9_日本_1_")


def test_summary(outcomes, capsys):
    """The corpus figure: cases run / cases with one clear line."""
    ran = list(outcomes.values())
    clear = [
        o
        for o in ran
        if o.returncode == 2
        and "Traceback" not in o.stderr
        and len(o.stderr.strip().splitlines()) == 1
        and all(w in o.stderr for w in o.case["words"])
        and not o.changed
        and not o.new_runs
    ]
    with capsys.disabled():
        print(f"\nbad-input corpus: {len(CASES)} cases, {len(ran)} run, {len(clear)} clear one-line errors")
    assert len(clear) == len(ran)
