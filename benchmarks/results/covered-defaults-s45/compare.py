"""This run against session 44's default and session 43's cold SMAC, table by table, from the
repository root:

    python benchmarks/results/covered-defaults-s45/compare.py

Neither cold SMAC nor the default has changed since those runs (the setting this run turns off
is on in both), so they stand for them. Writes ``comparison.md``.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from benchmarks.warm_vs_cold import mode_losses, paired_table  # noqa: E402


def main() -> None:
    dedup = mode_losses(HERE, "default-dedup")
    default = mode_losses(HERE.parent / "feature-selection-s44", "default")
    cold = mode_losses(HERE.parent / "catboost-cost-s43", "cold")
    text = paired_table(
        [
            ("default-dedup vs session 44's default", dedup, default),
            ("default-dedup vs session 43's cold SMAC", dedup, cold),
            ("session 44's default vs session 43's cold SMAC", default, cold),
        ]
    )
    (HERE / "comparison.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
