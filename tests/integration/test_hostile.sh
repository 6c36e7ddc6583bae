#!/usr/bin/env bash
# test_hostile.sh — the hostile corpus (hostile_recipes.sh) through the real
# service, executors sandboxed: every file ends with its own status and error
# code, the worker stays up and finishes a normal job afterwards, and nothing
# outside the job directories is read or reached:
#   - a secret file that the playlists, concat list and SVGs point at is
#     watched with inotify: no process may open it;
#   - a TCP listener on the port the SVG names must see no connection;
#   - a probe job (test-only fault switch, run in a real sandboxed executor)
#     tries a socket, /etc/passwd, the secret, fork and execve, and must be
#     refused each time (EPERM from seccomp, EACCES from Landlock).
# The same probe then runs under a worker started with --sandbox off, where
# it must succeed: it shows the probe can see the difference.
#
# usage: test_hostile.sh ASSET_WORKER_BINARY   (built with -DAW_TEST_FAULTS=ON)
# Needs: vips, ffmpeg, zip, qpdf, perl, jq, node, inotifywait; a kernel with
# Landlock for the confinement checks. Missing tools make it skip (exit 77)
# unless AW_REQUIRE_TOOLS=1.
set -u
BIN=$(realpath "$1")
export AW_HTTP_PORT=0 # workers run side by side; the ops test covers HTTP
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/integration/hostile_recipes.sh"

for tool in vips ffmpeg zip qpdf perl jq node inotifywait; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "missing $tool"; [ "${AW_REQUIRE_TOOLS:-0}" = 1 ] && exit 1; exit 77
  fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/aw-hostile-XXXXXX")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# --- the watchers -----------------------------------------------------------
mkdir -p "$WORK/secret" "$WORK/in" "$WORK/db"
SECRET="$WORK/secret/secret.txt"
echo "the secret" > "$SECRET"
inotifywait -m -e open,access --format '%e %w%f' "$SECRET" > "$WORK/inotify.log" 2> "$WORK/inotify.err" &
PIDS+=($!)
node -e '
  const fs = require("fs"), log = process.argv[1];
  const s = require("net").createServer(c => { fs.appendFileSync(log, "connection\n"); c.destroy(); });
  s.listen(0, "127.0.0.1", () => console.log(s.address().port));' "$WORK/net.log" > "$WORK/port" &
PIDS+=($!)
for _ in $(seq 100); do
  [ -s "$WORK/port" ] && grep -q "Watches established" "$WORK/inotify.err" && break
  sleep 0.1
done
PORT=$(cat "$WORK/port")
[ -n "$PORT" ] || { echo "the TCP listener did not start"; exit 1; }
touch "$WORK/net.log"

# --- the corpus -------------------------------------------------------------
make_hostile_corpus "$WORK/in" "$SECRET" "$PORT" || { echo "recipes failed"; exit 1; }
cp "$WORK/in/whole/whole.png" "$WORK/in/fault-probe-$PORT.png"
cp "$WORK/in/whole/whole.jpg" "$WORK/in/after-all.jpg"
eicar() { printf '%s%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR' '-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'; }
eicar > "$WORK/eicar"
echo "$(md5sum < "$WORK/eicar" | cut -d' ' -f1):$(stat -c %s "$WORK/eicar"):Eicar-Test-Signature" \
  > "$WORK/db/test.hdb"

# --- the service ------------------------------------------------------------
start_worker() { # start_worker NAME [run options…]: sets BROKERS and WORKER
  local name=$1; shift
  AW_TEST_PROBE_SECRET="$SECRET" AW_TEST_PROBE_MARK="$WORK/exec-mark-$name" \
    "$BIN" run --embedded --storage "file://$WORK/storage-$name" --spool-dir "$WORK/spool-$name" \
    --clamav-db "$WORK/db" --concurrency 2 --job-timeout 120 "$@" \
    > "$WORK/$name.out" 2> "$WORK/$name.log" &
  WORKER=$!
  PIDS+=($WORKER)
  mkdir -p "$WORK/storage-$name"
  BROKERS=""
  for _ in $(seq 200); do
    BROKERS=$(sed -n 's/^bootstrap.servers=//p' "$WORK/$name.out")
    [ -n "$BROKERS" ] && return 0
    sleep 0.1
  done
  echo "worker $name did not start:"; cat "$WORK/$name.log"; exit 1
}

