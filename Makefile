# Two commands on a fresh machine (Python 3.11+, Node.js, make): `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck catalog-check pytest serve schema clean bench fuzz

$(STAMP): pyproject.toml requirements/dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/dev.lock -e '.[dev]'
	touch $@

# Parts of the suite that need their own environment (the CDK, Node.js) add themselves to EXTRA_TESTS.
EXTRA_TESTS :=
-include infra/infra.mk
-include clients/clients.mk

test: lint typecheck catalog-check pytest $(EXTRA_TESTS)

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

# The catalog gate a pull request must pass (also usable as a pre-commit hook: docs/catalog-cli.md).
catalog-check: $(STAMP)
	$(BIN)/vend catalog check resolvers/catalog.toml --schema schema.graphql

# Regenerate schema.graphql from the strawberry schema and the catalog (a contract test checks it).
schema: $(STAMP)
	$(BIN)/vend schema --output schema.graphql

serve: $(STAMP)
	$(BIN)/vend serve

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

# Property suites only, with fresh random seeds, no example database and FUZZ_SCALE times the examples, FUZZ_RUNS
# times over (tests/fuzzing.py). Not part of `make test`, which is derandomised under CI.
FUZZ_RUNS ?= 5
FUZZ_SCALE ?= 10
fuzz: $(STAMP)
	@for run in $$(seq $(FUZZ_RUNS)); do \
		echo "fuzz: run $$run of $(FUZZ_RUNS), $(FUZZ_SCALE)x examples, fresh seeds"; \
		HYPOTHESIS_PROFILE=fuzz VEND_FUZZ_SCALE=$(FUZZ_SCALE) $(BIN)/pytest -q -m hypothesis -p no:cacheprovider \
			|| { echo "fuzz: run $$run failed; the failing example is printed above with its seed"; exit 1; }; \
	done

# Benchmarks: not part of `make test`. Prints a table and writes bench/results/*.json.
bench: $(STAMP)
	$(BIN)/python -m bench.run
