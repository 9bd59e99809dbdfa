"""Which members should a search bounded by seconds run first? Simulated leave-one-dataset-out
on the shipped matrix (the table and its siblings hidden, as ``benchmarks/portfolio_simulation``
does), each opening built as a fit builds it: 10 members, with the families' defaults in turn
after the first (``benchmarks.portfolio_simulation.as_fitted``). Members from:

- the time-aware portfolio (time weight 0.5), re-ordered for the table: today's fits bounded by
  seconds;
- the same portfolio in its global order;
- the portfolio built without costs (time weight 0), re-ordered or in its global order;
- the greedy without costs over the whole pool in its global order (``Portfolio.trial_order``:
  what a fit bounded by trials runs), interleaved, or followed by every family's defaults.

Mean and median normalised regret at 5, 10 and 19 picks, within 10 and 30 simulated seconds
(the matrix's fit times plus 0.5 s a trial), and the 19 picks' simulated seconds. From the
repository root (about 10 seconds):

    python benchmarks/results/untimed-members-s49/simulate.py
"""

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.portfolio_simulation import (  # noqa: E402
    _regret_within,
    as_fitted,
    left_out,
    matrix_and_defaults,
)
from benchmarks.report import to_markdown  # noqa: E402
from knowledge_base import KnowledgeBase  # noqa: E402
from metalearning.portfolio import PORTFOLIO_TRIALS, minmax_regret, sibling_key  # noqa: E402

KB = ROOT / "knowledge_base" / "data"
OVERHEAD = 0.5  # seconds a trial costs beyond its fitting


def openings(kind: str) -> pd.DataFrame:
    """One row per (dataset, method, axis, at): regret, or the opening's simulated seconds."""
    kb = KnowledgeBase(None, read_only_paths=[str(KB)])
    matrix, defaults = matrix_and_defaults(kb, KB, kind)
    metafeatures = kb.metafeatures()
    keys = [sibling_key(n) for n in matrix.names]

    def fitted(members: list[int]) -> list[int]:
        return as_fitted(members, defaults, matrix)

    rows, n = [], PORTFOLIO_TRIALS
    for d, name in enumerate(matrix.names):
        timed = left_out(matrix, metafeatures, d, keys, size=25)
        untimed = left_out(matrix, metafeatures, d, keys, size=25, time_weight=0.0)
        per_trial = timed.portfolio.trial_order(size=n)
        orders = {
            "time-aware, re-ordered (today)": fitted(timed.ordered[:n]),
            "time-aware, global order": fitted(timed.members[:n]),
            "without costs, re-ordered": fitted(untimed.ordered[:n]),
            "without costs, global order": fitted(untimed.members[:n]),
            "pool's order per trial, interleaved": fitted(per_trial),
            "pool's order per trial, then the defaults": list(dict.fromkeys(per_trial + defaults)),
        }
        losses = matrix.losses[d : d + 1]
        times = np.where(np.isfinite(matrix.fit_times[d]), matrix.fit_times[d], 60.0) + OVERHEAD
        for method, order in orders.items():
            for k in (5, 10, 19):
                regret = minmax_regret(losses, np.array([order[:k]]))[0]
                rows.append((name, method, "picks", k, regret))
            for s in (10, 30):
                rows.append((name, method, "seconds", s, _regret_within(losses, times, order, s)))
            rows.append((name, method, "opening's seconds", 19, times[order[:19]].sum()))
    return pd.DataFrame(rows, columns=["dataset", "method", "axis", "at", "value"])


def main() -> None:
    lines = []
    for kind in ("regression", "classification"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = openings(kind)
        results.to_csv(HERE / f"{kind}.csv", index=False)
        for how in ("mean", "median"):
            table = results.pivot_table(
                index="method", columns=["axis", "at"], values="value", aggfunc=how, sort=False
            )
            table.columns = [f"{axis} {at}" for axis, at in table.columns]
            lines += [
                f"## {kind}: {results['dataset'].nunique()} tables, {how} over tables",
                "",
                to_markdown(table.round(4)),
                "",
            ]
    text = "\n".join(lines)
    (HERE / "simulation.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
