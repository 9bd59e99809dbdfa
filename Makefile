PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two installs: the core (what a fit needs: the demo, the knowledge-base commands) and the
# development one (core + the bench extra + test and lint tools). The second includes the first.
CORE_STAMP := $(VENV)/.installed-core
STAMP := $(VENV)/.installed

.PHONY: install test demo lint format kb kb-matrix bench peers clean

$(CORE_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(CORE_STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP) $(CORE_STAMP)

install: $(STAMP)

# Every test, the slow ones included (quick run: .venv/bin/pytest -m "not slow"), in two
# phases: a pytest-xdist worker per core for all but the tests marked timing (wall-clock bounds,
# trials that must fit a fraction of a second), then those alone in one process, with nothing
# beside them to slow the machine.
test: $(STAMP)
	$(BIN)/python -m pytest -q -n auto -m "not timing"
	$(BIN)/python -m pytest -q -m timing

demo: $(CORE_STAMP)
	$(BIN)/python -m automl.demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Build (or resume building) the shipped knowledge base. Hours of CPU; safe to interrupt and rerun.
KB := knowledge_base/data
kb: $(CORE_STAMP)
	$(BIN)/automl kb --path $(KB) import openml-runs ../shared/metadata/openml-runs
	$(BIN)/automl kb --path $(KB) import autosklearn ../shared/metadata/autosklearn
	$(BIN)/automl kb --path $(KB) grow --data ../shared/datasets/pmlb --task classification --max-rows 1000 --trial-limit 15
	$(BIN)/automl kb --path $(KB) grow --data ../shared/datasets/pmlb --task regression --max-rows 1000 --trial-limit 15
	$(MAKE) kb-matrix
	$(BIN)/automl kb --path $(KB) portfolio --source $(PORTFOLIO_SOURCE)
	$(BIN)/automl kb --path $(KB) compact

# The dense performance matrix behind the portfolio: every pool candidate on every PMLB dataset
# (3-fold CV; classification on at most 2,000 rows with 60 s per cell, regression on at most
# 1,000 rows with 30 s: at 2,000 rows the 77 regression datasets alone would take about four
# sessions of background CPU). Cells of a family whose model changed since they were written
# (automl/_matrix.py's REVISED) are evaluated again. Resumable; run in the background at low
# priority, e.g.
# `nice -n 19 make kb-matrix SHARD=0/2 & nice -n 19 make kb-matrix SHARD=1/2 &`.
SHARD ?= 0/1
# The shipped portfolios come from the matrix ('grow': kb grow's 50 configurations on every PMLB
# dataset, what shipped until the matrix was complete).
PORTFOLIO_SOURCE ?= matrix
kb-matrix: $(CORE_STAMP)
	$(BIN)/automl kb --path $(KB) matrix --data ../shared/datasets/pmlb --task classification --shard $(SHARD)
	$(BIN)/automl kb --path $(KB) matrix --data ../shared/datasets/pmlb --task regression --shard $(SHARD) \
		--max-rows 1000 --trial-limit 30

SAMPLE := benchmarks/suites/pmlb-classification-sample.txt
# The measured benchmarks (about two hours on 2 cores): AutoML against baselines and peers at
# 60 s on 22 PMLB classification datasets, warm against cold start, and the time breakdown.
bench: $(STAMP)
	$(BIN)/automl bench run --suite ../shared/datasets/pmlb --datasets $(SAMPLE) --budget 60 \
		--systems constant,lightgbm,random-forest,tuned-random-forest,automl-loo,automl-cold,automl-random,flaml \
		--out bench-results/pmlb60
	$(BIN)/automl bench report bench-results/pmlb60
	$(BIN)/python benchmarks/warm_vs_cold.py --out bench-results/warm-vs-cold
	$(BIN)/python benchmarks/overhead.py --budget 60

# FLAML and AutoGluon for the peer comparisons, in an environment of their own (AutoGluon pins
# its own versions). Run every system of a comparison from it, ours included, e.g.
# .venv-peers/bin/automl bench run --suite ../shared/datasets/pmlb --systems automl-loo,flaml,autogluon ...
PEERS := .venv-peers
peers:
	test -x $(PEERS)/bin/python || $(PY) -m venv $(PEERS)
	$(PEERS)/bin/python -m pip install --quiet -e ".[dev]" "flaml[automl]>=2.1" "autogluon.tabular>=1.1"

clean:
	rm -rf $(VENV) build *.egg-info
