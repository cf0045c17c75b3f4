# Two commands on a fresh machine (Python 3.13, Node.js, make): `make serve` and `make test`.
# The Lambda's Python (infra/stack.py RUNTIME; a test keeps them equal): the environment, ruff and mypy all use it,
# so what passes here is what runs in Lambda. Found on PATH, or among pyenv's installs without selecting one.
LAMBDA_PYTHON_VERSION := 3.13
PYTHON ?= $(shell for p in python$(LAMBDA_PYTHON_VERSION) $${PYENV_ROOT:-$$HOME/.pyenv}/versions/$(LAMBDA_PYTHON_VERSION).*/bin/python$(LAMBDA_PYTHON_VERSION); do \
	"$$p" -c 'import sys' >/dev/null 2>&1 && found="$$p"; done; [ -n "$$found" ] && command -v "$$found")
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAME_PYTHON := import sys; sys.exit(sys.version_info[:2] != tuple(map(int, "$(LAMBDA_PYTHON_VERSION)".split("."))))

.PHONY: test lint typecheck catalog-check catalog-test pytest serve schema clean bench fuzz

$(STAMP): pyproject.toml requirements/dev.lock
	@test -n "$(PYTHON)" || { echo "make: needs Python $(LAMBDA_PYTHON_VERSION), the Lambda's runtime (docs/deploy.md); install it or pass PYTHON=/path/to/python$(LAMBDA_PYTHON_VERSION)" >&2; exit 1; }
	@$(BIN)/python -c '$(SAME_PYTHON)' 2>/dev/null || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/dev.lock -e '.[dev]'
	touch $@

# Parts of the suite that need their own environment (the CDK, Node.js) add themselves to EXTRA_TESTS.
EXTRA_TESTS :=
-include infra/infra.mk
-include clients/clients.mk

test: lint typecheck catalog-check catalog-test pytest $(EXTRA_TESTS)

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

# The catalog gates a pull request must pass (also usable as pre-commit hooks: docs/catalog-cli.md). --strict:
# the example catalog carries no warnings, so a new one fails the build rather than scrolling by.
catalog-check: $(STAMP)
	$(BIN)/vend catalog check resolvers/catalog.toml --schema schema.graphql --strict

# Every case in resolvers/catalog.cases.toml, judged by the local IAM evaluator.
catalog-test: $(STAMP)
	$(BIN)/vend catalog test resolvers/catalog.toml --cases resolvers/catalog.cases.toml

# Regenerate schema.graphql from the strawberry schema and the catalog (a contract test checks it).
schema: $(STAMP)
	$(BIN)/python -m vend_local.schema > schema.graphql

serve: $(STAMP)
	$(BIN)/vend serve $(ARGS)

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
