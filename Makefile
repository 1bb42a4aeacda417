# ssekit: `make run` starts the main example, `make test` runs every test.
# Every target installs or starts what it needs (scripts/ensure-*.sh) when it is missing.
SHELL := /bin/bash
GO ?= go
# Every module of the workspace (go.work), as directories.
MODULES = $(shell $(GO) list -m -f '{{.Dir}}')
RUN_EXAMPLE ?= echo

.PHONY: run test test-go test-release test-js bench fmt ensure

# The example is built, then run in its own process group holding the
# terminal (set -m), so that Ctrl-C reaches the example alone: it shuts down
# cleanly and exits 0, and so does make (a SIGINT to make itself would end
# it with an error whatever the example did).
run:
	@dir=$$(mktemp -d); trap 'rm -rf "$$dir"' EXIT; \
	  $(GO) build -o "$$dir/example" ./examples/$(RUN_EXAMPLE) || exit 1; \
	  if [ -t 0 ]; then set -m; fi; "$$dir/example"

ensure:
	@for s in scripts/ensure-*.sh; do [ -e "$$s" ] || continue; echo "== $$s"; bash "$$s" || exit 1; done

test: ensure test-go test-release test-js
	@echo "make test: all suites passed"

test-go:
	@set -e; for m in $(MODULES); do \
	  echo "== $$m"; \
	  bad=$$(gofmt -l $$m); if [ -n "$$bad" ]; then echo "gofmt needed: $$bad"; exit 1; fi; \
	  (cd $$m && $(GO) vet ./... && $(GO) test -race -count=1 ./...); \
	done

# The release check (docs/RELEASING.md): tools/release's own tests, then a
# module proxy built from the working tree and a consumer outside the
# workspace that gets every published module through it and builds the
# README's snippets with no replace directive. tools/release is not in
# go.work, so it runs with GOWORK=off.
test-release:
	@echo "== tools/release"
	@cd tools/release && bad=$$(gofmt -l .); if [ -n "$$bad" ]; then echo "gofmt needed: $$bad"; exit 1; fi; \
	  export GOWORK=off; $(GO) vet ./... && $(GO) test -race -count=1 ./... && $(GO) run . check

test-js:
	@if [ -f scripts/test-js.sh ]; then bash scripts/test-js.sh; else echo "no JS suites yet"; fi

# In-process micro-benchmarks first (publish cost per subscriber count, with
# and without an observer and with the Prometheus exporter, adapter
# overhead against core's net/http handler, publishes/s through Redis), then
# the side-by-side load benchmark against peer libraries (bench/RESULTS.md).
# BENCH_FLAGS=-soak runs only the soak (15 minutes; bench/SOAK.md).
bench: ensure
	@if [[ " $(BENCH_FLAGS) " != *" -soak "* ]]; then set -e; \
	  (cd core && $(GO) test -run '^$$' -bench Publish -benchmem .); \
	  (cd promsse && $(GO) test -run '^$$' -bench PublishWithExporter -benchmem .); \
	  (cd conformance && $(GO) test -run '^$$' -bench AdapterOverhead -benchmem .); \
	  (cd redisbackend && $(GO) test -run '^$$' -bench Publish -benchtime=2000x .); \
	  (cd bench && $(GO) test -run '^$$' -bench ClientParse -benchmem ./clientparse); \
	fi
	@if [ -f scripts/bench.sh ]; then bash scripts/bench.sh $(BENCH_FLAGS); fi

fmt:
	@for m in $(MODULES) tools/release; do gofmt -w $$m; done
