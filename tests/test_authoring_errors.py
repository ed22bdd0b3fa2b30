"""Mistakes in a user's task: one line in `neurogym-app info`/`check` naming the file, line and fix.

Each case is a task module written to a temporary envs folder, with the line
of the mistake marked ``# MISTAKE``; the CLI must print that file and line and
the fix, on one line, with no traceback; ``check`` reports the failure once
and names the checks it stopped.
"""

from __future__ import annotations

import textwrap

import pytest

from neurogym_app.cli.main import main

HEADER = '''
import numpy as np
import neurogym_app as ngym
from neurogym_app.tasks.helpers import judge_fixate_then_choose


class {name}(ngym.TrialEnv):
    def __init__(self, dt=100):
        super().__init__(dt=dt)
        self.timing = {timing}
        self.rewards = {{"abort": -0.1, "correct": 1.0, "fail": 0.0}}
        self.abort = False
        self.observation_space = ngym.spaces.Box(
            -np.inf, np.inf, shape=(3,), dtype=np.float32, name={{"fixation": 0, "stimulus": [1, 2]}}
        )
        self.action_space = ngym.spaces.Discrete(3, name={{"fixation": 0, "choice": [1, 2]}})

    def _step(self, action):
        return judge_fixate_then_choose(self, action)

    def _new_trial(self, **kwargs):
        self.add_period(["fixation", "stimulus", "decision"])
'''
TIMING = '{"fixation": 200, "stimulus": 500, "decision": 200}'

CASES = {
    "AuthorChannelTypo": (
        TIMING,
        'self.add_ob(0.5, "stimulus", where="stimuls")  # MISTAKE\n        return {}',
        ["no observation channel named 'stimuls'", "did you mean 'stimulus'?"],
    ),
    "AuthorPeriodTypo": (
        TIMING,
        'self.add_ob(1, "fixaton", where="fixation")  # MISTAKE\n        return {}',
        ["no period 'fixaton' in this trial", "did you mean 'fixation'?"],
    ),
    "AuthorWrongShape": (
        TIMING,
        'self.add_ob(np.ones(3), "stimulus", where="stimulus")  # MISTAKE\n        return {}',
        ["add_ob got a value of shape (3,)", "one value per channel (2,)"],
    ),
    "AuthorNoDict": (
        TIMING,
        'return [1, 2]  # MISTAKE',
        ["_new_trial returned list", "return trial"],
    ),
    "AuthorUnknownTiming": (
        '{"fixation": 200, "decision": 200}',
        'return {}  # MISTAKE: add_period above names "stimulus", which has no timing',
        ["no timing for period 'stimulus'", "add it to self.timing"],
    ),
    "AuthorGtIndex": (
        TIMING,
        'self.set_groundtruth(5, "decision", where="choice")  # MISTAKE\n        return {}',
        ["'choice' has 2 actions", "give an index 0..1"],
    ),
}


def _write(tmp_path, name, class_name=None):
    timing, body, _ = CASES[name]
    class_name = class_name or name  # ids are registered once per session: each test its own class
    source = textwrap.dedent(HEADER.format(name=class_name, timing=timing)) + "        " + body + "\n"
    path = tmp_path / f"{class_name.lower()}.py"
    path.write_text(source)
    lines = source.splitlines()
    marked = next(i for i, line in enumerate(lines, 1) if "# MISTAKE" in line)
    if name == "AuthorUnknownTiming":
        marked = next(i for i, line in enumerate(lines, 1) if "add_period" in line)
    if name == "AuthorNoDict":  # the value is seen after _new_trial returned: the report names its def line
        marked = next(i for i, line in enumerate(lines, 1) if "def _new_trial" in line)
    return path, marked


@pytest.mark.parametrize("name", sorted(CASES))
def test_info_names_file_line_and_fix_in_one_line(tmp_path, capsys, name):
    path, line = _write(tmp_path, name)
    code = main(["--envs", str(tmp_path), "info", f"{name}-v0"])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err  # one line, no traceback
    assert f"{path}:{line}:" in err
    for fragment in CASES[name][2]:
        assert fragment in err


@pytest.mark.parametrize("name", ["AuthorChannelTypo", "AuthorNoDict"])
def test_check_reports_the_failure_once_then_what_it_stopped(tmp_path, capsys, name):
    path, line = _write(tmp_path, name, class_name=f"{name}Checked")
    code = main(["--envs", str(tmp_path), "check", f"{name}Checked-v0", "--steps", "50"])
    out = capsys.readouterr().out
    assert code == 1
    report = next(row for row in out.splitlines() if row.startswith(f"{name}Checked-v0:"))
    assert report.count(f"{path}:{line}:") == 1  # once, not once per check
    assert "; stopped: determinism, seeds differ" in report
    assert report.endswith("new_trial(**trial) rebuild")


def test_check_flags_a_period_timed_below_half_a_step(tmp_path, capsys):
    name = "AuthorShortPeriod"
    source = textwrap.dedent(HEADER.format(name=name, timing='{"fixation": 200, "stimulus": 30, "decision": 200}'))
    (tmp_path / "authorshort.py").write_text(source + "        return {}\n")
    code = main(["--envs", str(tmp_path), "check", f"{name}-v0", "--steps", "50"])
    out = capsys.readouterr().out
    assert code == 1
    assert "periods last at least dt: period 'stimulus' is timed 30 ms, less than half of dt = 100 ms" in out
    assert "stopped" not in out  # a finding, not a crash: the other checks ran


def test_a_fault_of_the_library_is_not_blamed_on_a_task():
    """Frames of neurogym_app (but its tasks), numpy and the standard library are never "the task's code"."""
    import neurogym_app.core.registry as registry_module
    from neurogym_app.core.authoring import one_line

    # code that runs, raises and catches entirely inside the library (compiled as a file of the core)
    namespace: dict = {}
    exec(compile("def run(f):\n    try:\n        f()\n    except Exception as exc:\n        return exc\n", registry_module.__file__, "exec"), namespace)
    import numpy as np

    caught = namespace["run"](lambda: np.zeros(2)[5])  # the lambda is this test's code: blamed on it
    assert one_line(caught).startswith(f"{__file__}:")
    inside = namespace["run"](np.zeros(2).__getitem__.__call__)  # raised in numpy, called from the core
    assert one_line(inside) is None
