#!/usr/bin/env bash
# Side-by-side SSE load benchmark (issues 7 and 17): ssekit against go-sse, r3labs/sse
# and two raw net/http baselines, each server in its own process.
#
#   make bench                      short run (about 7.5 minutes, 3 runs of each cell), writes bench/RESULTS.md
#   make bench BENCH_FLAGS=-long    full run (all levels and rates, 5 runs; about an hour)
#   make bench BENCH_FLAGS=-soak    soak: 15 min, 15k streams, churn 50/s, 20 events/s,
#                                   1 % stalled; writes bench/SOAK.md (-soak-dur 1m for a short one)
#
# Any other flag goes to the runner (bench/cmd/ssebench), e.g.
#   BENCH_FLAGS='-servers ssekit,raw-coalesce -scenarios B2'
#   BENCH_FLAGS='-runs 1 -scenarios B2 -servers ssekit -profile ssekit/B2/10k -out /dev/null'
# Servers run pinned to core 0 with GOMAXPROCS=1, the load generator to core 1.
set -euo pipefail
cd "$(dirname "$0")/.."

out=bench/out
mkdir -p "$out/bin"
echo "== building the benchmark harness"
(cd bench && go build -o out/bin/ ./cmd/benchserver ./cmd/ssebench)

runner=("$out/bin/ssebench" -server-bin "$out/bin/benchserver" -out bench/RESULTS.md -out-dir "$out")
if command -v taskset >/dev/null && [ "$(nproc --all)" -ge 2 ]; then
	echo "== servers on core 0, load generator on core 1 (GOMAXPROCS=1 each); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
	exec taskset -c 1 env GOMAXPROCS=1 "${runner[@]}" -server-cpu 0 "$@"
fi
echo "== taskset or a second core missing: running unpinned"
exec env GOMAXPROCS=1 "${runner[@]}" -server-cpu "" "$@"
