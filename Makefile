# mailcheck — see README.md
GO      ?= go
BIN     ?= bin/mailcheck
PKGS    := ./...
# The revision and commit date for 'mailcheck --version', where Go cannot read them from the checkout
# itself (a git worktree, or GOFLAGS=-buildvcs=false); the build information comes first when present.
REVISION  ?= $(shell git rev-parse HEAD 2>/dev/null)
COMMITTED ?= $(shell TZ=UTC git log -1 --date=format-local:%Y-%m-%dT%H:%M:%SZ --format=%cd 2>/dev/null)
LDFLAGS   := -X github.com/mailcheck/mailcheck/cmd.buildRevision=$(REVISION) -X github.com/mailcheck/mailcheck/cmd.buildTime=$(COMMITTED)

PREFIX  ?= /usr/local
DESTDIR ?=

.PHONY: all build demo test race vet fmt e2e bench stress fuzz clean man install uninstall dist

all: build

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/mailcheck

## demo: probe the embedded sandbox domain on loopback (no network needed)
demo: build
	./$(BIN) demo; test $$? -le 1

## man: the man pages in man/, generated from the command tree (a test in make test keeps them current)
man:
	rm -f man/*.1
	$(GO) run ./tools/mangen man

## install: the binary, man pages and bash/zsh/fish completions under $(DESTDIR)$(PREFIX) (default /usr/local)
install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/mailcheck
	install -m 0644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	./$(BIN) completion bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/mailcheck
	./$(BIN) completion zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_mailcheck
	./$(BIN) completion fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/mailcheck.fish

## dist: release archives for Linux, macOS and Windows (amd64, arm64) in dist/, each with the binary,
## README, man pages and completions, plus SHA256SUMS. Cross-compiled with go build (pure Go, CGO off), offline.
## GoReleaser is the ecosystem's convention, but no approved release of it is served here (see README).
DIST_VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
DIST_TARGETS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
dist: build
	@command -v zip >/dev/null || { echo "make dist needs zip for the Windows archives (apt-get install zip)"; exit 1; }
	rm -rf dist && mkdir -p dist/completions
	./$(BIN) completion bash > dist/completions/mailcheck.bash
	./$(BIN) completion zsh > dist/completions/_mailcheck
	./$(BIN) completion fish > dist/completions/mailcheck.fish
	./$(BIN) completion powershell > dist/completions/mailcheck.ps1
	set -e; for t in $(DIST_TARGETS); do \
	  os=$${t%/*}; arch=$${t#*/}; name=mailcheck-$(DIST_VERSION)-$$os-$$arch; exe=mailcheck; \
	  [ $$os = windows ] && exe=mailcheck.exe; \
	  mkdir -p dist/$$name/man; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags '-s -w $(LDFLAGS)' -o dist/$$name/$$exe ./cmd/mailcheck; \
	  cp README.md dist/$$name/; cp man/*.1 dist/$$name/man/; cp -r dist/completions dist/$$name/; \
	  if [ $$os = windows ]; then (cd dist && zip -qr $$name.zip $$name); \
	  else tar -C dist --owner=0 --group=0 -czf dist/$$name.tar.gz $$name; fi; \
	  rm -rf dist/$$name; \
	done
	rm -rf dist/completions
	cd dist && sha256sum mailcheck-* > SHA256SUMS && cat SHA256SUMS

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/mailcheck $(DESTDIR)$(PREFIX)/share/man/man1/mailcheck.1 \
		$(DESTDIR)$(PREFIX)/share/man/man1/mailcheck-*.1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/mailcheck \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_mailcheck \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/mailcheck.fish

## test: vet, formatting and every unit/integration test with the race detector (also: man/ is current)
test: vet fmt
	$(GO) test -race -count=1 $(PKGS)

# Windows and macOS builds are vetted too (the users are Outlook helpdesks); bench/ is Linux-only.
vet:
	$(GO) vet $(PKGS)
	GOOS=windows $(GO) vet $(PKGS)
	GOOS=darwin $(GO) vet $(PKGS)

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## e2e: end-to-end suite against real Dovecot, Postfix and unbound (root, Debian; see e2e/README.md)
e2e:
	bash e2e/run.sh

## bench: whole-domain probe through a 50 ms RTT proxy (prints the ratios); the hostile-server figures
## (peak RSS and output of the binary against scripted hostile servers, the fan-out limits); then the bulk
## run over BENCH_DOMAINS domains (default 10,000)
BENCH_DOMAINS ?= 10000
bench:
	$(GO) run ./bench
	$(GO) run ./bench/hostile
	$(GO) run ./bench -domains $(BENCH_DOMAINS)

## stress: the suite on a starved machine (one pinned CPU shared with busy loops, GOMAXPROCS=1, -race,
## an empty build cache for the first run), RUNS times (default 10); see bench/stress.sh
stress:
	bash bench/stress.sh

## fuzz: run every fuzz target (every parser of untrusted input) for FUZZTIME each; prints executions
FUZZTIME ?= 10s
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for fn in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    out=$$($(GO) test -run=NONE -fuzz="^$$fn\$$" -fuzztime=$(FUZZTIME) $$pkg 2>&1) || { echo "$$out"; exit 1; }; \
	    echo "$$out" | grep -o 'execs: [0-9]*' | tail -1 | sed "s|^|$$fn ($${pkg#github.com/mailcheck/mailcheck/}): |"; \
	  done; \
	done

clean:
	rm -rf bin dist
