#!/usr/bin/env bash
# make stress: run the test suite on a starved machine, on purpose, several times in a row.
#
# Every run is pinned to one CPU (taskset) that it shares with busy loops, with GOMAXPROCS=1 and the race
# detector. The first run starts from an empty build cache, so compiling the later packages competes with
# the tests of the earlier ones (at normal priority: a cold build at the lowest one would take hours); the
# other runs have the lowest CPU priority (nice 19: the busy loops get almost all of that CPU, the suite
# about 1.5 % of it, a machine some fifty times slower than an idle one). A suite that assumes an idle
# machine (a step budget tuned for a fast handshake, two connections racing, an order of completion) fails
# here; one whose readiness is a signal passes every run.
#
#   bash bench/stress.sh                 10 runs of ./...
#   RUNS=3 PKGS="./cmd ./probe" bash bench/stress.sh
#
# Settings (environment): RUNS (10), PKGS (./...), CPU (the CPU to pin to, 0), BUSY (busy loops sharing that
# CPU, 2), NICE (the suite's niceness in warm runs, 19), COLD (1: the first run uses an empty build cache;
# 0: never; all: every run). Exit status: 0 when every run passed, 1 otherwise; the failing tests of each
# run are printed, the full logs kept in a folder.
set -uo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-10}
PKGS=${PKGS:-./...}
CPU=${CPU:-0}
BUSY=${BUSY:-2}
NICE=${NICE:-19}
COLD=${COLD:-1}
GO=${GO:-go}

command -v taskset >/dev/null || {
	echo "stress: taskset (util-linux) is needed" >&2
	exit 2
}
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/mailcheck-stress.XXXXXX")
BUSY_PIDS=()
cleanup() {
	for pid in "${BUSY_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "${COLD_CACHE:-}" ] && rm -rf "$COLD_CACHE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for _ in $(seq 1 "$BUSY"); do
	taskset -c "$CPU" bash -c 'while :; do :; done' &
	BUSY_PIDS+=($!)
done

echo "stress: $RUNS runs of go test -race $PKGS on CPU $CPU with $BUSY busy loops, GOMAXPROCS=1, nice $NICE (cold runs: 0) (logs: $LOGS)"
failed=0
for i in $(seq 1 "$RUNS"); do
	cache=$($GO env GOCACHE)
	if [ "$COLD" = all ] || { [ "$COLD" = 1 ] && [ "$i" = 1 ]; }; then
		COLD_CACHE=$(mktemp -d "${TMPDIR:-/tmp}/mailcheck-stress-cache.XXXXXX")
		cache=$COLD_CACHE
	fi
	nice=$NICE
	[ "$cache" != "$($GO env GOCACHE)" ] && nice=0
	log=$LOGS/run$i.log
	start=$(date +%s)
	# shellcheck disable=SC2086
	if taskset -c "$CPU" nice -n "$nice" env GOMAXPROCS=1 GOCACHE="$cache" GOFLAGS=-count=1 $GO test -race $PKGS >"$log" 2>&1; then
		result=PASS
	else
		result=FAIL
		failed=$((failed + 1))
	fi
	printf 'run %2d/%d  %s  %4d s%s\n' "$i" "$RUNS" "$result" $(($(date +%s) - start)) "$([ "$cache" != "$($GO env GOCACHE)" ] && echo '  (empty build cache)')"
	if [ $result = FAIL ]; then
		grep -E '^(--- FAIL|FAIL|panic:)|_test\.go:[0-9]+:' "$log" | head -20 | sed 's/^/    /'
	fi
	if [ -n "${COLD_CACHE:-}" ]; then
		rm -rf "$COLD_CACHE"
		COLD_CACHE=
	fi
done
echo "stress: $((RUNS - failed)) passed, $failed failed"
[ "$failed" = 0 ]
