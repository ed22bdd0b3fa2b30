"""Write errors during `play`: a full disk or a read-only folder stops the session with one clear line.

Whatever goes wrong, the trials written before stay readable (reader, trials.csv,
export) and the CLI exits with code 2 and no traceback. Real failures where the
system allows them (a file-size limit, a tiny tmpfs, ``chattr +i`` -- chmod does
not stop root), injected OS errors otherwise.
"""

from __future__ import annotations

import csv
import errno
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from neurogym_app.cli.main import main
from neurogym_app.record import recorder as recorder_mod
from neurogym_app.record import schema
from neurogym_app.record.export import export_session
from neurogym_app.record.reader import open_session
from neurogym_app.record.recorder import SessionRecorder

REPO = Path(__file__).resolve().parent.parent
LINUX = sys.platform.startswith("linux")
BASE = ["play", "GoNogo-v0", "--auto", "oracle", "--headless", "--backend", "null", "--seed", "3"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_cli(args, preexec=None, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "neurogym_app.cli.main", *args],
        capture_output=True,
        text=True,
        env=_env(),
        preexec_fn=preexec,
        timeout=timeout,
    )


def only_folder(out: Path) -> Path:
    (folder,) = [p for p in (out / "GoNogo-v0").iterdir() if p.is_dir()]
    return folder


def reported_trials(stdout: str) -> int:
    return sum(1 for line in stdout.splitlines() if line.startswith("trial "))


def assert_one_line_error(stderr: str, *words: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("neurogym-app: error: ") and "Traceback" not in stderr
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


def assert_readable(folder: Path, n_db: int, n_csv: int | None = None, tmp_path: Path | None = None) -> None:
    """The reader, trials.csv and the export all see the trials saved before the failure."""
    with open_session(folder) as s:
        assert s.trial_indices() == list(range(n_db))
        for t in s:
            assert "observation" in t.arrays and t.row["trial"] == t.index
    with open(folder / schema.CSV_NAME, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["trial"]) for r in rows] == list(range(n_db if n_csv is None else n_csv))
    if tmp_path is not None:
        (out,) = export_session(folder, "csv", tmp_path / "export")
        assert len(out.read_text(encoding="utf-8").splitlines()) == 1 + n_db
    assert not list(folder.glob("*.tmp")), "a temporary file was left behind"


# ------------------------------------------------------------------ disk full
@pytest.mark.skipif(not LINUX, reason="RLIMIT_FSIZE/SIGXFSZ semantics are Linux's")
def test_disk_full_by_file_size_limit(tmp_path):
    """A real write failure from the OS (EFBIG past the limit), through the real CLI."""

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (120_000, 120_000))

    out = tmp_path / "s"
    proc = run_cli([*BASE, "--trials", "300", "--out", str(out)], preexec=limit)
    assert proc.returncode == 2, proc.stderr
    line = assert_one_line_error(proc.stderr, "cannot save trial", "saved before are in", str(out))
    folder = only_folder(out)
    n = reported_trials(proc.stdout)
    assert 0 < n < 300 and f"the {n} trial(s) saved before" in line
    assert_readable(folder, n, tmp_path=tmp_path)
    with open_session(folder) as s:
        assert s.manifest["status"] == "error" and "cannot save trial" in s.manifest["error"]


def _mount_tmpfs(path: Path, size: str) -> bool:
    if not LINUX or os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    path.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    return r.returncode == 0


@pytest.fixture
def tiny_disk(tmp_path):
    mnt = tmp_path / "tiny"
    if not _mount_tmpfs(mnt, "256k"):
        pytest.skip("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)")
    try:
        yield mnt
    finally:
        for _ in range(20):
            if subprocess.run(["umount", str(mnt)], capture_output=True).returncode == 0:
                break
            time.sleep(0.1)


def test_disk_full_on_a_tiny_filesystem(tiny_disk, tmp_path):
    """A genuinely full disk (ENOSPC from a 256 KiB tmpfs)."""
    proc = run_cli([*BASE, "--trials", "500", "--out", str(tiny_disk)])
    assert proc.returncode == 2, proc.stderr
    assert_one_line_error(proc.stderr, "cannot", "disk is full", "saved before are in")
    folder = only_folder(tiny_disk)
    n = reported_trials(proc.stdout)
    assert n > 0
    # the database may hold one trial more than trials.csv if only the csv append failed
    with open_session(folder) as s:
        n_db = len(s)
    assert n_db in (n, n + 1)
    assert_readable(folder, n_db, n, tmp_path=tmp_path)


def _fail_on_trial(monkeypatch, method: str, k: int, exc: BaseException) -> None:
    real = getattr(SessionRecorder, method)

    def failing(self, *args):
        record_or_row = args[0]
        index = record_or_row.index if hasattr(record_or_row, "index") else int(record_or_row["trial"])
        if index == k:
            raise exc
        return real(self, *args)

    monkeypatch.setattr(SessionRecorder, method, failing)


