"""Tests for neurogym_app.config: Config from TOML / kwargs / dict, errors, round trips."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from neurogym_app.config import (
    AgentConfig,
    Config,
    ConfigError,
    DisplayConfig,
    EnvConfig,
    MonitorConfig,
    MonitorPlotConfig,
    SessionConfig,
)

DATA = Path(__file__).parent / "data"
TEMPLATE = DATA / "neurogym_config_template.toml"


@pytest.fixture(autouse=True)
def _no_ngym_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """NGYM_* variables of whoever runs the tests must not change the results."""
    for name in list(os.environ):
        if name.upper().startswith("NGYM_"):
            monkeypatch.delenv(name)


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


EXAMPLE_TOML = """\
local_dir = "outputs"

[env]
name = "GoNogo-v0"
dt = 20
timing = { fixation = 300, stimulus = ["uniform", [400, 600]], delay = [100, 200, 300] }

[env.kwargs]
coherence = 0.5

[monitor]
name = "MyMonitor"

[monitor.plot]
trigger = "step"
value = 500
create = true

[session]
participant = "p01"
trials = 40
seed = 7

[display]
distance_cm = 60
resolution = [1280, 1024]

[keys]
left = ["Left", "f"]
right = ["Right", "j"]
"""

EXAMPLE_DICT = {
    "local_dir": "outputs",
    "env": {
        "name": "GoNogo-v0",
        "dt": 20,
        "timing": {"fixation": 300, "stimulus": ["uniform", [400, 600]], "delay": [100, 200, 300]},
        "kwargs": {"coherence": 0.5},
    },
    "monitor": {"name": "MyMonitor", "plot": {"trigger": "step", "value": 500, "create": True}},
    "session": {"participant": "p01", "trials": 40, "seed": 7},
    "display": {"distance_cm": 60, "resolution": [1280, 1024]},
    "keys": {"left": ["Left", "f"], "right": ["Right", "j"]},
}


# ---------------------------------------------------------------------------
# Three ways in, one object out
# ---------------------------------------------------------------------------


def test_toml_kwargs_and_dict_give_equal_configs(tmp_path: Path) -> None:
    from_toml = Config(str(write(tmp_path, EXAMPLE_TOML)))
    from_kwargs = Config(**EXAMPLE_DICT)
    from_dict = Config.model_validate(EXAMPLE_DICT)
    assert from_toml == from_kwargs == from_dict
    assert Config.from_toml(tmp_path / "config.toml") == from_toml
    assert Config(EXAMPLE_DICT) == from_toml  # a mapping as first argument

    cfg = from_toml
    assert cfg.local_dir == Path("outputs")
    assert cfg.env.name == "GoNogo-v0" and cfg.env.dt == 20 and isinstance(cfg.env.dt, int)
    assert cfg.env.kwargs == {"coherence": 0.5}
    assert cfg.monitor.plot.trigger == "step" and cfg.monitor.plot.value == 500
    assert cfg.monitor.plot.title == "GoNogo-v0"  # empty title falls back to the task name
    assert cfg.session.trials == 40 and cfg.session.seed == 7
    assert cfg.display.resolution == (1280, 1024) and cfg.display.distance_cm == 60.0
    assert cfg.keys == {"left": ["Left", "f"], "right": ["Right", "j"]}


def test_readme_examples_are_equal() -> None:
    # NeuroGym's README: "With Python Class" and "With a Dictionary".
    by_class = Config(local_dir="logs/", env={"name": "GoNogo-v0"}, monitor={"name": "MyMonitor"})
    by_dict = Config.model_validate(
        {"env": {"name": "GoNogo-v0"}, "monitor": {"name": "MyMonitor"}, "local_dir": "logs/"}
    )
    assert by_class == by_dict
    cfg = Config.model_validate(
        {
            "env": {"name": "GoNogo-v0"},
            "monitor": {"name": "MyMonitor", "plot": {"trigger": "step", "value": 500, "create": True}},
            "local_dir": "./outputs",
        }
    )
    assert cfg.monitor.plot.value == 500


def test_section_instances_and_tuples_compare_equal_to_plain_data() -> None:
    a = Config(env=EnvConfig(name="X", timing={"stimulus": ("uniform", (100, 200))}))
    b = Config(env={"name": "X", "timing": {"stimulus": ["uniform", [100, 200]]}})
    assert a == b
    assert a.env.make_kwargs() == {"dt": 10, "timing": {"stimulus": ("uniform", [100, 200])}}


def test_keyword_arguments_override_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, EXAMPLE_TOML)
    cfg = Config(path, env={"dt": 50}, session={"trials": 3})
    assert cfg.env.dt == 50 and cfg.env.name == "GoNogo-v0"  # merged, not replaced
    assert cfg.session.trials == 3 and cfg.session.participant == "p01"
    assert Config(config_file=path) == Config(path)


def test_defaults() -> None:
    cfg = Config()
    assert cfg.local_dir == Path("runs")
    assert cfg.env == EnvConfig() and cfg.env.dt == 10 and cfg.env.name == ""
    assert cfg.monitor.trigger == "trial" and cfg.monitor.interval == 1000 and cfg.monitor.verbose
    assert cfg.monitor.plot == MonitorPlotConfig()
    assert cfg.agent.model == "lstm" and cfg.agent.training.unit == "trial" and cfg.agent.inference.unit == "step"
    assert cfg.session.out == Path("sessions") and cfg.session.timing == "human" and cfg.session.backend == "qt"
    assert cfg.session.view in ("agent", "natural") and cfg.session.seed is None
    assert cfg.display.distance_cm == 57 and cfg.display.width_cm == 53 and cfg.display.units == "pix"
    assert cfg.display.refresh_hz == 60 and cfg.display.fullscreen is False
    assert cfg.keys == {}
    # Section defaults are not shared between instances.
    other = Config()
    other.env.kwargs["x"] = 1
    assert cfg.env.kwargs == {}


# ---------------------------------------------------------------------------
# NeuroGym's own template
# ---------------------------------------------------------------------------


def test_upstream_template_loads_unchanged() -> None:
    cfg = Config(TEMPLATE)
    assert cfg.env.name == "TrialEnv" and cfg.env.dt == 10
    assert cfg.agent.training.unit == "trial" and cfg.agent.training.value == 100
    assert cfg.agent.inference.unit == "step" and cfg.agent.inference.value == 10000
    assert cfg.monitor.name == "" and cfg.monitor.trigger == "trial" and cfg.monitor.interval == 1000
    assert cfg.monitor.plot.create is True and cfg.monitor.plot.step == 1000 and cfg.monitor.plot.ext == "png"
    assert cfg.monitor.plot.title == "TrialEnv"
    assert cfg.monitor.log.level == "INFO" and cfg.monitor.log.interval == 10 and cfg.monitor.log.verbose
    assert "{time:YYYY-MM-DD@HH:mm:ss}" in cfg.monitor.log.format


def test_other_upstream_spellings_load(tmp_path: Path) -> None:
    # Other NeuroGym versions: verbose directly under [monitor]; plural trigger units.
    path = write(
        tmp_path,
        '[monitor]\nverbose = false\n[monitor.plot]\ntrigger = "steps"\nvalue = 5\n[agent.training]\nunit = "trials"\n',
    )
    cfg = Config(path)
    assert cfg.monitor.verbose is False
    assert cfg.monitor.plot.trigger == "step" and cfg.monitor.plot.value == 5
    assert cfg.agent.training.unit == "trial"


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


def test_malformed_toml_names_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, '[env]\nname = "GoNogo-v0"\ndt = = 3\n')
    with pytest.raises(ConfigError) as info:
        Config(path)
    message = str(info.value)
    assert message.startswith(f"{path}:3:")
    assert "malformed TOML" in message
    assert "\n" not in message
    assert info.value.source == str(path)


def test_malformed_toml_relative_path_keeps_the_name_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "[env]\nname = 'x\n")
    with pytest.raises(ConfigError, match=r"^config\.toml:2:\d+: malformed TOML: "):
        Config("config.toml")


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match="nope.toml: config file not found"):
        Config(missing)
    with pytest.raises(ConfigError, match="not a TOML config file"):
        Config(tmp_path)


def test_unknown_top_level_field_names_field_file_and_valid_fields(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, '[envv]\nname = "x"\n')
    with pytest.raises(ConfigError) as info:
        Config("config.toml")
    message = str(info.value)
    assert message.startswith("config.toml: unknown field 'envv' (valid: env, monitor, ")
    for section in ("agent", "session", "display", "keys", "local_dir"):
        assert section in message


def test_unknown_nested_field_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "[monitor.plot]\ncreat = true\n")
    with pytest.raises(ConfigError, match=r"unknown field 'monitor\.plot\.creat' \(valid: create, "):
        Config(path)
    with pytest.raises(ConfigError, match="unknown field 'display.size'"):
        Config(display={"size": 3})
    with pytest.raises(ConfigError, match="unknown field 'agent.training.steps'"):
        Config.model_validate({"agent": {"training": {"steps": 3}}})


def test_wrong_value_names_field_file_and_value(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, '[monitor.plot]\ntrigger = "x"\n')
    with pytest.raises(ConfigError) as info:
        Config("config.toml")
    assert str(info.value) == "config.toml: monitor.plot.trigger: Input should be 'trial' or 'step' (got 'x')"


def test_wrong_types_name_the_field(tmp_path: Path) -> None:
    path = write(tmp_path, '[env]\ndt = "fast"\n[display]\nresolution = [1280, "a"]\n[session]\ntrials = 0\n')
    with pytest.raises(ConfigError) as info:
        Config(path)
    message = str(info.value)
    assert f"{path}: env.dt: " in message
    assert f"{path}: display.resolution[1]: " in message
    assert f"{path}: session.trials: " in message
    assert len(info.value.errors) == 3
    assert "\n" not in message


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        ({"env": {"dt": 0}}, "env.dt"),
        ({"env": {"dt": True}}, "env.dt"),
        ({"env": {"timing": {"stimulus": ["gauss", [1, 2]]}}}, "unknown distribution 'gauss'"),
        ({"env": {"timing": {"stimulus": -5}}}, "negative"),
        ({"session": {"view": "robot"}}, "session.view: Input should be 'agent' or 'natural'"),
        ({"session": {"timing": "slow"}}, "session.timing"),
        ({"session": {"backend": "tk"}}, "session.backend"),
        ({"session": {"time_scale": 0}}, "session.time_scale"),
        ({"session": {"participant": "../x"}}, "session.participant"),
        ({"agent": {"model": "cnn"}}, "agent.model: Input should be 'rnn', 'gru' or 'lstm'"),
        ({"display": {"units": "cm"}}, "display.units"),
        ({"display": {"background": [0, 0, 300]}}, "display.background[2]"),
        ({"keys": {"left": ["f"], "right": ["f"]}}, "key 'f' is bound to both 'left' and 'right'"),
        ({"monitor": {"interval": -1}}, "monitor.interval"),
        ({"session": {"trials": 0}}, "session.trials: Input should be greater than 0"),
        ({"session": {"trials": 10**12}},
         "session.trials: 1000000000000 is too many: use 1 to 1000000 (split long runs into sessions)"),
    ],
)
def test_invalid_values_are_config_errors(values: dict, needle: str) -> None:
    with pytest.raises(ConfigError) as info:
        Config(**values)
    assert str(info.value).startswith("Config: ")
    assert needle in str(info.value)
    with pytest.raises(ConfigError) as info_dict:
        Config.model_validate(values)
    assert str(info_dict.value) == str(info.value)


def test_limits_are_one_named_constant_each() -> None:
    from neurogym_app.config.limits import (
        MAX_SESSION_DT_MS,
        MAX_TRIALS,
        check_trial_count,
        session_dt_error,
    )

    assert (MAX_TRIALS, MAX_SESSION_DT_MS) == (1_000_000, 1000)
    assert Config(session={"trials": MAX_TRIALS}).session.trials == MAX_TRIALS
    assert check_trial_count(1, "--trials") is None and check_trial_count(MAX_TRIALS, "--trials") is None
    assert check_trial_count(None, "--trials") is None
    assert check_trial_count(MAX_TRIALS + 1, "--trials") == (
        "--trials 1000001 is too many: use 1 to 1000000 (split long runs into sessions)"
    )
    assert session_dt_error(MAX_SESSION_DT_MS) is None and session_dt_error(0.5) is None
    assert session_dt_error("fast") is None and session_dt_error(float("nan")) is None  # left to the other checks
    assert session_dt_error(100000, "dt") == (
        "dt = 100000 ms is too long a time step for a session: use a dt of at most 1000 ms "
        "(dt is in milliseconds, e.g. dt = 100)"
    )


def test_env_dt_is_not_bounded_by_the_config() -> None:
    """[env] is NeuroGym's section (training, the library): any positive dt; play checks its own bound."""
    assert Config(env={"name": "GoNogo-v0", "dt": 100000}).env.dt == 100000


