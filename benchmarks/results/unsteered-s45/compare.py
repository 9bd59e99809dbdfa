"""The default without steering (SMAC not told the portfolio's members' results) against the
default and cold SMAC of ``../regression-split1-s45/`` (split 1, same code otherwise), on the
39 Friedman tables, in test RMSE and in the searches' validation RMSE. From the repository root:

    python benchmarks/results/unsteered-s45/compare.py
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from benchmarks.warm_vs_cold import mode_losses, paired_table  # noqa: E402

SPLIT1 = HERE.parent / "regression-split1-s45"


def main() -> None:
    lines = []
    for what, column in (("test RMSE", "test_loss"), ("search loss", "search_loss")):

        def read(folder, mode, column=column):
            return mode_losses(folder, mode, column)

        unsteered = read(HERE, "default-unsteered")
        lines.append(
            paired_table(
                [
                    (f"unsteered vs default ({what})", unsteered, read(SPLIT1, "default")),
                    (f"unsteered vs cold SMAC ({what})", unsteered, read(SPLIT1, "cold")),
                ]
            )
        )
    text = "\n".join(lines)
    (HERE / "comparison.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
