"""Crash-safety harness: SIGKILL `neurogym-app play` at random instants, check what survives.

Runs ``neurogym-app play <task> --auto oracle --realtime --headless`` (a simulated
participant on the wall clock, trials every ~200 ms) in a subprocess and kills it
with SIGKILL:

``startup``         at a random instant from the spawn (the run folder may not exist yet);
``random``          at a random instant of the run, spread over its whole length;
``boundary``        right after the process reported trial k (its trial boundary);
``in-transaction``  inside trial k's sqlite transaction, before COMMIT;
``after-commit``    after trial k's COMMIT, before its trials.csv row is appended;
``after-csv``       after the trials.csv row, before the trial is reported on stdout;
``creating``        while the run folder is being set up (manifest.json written, no database yet).

The four write modes run the same command through this script's ``--child``
mode, which pauses the recorder at that point (printing a marker) so that the
parent's SIGKILL lands exactly there.

After each kill the harness checks that

* every trial the process reported (``trial k/N`` on stdout) is read back by
  ``record.reader`` (a trial exists iff its transaction committed: the
  committed trials are 0..n-1, with the exact n the kill point implies);
* the files are valid: manifest.json is JSON, ``PRAGMA integrity_check`` is ok,
  every trial's arrays and events decode, trials.csv has the manifest's
  header and its rows are the first m committed trials (m = n or n - 1, the
  trial whose row had not been appended yet), each equal to the database's row;
* the next ``play`` with the same participant and session starts a NEW folder
  and leaves every earlier folder byte for byte unchanged.

Usage::

    python scripts/crash_harness.py                 # 50 kills, prints the figures
    python scripts/crash_harness.py --kills 8 --trials 10 --keep /tmp/crash
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

TASK = "GoNogo-v0"
TIME_SCALE = 0.08  # GoNogo's human trials (~2.5 s) last ~200 ms
PARTICIPANT = "crash01"
SESSION = 1
FAST_CONFIG = "[session]\nfeedback_ms = 0\niti_ms = 20\n"
TRIAL_S = 0.23  # rough wall time of one trial with the settings above
PAUSE_MARK = "@@paused"
WRITE_MODES = ("in-transaction", "after-commit", "after-csv")
MODES = ("startup", "creating", "random", "boundary", *WRITE_MODES)
PAUSE_STAGES = (*WRITE_MODES, "creating")
STARTUP_TIMEOUT_S = 60.0


# --------------------------------------------------------------------------- child
def child(argv: list[str]) -> int:
    """``--child --pause-at K:STAGE -- ARGS``: run the CLI with the recorder paused at a write stage."""
    p = argparse.ArgumentParser(prog="crash_harness.py --child")
    p.add_argument("--pause-at", required=True)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    args = p.parse_args(argv)
    k_text, _, stage = args.pause_at.partition(":")
    k = int(k_text)
    if stage not in PAUSE_STAGES:
        raise SystemExit(f"unknown stage {stage!r}")
    from neurogym_app.cli.main import main
    from neurogym_app.record import recorder as recorder_mod
    from neurogym_app.record.recorder import SessionRecorder

    for name in ("_commit", "_append_csv"):
        if not callable(getattr(SessionRecorder, name, None)):
            raise SystemExit(f"SessionRecorder.{name} is gone: update scripts/crash_harness.py")
    if not callable(getattr(recorder_mod, "_create_db", None)):
        raise SystemExit("recorder._create_db is gone: update scripts/crash_harness.py")

    def pause(where: str) -> None:
        sys.stdout.write(f"{PAUSE_MARK} {where} {k}\n")
        sys.stdout.flush()
        time.sleep(120)  # the parent kills us here
        raise SystemExit("crash harness: not killed while paused")

    orig_commit = SessionRecorder._commit
    orig_append = SessionRecorder._append_csv

    class _PausingConnection:
        """Delegates to the real connection; pauses just before COMMIT."""

        def __init__(self, real: sqlite3.Connection) -> None:
            self._real = real

        def __getattr__(self, name: str):
            return getattr(self._real, name)

        def execute(self, sql: str, *a):
            if sql.strip().upper() == "COMMIT":
                pause("in-transaction")
            return self._real.execute(sql, *a)

        def executemany(self, sql: str, *a):
            return self._real.executemany(sql, *a)

    def _commit(self, record, row):
        if record.index == k and stage == "in-transaction":
            real = self._conn
            self._conn = _PausingConnection(real)
            try:
                return orig_commit(self, record, row)
            finally:
                self._conn = real
        out = orig_commit(self, record, row)
        if record.index == k and stage == "after-commit":
            pause("after-commit")
        return out

    def _append_csv(self, row):
        out = orig_append(self, row)
        if int(row.get("trial", -1)) == k and stage == "after-csv":
            pause("after-csv")
        return out

    orig_create_db = recorder_mod._create_db

    def _create_db(path, manifest):
        if stage == "creating":
            pause("creating")
        return orig_create_db(path, manifest)

    SessionRecorder._commit = _commit
    SessionRecorder._append_csv = _append_csv
    recorder_mod._create_db = _create_db
    rest = args.rest[1:] if args.rest[:1] == ["--"] else args.rest
    return main(rest)


# --------------------------------------------------------------------------- parent
@dataclass
class KillResult:
    mode: str
    planned: str
    folder: Path | None
    reported: list[int]
    committed: list[int] = field(default_factory=list)
    csv_trials: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    lost: int = 0
    exit_code: int | None = None
    announced: bool = True  # the process printed the folder before the kill
    rejected: str | None = None  # the reader's one-line message for a folder killed while being created

    @property
    def survived(self) -> bool:
        return not self.problems

    def line(self) -> str:
        where = self.folder.name if self.folder else "-"
        state = "ok" if self.survived else "FAILED: " + "; ".join(self.problems)
        if self.rejected and self.survived:
            state += f" (reader: {self.rejected.split(': ', 1)[-1]})"
        return (
            f"{self.mode:<15} {self.planned:<22} reported {len(self.reported):>3}  committed {len(self.committed):>3}  "
            f"csv {len(self.csv_trials):>3}  lost {self.lost}  {where}  {state}"
        )


class _Lines:
    """Reads a process's stdout lines on a thread, with the time each arrived."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self.cond = threading.Condition()
        self.closed = False
        self.thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self.thread.start()

    def _read(self, proc: subprocess.Popen) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def wait_for(self, pred, timeout: float) -> str | None:
        """The first line (old or new) for which ``pred`` is true, or None (timeout / EOF)."""
        end = time.monotonic() + timeout
        seen = 0
        with self.cond:
            while True:
                for line in self.lines[seen:]:
                    if pred(line):
                        return line
                seen = len(self.lines)
                if self.closed:
                    return None
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def finish(self) -> list[str]:
        self.thread.join(timeout=10)
        with self.cond:
            return list(self.lines)


