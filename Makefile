# Two commands on a fresh machine (Python 3.11+, Node.js 20.19+ or 22.12+, make): `make serve` and `make test`.
PYTHON ?= python3
# The Lambda's Python (infra/stack.py RUNTIME; tests/infra/test_deploy_rules.py keeps them equal). The code runs on
# 3.11+ locally and on this version in Lambda: ruff and mypy check the floor (pyproject.toml), `make typecheck` also
# checks the Lambda package against this version's standard library, and the asset-import test runs under this
# version when it is installed (found on PATH, or among pyenv's installs without selecting one).
LAMBDA_PYTHON_VERSION := 3.13
LAMBDA_PYTHON ?= $(shell for p in python$(LAMBDA_PYTHON_VERSION) $${PYENV_ROOT:-$$HOME/.pyenv}/versions/$(LAMBDA_PYTHON_VERSION).*/bin/python$(LAMBDA_PYTHON_VERSION); do \
	"$$p" -c 'import sys' >/dev/null 2>&1 && found="$$p"; done; [ -n "$$found" ] && command -v "$$found")
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTHON_FLOOR := import sys; sys.exit(sys.version_info < (3, 11))

.PHONY: test lint typecheck catalog-check catalog-test pytest serve schema clean bench fuzz bytecode

$(STAMP): pyproject.toml requirements/dev.lock
	@$(PYTHON) -c '$(PYTHON_FLOOR)' 2>/dev/null || { echo "make: needs Python 3.11 or later as $(PYTHON) (or pass PYTHON=/path/to/python3.x)" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/dev.lock -e '.[dev]'
	$(MAKE) --no-print-directory bytecode
	touch $@

# An editable install compiles nothing, and where PYTHONDONTWRITEBYTECODE is set (CI images often set it) every
# `vend` command would compile the whole package again: about 0.3 s of `vend serve`'s start-up. Stale files are
# harmless: Python checks each against its source and compiles a changed module again.
bytecode:
	$(BIN)/python -m compileall -q resolvers vend_local

# Parts of the suite that need their own environment (the CDK, Node.js) add themselves to EXTRA_TESTS.
EXTRA_TESTS :=
-include infra/infra.mk
-include clients/clients.mk

test: lint typecheck catalog-check catalog-test pytest $(EXTRA_TESTS)

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

# The second run checks the Lambda package against the Lambda's own standard library (a module removed in 3.13
# fails there), whatever Python runs the suite.
typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy --python-version $(LAMBDA_PYTHON_VERSION) resolvers

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
	$(BIN)/vend schema --output schema.graphql

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
bench: $(STAMP) bytecode
	$(BIN)/python -m bench.run
