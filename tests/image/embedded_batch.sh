#!/bin/sh
# embedded_batch.sh — runs INSIDE the image (test_image.sh mounts it): the
# demo's flow, `run --embedded` + `console` + `upload` + `events`, with the
# image's own binary, shell and user. usage: embedded_batch.sh DIR FILE…
# DIR gets storage/, worker.out, worker.log, console.out, console.log,
# events.jsonl and worker.exit. Once every file has its final status it
# writes DIR/ready and keeps the worker and the console up until DIR/stop
# appears (the test looks at the console from outside meanwhile).
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
asset-worker console --brokers "$brokers" --storage "file://$dir/storage" --db "$dir/console.db" \
  --http-address 127.0.0.1 --http-port 0 > "$dir/console.out" 2> "$dir/console.log" &
console=$!
asset-worker upload --brokers "$brokers" --storage "file://$dir/storage" "$@" > "$dir/uploaded" || {
  echo "upload failed"; kill "$pid" "$console"; exit 1; }
asset-worker events --brokers "$brokers" --until $# --timeout 600 --json > "$dir/events.jsonl"
rc=$?
touch "$dir/ready"
for _ in $(seq 1200); do [ -e "$dir/stop" ] && break; sleep 0.1; done
kill -TERM "$console"
wait "$console"
echo $? > "$dir/console.exit"
kill -TERM "$pid"
wait "$pid"
echo $? > "$dir/worker.exit"
exit $rc
