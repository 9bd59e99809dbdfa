"""`automl fit` and `automl predict` on files, as a user runs them."""

import gzip

import pandas as pd
import pytest

from automl.cli import main

TINY = ["--time-budget", "30", "--n-trials", "2", "--cold", "--no-kb-update", "--quiet"]


@pytest.fixture
def crabs(tmp_path, load_pmlb):
    X, y = load_pmlb("prnn_crabs")
    frame = X.assign(species=y.map({0: "blue", 1: "orange"}))
    return frame


@pytest.mark.parametrize("suffix", [".csv", ".tsv.gz", ".parquet"])
def test_fit_then_predict(tmp_path, crabs, suffix, capsys):
    path = tmp_path / f"crabs{suffix}"
    if suffix == ".csv":
        crabs.to_csv(path, index=False)
    elif suffix == ".parquet":
        crabs.to_parquet(path)
    else:
        with gzip.open(path, "wt") as fh:
            crabs.to_csv(fh, sep="\t", index=False)
    model = tmp_path / "model.joblib"
    assert main(["fit", str(path), "--target", "species", "--out", str(model), *TINY]) == 0
    assert "roc_auc" in capsys.readouterr().out
    out = tmp_path / "pred.csv"
    assert (
        main(["predict", str(model), str(path), "--out", str(out), "--proba", "--drop-extra"]) == 0
    )
    preds = pd.read_csv(out)
    assert len(preds) == len(crabs)
    assert set(preds["prediction"]) <= {"blue", "orange"}
    assert {"proba_blue", "proba_orange"} <= set(preds.columns)


def test_regression_is_inferred(tmp_path, load_pmlb, capsys):
    X, y = load_pmlb("1096_FacultySalaries")
    path = tmp_path / "salaries.csv"
    X.assign(target=y).to_csv(path, index=False)
    assert main(["fit", str(path), "--target", "target", "--out", str(tmp_path / "m"), *TINY]) == 0
    assert capsys.readouterr().out.startswith("regression")


def test_unknown_target_is_a_clear_error(tmp_path, crabs, capsys):
    path = tmp_path / "crabs.csv"
    crabs.to_csv(path, index=False)
    assert main(["fit", str(path), "--target", "nope", *TINY]) == 2
    assert "Target column 'nope' not found" in capsys.readouterr().err


def test_missing_file_is_a_clear_error(tmp_path, capsys):
    assert main(["fit", str(tmp_path / "none.csv"), "--target", "y"]) == 2
    assert "No such data file" in capsys.readouterr().err


def test_predict_with_missing_column_fails_clearly(tmp_path, crabs, capsys):
    path = tmp_path / "crabs.csv"
    crabs.to_csv(path, index=False)
    model = tmp_path / "m.joblib"
    main(["fit", str(path), "--target", "species", "--out", str(model), *TINY])
    crabs.drop(columns=["FL"]).to_csv(tmp_path / "less.csv", index=False)
    assert main(["predict", str(model), str(tmp_path / "less.csv"), "--drop-extra"]) == 2
    assert "FL" in capsys.readouterr().err
