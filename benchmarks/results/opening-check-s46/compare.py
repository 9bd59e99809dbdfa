"""The default with the opening check (``-cut1``: the members still waiting leave once a
family's defaults and a member have run, unless a member beat the defaults) against the
default and cold SMAC of ``../regression-split1-s45/`` (split 1, same code otherwise), on all
77 regression tables, in test RMSE and in the searches' validation RMSE. From the repository
root:

    python benchmarks/results/opening-check-s46/compare.py
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from benchmarks.warm_vs_cold import loss_tables  # noqa: E402

SPLIT1 = HERE.parent / "regression-split1-s45"


def main() -> None:
    def pairs(read, what):
        cut, default, cold = (
            read(HERE, "default-cut1"),
            read(SPLIT1, "default"),
            read(SPLIT1, "cold"),
        )
        return [
            (f"cut1 vs default ({what})", cut, default),
            (f"cut1 vs cold SMAC ({what})", cut, cold),
            (f"default vs cold SMAC ({what})", default, cold),
        ]

    text = loss_tables(pairs)
    (HERE / "comparison.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
