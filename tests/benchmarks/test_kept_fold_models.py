import pandas as pd

from benchmarks import kept_fold_models
from tests.conftest import PMLB


def test_kept_fold_models_are_the_models_a_refit_would_fit(tmp_path):
    """The same seed and trials with and without keeping: the same trials, the same test
    predictions, and a table of both fits' seconds."""
    argv = ["--pmlb", str(PMLB), "--datasets", "confidence", "--n-trials", "2"]
    assert kept_fold_models.main([*argv, "--out", str(tmp_path)]) == 0
    fits = pd.read_csv(tmp_path / "paired-fits.csv").set_index("variant")
    assert list(fits.index) == ["kept", "refit"]
    assert fits["same_trials"].all()
    assert fits.loc["refit", "max_prediction_difference"] == 0.0
    assert (fits["after_search_seconds"] > 0).all()
    assert "| confidence |" in (tmp_path / "paired-fits.md").read_text()
