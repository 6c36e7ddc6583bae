#!/usr/bin/env bash
# test_image.sh — the container image built by scripts/image, run for real:
# commands run inside it with `buildah run --isolation chroot` (no daemon, no
# container runtime), as the image's own USER (uid 10001, not overridden).
#   - the image's user is 10001; `--version`, `run --help`;
#   - ldd of the binary finds every library; no compiler, no headers, no
#     -dev package in the runtime image;
#   - AW_CLAMAV_DB is the path the manifests use and exists;
#   - `process` on the demo media of every family (scripts/media.sh: image,
#     video, audio, PDF, docx, glTF) with a one-signature ClamAV database
#     mounted at that path: completed, CLEAN, the outputs of the family in
#     job.json and every file job.json names on disk; the EICAR file INFECTED;
#   - `run --embedded` + `upload` + `events` inside the image
#     (embedded_batch.sh) takes the whole demo batch to final statuses and
#     stops cleanly on SIGTERM; the image's `console`, beside it, lists every
#     job, serves the page at /dashboard/assets and a thumbnail's bytes; the
#     office process starts (LibreOffice, as the unprivileged user) and
#     renders the docx's first page.
# usage: test_image.sh [IMAGE]  (default asset-worker:VERSION, as scripts/image tags it)
# Needs root, buildah, and the demo media tools (deps.sh's image and demo groups).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VERSION=$(sed -n 's/^project(asset-worker VERSION \([0-9.]*\).*/\1/p' "$ROOT/CMakeLists.txt")
IMAGE=${1:-asset-worker:$VERSION}
UID_WANTED=10001
. "$ROOT/scripts/media.sh" # make_demo_files, make_eicar_db

WORK=$(mktemp -d "${TMPDIR:-/tmp}/aw-image-test-XXXXXX")
CTR=""
trap '[ -n "$CTR" ] && buildah rm "$CTR" >/dev/null 2>&1; rm -rf "$WORK"' EXIT
passed=0 failed=0

check() { # check "what" command…
  local what=$1; shift
  if "$@" >"$WORK/check.log" 2>&1; then
    passed=$((passed + 1)); echo "ok: $what"
  else
    failed=$((failed + 1)); echo "FAIL: $what"; sed 's/^/    /' "$WORK/check.log" | tail -20
  fi
}

# /t in the image is $WORK/t here, writable by the image's user; /var/lib/clamav
# gets the one-signature database where asked (read-only, as freshclam's volume
# is to the worker).
mkdir -p "$WORK/t/files" "$WORK/t/out" "$WORK/db"
in_image() { buildah run --isolation chroot -v "$WORK/t:/t" -v "$ROOT/tests/image:/aw-tests:ro" "$CTR" -- "$@"; }
in_image_db() {
  buildah run --isolation chroot -v "$WORK/t:/t" -v "$WORK/db:/var/lib/clamav:ro" \
    -v "$ROOT/tests/image:/aw-tests:ro" "$CTR" -- "$@"
}

# --- the image ---------------------------------------------------------------
size=$(podman image inspect --format '{{.Size}}' "$IMAGE" 2>/dev/null) && echo "image $IMAGE: $((size / 1000000)) MB"
CTR=$(buildah from --pull=never "$IMAGE") || { echo "no image $IMAGE (scripts/image builds it)"; echo "image: 0 passed, 1 failed"; exit 1; }

check "the image's USER is $UID_WANTED:$UID_WANTED" \
  test "$(buildah inspect --type image --format '{{.OCIv1.Config.User}}' "$IMAGE")" = "$UID_WANTED:$UID_WANTED"
check "commands in the image run as uid $UID_WANTED" \
  bash -c "[ \"\$(buildah run --isolation chroot '$CTR' -- id -u)\" = $UID_WANTED ]"
check "asset-worker --version says $VERSION" \
  bash -c "buildah run --isolation chroot '$CTR' -- asset-worker --version | grep -Fx 'asset-worker $VERSION'"
