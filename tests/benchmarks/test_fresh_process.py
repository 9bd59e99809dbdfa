"""A first fit in a fresh process, with the fork server started early or at the first trial."""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks import fresh_process
from tests.conftest import PMLB


def test_each_setting_fits_in_its_own_process_and_reports_its_first_trial(tmp_path):
    names = tmp_path / "datasets.txt"
    names.write_text("prnn_crabs\n")
    out = tmp_path / "out"
    argv = ["--pmlb", str(PMLB), "--datasets-file", str(names), "--budget", "3"]
    assert fresh_process.main([*argv, "--repeats", "1", "--out", str(out)]) == 0
    results = pd.read_csv(out / "results.csv")
    assert sorted(results["setting"]) == sorted(fresh_process.SETTINGS)
    assert (results["first_trial_end"] > 0).all() and (results["successful"] >= 1).all()
    assert np.isfinite(results["test_loss"]).all()
    assert "first_trial_end" in (out / "summary.md").read_text()