upload() { # upload NAME FILE [--mime TYPE]
  local name=$1 file=$2; shift 2
  "$BIN" upload --brokers "$BROKERS" --storage "file://$WORK/storage-$name" "$@" "$file" >/dev/null ||
    fail "upload of $file"
}

collect() { # collect NAME COUNT: final statuses into $WORK/NAME.events
  "$BIN" events --brokers "$BROKERS" --until "$2" --json --timeout 300 > "$WORK/$1.events" ||
    fail "$1: fewer than $2 final statuses arrived"
}

# expect ASSET STATUS [STAGE:CODE:REASON …]: the job's status and its errors,
# in order, exactly.
expect() {
  local asset=$1 status=$2; shift 2
  local want got
  want="$status $*"
  got=$(jq -r --arg a "$asset" 'select(.type == "asset.job.completed" and .data.assetId == $a)
        | .data | "\(.status) \([.errors[] | "\(.stage):\(.code):\(.reason)"] | join(" "))"' \
        "$WORK/sandboxed.events" | head -1)
  [ "${got% }" = "${want% }" ] && ok || fail "$asset: got '$got', wanted '$want'"
}

start_worker sandboxed
for f in "$WORK"/in/*.*; do
  case $(basename "$f") in
    hls-playlist.mp4|concat-list.mp4) upload sandboxed "$f" --mime video/mp4 ;;
    png-declared-jpeg.png) upload sandboxed "$f" --mime image/jpeg ;;
    elf-declared-png.png) upload sandboxed "$f" --mime image/png ;;
    after-all.jpg) ;;
    *) upload sandboxed "$f" ;;
  esac
done
total=$(find "$WORK/in" -maxdepth 1 -type f | wc -l)
collect sandboxed $((total - 1))
kill -0 "$WORKER" 2>/dev/null && ok || fail "the worker died"
upload sandboxed "$WORK/in/after-all.jpg"
collect sandboxed "$total"
kill -0 "$WORKER" 2>/dev/null && ok || fail "the worker died"

# decompression bombs, refused from the header
expect huge-header-png failed "metadata:ASSET_FILE_TOO_LARGE:pixel_limit thumbnail:ASSET_FILE_TOO_LARGE:pixel_limit"
expect huge-header-jpg failed "metadata:ASSET_FILE_TOO_LARGE:pixel_limit thumbnail:ASSET_FILE_TOO_LARGE:pixel_limit"
expect many-frames failed "metadata:ASSET_FILE_TOO_LARGE:frame_limit thumbnail:ASSET_FILE_TOO_LARGE:frame_limit"
# ClamAV stops at its 100 MB member limit (scan ERROR, not clean); the package limits refuse the rest
expect zip-bomb failed "scan:ASSET_FILE_TOO_LARGE:scan_limit metadata:ASSET_FILE_TOO_LARGE:zip_limit thumbnail:ASSET_FILE_TOO_LARGE:zip_limit"
# files that point elsewhere: text, not the declared video
expect hls-playlist failed "sniff:ASSET_INVALID_FILE_TYPE:type_mismatch"
expect concat-list failed "sniff:ASSET_INVALID_FILE_TYPE:type_mismatch"
# an external entity is not loaded, so the SVG does not parse; external images are left out
expect svg-xxe failed "metadata:ASSET_PROCESSING_FAILED:corrupt thumbnail:ASSET_PROCESSING_FAILED:corrupt"
expect svg-external-images completed
# declared types that lie
expect png-declared-jpeg failed "sniff:ASSET_INVALID_FILE_TYPE:type_mismatch"
expect elf-declared-png failed "sniff:ASSET_INVALID_FILE_TYPE:type_mismatch"
# zero bytes, every family
for f in jpg png mp4 mp3 pdf docx glb; do
  expect "empty-$f" failed "sniff:ASSET_UPLOAD_FAILED:empty_file"
done
# cut in half, every family
expect truncated-jpg partial "thumbnail:ASSET_PROCESSING_FAILED:truncated"   # the top rows shown
expect truncated-png partial "thumbnail:ASSET_PROCESSING_FAILED:truncated"
expect truncated-mp4 failed "metadata:ASSET_PROCESSING_FAILED:corrupt thumbnail:ASSET_PROCESSING_FAILED:corrupt preview:ASSET_PROCESSING_FAILED:corrupt waveform:ASSET_PROCESSING_FAILED:corrupt"
expect truncated-mp3 completed   # MP3 frames stand alone: half a file is a shorter song
expect truncated-pdf failed "metadata:ASSET_PROCESSING_FAILED:corrupt thumbnail:ASSET_PROCESSING_FAILED:corrupt"
expect truncated-docx failed "metadata:ASSET_PROCESSING_FAILED:corrupt thumbnail:ASSET_PROCESSING_FAILED:corrupt"
expect truncated-glb failed "metadata:ASSET_PROCESSING_FAILED:corrupt thumbnail:ASSET_PROCESSING_FAILED:corrupt"
# 3D models that reach outside or claim too much (the secret and the listener are checked below)
expect model-outside-refs partial "thumbnail:ASSET_PROCESSING_FAILED:missing_resource"
expect model-outside-mtllib completed
expect model-huge-count failed "metadata:ASSET_FILE_TOO_LARGE:model_limit thumbnail:ASSET_FILE_TOO_LARGE:model_limit"
expect model-ten-million failed "metadata:ASSET_FILE_TOO_LARGE:model_limit thumbnail:ASSET_FILE_TOO_LARGE:model_limit"
# and afterwards, a normal photo
expect after-all completed

# --- nothing outside the job was reached -------------------------------------
probe_message() { # probe_message EVENTS_FILE
  jq -r --arg a "fault-probe-$PORT" 'select(.type == "asset.job.completed" and .data.assetId == $a)
        | .data.errors[0].message' "$1" | head -1
}
if grep -q "Landlock file confinement" "$WORK/sandboxed.log"; then
  want="socket+connect: EPERM; read /etc/passwd: EACCES; read secret: EACCES; fork: EPERM; execve: EPERM"
else
  echo "note: no Landlock in this kernel; only the seccomp half of the probe is checked"
  want="socket+connect: EPERM; read /etc/passwd: ALLOWED; read secret: ALLOWED; fork: EPERM; execve: EPERM"
fi
got=$(probe_message "$WORK/sandboxed.events")
[ "$got" = "$want" ] && ok || fail "sandboxed probe: got '$got', wanted '$want'"
[ ! -e "$WORK/exec-mark-sandboxed" ] && ok || fail "the sandboxed probe ran touch(1)"
sleep 0.5 # inotify events are asynchronous
if grep -q "Landlock file confinement" "$WORK/sandboxed.log"; then
  [ ! -s "$WORK/inotify.log" ] && ok || { fail "the secret was opened:"; cat "$WORK/inotify.log"; }
fi
[ ! -s "$WORK/net.log" ] && ok || fail "a connection reached the listener"
kill -TERM "$WORKER"; wait "$WORKER" && ok || fail "the sandboxed worker did not exit 0"

# --- control: the same probe without the sandbox gets through -----------------
start_worker open --sandbox off
upload open "$WORK/in/fault-probe-$PORT.png"
"$BIN" events --brokers "$BROKERS" --until 1 --json --timeout 120 > "$WORK/open.events"
sleep 0.5
[ -s "$WORK/net.log" ] && ok || fail "control: the unsandboxed probe did not connect"
[ -e "$WORK/exec-mark-open" ] && ok || fail "control: the unsandboxed probe could not exec"
grep -q "OPEN $SECRET" "$WORK/inotify.log" && ok || fail "control: the unsandboxed probe did not open the secret"
grep -q "sandbox OFF" "$WORK/open.log" && ok || fail "control: the worker did not say the sandbox is off"
kill -TERM "$WORKER"; wait "$WORKER"

echo "hostile service: $passed passed, $failed failed"
if [ "$failed" != 0 ]; then
  echo "--- sandboxed worker log (tail)"; tail -30 "$WORK/sandboxed.log"
fi
[ "$failed" = 0 ]