def play_args(out: Path, config: Path, trials: int, seed: int, extra: list[str] | None = None) -> list[str]:
    return [
        "play", TASK, "--auto", "oracle", "--realtime", "--headless",
        "--trials", str(trials), "--time-scale", str(TIME_SCALE), "--config", str(config),
        "--participant", PARTICIPANT, "--session", str(SESSION), "--seed", str(seed),
        "--out", str(out), *(extra or []),
    ]  # fmt: skip


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _trial_number(line: str) -> int | None:
    """1-based k of a ``trial k/N: ...`` line."""
    if not line.startswith("trial "):
        return None
    head = line[6:].split(":", 1)[0]
    try:
        return int(head.split("/", 1)[0])
    except ValueError:
        return None


def folder_hashes(root: Path) -> dict[Path, str]:
    """Run folder -> a hash of all its files (names and bytes)."""
    out: dict[Path, str] = {}
    task_dir = root / TASK
    if not task_dir.is_dir():
        return out
    for run in sorted(p for p in task_dir.iterdir() if p.is_dir()):
        h = hashlib.sha256()
        for f in sorted(run.rglob("*")):
            if f.is_file():
                h.update(str(f.relative_to(run)).encode() + b"\0")
                h.update(f.read_bytes())
        out[run] = h.hexdigest()
    return out


