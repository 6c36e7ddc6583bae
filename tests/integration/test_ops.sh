#!/usr/bin/env bash
# test_ops.sh — what operators use, against the real service (`run
# --embedded`: librdkafka's mock cluster over TCP, local storage, real
# executors and ClamAV):
#   - /healthz and /readyz answer; /metrics parses with the Prometheus
#     client's own parser, and its counters move by what the jobs did
#     (jobs, scan verdicts, stage histograms, bytes = the files' sizes,
#     executor restarts, ClamAV signature count = lines of the database);
#   - every log line is a JSON object, and job lines carry the job's ids;
#   - ClamAV hot reload: a file scans CLEAN; a database with its signature is
#     dropped in while two slow jobs are in flight; both complete after the
#     reload, the same file then scans INFECTED, the metrics show one more
#     signature and one reload;
#   - `regenerate` round trip: a job under the given id with only the asked
#     stages; a JSON-lines file; a request the worker would refuse is refused
#     and not sent; `events` prints a table.
#
# usage: test_ops.sh ASSET_WORKER_BINARY   (built with -DAW_TEST_FAULTS=ON)
# Needs: vips, jq, curl, /usr/bin/python3 with prometheus_client, node.
set -u
BIN=$(realpath "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PROM="/usr/bin/python3 $ROOT/tests/tools/prom.py"

for tool in vips jq curl node; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "missing $tool"; [ "${AW_REQUIRE_TOOLS:-0}" = 1 ] && exit 1; exit 77
  fi
done
if ! /usr/bin/python3 -c 'import prometheus_client' 2>/dev/null; then
  echo "missing python3-prometheus-client"; [ "${AW_REQUIRE_TOOLS:-0}" = 1 ] && exit 1; exit 77
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/aw-ops-XXXXXX")
WORKER=""
cleanup() { [ -n "$WORKER" ] && kill -9 "$WORKER" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
passed=0 failed=0
check() { # check NAME COMMAND… — COMMAND's exit status decides
  local name=$1; shift
  local out
  if out=$("$@" 2>&1); then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL: $name"; [ -n "$out" ] && sed 's/^/    /' <<<"$out" | head -40
  fi
}
equals() { [ "$1" = "$2" ] || { echo "got '$1', expected '$2'"; return 1; }; }
metric_is() { # metric_is NAME FILE SAMPLE SELECTOR EXPECTED: a sample's value in a scrape
  check "$1" equals "$($PROM value "$2" "$3" "$4")" "$5"
}

# --- inputs: media made here, a database of one signature -------------------
mkdir -p "$WORK/in" "$WORK/db" "$WORK/storage"
for name in ops-a ops-b ops-c fault-linger-1 fault-linger-2 target \
  fault-linger-scan-crash-1 fault-linger-scan-crash-2 fault-linger-scanner-killed-1 \
  fault-linger-scanner-killed-2 fault-resident; do # each one different
  vips gaussnoise "$WORK/in/$name.jpg[Q=85]" 640 480 --mean 128 --sigma 40
done
cp "$WORK/in/target.jpg" "$WORK/in/target-before.jpg"
cp "$WORK/in/target.jpg" "$WORK/in/target-after.jpg"
eicar() { printf '%s%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR' '-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'; }
echo "$(eicar | md5sum | cut -d' ' -f1):$(eicar | wc -c):Eicar-Test-Signature" > "$WORK/db/test.hdb"
PORT=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => {
  console.log(s.address().port); s.close(); });')

# --- the service ------------------------------------------------------------
(cd "$WORK" && exec "$BIN" run --embedded --storage "file://$WORK/storage" \
  --spool-dir "$WORK/spool" --clamav-db "$WORK/db" --clamav-settle 1 --concurrency 2 \
  --http-port "$PORT" --http-address 127.0.0.1 --log-format json > worker.out 2> worker.log) &
WORKER=$!
BROKERS=""
for _ in $(seq 300); do
  BROKERS=$(sed -n 's/^bootstrap.servers=//p' "$WORK/worker.out"); [ -n "$BROKERS" ] && break
  sleep 0.1
done
[ -n "$BROKERS" ] || { echo "the worker did not start"; cat "$WORK/worker.log"; exit 1; }
URL="http://127.0.0.1:$PORT"
ready() {
  for _ in $(seq 150); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/readyz")" = 200 ] && return 0; sleep 0.2
  done
  curl -s "$URL/readyz"; return 1
}
check "/readyz answers 200 once executors, engine and consumer are up" ready
check "/healthz answers 200 ok" bash -c "[ \"\$(curl -s '$URL/healthz')\" = ok ]"
check "an unknown path is 404" \
  bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' '$URL/nope')\" = 404 ]"
