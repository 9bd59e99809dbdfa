"""CPU seconds and energy of trials and fits (automl/_energy.py), and ``energy_budget``."""

from __future__ import annotations

import math
import subprocess
import sys
import time

import numpy as np
import pytest
from sklearn.datasets import make_classification

from automl import AutoMLClassifier
from automl._energy import WATTS_PER_CORE, EnergyMeter, Rapl, cpu_seconds_of, watts_per_core
from automl._limits import Status, run_limited
from automl.cli import main

# --------------------------------------------------------------- functions the children run


def burn(seconds: float) -> float:
    """Spin until this process has used ``seconds`` of CPU."""
    start = time.process_time()
    while time.process_time() - start < seconds:
        pass
    return seconds


def burn_in_a_grandchild(seconds: float) -> int:
    code = f"import time\nt = time.process_time()\nwhile time.process_time() - t < {seconds}: pass"
    return subprocess.run([sys.executable, "-c", code], check=True).returncode


# ------------------------------------------------------------------ CPU time of a trial child


def test_cpu_seconds_track_a_trial_that_burns_known_cpu():
    result = run_limited(burn, (1.0,), wall_time=30)
    assert result.status is Status.SUCCESS
    assert 0.95 <= result.cpu_seconds < 1.6


def test_a_sleeping_trial_uses_little_cpu():
    result = run_limited(time.sleep, (1.0,), wall_time=30)
    assert result.status is Status.SUCCESS
    assert 0 <= result.cpu_seconds < 0.4  # wall time is not CPU time


@pytest.mark.timing
def test_a_trial_stopped_at_its_limit_is_read_before_it_is_killed():
    result = run_limited(burn, (60.0,), wall_time=2.0)
    assert result.status is Status.TIMEOUT
    assert 0.5 < result.cpu_seconds <= 2.6  # CPU used up to its limit, not nothing


def test_the_trial_process_tree_is_counted():
    result = run_limited(burn_in_a_grandchild, (0.6,), wall_time=30)
    assert result.status is Status.SUCCESS
    assert result.cpu_seconds >= 0.6


def test_a_crash_reports_its_cpu_too():
    result = run_limited(int, ("not a number",), wall_time=10)
    assert result.status is Status.CRASHED and math.isfinite(result.cpu_seconds)


def test_proc_reading_of_this_process():
    before = cpu_seconds_of(__import__("os").getpid())
    assert before is not None and before > 0
    assert cpu_seconds_of(2**22 + 12345) is None  # no such process


# -------------------------------------------------------------------------- energy sources


def test_the_power_model_without_rapl(monkeypatch):
    monkeypatch.delenv("AUTOML_WATTS_PER_CORE", raising=False)
    meter = EnergyMeter(rapl=None)
    assert meter.source == "model" and meter.watts == WATTS_PER_CORE == 12.0
    assert meter.trial(meter.mark(), 2.0) == (24.0, "model")
    assert meter.children_cpu == 2.0
    burn(0.3)
    assert meter.cpu_seconds() >= 2.28  # the trial and this process's own burn (clock ticks)
    assert meter.joules() == pytest.approx(meter.cpu_seconds() * 12.0, rel=0.05)
    monkeypatch.setenv("AUTOML_WATTS_PER_CORE", "5.5")
    assert watts_per_core() == 5.5
    monkeypatch.setenv("AUTOML_WATTS_PER_CORE", "nonsense")
    assert watts_per_core() == WATTS_PER_CORE


def _zone(root, name: str, uj: int, span: int = 2**32) -> None:
    zone = root / name
    zone.mkdir(parents=True, exist_ok=True)
    (zone / "energy_uj").write_text(f"{uj}\n")
    (zone / "max_energy_range_uj").write_text(f"{span}\n")


def test_rapl_counters_are_read_from_powercap_files(tmp_path):
    assert Rapl.find(tmp_path / "absent") is None
    _zone(tmp_path, "intel-rapl:0", 1_000_000)
    _zone(tmp_path, "intel-rapl:0:0", 500_000)  # a sub-zone of package 0: not counted twice
    _zone(tmp_path, "intel-rapl:1", 2**32 - 1_000_000)
    rapl = Rapl.find(tmp_path)
    assert [d.name for d in rapl.domains] == ["intel-rapl:0", "intel-rapl:1"]
    meter = EnergyMeter(rapl=rapl)
    assert meter.source == "rapl"
    mark = meter.mark()
    _zone(tmp_path, "intel-rapl:0", 4_000_000)  # +3 J
    _zone(tmp_path, "intel-rapl:1", 1_000_000)  # wrapped around: +2 J
    joules, source = meter.trial(mark, 0.5)
    assert (joules, source) == (pytest.approx(5.0), "rapl")
    assert meter.joules() == pytest.approx(5.0)