check "run --help documents the settings (AW_CLAMAV_DB, --embedded)" \
  bash -c "buildah run --isolation chroot '$CTR' -- asset-worker run --help > '$WORK/help' &&
           grep -q AW_CLAMAV_DB '$WORK/help' && grep -q -- --embedded '$WORK/help'"
check "ldd finds every library of /usr/local/bin/asset-worker" \
  bash -c "buildah run --isolation chroot '$CTR' -- ldd /usr/local/bin/asset-worker > '$WORK/ldd' &&
           ! grep 'not found' '$WORK/ldd' && grep -q libjansson '$WORK/ldd'"
# The libraries loaded on first use (cmake/lazy.cmake) are not in ldd's list:
# their names are in the binary; each must be in the image with all of its own.
buildah run --isolation chroot "$CTR" -- cat /usr/local/bin/asset-worker > "$WORK/asset-worker"
strings "$WORK/asset-worker" | grep -E '^lib[A-Za-z0-9_+-]+\.so\.[0-9]+$' | sort -u > "$WORK/sonames"
check "every library loaded on first use is in the image with its own (libvips, FFmpeg, OSMesa among them)" \
  bash -c "grep -q libvips '$WORK/sonames' && grep -q libavformat '$WORK/sonames' &&
           grep -q libOSMesa '$WORK/sonames' &&
           for so in \$(cat '$WORK/sonames'); do
             buildah run --isolation chroot '$CTR' -- ldd /usr/lib/x86_64-linux-gnu/\$so || exit 1
           done > '$WORK/lazy-ldd' && ! grep 'not found' '$WORK/lazy-ldd'"
check "no compiler in the runtime image (cc, gcc, c++, g++, clang, cpp)" \
  buildah run --isolation chroot "$CTR" -- sh -c \
    'for c in cc gcc c++ g++ clang cpp; do if command -v $c; then exit 1; fi; done; exit 0'
check "no headers and no -dev package in the runtime image" \
  buildah run --isolation chroot "$CTR" -- sh -c \
    'h=$(find /usr/include /usr/local/include -name "*.h" 2>/dev/null | head -5);
     d=$(dpkg-query -W -f "\${Package}\n" | grep -E -- "-dev(:|$)");
     [ -z "$h$d" ] || { echo "headers: $h"; echo "dev packages: $d"; exit 1; }'
