"""bench/compare_trees.py: two trees timed interleaved, ratios in speed terms, slower cases flagged."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import compare_trees as ct  # noqa: E402


def _trees(tmp_path):
    return [ct.Tree(name, name, tmp_path, "c0ffee", tmp_path) for name in ("old", "new")]


def test_repeats_alternate_which_tree_goes_first_and_ratios_mean_speed(tmp_path):
    order: list[str] = []
    values = {"old": 100.0, "new": 90.0}

    def fake(tree, params, min_time):
        order.append(tree.name)
        return values[tree.name]

    trees = _trees(tmp_path)
    rate = ct.measure(ct.Case("rate", "/s", fake, [{}]), {}, trees, 4, 0.1)
    assert order == ["old", "new", "new", "old", "old", "new", "new", "old"]
    assert rate["ratio"] == pytest.approx(0.9)  # fewer operations per second: slower
    time = ct.measure(ct.Case("time", "s", fake, [{}]), {}, trees, 2, 0.1)
    assert time["ratio"] == pytest.approx(100 / 90)  # less time: faster
    summary = ct.summarise([rate, time], 0.95)
    assert summary["flagged"] == ["rate"] and summary["per_case"]["time"]["min_ratio"] > 1
    assert "<-- slower" in ct.format_table([rate], 0.95) and "<-- slower" not in ct.format_table([time], 0.95)


def test_a_failing_measurement_is_reported_and_the_other_tree_still_measured(tmp_path):
    def fake(tree, params, min_time):
        if tree.name == "old":
            raise RuntimeError("old tree: no such case")
        return 1.0

    row = ct.measure(ct.Case("x", "s", fake, [{}]), {}, _trees(tmp_path), 3, 0.1)
    assert row["errors"] == {"old": "RuntimeError: old tree: no such case"} and len(row["new"]["values"]) == 3
    assert "ratio" not in row and ct.summarise([row], 0.95)["failed"] == ["x"]

    def neither(tree, params, min_time):
        raise RuntimeError("AttributeError: 'LeverPress' object has no attribute 'new_trial'")

    both = ct.measure(ct.Case("y", "/s", neither, [{}]), {}, _trees(tmp_path), 2, 0.1)
    summary = ct.summarise([both], 0.95)
    assert summary["failed"] == [] and summary["not_measured"] == ["y"]


def test_an_exported_revision_is_the_package_its_processes_import(tmp_path):
    path = tmp_path / "tree"
    commit = ct.export_tree("HEAD", path)
    assert len(commit) == 40 and (path / "neurogym_app" / "__init__.py").is_file()
    work = tmp_path / "work"
    work.mkdir()
    ct.check_tree(ct.Tree("old", "HEAD", path, commit, work))  # imports neurogym_app from the export, not the venv's
    with pytest.raises(ct.TreeError, match="imported from"):
        ct.check_tree(ct.Tree("old", "HEAD", tmp_path / "elsewhere", commit, work))


def test_an_unknown_revision_is_one_line(tmp_path):
    with pytest.raises(ct.TreeError, match="no-such-rev"):
        ct.export_tree("no-such-rev", tmp_path / "x")