curl -s "$URL/metrics" > "$WORK/before.prom"
check "/metrics parses as Prometheus text (prometheus_client's parser)" $PROM check "$WORK/before.prom"
metric_is "no job counted before any job" "$WORK/before.prom" asset_worker_jobs_total "" 0
metric_is "the signature count is the database's (1 line)" "$WORK/before.prom" \
  asset_worker_clamav_signatures "" "$(wc -l < "$WORK/db/test.hdb")"
metric_is "/readyz is reported as the ready gauge" "$WORK/before.prom" asset_worker_ready "" 1

upload() { "$BIN" upload --brokers "$BROKERS" --storage "file://$WORK/storage" "$@"; }
events() { "$BIN" events --brokers "$BROKERS" "$@"; }
final_of() { # final_of JOB_ID → the job.completed data, once it came
  events --job "$1" --until 1 --timeout 120 --json | jq -c 'select(.type == "asset.job.completed") | .data'
}

# --- jobs move the counters -------------------------------------------------
zygote_pid() { pgrep -P "$WORKER" -f asset-worker-zygote | head -1; }
executors() { # the zygote's children but its scanner (docs/decisions.md)
  local pid
  for pid in $(pgrep -P "$(zygote_pid)"); do
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = aw-scanner ] || echo "$pid"
  done
}
executor_rss_kib() { # the largest RSS of the idle executors
  local pid max=0 kib
  for pid in $(executors); do
    kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
    [ "$kib" -gt "$max" ] && max=$kib
  done
  echo "$max"
}
fresh_rss_kib=$(executor_rss_kib) # before any job: no media library loaded yet
scanner=$(pgrep -P "$(zygote_pid)" -x aw-scanner)
check "two executors (--concurrency 2) besides the scanner" equals "$(executors | wc -l)" 2
check "the zygote has one scanner, and it holds libclamav" \
  grep -q libclamav "/proc/$scanner/maps"
if grep -q libclamav "/proc/$WORKER/maps"; then # the supervisor never scans
  echo "skipped: which processes map libclamav (a build that links the libraries eagerly: cmake/lazy.cmake)"
else check "no executor maps libclamav: the engine is the scanner's alone" \
  sh -c 'for p in $0 "$@"; do ! grep -q libclamav /proc/$p/maps || exit 1; done' $(executors)
fi
sockets_of() { ls -l "/proc/$1/fd" | grep -c 'socket:'; }
check "the scanner holds one socket, to the zygote (none of the zygote's to the supervisor)" \
  equals "$(sockets_of "$scanner")" 1
check "a scan process holds one socket, to its executor" \
  equals "$(sockets_of "$(pgrep -P "$scanner" -x aw-scan | head -1)")" 1
check "each executor has a scan process of its own, a child of the scanner" \
  equals "$(pgrep -P "$scanner" -x aw-scan | wc -l)" "$(executors | wc -l)"
