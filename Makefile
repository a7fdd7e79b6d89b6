# Minyi — make run, make test, make lint, make bench.
GO ?= go
BIN := bin/minyi

.PHONY: run test lint bench build clean services fuzz

build:
	$(GO) build -trimpath -o $(BIN) ./cmd/minyi

# Starts (or finds) Postgres and Redis, migrates, seeds the demo when the
# database is empty, and serves on :8080.
run: build
	@bash .ci/dev-run

# Every test against real Postgres, Redis and headless Chromium.
test:
	@bash .ci/services
	$(GO) vet ./...
	$(GO) test -count=1 -p 2 -timeout 20m ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo 'gofmt needed'; exit 1)
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

# Every fuzz target for FUZZTIME each (default 30s); make test runs their
# seed corpora.
fuzz:
	@bash .ci/fuzz

# The HTTP scenarios, then the daily aggregate at scale (BENCH_AGG=0 skips it),
# then the console at scale (BENCH_CONSOLE=0 skips it), the full assessment,
# and the write path before and after the console's indexes.
bench: build
	@bash .ci/services
	@bash .ci/bench
	@bash .ci/bench-agg
	@bash .ci/bench-console
	@bash .ci/bench-results
	@bash .ci/bench-writes-ab

clean:
	rm -rf bin