def test_config_error_is_a_value_error() -> None:
    assert issubclass(ConfigError, ValueError)


def test_error_from_kwargs_is_not_blamed_on_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[env]\nname = "x"\n')
    with pytest.raises(ConfigError, match=r"^Config: env\.dt: "):
        Config(path, env={"dt": -1})


# ---------------------------------------------------------------------------
# Round trips
# ---------------------------------------------------------------------------


def test_to_toml_from_toml_round_trip(tmp_path: Path) -> None:
    cfg = Config(**EXAMPLE_DICT)
    out = tmp_path / "sub" / "saved.toml"
    text = cfg.to_toml(out)
    assert out.read_text(encoding="utf-8") == text
    assert Config.from_toml(out) == cfg
    assert Config.model_validate(cfg.to_dict()) == cfg


def test_round_trip_of_defaults_and_template(tmp_path: Path) -> None:
    for cfg in (Config(), Config(TEMPLATE), Config(agent={"seed": 3}, session={"seed": 0})):
        path = tmp_path / "rt.toml"
        cfg.to_toml(path)
        assert Config(path) == cfg


def test_to_dict_is_plain_data() -> None:
    data = Config(**EXAMPLE_DICT).to_dict()
    assert data["local_dir"] == "outputs"
    assert data["display"]["resolution"] == [1280, 1024]
    assert "seed" not in data["agent"]  # None is left out (TOML has no null)
    assert data["session"]["seed"] == 7


