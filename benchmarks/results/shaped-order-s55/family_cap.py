"""Would a cap on members per family help the Friedman tables under leave-one-out (session 55)?

Simulated on the shipped regression matrix, each table left out with its siblings
(``benchmarks.portfolio_simulation.left_out``): the regret of what a fit runs (members in turn
with the families' defaults, ``as_fitted``) at 5, 10, 15 and 20 picks, for the portfolio
re-ordered for the table, in its global order, and for the global greedy with at most 1, 2 or 3
members of a family among its first 10. From the repository root:

    python benchmarks/results/shaped-order-s55/family_cap.py

writes ``family-cap.md``.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from benchmarks.portfolio_simulation import as_fitted, left_out, matrix_and_defaults  # noqa: E402
from benchmarks.report import to_markdown  # noqa: E402
from knowledge_base import KnowledgeBase  # noqa: E402
from metalearning.portfolio import minmax_regret, sibling_key  # noqa: E402

PICKS = (5, 10, 15, 20)
HEAD = 10


def capped_greedy(normalised, costs, families, cap: int, time_weight: float = 0.5) -> list[int]:
    """The time-aware greedy with at most ``cap`` candidates of a family among the first HEAD."""
    best, chosen = np.ones(normalised.shape[0]), []
    available = np.ones(normalised.shape[1], dtype=bool)
    while len(chosen) < 32 and available.any():
        gain = (best[:, None] - np.minimum(best[:, None], normalised)).mean(axis=0)
        allowed = available.copy()
        if len(chosen) < HEAD:
            for family in {families[c] for c in chosen}:
                if sum(families[c] == family for c in chosen) >= cap:
                    allowed &= families != family
        score = np.where(allowed, gain / costs**time_weight, -np.inf)
        pick = int(np.argmax(score))
        if gain[pick] <= 1e-12 or not np.isfinite(score[pick]):
            break
        chosen.append(pick)
        available[pick] = False
        best = np.minimum(best, normalised[:, pick])
    return chosen


def main() -> None:
    path = HERE.parents[2] / "knowledge_base" / "data"
    kb = KnowledgeBase(None, read_only_paths=[path])
    matrix, defaults = matrix_and_defaults(kb, path, "regression")
    metafeatures = kb.metafeatures()
    keys = [sibling_key(n) for n in matrix.names]
    families = np.array([c["model"] for c in matrix.candidates])
    rows = []
    for d in range(len(matrix.dataset_ids)):
        out = left_out(matrix, metafeatures, d, keys, size=32)
        sub = out.sub
        orders = {
            "re-ordered for the table (the default)": as_fitted(out.ordered, defaults, matrix),
            "global order": as_fitted(out.members, defaults, matrix),
            "defaults alone": list(defaults),
        }
        for cap in (1, 2, 3):
            # the sub-matrix keeps the matrix's candidates as columns, in order
            order = capped_greedy(sub.normalised(), sub.relative_costs(), families, cap)
            orders[f"global, at most {cap} a family in the first {HEAD}"] = as_fitted(
                order, defaults, matrix
            )
        group = "Friedman" if keys[d] == "fri_" else "others"
        for method, order in orders.items():
            for k in PICKS:
                regret = minmax_regret(matrix.losses[d : d + 1], np.array([order[:k]]))[0]
                rows.append((group, method, k, regret))
    frame = pd.DataFrame(rows, columns=["tables", "order", "picks", "regret"])
    table = frame.pivot_table(index="order", columns=["tables", "picks"], values="regret")
    table.columns = [f"{t} @{k}" for t, k in table.columns]
    text = to_markdown(table.round(3))
    (HERE / "family-cap.md").write_text(
        "Mean normalised regret of what a fit runs, leave-one-out on the regression matrix.\n\n"
        + text
        + "\n"
    )
    print(text)


if __name__ == "__main__":
    main()
