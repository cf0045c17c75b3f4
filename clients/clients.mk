# The front-end clients (clients/): the AWS SDK credential provider and the example page. Included by the root
# Makefile, which runs `clients-test` as part of `make test`. Node.js 20.19+ or 22.12+ is required (package.json
# engines; clients/.npmrc makes npm refuse any dependency that would not support it, instead of warning); the browser e2e runs only
# when the system Chromium is present (Debian's `chromium`; .ci/run installs it) and says so when it skips.
CLIENTS_DIR := clients
CLIENTS_STAMP := $(CLIENTS_DIR)/node_modules/.package-lock.json
CHROMIUM_PATH ?= /usr/bin/chromium
NPM_CLIENTS := npm --prefix $(CLIENTS_DIR) --silent

# The SDK warns on every Node.js 20 start that its 2027 releases need Node.js 22; we know, keep output readable.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED := true

EXTRA_TESTS += clients-test

.PHONY: clients-test clients-deps clients-e2e

# npm ci rewrites node_modules/.package-lock.json, so this reruns only when the lock file changes.
$(CLIENTS_STAMP): $(CLIENTS_DIR)/package-lock.json $(CLIENTS_DIR)/package.json $(CLIENTS_DIR)/.npmrc
	@command -v node >/dev/null 2>&1 || { echo "clients-test: Node.js (20.19+ or 22.12+) and npm are required" >&2; exit 1; }
	cd $(CLIENTS_DIR) && npm ci --no-audit --no-fund
	@touch $@

clients-deps: $(CLIENTS_STAMP)

clients-test: $(CLIENTS_STAMP) $(STAMP)
	$(NPM_CLIENTS) run build
	$(NPM_CLIENTS) run codegen:check
	$(NPM_CLIENTS) run typecheck:example
	$(NPM_CLIENTS) run test:unit
	$(NPM_CLIENTS) run pack:check
	@if [ -x "$(CHROMIUM_PATH)" ]; then \
		$(MAKE) --no-print-directory clients-e2e; \
	else \
		echo "clients-test: SKIPPED the browser e2e: no Chromium at $(CHROMIUM_PATH) (apt-get install -y chromium)"; \
	fi

# Needs the Python environment: the e2e starts `vend serve` itself.
clients-e2e: $(CLIENTS_STAMP) $(STAMP)
	$(NPM_CLIENTS) run build:example
	CHROMIUM_PATH=$(CHROMIUM_PATH) VEND_BIN=$(abspath $(BIN))/vend TEST_OUTPUT_DIR=$(abspath test-output) \
		$(NPM_CLIENTS) run test:e2e
