# agentstore: `make validate` deploys and checks the whole stack; `make test` runs the tests.
# Every target installs what it needs first (make setup is idempotent).

SHELL := /bin/bash
# .tools/node first: every target runs on the chart's Node (jobs.image), which make setup puts there (scripts/setup/node.ts).
export PATH := $(CURDIR)/.tools/node/bin:$(CURDIR)/.tools/bin:$(CURDIR)/node_modules/.bin:$(PATH)
AGENTSTORE := node bin/agentstore.js

.PHONY: setup test test-unit test-chart typecheck format format-check knip validate bench bench-indexes bundle manifests clean-cluster services-up services-down services-status services-purge clean cluster-up cluster-down cluster-status

setup: node_modules/.installed
	@tsx scripts/setup/node.ts
	@bash scripts/setup/system.sh
	@tsx scripts/setup/tools.ts
	@bash scripts/setup/go-tools.sh
	@bash scripts/setup/s3-server.sh
	@tsx scripts/setup/k8s-schemas.ts

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

typecheck: node_modules/.installed
	tsc --noEmit

## Prettier on our TypeScript (.prettierrc.json; YAML, Markdown and the chart are left alone: .prettierignore).
format: node_modules/.installed
	prettier --write --log-level warn .

format-check: node_modules/.installed
	@prettier --check --log-level warn . || { echo 'formatting differs: run `make format`'; exit 1; }

## Unused files, exports and dependencies (knip.jsonc).
knip: node_modules/.installed
	@knip || { echo 'knip found unused code (above): remove it, or stop exporting what only its own file uses'; exit 1; }

test-unit: node_modules/.installed
	vitest run test/unit

## Chart checks only: lint, render under Helm 4 and 3, kubeconform, wiring, parent chart, bad values.
test-chart: setup
	vitest run test/chart

## What the chart's pods run, as one file (charts/agentstore/charts/cli/files/agentstore.mjs.br).
bundle: node_modules/.installed
	tsx scripts/bundle.ts

## The whole suite: types, formatting, unused exports, then unit and integration tests against the real
## local services.
test: setup services-up typecheck format-check knip
	@mkdir -p .reports && rm -f .reports/vitest.json
	vitest run --reporter=default --reporter=json --outputFile.json=.reports/vitest.json; \
	  status=$$?; tsx scripts/test-summary.ts --vitest .reports/vitest.json --vitest-exit $$status

## Deploys and checks the stack: a reachable kube context, else kind, else local mode (the real local
## services, Cassandra standing in for ScyllaDB). Report in .reports/validate.{md,json}.
validate: setup
	tsx scripts/validate.ts

## cdk8s: dist/jobs.k8s.yaml, dist/environment.k8s.yaml, dist/stack.k8s.yaml (chart via .tools/bin/helm)
manifests: setup
	tsx cdk8s/main.ts

## Removes what make validate left: the release, its namespace (PVCs), the kind cluster "agentstore"
clean-cluster:
	bash scripts/kind/clean-cluster.sh

## Seeding and key-query latency next to bare-driver ceilings; the store's write path (LWT claims,
## logged batches) at a fixed rate next to the same statements without them (about 5 minutes); then
## projector throughput and lag next to Redis and Kafka ceilings; the LangGraph checkpointer (ours,
## PostgresSaver, MemorySaver) next to a bare single-partition SELECT/INSERT; backup and restore next to a
## bare CQL scan. Figures printed and written to .reports/.
bench: setup services-up
	tsx src/bench/main.ts
	tsx src/bench/write-path.ts
	tsx src/bench/projector.ts
	tsx src/bench/checkpoint.ts
	tsx src/bench/backup.ts

## PostgreSQL baseline on a private server: each key query over foreign-key indexes, each candidate
## alone, all, and leave-one-out, interleaved (plans, p50/p95/p99 with CIs, WAL per row, sizes, a
## keep-or-reject rule); writes docs/index-study.md. Its defaults are the run the docs hold (~15k and ~59k steps).
bench-indexes: setup services-up
	tsx src/postgres/index-study/main.ts

services-up: setup
	tsx scripts/services/main.ts up

services-down:
	tsx scripts/services/main.ts down

services-status:
	tsx scripts/services/main.ts status

## Stops the local services and deletes their data (the next services-up starts empty).
services-purge:
	tsx scripts/services/main.ts purge

clean:
	rm -rf .reports dist

## The sandbox cluster: a real single-node Kubernetes 1.34 in its own network namespace, built here from the
## Go module proxy, Debian and npm, with locally built images (root, Linux). docs/sandbox-cluster.md.
cluster-up: setup
	tsx scripts/cluster/main.ts up

cluster-down: node_modules/.installed
	tsx scripts/cluster/main.ts down

cluster-status: node_modules/.installed
	tsx scripts/cluster/main.ts status