def test_to_toml_without_path_only_returns_text() -> None:
    text = Config(env={"name": "GoNogo-v0"}).to_toml()
    assert '[env]\nname = "GoNogo-v0"' in text


# ---------------------------------------------------------------------------
# Environment variables
# ---------------------------------------------------------------------------


def test_environment_variables_use_prefix_and_nested_delimiter(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NGYM_ENV__DT", "25")
    monkeypatch.setenv("NGYM_MONITOR__PLOT__CREATE", "false")
    monkeypatch.setenv("NGYM_SESSION__PARTICIPANT", "p42")
    monkeypatch.setenv("ENV__DT", "99")  # no prefix: ignored
    monkeypatch.setenv("NGYM_UNRELATED", "1")  # not a field: ignored
    cfg = Config()
    assert cfg.env.dt == 25 and cfg.monitor.plot.create is False and cfg.session.participant == "p42"
    # The file and keyword arguments win over the environment.
    path = write(tmp_path, "[env]\ndt = 30\n")
    assert Config(path).env.dt == 30
    assert Config(path, env={"dt": 40}).env.dt == 40
    # A dict goes the same way as keyword arguments.
    assert Config.model_validate({}).env.dt == 25
    assert Config.model_validate({"env": {"dt": 40}}) == Config(env={"dt": 40})


def test_bad_environment_variable_is_named(monkeypatch) -> None:
    monkeypatch.setenv("NGYM_ENV__DT", "abc")
    with pytest.raises(ConfigError, match=r"^\$NGYM_ENV__DT: env\.dt: "):
        Config()


# ---------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------


def test_pix_per_deg_on_a_known_monitor() -> None:
    # 1920 px over 53 cm at 57 cm: 1 deg = 2 * 57 * tan(0.5 deg) = 0.99487 cm.
    display = DisplayConfig(distance_cm=57, width_cm=53, resolution=(1920, 1080))
    expected = 1920 / 53 * 2 * 57 * math.tan(math.radians(0.5))
    assert display.pix_per_deg() == pytest.approx(expected)
    assert display.pix_per_deg() == pytest.approx(36.041, abs=1e-3)
    # 40 cm wide, 1600 px (40 px/cm), viewed so that 1 deg is exactly 1 cm.
    d = 1 / (2 * math.tan(math.radians(0.5)))
    assert DisplayConfig(distance_cm=d, width_cm=40, resolution=(1600, 1200)).pix_per_deg() == pytest.approx(40.0)
    # Exact conversions for larger angles, and their inverse.
    assert display.deg_to_pix(10) == pytest.approx(2 * 57 * math.tan(math.radians(5)) * 1920 / 53)
    assert display.pix_to_deg(display.deg_to_pix(7.5)) == pytest.approx(7.5)
    assert display.frame_ms == pytest.approx(1000 / 60)


def test_display_background_accepts_hex() -> None:
    assert DisplayConfig(background="#808080").background == (128, 128, 128)


def test_keys_accept_a_single_name() -> None:
    assert Config(keys={"go": "space"}).keys == {"go": ["space"]}


def test_sections_forbid_unknown_keys_and_validate_assignment() -> None:
    for model in (EnvConfig, MonitorConfig, MonitorPlotConfig, AgentConfig, SessionConfig, DisplayConfig):
        with pytest.raises(ValueError):
            model(not_a_field=1)
    cfg = Config()
    with pytest.raises(ValueError):
        cfg.session.trials = 0


def test_paths_expand_user_and_variables(monkeypatch) -> None:
    monkeypatch.setenv("NGYM_TEST_ROOT", "/data")
    cfg = Config(local_dir="$NGYM_TEST_ROOT/runs", session={"out": "~/sessions"})
    assert cfg.local_dir == Path("/data/runs")
    assert cfg.session.out == Path("~/sessions").expanduser()


def test_config_package_imports_no_gui_or_ml_libraries() -> None:
    code = (
        "import sys, neurogym_app.config\n"
        "bad = [m for m in ('PyQt5', 'PyQt6', 'PySide6', 'pyqtgraph', 'psychopy', 'torch', 'matplotlib')"
        " if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True)
    assert result.stdout.strip() == ""


GOOD_SPECS = [
    0,
    300,
    12.5,
    [100, 200, 300],
    ["constant", 500],
    ["until", 1500],
    ["uniform", [400, 600]],
    ["choice", [100, 200]],
    ["truncated_exponential", [600]],
    ["truncated_exponential", [600, 300, 3000]],
    ["truncated_exponential", [600, 3000, 300]],  # min >= max: always max, as NeuroGym
]
BAD_SPECS = [
    -1,
    True,
    "300",
    [],
    ["gauss", [1, 2]],
    ["uniform", [600, 400]],
    ["uniform", [1]],
    ["choice", []],
    ["constant", -3],
    [100, "a"],
    {"a": 1},
]


@pytest.mark.parametrize("spec", GOOD_SPECS)
def test_timing_specs_accepted(spec) -> None:
    assert Config(env={"timing": {"stimulus": spec}}).env.timing == {"stimulus": spec}


@pytest.mark.parametrize("spec", BAD_SPECS)
def test_timing_specs_rejected_like_the_core(spec) -> None:
    with pytest.raises(ConfigError, match=r"^Config: env\.timing: timing for period 'stimulus': "):
        Config(env={"timing": {"stimulus": spec}})
    # The config check agrees with the one tasks run (neurogym_app.core.timing).
    from neurogym_app.core import timing

    with pytest.raises(ValueError):
        timing.validate_timing("stimulus", spec)


@pytest.mark.parametrize("spec", GOOD_SPECS)
def test_timing_specs_accepted_by_the_core(spec) -> None:
    from neurogym_app.core import timing

    timing.validate_timing("stimulus", spec)
