"""Portfolio members stopped at 3 times their predicted fitting seconds (session 53,
``automl._estimator.MEMBER_LIMIT_FACTOR``, mode ``default-capped``) against the default, in one
run on session 51's 33 unseen regression tables: split 1, search seed 0, 60 s
(``unseen-60s/``). About 5 s, from the repository root:

    python benchmarks/results/member-caps-s53/compare.py
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent
sys.path.insert(0, str(HERE.parents[2]))

from benchmarks.report import to_markdown  # noqa: E402
from benchmarks.warm_vs_cold import (  # noqa: E402
    _read_results,
    best_origins,
    costs_per_mode,
    loss_tables,
)

RUN = HERE / "unseen-60s"
S53 = RESULTS / "shorter-opening-s53" / "unseen-60s"
S52 = RESULTS / "optimum-prior-s52" / "unseen-60s"


def pairs(read, what):
    capped, default, cold = read(RUN, "default-capped"), read(RUN, "default"), read(S52, "cold")
    return [
        (f"capped members vs the default ({what})", capped, default),
        (f"capped members vs cold SMAC, session 52 ({what})", capped, cold),
        (f"the default vs cold SMAC, session 52 ({what})", default, cold),
        (f"the default vs this session's other run ({what})", default, read(S53, "default")),
    ]


def main() -> None:
    results = _read_results(RUN)
    text = "## The 33 unseen regression tables, split 1, seed 0, 60 s\n\n"
    text += loss_tables(pairs, group=None)
    text += "\n\n### Where the best trial came from\n\n"
    text += to_markdown(best_origins(results), index=False)
    text += "\n\n### Costs\n\n" + to_markdown(costs_per_mode(results))
    (HERE / "comparison.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
