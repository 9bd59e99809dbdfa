"""Each family's growth beyond the matrix's rows, fitted on the members timed in 60 s fits
(``benchmarks/member_costs.py``): on the 13 PMLB regression tables of over 2,000 rows
(``member-costs-pmlb/``, leave-one-dataset-out) and, apart, on the 33 unseen tables
(``member-costs-unseen/``, the shipped base). A member's observed time over the matrix's
prediction at the matrix's rows (its growth) is modelled as (fits / 3) * (rows per fit /
667) ** e, the matrix's tables having 1,000 rows in 3 folds; e by least squares through the
origin in logs. Then, on the unseen tables, each family's error with the growth of LightGBM's
defaults (as predicted in the fits) against that with ``automl._knowledge.ROW_EXPONENTS``
(grown by ``automl._cost.row_growth`` itself), and for the families left out of it, with the
exponents fitted on PMLB.
From the repository root:

    python benchmarks/results/forest-growth-s57/fit_exponents.py

writes ``exponents.md``.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from automl._cost import row_growth  # noqa: E402
from automl._knowledge import ROW_EXPONENTS  # noqa: E402
from benchmarks.report import to_markdown  # noqa: E402
from knowledge_base.paths import shipped_path  # noqa: E402
from metalearning.portfolio import MATRIX_FOLDS, Portfolio, portfolio_path  # noqa: E402

# The rows the matrix's fits trained on in all (as automl._knowledge._predicted_seconds).
PORTFOLIO = Portfolio.load(portfolio_path(shipped_path() / "portfolio", "regression"))
ROWS_SEEN = PORTFOLIO.max_rows * (MATRIX_FOLDS - 1)


def members(folder: str) -> pd.DataFrame:
    """The members that finished, with their growth's terms."""
    frame = pd.concat(pd.read_csv(f) for f in sorted((HERE / folder).glob("members-*.csv")))
    frame = frame[frame["status"] == "success"].copy()
    frame["x"] = np.log(frame["rows_trained"] / frame["fits"] / (ROWS_SEEN / MATRIX_FOLDS))
    growth = frame["observed_all_rows"] / frame["unextrapolated"]
    frame["y"] = np.log(growth) - np.log(frame["fits"] / MATRIX_FOLDS)
    return frame


def fitted(frame: pd.DataFrame) -> pd.Series:
    return frame.groupby("model").apply(lambda p: (p["x"] * p["y"]).sum() / (p["x"] ** 2).sum())


def errors(frame: pd.DataFrame, exponents: dict[str, float]) -> pd.DataFrame:
    """Per family, log2(predicted / observed) with LightGBM's growth and with ``exponents``."""
    rows = []
    for model, part in frame.groupby("model"):
        if model not in exponents:
            continue
        growth = [
            row_growth(
                model,
                rows,
                ROWS_SEEN,
                features,
                fits=fits,
                fits_seen=MATRIX_FOLDS,
                exponent=exponents[model],
            )
            for rows, features, fits in zip(part["rows_trained"], part["features"], part["fits"])
        ]
        for name, predicted in (
            ("LightGBM's growth", part["predicted"]),
            ("measured", part["unextrapolated"] * growth),
        ):
            err = np.log2(predicted / part["observed_all_rows"])
            rows.append(
                {
                    "family": model,
                    "growth": name,
                    "members": len(part),
                    "median log2(predicted / observed)": round(float(err.median()), 2),
                    "mean abs log2": round(float(err.abs().mean()), 2),
                    "under by 2x or more": int((err <= -1).sum()),
                    "over by 2x or more": int((err >= 1).sum()),
                }
            )
    return pd.DataFrame(rows)


def main() -> None:
    pmlb, unseen = members("member-costs-pmlb"), members("member-costs-unseen")
    table = pd.DataFrame(
        {
            "PMLB members": pmlb.groupby("model").size(),
            "e fitted on PMLB": fitted(pmlb).round(2),
            "unseen members": unseen.groupby("model").size(),
            "e fitted on unseen": fitted(unseen).round(2),
            "shipped": pd.Series(ROW_EXPONENTS["regression"]),
        }
    )
    lines = [
        "# Growth beyond the matrix's rows, fitted per family",
        "",
        to_markdown(table.rename_axis("family").reset_index(), index=False),
        "",
        "## The unseen tables: the shipped exponents against LightGBM's growth",
        "",
        to_markdown(errors(unseen, ROW_EXPONENTS["regression"]), index=False),
        "",
        "## Left out: LightGBM and CatBoost at the exponents fitted on PMLB",
        "",
        to_markdown(errors(unseen, fitted(pmlb)[["lightgbm", "catboost"]].to_dict()), index=False),
        "",
    ]
    (HERE / "exponents.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
