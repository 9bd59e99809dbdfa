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

from benchmarks.warm_vs_cold import mode_losses, paired_table  # noqa: E402

SPLIT1 = HERE.parent / "regression-split1-s45"


def main() -> None:
    lines = []
    for what, column in (("test RMSE", "test_loss"), ("search loss", "search_loss")):

        def read(folder, mode, column=column):
            return mode_losses(folder, mode, column)

        cut = read(HERE, "default-cut1")
        lines.append(
            paired_table(
                [
                    (f"cut1 vs default ({what})", cut, read(SPLIT1, "default")),
                    (f"cut1 vs cold SMAC ({what})", cut, read(SPLIT1, "cold")),
                    (
                        f"default vs cold SMAC ({what})",
                        read(SPLIT1, "default"),
                        read(SPLIT1, "cold"),
                    ),
                ]
            )
        )
    text = "\n".join(lines)
    (HERE / "comparison.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
