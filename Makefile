PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test demo lint format kb bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q

demo: $(STAMP)
	$(BIN)/python -m automl.demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Build (or resume building) the shipped knowledge base. Hours of CPU; safe to interrupt and rerun.
KB := knowledge_base/data
kb: $(STAMP)
	$(BIN)/automl kb --path $(KB) import openml-runs ../shared/metadata/openml-runs
	$(BIN)/automl kb --path $(KB) import autosklearn ../shared/metadata/autosklearn
	$(BIN)/automl kb --path $(KB) grow --data ../shared/datasets/pmlb --task classification
	$(BIN)/automl kb --path $(KB) grow --data ../shared/datasets/pmlb --task regression
	$(BIN)/automl kb --path $(KB) compact

bench: $(STAMP)
	$(BIN)/python benchmarks/pmlb_vs_baselines.py --budget 60 --out bench-results/estimator

clean:
	rm -rf $(VENV) build *.egg-info