upload "$WORK/in/ops-a.jpg" "$WORK/in/ops-b.jpg" "$WORK/in/ops-c.jpg" > "$WORK/uploaded"
events --until 3 --timeout 120 --json > "$WORK/first.jsonl"
sleep 6 # one statistics interval, for the lag gauge
curl -s "$URL/metrics" > "$WORK/after.prom"
sum() { awk '{ s += $1 } END { print s + 0 }'; }
sizes=$(stat -c %s "$WORK/in/ops-a.jpg" "$WORK/in/ops-b.jpg" "$WORK/in/ops-c.jpg" | sum)
uploaded_bytes=$(find "$WORK/storage/derived" -type f -printf '%s\n' | sum)
check "/metrics still parses after jobs" $PROM check "$WORK/after.prom"
metric_is "jobs_total{completed,IMAGE} moved by 3" "$WORK/after.prom" asset_worker_jobs_total status=completed,type=IMAGE 3
metric_is "scan_verdicts_total{CLEAN} moved by 3" "$WORK/after.prom" asset_worker_scan_verdicts_total verdict=CLEAN 3
metric_is "the image.thumbnail stage histogram counted 3" "$WORK/after.prom" asset_worker_stage_duration_seconds_count stage=image.thumbnail 3
metric_is "bytes downloaded = the sizes of the uploaded files" "$WORK/after.prom" asset_worker_storage_bytes_total direction=download "$sizes"
metric_is "bytes uploaded = the sizes of the stored outputs" "$WORK/after.prom" asset_worker_storage_bytes_total direction=upload "$uploaded_bytes"
idle_rss_kib=$(executor_rss_kib) # after the jobs: libvips loaded by the first
# An executor's first job starts from a fresh one's RSS, a later one from
# what the first left (libvips is loaded by the first image: cmake/lazy.cmake).
check "each job reports its executor's memory: RSS at start between a fresh executor's and an idle used one's (/proc, ±50 %), peak 1 MiB above it or more" \
  jq -e -s --argjson fresh "$fresh_rss_kib" --argjson idle "$idle_rss_kib" '[.[] | select(.type == "asset.job.completed") | .data] | length == 3 and
    all(.[]; .rssAtStartKiB > $fresh / 2 and .rssAtStartKiB < $idle * 1.5 and .peakRssKiB >= .rssAtStartKiB + 1024)' "$WORK/first.jsonl"
check "the job's log line names its executor's peak RSS in MiB" \
  jq -e -s --argjson peak "$(jq -s '[.[] | select(.type == "asset.job.completed") | .data.peakRssKiB][0]' "$WORK/first.jsonl")" \
    'any(.[]; .message | test("^job completed \\(scan CLEAN, executor peak RSS \($peak / 1024 | floor) MiB\\)"))' "$WORK/worker.log"
# Executors serve several jobs (--executor-jobs); one may still retire after
# a clean job its hygiene check does not pass (docs/decisions.md), so three
# clean jobs on two executors replace at most one, never one per job.
check "clean jobs reuse their executors (fewer replaced than jobs)" \
  test "$($PROM value "$WORK/after.prom" asset_worker_executor_restarts_total reason=job_done)" -lt 2
metric_is "nothing in flight once the jobs are done" "$WORK/after.prom" asset_worker_jobs_in_flight "" 0
check "consumer lag is reported per assigned partition, and is 0 when caught up" \
  bash -c "grep -c '^asset_worker_consumer_lag{topic=\"asset.uploads\",partition=\"[0-9]*\"} 0$' '$WORK/after.prom' | grep -qv '^0$'"

# --- the log ------------------------------------------------------------------
check "every log line is a JSON object with time, level and message" \
  jq -e -s 'length > 5 and all(.[]; (.time | type) == "string" and (.level | IN("debug","info","warn","error")) and (.message | type) == "string")' "$WORK/worker.log"
job_a=$(awk '$1 == "ops-a" {print $2}' "$WORK/uploaded")
check "the job's log line carries its jobId, assetId, traceId and duration" \
  jq -e -s --arg job "$job_a" 'any(.[]; .jobId == $job and .assetId == "ops-a" and
    (.traceId | test("^[0-9a-f]{32}$")) and (.durationMs | type) == "number")' "$WORK/worker.log"

# An executor left holding more than 96 MiB resident retires (hygiene.h):
# the next job would start from all of it.
# Not under AddressSanitizer: its quarantine keeps freed memory resident,
# so the rule is left out there (worker/exec/hygiene.c).
upload "$WORK/in/fault-resident.jpg" > "$WORK/resident.up"
check "a job that leaves its executor 128 MiB larger completes" \
  equals "$(final_of "$(awk '{print $2}' "$WORK/resident.up")" | jq -r .status)" completed
if ldd "$BIN" | grep -q libasan; then
  echo "skipped: the executor's resident-size rule (an AddressSanitizer build)"
else check "and its executor retires for its resident size" \
  jq -e -s 'any(.[]; .message | capture("^executor retires after its job [0-9]+: resident (?<mib>[0-9]+) MiB, over the 96 MiB a job may start from$") | .mib | tonumber >= 128)' "$WORK/worker.log"
