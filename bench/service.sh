#!/usr/bin/env bash
# bench/service.sh — the service's throughput and latency through the
# embedded broker, next to the same files through the pipeline alone.
#
#   jobs/s, p50/p99 latency: upload event produced (its ce_time) → its
#     asset.job.completed received by a consumer, for N small images, with
#     1 and 2 executors;
#   overhead: CPU of every worker process (supervisor, zygote, executors,
#     mock cluster threads) while the jobs ran, against the pipeline time the
#     executors measured for the same jobs (sum of durationMs): what Kafka,
#     the supervisor and storage cost on top, in percent;
#   reference: the same files through `asset-worker process` one by one.
# Writes bench/results/service.md.
set -euo pipefail
AW_ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$AW_ROOT/scripts/deps.sh"
AW_PKGS_bench="jq bc libvips-tools procps"
aw_install_deps build bench
aw_build "$AW_ROOT/build-release" -DCMAKE_BUILD_TYPE=Release -DAW_TESTS=OFF -DAW_TEST_FAULTS=OFF
BIN="$AW_ROOT/build-release/asset-worker"
N=${N:-60}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/aw-bench-svc-XXXXXX")
WORKER=""
trap '[ -n "$WORKER" ] && kill "$WORKER" 2>/dev/null; rm -rf "$WORK"' EXIT
OUT="$AW_ROOT/bench/results"
mkdir -p "$OUT" "$WORK/files" "$WORK/db"
TICK=$(getconf CLK_TCK)

echo "+ making $N images of 1024x768 (vips gaussnoise + xyz, a different seed each)"
vips xyz "$WORK/xy.v" 1024 768
vips linear "$WORK/xy.v" "$WORK/rg.v" "0.249 0.332" "0 0"
for i in $(seq -w 1 "$N"); do
  vips gaussnoise "$WORK/n.v" 1024 768 --mean 128 --sigma 20 --seed "$i"
  vips bandjoin "$WORK/rg.v $WORK/n.v" "$WORK/c.v"
  vips cast "$WORK/c.v" "$WORK/files/img-$i.jpg" uchar
done
printf '%s%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR' '-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' > "$WORK/eicar"
echo "$(md5sum < "$WORK/eicar" | cut -d' ' -f1):68:Eicar-Test-Signature" > "$WORK/db/bench.hdb"