def run_and_kill(
    mode: str, out: Path, config: Path, trials: int, seed: int, rng: random.Random, slot: float, before: set[Path] = frozenset()
) -> KillResult:
    """One run of ``play`` killed by ``mode``; ``slot`` in [0, 1) spreads random instants over the run."""
    args = play_args(out, config, trials, seed)
    planned = ""
    if mode in PAUSE_STAGES:
        k = rng.randrange(0, trials - 1) if mode != "creating" else 0
        planned = f"trial {k}" if mode != "creating" else "folder set-up"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--pause-at", f"{k}:{mode}", "--", *args]
    else:
        cmd = [sys.executable, "-m", "neurogym_app.cli.main", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(), cwd=str(REPO))
    lines = _Lines(proc)
    try:
        if mode == "creating":
            if lines.wait_for(lambda s: s.startswith(PAUSE_MARK), STARTUP_TIMEOUT_S) is None:
                raise RuntimeError("the child never paused while creating its folder")
        elif mode == "startup":
            delay = rng.uniform(0.05, 0.75)  # the folder appears after ~0.6 s
            planned = f"{delay * 1000:.0f} ms after spawn"
            time.sleep(delay)
        else:
            if lines.wait_for(lambda s: s.startswith("recording to "), STARTUP_TIMEOUT_S) is None:
                raise RuntimeError("play did not start: " + (proc.stderr.read() if proc.poll() is not None else "timeout"))
            if mode == "random":
                delay = slot * 0.9 * trials * TRIAL_S  # within the run, which lasts >= trials * TRIAL_S
                planned = f"{delay * 1000:.0f} ms into the run"
                time.sleep(delay)
            elif mode == "boundary":
                k = rng.randrange(1, trials)
                planned = f"after trial {k}/{trials}"
                if lines.wait_for(lambda s: _trial_number(s) == k, 30 + trials * TRIAL_S * 4) is None:
                    raise RuntimeError(f"trial {k} was never reported")
            else:
                if lines.wait_for(lambda s: s.startswith(PAUSE_MARK), 30 + trials * TRIAL_S * 4) is None:
                    raise RuntimeError(f"the child never paused at {mode} {planned}")
        proc.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
    all_lines = lines.finish()
    stderr = proc.stderr.read() if proc.stderr else ""
    folder = None
    for line in all_lines:
        if line.startswith("recording to "):
            folder = Path(line[len("recording to ") :].strip())
    reported = [k - 1 for k in (_trial_number(s) for s in all_lines) if k is not None]
    announced = folder is not None
    if folder is None:  # killed before the path was printed: did it leave a folder?
        new = _new_folders(out, set(before))
        folder = new[0] if len(new) == 1 else None
    result = KillResult(mode, planned, folder, reported, exit_code=proc.returncode)
    result.announced = announced
    if proc.returncode != -signal.SIGKILL:
        result.problems.append(f"process ended by itself (exit {proc.returncode}) before the kill: {stderr.strip()[-300:]}")
    if "Traceback" in stderr:
        result.problems.append("traceback on stderr: " + stderr.strip().splitlines()[-1])
    verify(result, trials, planned)
    return result


def _new_folders(out: Path, before: set[Path]) -> list[Path]:
    task_dir = out / TASK
    if not task_dir.is_dir():
        return []
    return sorted(p for p in task_dir.iterdir() if p.is_dir() and p not in before)


