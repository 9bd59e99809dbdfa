"""The default without steering (SMAC not told the portfolio's members' results) against the
default and cold SMAC of ``../regression-split1-s45/`` (split 1, same code otherwise), on the
39 Friedman tables, in test RMSE and in the searches' validation RMSE. From the repository root:

    python benchmarks/results/unsteered-s45/compare.py
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from benchmarks.warm_vs_cold import loss_tables  # noqa: E402

SPLIT1 = HERE.parent / "regression-split1-s45"


def main() -> None:
    def pairs(read, what):
        unsteered = read(HERE, "default-unsteered")
        return [
            (f"unsteered vs default ({what})", unsteered, read(SPLIT1, "default")),
            (f"unsteered vs cold SMAC ({what})", unsteered, read(SPLIT1, "cold")),
        ]

    text = loss_tables(pairs)
    (HERE / "comparison.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
