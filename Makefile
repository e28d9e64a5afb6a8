# runai-sync: make demo shows the tool, make test is what CI runs.
GO        ?= go
BIN       := bin/runai-sync
# What `runai-sync version` prints; without git, the module version or "dev".
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null)
STATICCHECK_VERSION := v0.8.2

.PHONY: build test demo lint fuzz bench clean

build:
	$(GO) build -ldflags "-X main.buildVersion=$(VERSION)" -o $(BIN) ./cmd/runai-sync

# vet, the whole suite under the race detector, then the hostile-input tests
# once more without it, at their real one-second bound
# (vet compiles with the Dockerfile's settings, CGO_ENABLED=0 and -trimpath,
# so internal/packaging's static build of the image's binary finds every
# package compiled already and only links: one full compile fewer).
test:
	CGO_ENABLED=0 $(GO) vet -trimpath ./...
	$(GO) test -race ./...
	$(GO) test -count=1 -run 'TestHostileInput' ./manifest/

# The example tenant against the emulator: apply, empty plan, drift (exit 2).
demo: build
	$(GO) run ./internal/demo -bin $(BIN)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

# Go benchmarks of the pure parts, then the binary against the emulator
# (20 ms latency) at 100, 1,000 and 10,000 credentials: writes BENCHMARKS.md.
bench: build
	$(GO) run ./internal/bench -bin $(BIN) -out BENCHMARKS.md

# A minute of fuzzing of the manifest loader and validator.
fuzz:
	$(GO) test ./manifest -run '^$$' -fuzz FuzzLoad -fuzztime 1m

clean:
	rm -rf bin out