def verify(result: KillResult, trials: int, planned: str) -> None:
    """Check the folder a killed run left (see the module docstring); fills ``result``."""
    from neurogym_app.record import schema
    from neurogym_app.record.reader import SessionFormatError, open_session
    from neurogym_app.record.recorder import format_row

    folder = result.folder
    problems = result.problems
    if folder is None:
        if result.reported:
            problems.append("trials reported but no folder announced")
        return
    manifest_path = folder / schema.MANIFEST_NAME
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        problems.append(f"manifest.json is not valid JSON: {exc}")
        return
    db = folder / schema.SQLITE_NAME
    try:
        if not db.exists():
            raise sqlite3.OperationalError("no steps.sqlite")
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        try:
            check = conn.execute("PRAGMA integrity_check").fetchall()
        finally:
            conn.close()
        if check != [("ok",)]:
            problems.append(f"integrity_check: {check[:3]}")
    except sqlite3.Error as exc:
        if result.announced:
            problems.append(f"steps.sqlite cannot be checked: {exc}")
    try:
        reader = open_session(folder)
    except SessionFormatError as exc:
        if not result.announced and not result.reported and "\n" not in str(exc):
            result.rejected = str(exc)  # killed while being set up: a clear refusal, nothing to lose
            return
        problems.append(f"reader rejects the folder: {exc}")
        result.lost = len(result.reported)
        return
    with reader:
        committed = reader.trial_indices()
        result.committed = committed
        summaries = {}
        for t in reader:  # every array and event decodes
            summaries[t.index] = t.row
            if "action" not in t.arrays or "observation" not in t.arrays:
                problems.append(f"trial {t.index} lacks its step arrays")
                break
    if committed != list(range(len(committed))):
        problems.append(f"committed trials are not 0..n-1: {committed}")
    lost = [k for k in result.reported if k not in set(committed)]
    result.lost = len(lost)
    if lost:
        problems.append(f"reported trials missing from steps.sqlite: {lost}")
    n = len(committed)
    if n - len(result.reported) not in (0, 1):
        problems.append(f"{n} committed but {len(result.reported)} reported (at most one may be unreported)")
    # the exact count a write-stage kill implies
    if result.mode in WRITE_MODES:
        k = int(planned.split()[-1])
        want_db = k if result.mode == "in-transaction" else k + 1
        want_csv = k + 1 if result.mode == "after-csv" else k
        if n != want_db:
            problems.append(f"killed {result.mode} of trial {k}: {n} trials committed, expected {want_db}")
        expect_csv = want_csv
    else:
        expect_csv = None
    # trials.csv: the header, then a prefix of the committed trials, each row equal to the database's
    columns = manifest.get("csv_columns") or []
    try:
        with open(folder / schema.CSV_NAME, encoding="utf-8", newline="") as f:
            text = f.read()
    except OSError as exc:
        problems.append(f"trials.csv unreadable: {exc}")
        return
    if text and not text.endswith("\n"):
        problems.append("trials.csv ends with a torn row")
    rows = list(csv.reader(text.splitlines()))
    if not rows or rows[0] != columns:
        problems.append("trials.csv header differs from the manifest's csv_columns")
        return
    body = rows[1:]
    try:
        csv_trials = [int(r[columns.index("trial")]) for r in body]
    except (ValueError, IndexError):
        problems.append("trials.csv has a malformed row")
        return
    result.csv_trials = csv_trials
    if csv_trials != list(range(len(csv_trials))):
        problems.append(f"trials.csv trials are not 0..m-1: {csv_trials}")
    if not n - 1 <= len(csv_trials) <= n:
        problems.append(f"trials.csv has {len(csv_trials)} rows for {n} committed trials")
    if expect_csv is not None and len(csv_trials) != expect_csv:
        problems.append(f"trials.csv has {len(csv_trials)} rows, expected {expect_csv}")
    for r in body:
        idx = int(r[columns.index("trial")])
        want = format_row(summaries.get(idx, {}), columns)
        if r != want:
            problems.append(f"trials.csv row {idx} differs from steps.sqlite")
            break


def restart_check(out: Path, config: Path, before: dict[Path, str]) -> list[str]:
    """``play`` again with the same participant/session: a new folder, the old ones untouched."""
    args = play_args(out, config, 2, 12345)
    args.remove("--realtime")
    proc = subprocess.run(
        [sys.executable, "-m", "neurogym_app.cli.main", *args], capture_output=True, text=True, env=_env(), cwd=str(REPO)
    )
    problems = []
    if proc.returncode != 0:
        problems.append(f"restart failed (exit {proc.returncode}): {proc.stderr.strip()[-300:]}")
    new = _new_folders(out, set(before))
    if len(new) != 1:
        problems.append(f"restart made {len(new)} new folders, expected 1")
    after = folder_hashes(out)
    changed = [p.name for p, h in before.items() if after.get(p) != h]
    if changed:
        problems.append(f"restart changed earlier folders: {changed}")
    return problems


