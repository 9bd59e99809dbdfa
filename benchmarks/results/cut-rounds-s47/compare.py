"""A family's defaults cut to fit (session 47, ``automl._search.CUT_ROUNDS_TO_FIT``).

- All 77 regression tables, split 1, search seed 0: the default against cold SMAC, both with
  the cut (the issue's pair), and against session 45's runs without it
  (``../regression-split1-s45/``), which ran on a slower machine (37 trials a fit, not 48).
- The 12 tables where a cut ran in either fit: each mode with and without the cut in this
  session, seed 0, and cold SMAC with and without it for seed 1 (``seed1/``).

From the repository root:

    python benchmarks/results/cut-rounds-s47/compare.py
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from benchmarks.warm_vs_cold import loss_tables  # noqa: E402

BEFORE = HERE.parent / "regression-split1-s45"
CUT_TABLES = (HERE / "datasets-cut-12.txt").read_text().split()


def all_tables(read, what):
    default, cold = read(HERE, "default"), read(HERE, "cold")
    return [
        (f"default vs cold, both cut ({what})", default, cold),
        (
            f"default vs cold, session 45, uncut ({what})",
            read(BEFORE, "default"),
            read(BEFORE, "cold"),
        ),
        (f"default, cut vs session 45 uncut ({what})", default, read(BEFORE, "default")),
        (f"cold, cut vs session 45 uncut ({what})", cold, read(BEFORE, "cold")),
    ]


def cut_tables(read, what):
    runs = {
        (mode, seed): read(folder, mode).reindex(CUT_TABLES)
        for seed, folder in ((0, HERE), (1, HERE / "seed1"))
        for mode in ("cold", "cold-uncut", "default", "default-uncut")
        if seed == 0 or mode.startswith("cold")
    }
    mean = {m: (runs[m, 0] + runs[m, 1]) / 2 for m in ("cold", "cold-uncut")}
    return [
        (f"cold, cut vs uncut, seed 0 ({what})", runs["cold", 0], runs["cold-uncut", 0]),
        (f"cold, cut vs uncut, seed 1 ({what})", runs["cold", 1], runs["cold-uncut", 1]),
        (f"cold, cut vs uncut, mean of seeds ({what})", mean["cold"], mean["cold-uncut"]),
        (f"default, cut vs uncut, seed 0 ({what})", runs["default", 0], runs["default-uncut", 0]),
        (
            f"default vs cold, both uncut, seed 0 ({what})",
            runs["default-uncut", 0],
            runs["cold-uncut", 0],
        ),
        (f"cold seed 1 vs seed 0, uncut ({what})", runs["cold-uncut", 1], runs["cold-uncut", 0]),
    ]


def main() -> None:
    text = "## All 77 tables\n\n" + loss_tables(all_tables)
    text += f"\n## The {len(CUT_TABLES)} tables where a cut ran\n\n" + loss_tables(cut_tables)
    (HERE / "comparison.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
