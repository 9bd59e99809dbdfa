"""Does the default's gain over cold SMAC at 60 s depend on how well the knowledge base
predicted the opening's results on the table? A measure a fit could read after its first trials,
in both tasks, where the distance to the base (``distance-vs-gain-s48``) held in regression only.

Per table, simulated on the matrix leave-one-dataset-out (the table and its siblings hidden):
the first ``n`` candidates of the opening as a fit runs them (the portfolio's first member, then
the families' defaults in turn with the next members), their normalised losses predicted from
the other datasets with the weights that order them, against their losses on the table. Set
against the default's relative test loss to cold SMAC in real fits (the runs of
``distance-vs-gain-s48``). From the repository root (about 10 seconds):

    python benchmarks/results/agreement-vs-gain-s49/analyse.py
"""

import importlib.util
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.portfolio_simulation import as_fitted, left_out, matrix_and_defaults  # noqa: E402
from knowledge_base import KnowledgeBase  # noqa: E402
from metalearning.portfolio import PORTFOLIO_TRIALS, minmax_regret, sibling_key  # noqa: E402

KB = ROOT / "knowledge_base" / "data"
OPENINGS = (6, 10, 19)
_spec = importlib.util.spec_from_file_location(
    "distance_vs_gain", HERE.parent / "distance-vs-gain-s48" / "analyse.py"
)
distance_vs_gain = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(distance_vs_gain)


def agreements(kind: str, names: set[str]) -> pd.DataFrame:
    """Per table: Spearman's rho of predicted against actual loss over the opening's first n."""
    kb = KnowledgeBase(None, read_only_paths=[str(KB)])
    matrix, defaults = matrix_and_defaults(kb, KB, kind)
    metafeatures = kb.metafeatures()
    keys = [sibling_key(n) for n in matrix.names]
    rows = []
    for d, name in enumerate(matrix.names):
        if name not in names:
            continue
        out = left_out(matrix, metafeatures, d, keys, size=25)
        predicted = out.weights @ np.nan_to_num(out.sub.normalised(), nan=1.0)
        ordered = out.ordered[:PORTFOLIO_TRIALS]
        opening = as_fitted(ordered, defaults, matrix)
        actual = matrix.losses[d]
        row = {"dataset": name}
        for n in OPENINGS:
            first = [c for c in opening[:n] if np.isfinite(actual[c])]
            rho = spearmanr(predicted[first], actual[first])[0] if len(first) > 2 else np.nan
            row[f"rho_{n}"] = rho
        opened = [c for c in opening[:19] if np.isfinite(actual[c])]
        row["regret_19"] = minmax_regret(matrix.losses[d : d + 1], np.array([opened]))[0]
        members = [c for c in ordered if np.isfinite(actual[c])]
        own = [c for c in defaults if np.isfinite(actual[c])]
        best_default = actual[own].min() if own else np.nan
        row["members_vs_defaults"] = (actual[members].min() - best_default) / max(
            abs(best_default), 1e-9
        )
        rows.append(row)
    return pd.DataFrame(rows).set_index("dataset")


def main() -> None:
    lines = []
    for task in ("regression", "classification"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gain = distance_vs_gain.gains(task).rename("gain")
            table = agreements(task, set(gain.index)).join(gain, how="inner")
        lines += [f"## {task}: {len(table)} tables", ""]
        lines += [
            "| measure | median | Spearman(measure, relative loss) | p | "
            "upper half of the measure: default better / worse | lower half |",
            "|---|---|---|---|---|---|",
        ]
        for n in [*(f"rho_{n}" for n in OPENINGS), "regret_19", "members_vs_defaults"]:
            col = table[n]
            r, p = spearmanr(col, table["gain"], nan_policy="omit")
            upper = table["gain"][col >= col.median()]
            lower = table["gain"][col < col.median()]
            lines.append(
                f"| {n} | {col.median():.2f} | {r:.2f} | {p:.2g} | "
                f"{(upper < -0.001).sum()} / {(upper > 0.001).sum()} | "
                f"{(lower < -0.001).sum()} / {(lower > 0.001).sum()} |"
            )
        lines.append("")
        table.to_csv(HERE / f"agreement-{task}.csv")
    text = "\n".join(lines)
    (HERE / "analysis.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