def plan(kills: int, rng: random.Random) -> list[str]:
    """Modes for ``kills`` kills: ~40 % random instants, ~20 % boundaries, the rest write stages, a few startups."""
    n_startup = max(1, kills // 25) if kills >= 10 else 0
    n_write = max(len(WRITE_MODES), round(kills * 0.36))
    n_boundary = max(1, round(kills * 0.2))
    n_random = kills - 2 * n_startup - n_write - n_boundary
    modes = ["startup", "creating"] * n_startup + ["boundary"] * n_boundary + ["random"] * n_random
    modes += [WRITE_MODES[i % len(WRITE_MODES)] for i in range(n_write)]
    rng.shuffle(modes)
    return modes


@dataclass
class Summary:
    results: list[KillResult]
    restart_problems: list[str]
    new_folder_each_time: bool

    @property
    def kills(self) -> int:
        return len(self.results)

    @property
    def survived(self) -> int:
        return sum(r.survived for r in self.results)

    @property
    def trials_lost(self) -> int:
        return sum(r.lost for r in self.results)

    @property
    def ok(self) -> bool:
        return self.survived == self.kills and self.trials_lost == 0 and not self.restart_problems


def run_harness(
    out: Path, kills: int = 50, trials: int = 20, seed: int = 0, log=None, modes: list[str] | None = None
) -> Summary:
    """``kills`` kill runs in ``out`` (same participant and session each time), then one restart."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    config = out / "fast.toml"
    config.write_text(FAST_CONFIG, encoding="utf-8")
    modes = modes or plan(kills, rng)
    n_random = modes.count("random")
    slots = [(i + rng.random()) / max(1, n_random) for i in range(n_random)]  # spread over the run
    rng.shuffle(slots)
    results: list[KillResult] = []
    restart_problems: list[str] = []
    new_each_time = True
    for i, mode in enumerate(modes):
        before = folder_hashes(out)
        slot = slots.pop() if mode == "random" else 0.0
        result = run_and_kill(mode, out, config, trials, seed * 1000 + i, rng, slot, set(before))
        # a killed run never reuses a folder and never touches the earlier ones
        if result.folder is not None and result.folder in before:
            result.problems.append("the run reused an existing folder")
            new_each_time = False
        after = folder_hashes(out)
        changed = [p.name for p, h in before.items() if after.get(p) != h]
        if changed:
            result.problems.append(f"earlier folders changed: {changed}")
        results.append(result)
        if log:
            log(f"[{i + 1:>3}/{len(modes)}] {result.line()}")
    restart_problems = restart_check(out, config, folder_hashes(out))
    if log:
        log("restart with the same participant/session: " + ("new folder, earlier ones unchanged" if not restart_problems else "; ".join(restart_problems)))
    return Summary(results, restart_problems, new_each_time)


def report(summary: Summary) -> str:
    by_mode = Counter(r.mode for r in summary.results)
    ok_by_mode = Counter(r.mode for r in summary.results if r.survived)
    parts = ", ".join(f"{m} {ok_by_mode[m]}/{by_mode[m]}" for m in MODES if by_mode[m])
    reported = sum(len(r.reported) for r in summary.results)
    committed = sum(len(r.committed) for r in summary.results)
    return (
        f"kills survived: {summary.survived}/{summary.kills} ({parts}); trials lost: {summary.trials_lost} "
        f"(reported {reported}, committed {committed}); restart: "
        f"{'new folder, earlier ones unchanged' if not summary.restart_problems else 'FAILED'}"
    )


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        return child(argv[1:])
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--kills", type=int, default=50)
    p.add_argument("--trials", type=int, default=20, help="trials per killed run (default 20)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--keep", metavar="DIR", help="sessions root to use and keep (default: a temporary folder)")
    args = p.parse_args(argv)
    t0 = time.monotonic()
    if args.keep:
        summary = run_harness(Path(args.keep), args.kills, args.trials, args.seed, log=print)
    else:
        with tempfile.TemporaryDirectory(prefix="ngym-crash-") as tmp:
            summary = run_harness(Path(tmp), args.kills, args.trials, args.seed, log=print)
    print(report(summary))
    print(f"({time.monotonic() - t0:.0f} s)")
    return 0 if summary.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