fi

# --- ClamAV hot reload ----------------------------------------------------------
upload "$WORK/in/target-before.jpg" > "$WORK/before-target"
before=$(final_of "$(awk '{print $2}' "$WORK/before-target")")
check "the target scans CLEAN with the first database" equals "$(jq -r .scanStatus <<<"$before")" CLEAN
upload "$WORK/in/fault-linger-1.jpg" "$WORK/in/fault-linger-2.jpg" > "$WORK/lingering" # 5 s each
sleep 0.5
echo "$(md5sum < "$WORK/in/target.jpg" | cut -d' ' -f1):$(stat -c %s "$WORK/in/target.jpg"):AW-Test-Reload-Signature" \
  > "$WORK/db/extra.hdb"
reloaded() {
  for _ in $(seq 100); do grep -q 'ClamAV database reloaded' "$WORK/worker.log" && return 0; sleep 0.1; done
  tail -20 "$WORK/worker.log"; return 1
}
check "the worker reloads the database after the change" reloaded
in_flight=$(curl -s "$URL/metrics" | grep '^asset_worker_jobs_in_flight ' | awk '{print $2}')
check "the two slow jobs were in flight during the reload" equals "$in_flight" 2
zygotes() { pgrep -P "$WORKER" -f asset-worker-zygote | wc -l; }
check "meanwhile the old and the new zygote both run" equals "$(zygotes)" 2
for job in $(awk '{print $2}' "$WORK/lingering"); do
  data=$(final_of "$job")
  check "in-flight job $job completed across the reload" \
    equals "$(jq -r '.status + " " + .scanStatus' <<<"$data")" "completed CLEAN"
done
check "the slow jobs finished after the reload (they were not restarted)" \
  jq -e -s '([.[] | .message] | index("ClamAV database reloaded; new executors use it, jobs in flight finish on the previous one")) as $r |
            [to_entries[] | select(.value.assetId != null and (.value.assetId | startswith("fault-linger")) and (.value.message | startswith("job completed"))) | .key] |
            length == 2 and all(.[]; . > $r)' "$WORK/worker.log"
upload "$WORK/in/target-after.jpg" > "$WORK/after-target"
after=$(final_of "$(awk '{print $2}' "$WORK/after-target")")
check "the same bytes scan INFECTED with the new signature" \
  equals "$(jq -r '.scanStatus + " " + .signature' <<<"$after")" "INFECTED AW-Test-Reload-Signature.UNOFFICIAL"
curl -s "$URL/metrics" > "$WORK/reloaded.prom"
metric_is "one reload counted" "$WORK/reloaded.prom" asset_worker_clamav_reloads_total result=ok 1
metric_is "the signature count grew by the new line" "$WORK/reloaded.prom" asset_worker_clamav_signatures "" 2
metric_is "the infected verdict is counted" "$WORK/reloaded.prom" asset_worker_scan_verdicts_total verdict=INFECTED 1
check "the old zygote is gone once its last job ended: one zygote left" equals "$(zygotes)" 1

# --- the scanner's processes fail alone ----------------------------------------------
# Each executor scans through a scan process of its own, forked by the
# zygote's scanner. A scan process that dies (here during a slow job's first
# 5 s, before its scan) costs its executor, and the job is retried on a
# fresh one; a scanner that dies takes its scan processes along and the
# zygote starts another.
scan_fault() { # scan_fault NAME SIGNAL PROCESS: two slow jobs, PROCESS killed meanwhile
  local name=$1 sig=$2 what=$3 job
  upload "$WORK/in/fault-linger-$name-1.jpg" "$WORK/in/fault-linger-$name-2.jpg" > "$WORK/$name.up"
  sleep 1.5
  pkill "-$sig" -x "$what"
  for job in $(awk '{print $2}' "$WORK/$name.up"); do
    check "$name: job $job completed CLEAN on a retry" \
      equals "$(final_of "$job" | jq -r '.status + " " + .scanStatus')" "completed CLEAN"
    check "$name: job $job was retried because its executor lost its scan process" \
      jq -e -s --arg job "$job" 'any(.[]; .jobId == $job and (.message | test("^executor retry: executor exited with status 75 in stage scan")))' "$WORK/worker.log"
  done
  check "$name: the new executors have scan processes again" \
    equals "$(pgrep -P "$(pgrep -P "$(zygote_pid)" -x aw-scanner)" -x aw-scan | wc -l)" "$(executors | wc -l)"
}
scan_fault scan-crash SEGV aw-scan
old_scanner=$(pgrep -P "$(zygote_pid)" -x aw-scanner)
scan_fault scanner-killed KILL aw-scanner
check "a new scanner replaced the killed one" \
  test -n "$(pgrep -P "$(zygote_pid)" -x aw-scanner)" -a "$(pgrep -P "$(zygote_pid)" -x aw-scanner)" != "$old_scanner"
