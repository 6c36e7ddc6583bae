#!/bin/sh
# embedded_batch.sh — runs INSIDE the image (test_image.sh mounts it): the
# demo's flow, `run --embedded` + `upload` + `events`, with the image's own
# binary, shell and user. usage: embedded_batch.sh DIR FILE…
# DIR gets storage/, worker.out, worker.log, events.jsonl and worker.exit.
set -u
dir=$1; shift
mkdir -p "$dir/storage"
asset-worker run --embedded --storage "file://$dir/storage" --http-port 0 --concurrency 2 \
  > "$dir/worker.out" 2> "$dir/worker.log" &
pid=$!
brokers=""
for _ in $(seq 300); do
  brokers=$(sed -n 's/^bootstrap.servers=//p' "$dir/worker.out")
  [ -n "$brokers" ] && break
  sleep 0.1
done
[ -n "$brokers" ] || { echo "the worker did not start"; kill "$pid"; exit 1; }
asset-worker upload --brokers "$brokers" --storage "file://$dir/storage" "$@" > "$dir/uploaded" || {
  echo "upload failed"; kill "$pid"; exit 1; }
asset-worker events --brokers "$brokers" --until $# --timeout 600 --json > "$dir/events.jsonl"
rc=$?
kill -TERM "$pid"
wait "$pid"
echo $? > "$dir/worker.exit"
exit $rc