# ---------------------------------------------------------------- in a fit, and its budget


@pytest.fixture(scope="module")
def data():
    return make_classification(300, 8, n_informative=4, random_state=0)


def _classifier(**kw) -> AutoMLClassifier:
    params = dict(
        time_budget=60,
        random_state=0,
        warm_start=False,
        update_knowledge_base=False,
        optimizer="random",
        models=("lightgbm", "k_nearest_neighbors", "linear"),  # cheap ones: a fast test
    )
    return AutoMLClassifier(**{**params, **kw})


@pytest.fixture(scope="module")
def unlimited(data):
    return _classifier(n_trials=6).fit(*data)


def test_every_trial_records_cpu_and_energy(unlimited):
    trials = unlimited.trials_
    ran = trials[trials["status"] != "skipped"]
    assert len(ran) == 6
    assert (ran["cpu_seconds"] > 0).all()
    # Each trial process trains 5 folds: it cannot take more CPU than 2 cores' wall time.
    wall = ran["end_time"] - ran["start_time"]
    assert (ran["cpu_seconds"] <= 2 * wall + 0.5).all()
    assert set(ran["energy_source"]) == {unlimited.energy_["source"]}
    if unlimited.energy_["source"] == "model":
        model = ran["cpu_seconds"] * unlimited.energy_["watts_per_core"]
        np.testing.assert_allclose(ran["energy_joules"], model)
    board = unlimited.leaderboard_
    assert {"cpu_seconds", "energy_joules"} <= set(board.columns)
    assert board["energy_joules"].sum() == pytest.approx(trials["energy_joules"].sum())
    energy = unlimited.energy_
    # refits too (summed in another order: equal up to rounding where none ran)
    assert energy["trial_cpu_seconds"] >= ran["cpu_seconds"].sum() - 1e-9
    assert energy["cpu_seconds"] > energy["trial_cpu_seconds"]  # and this process's own
    assert energy["joules"] >= trials["energy_joules"].sum()


def test_energy_budget_stops_the_search_earlier(data, unlimited):
    # Against the trials alone: the whole fit also holds one-off costs a second fit does not pay.
    budget = 0.4 * unlimited.trials_["energy_joules"].sum()
    limited = _classifier(n_trials=6, energy_budget=budget).fit(*data)
    ran = limited.trials_[limited.trials_["status"] != "skipped"]
    assert 1 <= len(ran) < 6
    # The search stops in time for the refit: at most one of its own trials beyond the budget.
    # (Its own: joules follow CPU time, which a busy machine stretches between two fits.)
    assert limited.energy_["search_joules"] < budget + ran["energy_joules"].max()


def test_the_progress_line_shows_cpu_and_joules(data, capsys):
    _classifier(n_trials=1, verbose=1).fit(*data)
    err = capsys.readouterr().err
    line = next(x for x in err.splitlines() if "trial   1" in x)
    assert " CPU s, " in line and " J" in line
    assert "CPU s" in err.splitlines()[-1]  # the fit's total


def test_a_bad_energy_budget_is_refused(data):
    with pytest.raises(ValueError, match="`energy_budget` must be a positive number of joules"):
        _classifier(energy_budget=-1.0).fit(*data)


def test_cli_energy_budget(tmp_path, data, capsys):
    X, y = data
    path = tmp_path / "data.csv"
    frame = __import__("pandas").DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    frame.assign(target=y).to_csv(path, index=False)
    args = ["fit", str(path), "--target", "target", "--out", str(tmp_path / "m.joblib")]
    args += ["--cold", "--no-kb-update", "--quiet", "--n-trials", "5", "--time-budget", "60"]
    assert main([*args, "--energy-budget", "1"]) == 0  # the first trial only: it always runs
    out = capsys.readouterr().out
    assert "energy_joules" in out and "1 trials in" in out and " J (" in out
    assert main([*args, "--energy-budget", "0"]) == 2
    assert "energy_budget" in capsys.readouterr().err
