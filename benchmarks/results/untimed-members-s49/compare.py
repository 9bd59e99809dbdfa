"""Members from the pool's order per trial in a search bounded by seconds (session 49,
``automl._knowledge.UNTIMED_MEMBERS``, mode ``default-untimed``): all 77 regression tables,
split 1, search seed 0, 60 s, in one run with the default and cold SMAC (``regression-60s/``).

From the repository root:

    python benchmarks/results/untimed-members-s49/compare.py
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from benchmarks.warm_vs_cold import loss_tables  # noqa: E402

RUN = HERE / "regression-60s"


def pairs(read, what):
    untimed, default, cold = (read(RUN, m) for m in ("default-untimed", "default", "cold"))
    return [
        (f"untimed vs default ({what})", untimed, default),
        (f"untimed vs cold ({what})", untimed, cold),
        (f"default vs cold ({what})", default, cold),
    ]


def main() -> None:
    text = "## All 77 regression tables, split 1, seed 0, 60 s\n\n" + loss_tables(pairs)
    (HERE / "comparison.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