@pytest.mark.parametrize(
    "method, exc, words, n_db, n_csv",
    [
        ("_commit", sqlite3.OperationalError("database or disk is full"), ["cannot save trial 4", "disk is full"], 4, 4),
        ("_append_csv", OSError(errno.ENOSPC, "No space left on device"), ["cannot append trial 4", "No space left"], 5, 4),
    ],
    ids=["sqlite-full", "csv-enospc"],
)
def test_disk_full_on_the_nth_trial(monkeypatch, capsys, tmp_path, method, exc, words, n_db, n_csv):
    _fail_on_trial(monkeypatch, method, 4, exc)
    out = tmp_path / "s"
    assert main([*BASE, "--trials", "20", "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert_one_line_error(captured.err, *words, "the 4 trial(s) saved before are in")
    assert reported_trials(captured.out) == 4  # the failing trial is not reported as done
    folder = only_folder(out)
    assert_readable(folder, n_db, n_csv, tmp_path=tmp_path)
    with open_session(folder) as s:
        assert s.manifest["status"] == "error" and words[0] in s.manifest["error"]


# ----------------------------------------------------------- read-only folder
def test_read_only_sessions_root(monkeypatch, capsys, tmp_path):
    """The folder cannot be created (EROFS): one line before anything runs, nothing written."""
    root = tmp_path / "ro"
    root.mkdir()
    real_mkdir = Path.mkdir

    def mkdir(self, *a, **k):
        if str(self).startswith(str(root)):
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return real_mkdir(self, *a, **k)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    assert main([*BASE, "--trials", "3", "--out", str(root)]) == 2
    captured = capsys.readouterr()
    assert_one_line_error(captured.err, "cannot create a session folder", "Read-only file system")
    assert "trial 1/" not in captured.out and list(root.iterdir()) == []


def test_folder_turns_read_only_mid_session(monkeypatch, capsys, tmp_path):
    """trials.csv can no longer be opened (EACCES) from trial 3 on; the database is intact."""
    real_open = open

    def guarded_open(file, mode="r", *a, **k):
        if str(file).endswith(schema.CSV_NAME) and "a" in mode and guarded_open.appends >= 3:
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        if str(file).endswith(schema.CSV_NAME) and "a" in mode:
            guarded_open.appends += 1
        return real_open(file, mode, *a, **k)

    guarded_open.appends = 0
    monkeypatch.setattr(recorder_mod, "open", guarded_open, raising=False)
    monkeypatch.setattr(recorder_mod.os, "access", lambda p, mode, **k: not str(p).endswith(schema.CSV_NAME))
    out = tmp_path / "s"
    assert main([*BASE, "--trials", "10", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert_one_line_error(err, "cannot append trial 3", "Permission denied", "the folder is read-only")
    assert_readable(only_folder(out), 4, 3, tmp_path=tmp_path)


def _chattr(flag: str, *paths: Path) -> bool:
    if not LINUX or shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", flag, *map(str, paths)], capture_output=True).returncode == 0


def test_immutable_sessions_root_for_real(tmp_path):
    """chattr +i stops root too: the real EPERM, named as a read-only folder."""
    root = tmp_path / "ro"
    root.mkdir()
    if not _chattr("+i", root):
        pytest.skip("chattr +i is not available here")
    try:
        proc = run_cli([*BASE, "--trials", "3", "--out", str(root)])
    finally:
        _chattr("-i", root)
    assert proc.returncode == 2
    assert_one_line_error(proc.stderr, "cannot create a session folder", "read-only")
    assert list(root.iterdir()) == []


def test_folder_made_immutable_mid_session_for_real(tmp_path):
    """A real run (wall clock) whose folder becomes unwritable after trial 3."""
    out = tmp_path / "s"
    cfg = tmp_path / "fast.toml"
    cfg.write_text("[session]\nfeedback_ms = 0\niti_ms = 20\n", encoding="utf-8")
    args = [*BASE, "--realtime", "--trials", "40", "--time-scale", "0.08", "--config", str(cfg), "--out", str(out)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "neurogym_app.cli.main", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    locked: list[Path] = []
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("trial 3/"):
                folder = only_folder(out)
                # not the -shm file: SQLite maps it, and an immutable mapping is a SIGBUS, not an error
                locked = [folder, *(folder / n for n in ("manifest.json", "trials.csv", "steps.sqlite", "steps.sqlite-wal"))]
                if not _chattr("+i", *locked):
                    locked = []
                    proc.kill()
                    pytest.skip("chattr +i is not available here")
                break
        rest, err = proc.communicate(timeout=60)
        lines += rest.splitlines(keepends=True)
    finally:
        if proc.poll() is None:
            proc.kill()
        if locked:
            _chattr("-i", *locked)
    assert proc.returncode == 2, err
    assert_one_line_error(err, "cannot", "the folder is read-only", "saved before are in")
    n = reported_trials("".join(lines))
    assert n >= 3
    folder = only_folder(out)
    with open_session(folder) as s:
        n_db = len(s)
    assert n_db in (n, n + 1)
    assert_readable(folder, n_db, n)
