"""Follow the leader on the matrix, leave-one-dataset-out (siblings hidden): when a pick is the
best so far, its family's defaults run next. Compared with the order a fit bounded by seconds
ran before (``as-fitted``: members in turn with the families' defaults, a family's defaults
deferred once a member of it ran) and each family's defaults. From the repository root:

    python benchmarks/results/follow-the-leader-s29/simulate_follow_the_leader.py
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import wilcoxon

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from benchmarks.portfolio_simulation import (  # noqa: E402
    _regret_within,
    as_fitted,
    left_out,
    matrix_and_defaults,
)
from knowledge_base import KnowledgeBase  # noqa: E402
from metalearning.portfolio import minmax_regret, sibling_key  # noqa: E402

KB = ROOT / "knowledge_base" / "data"


def follow_the_leader(order, defaults, family, losses):
    """``order`` as run, a family's defaults brought forward after a pick that leads."""
    default_of = {family(c): c for c in defaults}
    out, best, queue = [], np.inf, list(order)
    while queue:
        c = queue.pop(0)
        if c in out:
            continue
        out.append(c)
        loss = losses[c] if np.isfinite(losses[c]) else np.inf
        if loss < best:
            best = loss
            follow_up = default_of.get(family(c))
            if follow_up is not None and follow_up not in out:
                queue.insert(0, follow_up)
    return out


def main() -> None:
    kb = KnowledgeBase(None, read_only_paths=[str(KB)])
    metafeatures = kb.metafeatures()
    rows = []
    for kind in ("classification", "regression"):
        m, defaults = matrix_and_defaults(kb, KB, kind)
        keys = [sibling_key(n) for n in m.names]

        def family(c, m=m):
            return m.candidates[c]["model"]

        for d in range(len(m.dataset_ids)):
            ordered = left_out(m, metafeatures, d, keys, size=25).ordered
            fitted = as_fitted(ordered, defaults, m)
            orders = {
                "as-fitted": fitted,
                "follow-the-leader": follow_the_leader(fitted, defaults, family, m.losses[d]),
                "defaults": defaults,
            }
            losses = m.losses[d : d + 1]
            times = np.where(np.isfinite(m.fit_times[d]), m.fit_times[d], 60.0)
            for method, order in orders.items():
                for k in (5, 10, 15, 20):
                    regret = minmax_regret(losses, np.array([order[:k]]))[0]
                    rows.append((kind, m.names[d], method, "picks", k, regret))
                for s in (2, 5, 10, 20, 60):
                    regret = _regret_within(losses, times, order, s)
                    rows.append((kind, m.names[d], method, "seconds", s, regret))
    results = pd.DataFrame(rows, columns=["kind", "dataset", "method", "axis", "at", "regret"])
    results.to_csv(Path(__file__).with_name("simulation.csv"), index=False)
    for kind in ("classification", "regression"):
        part = results[results["kind"] == kind]
        print(f"{kind}: mean regret")
        table = part.pivot_table(index="method", columns=["axis", "at"], values="regret")
        print(table.round(4).to_string())
        wide = part.pivot_table(index=["dataset", "axis", "at"], columns="method", values="regret")
        for axis, at in (("seconds", 5), ("seconds", 10), ("seconds", 20), ("picks", 10)):
            x = wide.xs((axis, at), level=(1, 2))
            diff = x["follow-the-leader"] - x["as-fitted"]
            moved = diff[diff.abs() > 1e-9]
            p = wilcoxon(moved).pvalue if len(moved) > 5 else float("nan")
            print(
                f"  follow-the-leader vs as-fitted @{at} {axis}: better {(diff < -1e-9).sum()}, "
                f"tied {(diff.abs() <= 1e-9).sum()}, worse {(diff > 1e-9).sum()} (p = {p:.3f})"
            )


if __name__ == "__main__":
    main()