manifest_db=$(sed -n 's/^ *AW_CLAMAV_DB: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$ROOT/deploy/k8s/configmap.yaml")
check "AW_CLAMAV_DB in the image is the manifests' ($manifest_db) and is a directory" \
  buildah run --isolation chroot "$CTR" -- sh -c "[ \"\$AW_CLAMAV_DB\" = '$manifest_db' ] && [ -d \"\$AW_CLAMAV_DB\" ]"

# --- process: every family, as the image's user ------------------------------
check "the demo media are made (scripts/media.sh)" bash -c \
  ". '$ROOT/scripts/media.sh'; set -e; WORK='$WORK'; make_demo_files '$WORK/t/files' && make_eicar_db '$WORK/db'"
chown -R "$UID_WANTED:$UID_WANTED" "$WORK/t"
chmod 755 "$WORK" "$WORK/db"

# process_family FILE JQ_CONDITION: completed, CLEAN, the condition (the
# outputs this family has), and every file job.json names is in --out.
process_family() {
  local f=$1 cond=$2 out="/t/out/${1%.*}" key missing=""
  in_image_db asset-worker process "/t/files/$f" --out "$out" > "$WORK/process.out" 2>&1 ||
    { cat "$WORK/process.out"; return 1; }
  local doc="$WORK$out/job.json"
  jq -e ".status == \"completed\" and .scanStatus == \"CLEAN\" and ($cond)" "$doc" >/dev/null ||
    { echo "job.json does not have: completed, CLEAN, $cond"; jq -c '{status, scanStatus, errors, variants}' "$doc"; return 1; }
  for key in $(jq -r '.variants | .. | objects | (.key?, .dataKey?) // empty' "$doc"); do
    [ -s "$WORK$out/$(basename "$key")" ] || missing="$missing $key"
  done
  [ -z "$missing" ] || { echo "named in job.json but not written:$missing"; ls -l "$WORK$out"; return 1; }
}
thumbs='(.variants.thumbnails | has("large") and has("medium") and has("small")) and .metadata.processing.thumbnailGenerated'
check "process: JPEG photo → three thumbnails, EXIF metadata" \
  process_family camera-photo.jpg "$thumbs and .metadata.technical.width == 4000"
check "process: MP4 video → thumbnails, preview clip, metadata" \
  process_family phone-clip.mp4 "$thumbs and (.variants.previews.key | endswith(\"preview.mp4\")) and .metadata.processing.previewGenerated"
check "process: MP3 audio → cover thumbnails, preview clip, waveform PNG and JSON" \
  process_family song-with-cover.mp3 "$thumbs and (.variants.previews.key | endswith(\"preview.m4a\")) and (.variants.waveform.key | endswith(\"waveform.png\")) and (.variants.waveform.dataKey | endswith(\"waveform.json\"))"
check "process: PDF → page thumbnails, document metadata" \
  process_family brochure.pdf "$thumbs and .metadata.processing.metadataExtracted"
check "process: docx → thumbnails from its embedded thumbnail, metadata" \
  process_family licence-terms.docx "$thumbs and .metadata.processing.metadataExtracted"
check "process: glTF model → rendered thumbnails, model metadata" \
  process_family cube.gltf "$thumbs and .metadata.technical.model.triangles == 12"
check "process: a relative path works in the image (cd /t/files; process brochure.pdf)" \
  in_image_db sh -c 'cd /t/files && asset-worker process brochure.pdf --out /t/out/relative > /dev/null'
check "the outputs are owned by uid $UID_WANTED" \
  bash -c "[ \"\$(find '$WORK/t/out' ! -uid $UID_WANTED | wc -l)\" = 0 ]"
check "the EICAR string is INFECTED with the database mounted at $manifest_db (no --clamav-db)" \
  bash -c "buildah run --isolation chroot -v '$WORK/t:/t' -v '$WORK/db:/var/lib/clamav:ro' '$CTR' -- \
             asset-worker process /t/files/eicar-test-file.png --out /t/out/eicar > /dev/null;
           jq -e '.scanStatus == \"INFECTED\" and (.signature | startswith(\"Eicar-Test-Signature\"))' \
             '$WORK/t/out/eicar/job.json'"

# --- run --embedded: the demo batch ------------------------------------------
files=()
for f in "$WORK"/t/files/*; do files+=("/t/files/$(basename "$f")"); done
# The console in the image, seen from here while the batch's worker is up:
# every job in its list, the page at /dashboard/assets, a thumbnail's bytes.
console_in_image() {
  local emb=$1 url n=$2 total thumb
  url=$(sed -n 's/^console=//p' "$emb/console.out")
  [ -n "$url" ] || { echo "the console did not start"; cat "$emb/console.log"; return 1; }
  for _ in $(seq 100); do
    total=$(curl -sf "$url/api/v1/jobs?limit=100" | jq .total) && [ "$total" = "$n" ] && break
    sleep 0.3
  done
  [ "$total" = "$n" ] || { echo "the console lists $total jobs, not $n"; return 1; }
  curl -sf "$url/dashboard/assets" | grep -q '<div id="root">' ||
    { echo "no page at /dashboard/assets"; return 1; }
  thumb=$(curl -sf "$url/api/v1/jobs?limit=100" |
    jq -r '.jobs[] | select(.title == "camera-photo.jpg" or .asset_id == "camera-photo") | .id' | head -1)
  curl -sf "$url/api/v1/jobs/$thumb/assets" | jq -r '.[0].url' > "$WORK/thumb-url"
  [ "$(curl -sf -o /dev/null -w '%{content_type}' "$url$(cat "$WORK/thumb-url")")" = image/webp ] ||
    { echo "the photo's first output is not served as image/webp"; return 1; }
}

embedded_batch() {
  local emb="$WORK/t/emb" bg
  in_image_db sh /aw-tests/embedded_batch.sh /t/emb "${files[@]}" > "$WORK/batch.out" 2>&1 &
  bg=$!
  for _ in $(seq 6000); do [ -e "$emb/ready" ] || ! kill -0 $bg 2>/dev/null && break; sleep 0.1; done
  console_in_image "$emb" ${#files[@]} > "$WORK/console-check.log" 2>&1
  local console_ok=$?
  touch "$emb/stop"
  wait $bg ||
    { echo "the batch did not reach final statuses"; cat "$WORK/batch.out"; tail -20 "$emb/worker.log"; return 1; }
  [ $console_ok = 0 ] || { echo "the console in the image:"; cat "$WORK/console-check.log"; return 1; }
  [ "$(cat "$emb/console.exit")" = 0 ] || { echo "console exited $(cat "$emb/console.exit") after SIGTERM"; return 1; }
  local ev="$WORK/t/emb/events.jsonl" st="$WORK/t/emb/storage"
  [ "$(cat "$WORK/t/emb/worker.exit")" = 0 ] || { echo "worker exited $(cat "$WORK/t/emb/worker.exit") after SIGTERM"; return 1; }
  jq -se --argjson n ${#files[@]} '[.[] | select(.type == "asset.job.completed") | .data] |
    length == $n and
    (map(select(.assetId == "eicar-test-file"))[0].scanStatus == "INFECTED") and
    (map(select(.assetId == "empty-upload"))[0].status == "failed") and
    (map(select(.assetId == "png-named-jpg"))[0].errors[0].reason == "type_mismatch") and
    (map(select(.assetId != "eicar-test-file" and .assetId != "empty-upload" and .assetId != "png-named-jpg"))
       | all(.status == "completed" and .scanStatus == "CLEAN"))' "$ev" >/dev/null ||
    { jq -c 'select(.type == "asset.job.completed") | .data | {assetId, status, scanStatus, errors}' "$ev"; return 1; }
  local key missing=""
  for key in $(jq -r 'select(.type == "asset.job.completed") | .data.variants | .. | objects | (.key?, .dataKey?) // empty' "$ev"); do
    [ -s "$st/$key" ] || missing="$missing $key"
  done
  [ -z "$missing" ] || { echo "in the events but not in storage:$missing"; return 1; }
  jq -r 'select(.type == "asset.job.completed") | .data | "\(.assetId) \(.status) \(.scanStatus)"' "$ev" | sort
}
check "run --embedded + console + upload + events in the image: the ${#files[@]} demo files to final status, outputs in storage, the console lists them and serves the page and a thumbnail, clean stop" \
  embedded_batch
sed 's/^/    /' "$WORK/check.log"
# the docx embeds a 240 × 180 picture: 800 px on the long side is LibreOffice's page
office_rendered() {
  local f w h
  grep -q 'office: LibreOfficeKit loaded' "$WORK/t/emb/worker.log" ||
    { echo "no office process:"; grep office "$WORK/t/emb/worker.log"; return 1; }
  f=$(ls "$WORK"/t/emb/storage/derived/licence-terms/thumbnail_large.*) || return 1
  w=$(vipsheader -f width "$f") h=$(vipsheader -f height "$f")
  [ $((w > h ? w : h)) = 800 ] || { echo "the docx's large thumbnail is ${w}x$h"; return 1; }
}
check "run --embedded in the image: the office process loads LibreOffice and renders the docx's first page" \
  office_rendered

echo "image: $passed passed, $failed failed"
[ "$failed" = 0 ]