check "the zygote said it started another scanner" \
  grep -q 'the scanner process ended; starting another' "$WORK/worker.log"

# --- regenerate round trip -----------------------------------------------------------
key_a=$(awk '$1 == "ops-a" {print $3}' "$WORK/uploaded")
"$BIN" regenerate --brokers "$BROKERS" --asset ops-a --storage-key "$key_a" --types thumbnail \
  --job-id ops-regen-1 > "$WORK/regen.out"
check "regenerate prints the request it sent" \
  equals "$(cat "$WORK/regen.out")" 'ops-a ops-regen-1 ["thumbnail"]'
regen=$(final_of ops-regen-1)
check "the job runs under the given id with only the thumbnail stage (the scan always runs); the metadata it reports is the asset's current one" \
  equals "$(jq -c '[.jobId, .status, .scanStatus, .outputs.thumbnail, .outputs.metadata,
                    ([.timings[].stage | select(test("metadata"))] | length),
                    ([.timings[].stage | select(test("thumbnail"))] | length),
                    .metadata.processing.metadataExtracted, (.variants.thumbnails | keys)]' <<<"$regen")" \
         '["ops-regen-1","completed","CLEAN","made","current",0,1,true,["large","medium","small"]]'
printf '%s\n' "{\"assetId\":\"ops-b\",\"storageKey\":\"$(awk '$1 == "ops-b" {print $3}' "$WORK/uploaded")\",\"jobId\":\"ops-regen-2\",\"types\":[\"metadata\"]}" \
  "{\"assetId\":\"ops-c\",\"storageKey\":\"$(awk '$1 == "ops-c" {print $3}' "$WORK/uploaded")\",\"jobId\":\"ops-regen-3\"}" \
  '{"assetId":"ops-c","storageKey":"uploads/ops-c/x.jpg","types":["bogus"]}' > "$WORK/requests.jsonl"
"$BIN" regenerate --brokers "$BROKERS" --types metadata --file - < "$WORK/requests.jsonl" \
  > "$WORK/regen-many.out" 2> "$WORK/regen-many.err"
rc=$?
check "a list: the refused request makes the exit status 1" equals "$rc" 1
check "a list: the two good requests were sent, the bad one named" \
  bash -c "[ \$(wc -l < '$WORK/regen-many.out') = 2 ] && grep -q 'request 3 refused: types must be' '$WORK/regen-many.err'"
for job in ops-regen-2 ops-regen-3; do
  data=$(final_of "$job")
  check "$job ran the metadata stage only" \
    equals "$(jq -c '[.status, .metadata.processing.metadataExtracted, .metadata.processing.thumbnailGenerated]' <<<"$data")" \
           '["completed",true,false]'
done
check "events prints a table: a header, then the job's rows" \
  bash -c "'$BIN' events --brokers '$BROKERS' --job ops-regen-1 --until 1 --timeout 60 > '$WORK/table.txt' &&
           head -1 '$WORK/table.txt' | grep -q '^TIME *ASSET *JOB *EVENT *DETAIL' &&
           grep -q 'ops-a .*ops-regen-1 .*status *completed' '$WORK/table.txt'"

# --- and a clean stop ----------------------------------------------------------------
kill -TERM "$WORKER"; wait "$WORKER"; code=$?; WORKER=""
check "SIGTERM: exit 0" equals "$code" 0
check "no log line above warn during the whole run" \
  jq -e -s '[.[] | select(.level == "error")] | length == 0' "$WORK/worker.log"
echo "ops: $passed passed, $failed failed"
[ "$failed" = 0 ]
