# mailcheck — see README.md
GO      ?= go
BIN     ?= bin/mailcheck
PKGS    := ./...

.PHONY: all build demo test race vet fmt e2e bench fuzz clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/mailcheck

## demo: probe the embedded sandbox domain on loopback (no network needed)
demo: build
	./$(BIN) demo; test $$? -le 1

## test: vet, formatting and every unit/integration test with the race detector
test: vet fmt
	$(GO) test -race -count=1 $(PKGS)

vet:
	$(GO) vet $(PKGS)

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## e2e: end-to-end suite against real Dovecot, Postfix and unbound (root, Debian; see e2e/README.md)
e2e:
	bash e2e/run.sh

## bench: whole-domain probe through a 50 ms RTT proxy; prints the ratios; then the bulk run over 10,000 domains
BENCH_DOMAINS ?= 10000
bench:
	$(GO) run ./bench
	$(GO) run ./bench -domains $(BENCH_DOMAINS)

## fuzz: fuzz the pasted-error parser for a minute
fuzz:
	$(GO) test -run=NONE -fuzz=FuzzExplain -fuzztime=60s ./probe/explain/

clean:
	rm -rf bin
