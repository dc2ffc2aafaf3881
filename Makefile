# agentstore: `make validate` deploys and checks the whole stack; `make test` runs the tests.
# Every target installs what it needs first (make setup is idempotent).

SHELL := /bin/bash
export PATH := $(CURDIR)/.tools/bin:$(CURDIR)/node_modules/.bin:$(PATH)
AGENTSTORE := node bin/agentstore.js

.PHONY: setup test test-unit typecheck validate bench services-up services-down services-status clean

setup: node_modules/.installed
	@bash scripts/setup/system.sh
	@tsx scripts/setup/tools.ts

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

typecheck: node_modules/.installed
	tsc --noEmit

test-unit: node_modules/.installed
	vitest run test/unit

## The whole suite: unit tests and integration tests against the real local services.
test: setup services-up typecheck
	@mkdir -p .reports
	vitest run --reporter=default --reporter=json --outputFile.json=.reports/vitest.json; \
	  status=$$?; tsx scripts/test-summary.ts .reports/vitest.json; exit $$status

## Local mode: real Cassandra (the CQL stand-in for ScyllaDB), migrate, seed >= 100k steps, verify every key query.
validate: setup services-up
	tsx scripts/validate.ts

bench: setup services-up
	tsx src/bench/main.ts

services-up: setup
	tsx scripts/services/main.ts up

services-down:
	tsx scripts/services/main.ts down

services-status:
	tsx scripts/services/main.ts status

clean:
	rm -rf .reports dist
