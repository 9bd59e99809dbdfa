"""Would dropping the members of a family far behind help the opening (session 56)?

Simulated on the shipped matrices, each table left out with its siblings
(``benchmarks.portfolio_simulation.left_out``): the opening a fit bounded by seconds runs (the
first 10 members re-ordered for the table in turn with the families' defaults, ``as_fitted``),
then the members after them as reserves. With ratio r, a member is dropped (a default never)
once its family's best loss on the table so far is over r times the best so far, and the
sequence goes on with the next one (automl._knowledge.FAMILY_CHECK). Regret (normalised, of
the best so far) at 10, 15 and 20 picks, and the members dropped among them. From the
repository root:

    python benchmarks/results/family-check-s56/simulate.py

writes ``simulation.md``.
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

PICKS = (10, 15, 20)
RATIOS = (None, 3.0, 2.0, 1.5, 1.25)
HEAD = 10  # metalearning.portfolio.PORTFOLIO_TRIALS


def checked(order: list[int], losses: np.ndarray, families: list[str], defaults, ratio):
    """``order`` with the members of a family over ``ratio`` times the best so far dropped;
    the sequence run and the members dropped."""
    ran, dropped, family_best, best = [], [], {}, np.inf
    for c in order:
        family = families[c]
        behind = family_best.get(family, -np.inf) - best > (ratio - 1) * abs(best) if ratio else 0
        if c not in defaults and behind:
            dropped.append(c)
            continue
        ran.append(c)
        if np.isfinite(losses[c]):
            best = min(best, losses[c])
            family_best[family] = min(family_best.get(family, np.inf), losses[c])
    return ran, dropped


def main() -> None:
    path = HERE.parents[2] / "knowledge_base" / "data"
    kb = KnowledgeBase(None, read_only_paths=[path])
    metafeatures = kb.metafeatures()
    sections = []
    for kind in ("regression", "classification"):
        matrix, defaults = matrix_and_defaults(kb, path, kind)
        keys = [sibling_key(n) for n in matrix.names]
        families = [c["model"] for c in matrix.candidates]
        rows = []
        for d in range(len(matrix.dataset_ids)):
            out = left_out(matrix, metafeatures, d, keys, size=32)
            order = as_fitted(out.ordered[:HEAD], defaults, matrix) + out.ordered[HEAD:]
            order = list(dict.fromkeys(order))
            group = "Friedman" if keys[d] == "fri_" else "others"
            for ratio in RATIOS:
                ran, dropped = checked(order, matrix.losses[d], families, set(defaults), ratio)
                for k in PICKS:
                    regret = minmax_regret(matrix.losses[d : d + 1], np.array([ran[:k]]))[0]
                    # dropped before the k-th configuration that ran
                    end = order.index(ran[k - 1]) if len(ran) >= k else len(order)
                    n_dropped = sum(order.index(c) < end for c in dropped)
                    rows.append((group, str(ratio or "off"), k, regret, n_dropped))
        frame = pd.DataFrame(rows, columns=["tables", "ratio", "picks", "regret", "dropped"])
        for value in ("regret", "dropped"):
            table = frame.pivot_table(index="ratio", columns=["tables", "picks"], values=value)
            table.columns = [f"{t} @{k}" for t, k in table.columns]
            title = "mean normalised regret" if value == "regret" else "mean members dropped"
            sections.append(f"## {kind}: {title}\n\n{to_markdown(table.round(4))}\n")
    text = "\n".join(sections)
    (HERE / "simulation.md").write_text(
        "Leave-one-out on the shipped matrices: the opening with and without the family check"
        " (`simulate.py`).\n\n" + text
    )
    print(text)


if __name__ == "__main__":
    main()
