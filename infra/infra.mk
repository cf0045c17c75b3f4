# The CDK app's tests, in their own environment (.venv-infra): aws-cdk-lib pins an old typeguard, so it must not
# share the runtime or dev environment. Included by the root Makefile, which runs `infra-test` as part of `make test`.
INFRA_VENV := .venv-infra
INFRA_BIN := $(INFRA_VENV)/bin
INFRA_STAMP := $(INFRA_VENV)/.installed
# boto3 (from the Lambda runtime) and Powertools (from its layer), installed apart by the Lambda's Python so the
# asset test can import the handler under that Python with exactly these beside the synthesised asset, and
# nothing from the infra venv.
INFRA_RUNTIME_DEPS := $(INFRA_VENV)/lambda-runtime

# jsii prints a full-screen end-of-life banner on every start under Node.js 20; we know, and keep output readable.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

EXTRA_TESTS += infra-test

.PHONY: infra-test infra-venv

$(INFRA_STAMP): requirements/infra.lock
	@$(PYTHON) -c '$(PYTHON_FLOOR)' 2>/dev/null || { echo "make: needs Python 3.11 or later as $(PYTHON)" >&2; exit 1; }
	test -x $(INFRA_BIN)/python || $(PYTHON) -m venv $(INFRA_VENV)
	$(INFRA_BIN)/python -m pip install --quiet --upgrade pip
	$(INFRA_BIN)/python -m pip install --quiet --require-virtualenv -r requirements/infra.lock
	rm -rf $(INFRA_RUNTIME_DEPS)
	$(INFRA_BIN)/python -m pip install --quiet --target $(INFRA_RUNTIME_DEPS) -c requirements/infra.lock \
		boto3 aws-lambda-powertools
	touch $@

infra-venv: $(INFRA_STAMP)

# Needs the main environment too: a test runs its checks beside the trees a synth leaves (VEND_DEV_BIN). The
# asset-import test runs under the Lambda's Python (LAMBDA_PYTHON, from the root Makefile); where that version is
# not installed it is skipped, and says so here and in pytest's summary.
infra-test: $(INFRA_STAMP) $(STAMP)
	$(INFRA_BIN)/mypy --config-file infra/mypy.ini infra tests/infra
	@[ -n "$(LAMBDA_PYTHON)" ] || echo "infra-test: Python $(LAMBDA_PYTHON_VERSION) (the Lambda's) not found: the asset-import test will be SKIPPED"
	VEND_INFRA_RUNTIME_DEPS=$(abspath $(INFRA_RUNTIME_DEPS)) VEND_DEV_BIN=$(abspath $(BIN)) \
		VEND_LAMBDA_PYTHON=$(LAMBDA_PYTHON) \
		$(INFRA_BIN)/python -m pytest -c tests/infra/pytest.ini tests/infra