# CPU seconds (user+sys) of every thread in a process group: "worker" for
# all but the mock cluster's thread, "mock" for that one (in production the
# broker is elsewhere, so its CPU is not the worker's overhead). "worker"
# also counts the children each process has reaped (cutime + cstime): the
# executors, which exit after each job and are reaped by the zygote.
group_cpu() { # group_cpu PGID worker|mock
  local total=0 t ticks name p
  for t in $(for p in $(pgrep -g "$1"); do echo /proc/$p/task/*; done); do
    name=$(cat "$t/comm" 2>/dev/null) || continue
    ticks=$(awk '{print $14 + $15}' "$t/stat" 2>/dev/null) || continue
    if [ "$2" = mock ]; then [ "$name" = rdk:mock ] && total=$((total + ticks))
    else [ "$name" != rdk:mock ] && total=$((total + ticks)); fi
  done
  if [ "$2" = worker ]; then
    for p in $(pgrep -g "$1"); do
      ticks=$(awk '{print $16 + $17}' "/proc/$p/stat" 2>/dev/null) || continue
      total=$((total + ticks))
    done
  fi
  echo "scale=3; $total / $TICK" | bc
}

# pipeline alone: process each file, sum the pipeline's own durations
process_loop() {
  local start end
  start=$(date +%s.%N)
  for f in "$WORK"/files/*.jpg; do
    "$BIN" process "$f" --clamav-db "$WORK/db" --out "$WORK/p" --json
  done | jq -s '[.[].durationMs] | add' > "$WORK/process-ms"
  end=$(date +%s.%N)
  echo "scale=3; ($end - $start) * 1000 / $N" | bc > "$WORK/process-wall"
}

# the service with C executors; PACE seconds between uploads (0: one burst);
# prints one Markdown table row
service_run() {
  local c=$1 pace=$2
  local st="$WORK/st-$1-$2" brokers="" before after
  mkdir -p "$st"
  setsid "$BIN" run --embedded --http-port 0 --concurrency "$c" --storage "file://$st" --clamav-db "$WORK/db" \
    > "$WORK/w.out" 2> "$WORK/w-$c.log" &
  WORKER=$!
  for _ in $(seq 100); do
    brokers=$(sed -n 's/^bootstrap.servers=//p' "$WORK/w.out"); [ -n "$brokers" ] && break; sleep 0.1
  done
  sleep 4 # the group forms (the mock cluster waits 3 s for first members)
  "$BIN" events --brokers "$brokers" --until "$N" --timeout 600 --json > "$WORK/ev-$c.jsonl" &
  local rec=$!
  sleep 1
  before=$(group_cpu "$WORKER" worker); local mock_before; mock_before=$(group_cpu "$WORKER" mock)
  if [ "$pace" = 0 ]; then
    "$BIN" upload --brokers "$brokers" --storage "file://$st" "$WORK"/files/*.jpg > "$WORK/up-$c.txt"
  else
    : > "$WORK/up-$c.txt"
    for f in "$WORK"/files/*.jpg; do
      "$BIN" upload --brokers "$brokers" --storage "file://$st" "$f" >> "$WORK/up-$c.txt"
      sleep "$pace"
    done
  fi
  wait $rec
  after=$(group_cpu "$WORKER" worker); local mock_after; mock_after=$(group_cpu "$WORKER" mock)
  kill -TERM "$WORKER"; wait "$WORKER" || true; WORKER=""
  jq -rs --slurpfile up <(awk '{print "{\"asset\":\"" $1 "\",\"time\":\"" $4 "\"}"}' "$WORK/up-$c.txt" | jq -s .) \
     --arg cpu "$(echo "$after - $before" | bc)" --arg n "$N" --arg c "$c" --arg pace "$pace" --arg mock "$(echo "$mock_after - $mock_before" | bc)" '
    def ms: (.[0:19] + "Z" | fromdateiso8601) * 1000 + (.[20:23] | tonumber);
    ($up[0] | map({(.asset): (.time | ms)}) | add) as $sent
    | [.[] | select(.type == "asset.job.completed")] as $done
    | ([$done[] | (.received | ms) - $sent[.data.assetId]] | sort) as $lat
    | ([.[] | select(.type == "asset.job.progress" and .data.stage == "queued")
        | {(.data.assetId): (.time | ms)}] | add) as $started
    | ([$done[] | (.time | ms) - $started[.data.assetId]] | sort) as $inside
    | ([$done[] | .data.cpuMs] | add) as $pipe
    | (($done | map(.received | ms) | max) - ($sent | to_entries | map(.value) | min)) as $span
    | "| \($c) | \(if $pace == "0" then "burst" else "every \($pace) s" end) | \($n) | \(($n | tonumber) / $span * 1000 * 100 | round / 100) | \($lat[(($lat | length) * 0.5 | floor)]) | \($lat[(($lat | length) * 0.99 | floor)]) | \($inside[(($inside | length) * 0.5 | floor)]) | \($inside[(($inside | length) * 0.99 | floor)]) | \($pipe / 1000 * 100 | round / 100) | \($cpu) | \((($cpu | tonumber) * 1000 - $pipe) / $pipe * 1000 | round / 10) % | \($mock) |"
  ' "$WORK/ev-$c.jsonl"
}

echo "+ pipeline alone (asset-worker process, one file at a time)"
process_loop
rows=""
for run in "1 0" "2 0"; do
  set -- $run
  echo "+ service with $1 executor(s), uploads $([ "$2" = 0 ] && echo "in one burst" || echo "every $2 s")"
  rows="$rows$(service_run "$1" "$2")"$'\n'
done
{
  echo "# Service: throughput, latency and overhead through the embedded broker"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(date -u +%Y-%m-%d)."
  echo "$N JPEGs of 1024×768 (made by the script), scan with a one-signature database, all stages."
  echo "Latency = upload event's ce_time → its asset.job.completed received by a consumer (ms)."
  echo "All uploads come in one burst, so most of that latency is waiting in line; \"in worker\""
  echo "is one job's own time: taken from the queue (its \"queued\" progress event) → its"
  echo "asset.job.completed published (download, executor, storage, events)."
  echo "Overhead = (CPU of all worker processes while the jobs ran − CPU the executors spent in"
  echo "the pipeline, Σ cpuMs) / Σ cpuMs; it includes the supervisor's 20 ms poll loop, librdkafka's"
  echo "threads and storage copies, and forking and tearing down one executor per job (executors serve
one job each; their CPU is counted through the zygote's reaped-children time); the mock
cluster's own thread is reported apart. Target ≤ 5 %."
  echo
  echo "| executors | uploads | jobs | jobs/s | p50 ms | p99 ms | in worker p50 ms | in worker p99 ms | pipeline CPU s (Σ cpuMs) | worker CPU s | overhead | mock broker CPU s (not counted) |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s' "$rows"
  echo
  echo "Pipeline alone through \`asset-worker process\`: $(cat "$WORK/process-wall") ms wall per file"
  echo "(process start-up and ClamAV load included), $(echo "scale=1; $(cat "$WORK/process-ms") / $N" | bc) ms of pipeline per file."
} > "$OUT/service.md"
cat "$OUT/service.md"
