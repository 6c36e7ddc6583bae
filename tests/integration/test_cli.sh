#!/usr/bin/env bash
# test_cli.sh — `asset-worker process` as a user runs it: exit codes, files on
# disk, --json, --help naming every option, and every job.json it writes
# validated against schemas/asset.job.completed.schema.json with ajv.
#
# usage: test_cli.sh ASSET_WORKER_BINARY
# Needs: vips (libvips-tools), jq, tests/node_modules/.bin/ajv (npm ci in tests/).
# Missing tools make it skip (exit 77) unless AW_REQUIRE_TOOLS=1.
set -u
BIN=$(realpath "$1")
export AW_HTTP_PORT=0 # workers run side by side; the ops test covers HTTP
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SCHEMA="$ROOT/schemas/asset.job.completed.schema.json"
AJV="$ROOT/tests/node_modules/.bin/ajv"
CORPUS=${AW_CORPUS_DIR:-$ROOT/../shared/corpus}

for tool in vips jq "$AJV"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "missing $tool"
    [ "${AW_REQUIRE_TOOLS:-0}" = 1 ] && exit 1
    exit 77
  fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/aw-cli-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0

check() { # check "what" command…
  local what=$1; shift
  if "$@" >"$WORK/check.log" 2>&1; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $what"; sed 's/^/    /' "$WORK/check.log" | head -20
  fi
}

expect_exit() { # expect_exit CODE command…
  local want=$1; shift
  "$@"; local got=$?
  [ "$got" = "$want" ] || { echo "exit $got, wanted $want"; return 1; }
}

json_is() { # json_is FILE JQ_FILTER EXPECTED
  local got; got=$(jq -r "$2" "$1")
  [ "$got" = "$3" ] || { echo "$2 is '$got', wanted '$3' in $1"; return 1; }
}

# --- media made here -------------------------------------------------------
vips xyz "$WORK/xyz.v" 1600 1200 && vips cast "$WORK/xyz.v" "$WORK/photo.jpg" uchar
vips black "$WORK/small.png" 64 48 --bands 3
: > "$WORK/empty.jpg"
mkdir "$WORK/cwd"

# --- exit codes and files --------------------------------------------------
check "a good JPEG exits 0 and writes job.json and three thumbnails" \
  bash -c "cd '$WORK/cwd' && '$BIN' process '$WORK/photo.jpg' --no-scan > summary.txt &&
           test -s out/photo/job.json && test -s out/photo/thumbnail_large.webp &&
           test -s out/photo/thumbnail_medium.webp && test -s out/photo/thumbnail_small.webp &&
           grep -q 'status *completed' summary.txt && grep -q 'large 800 x 600' summary.txt"
check "job.json says completed with the asset id from the file name" \
  json_is "$WORK/cwd/out/photo/job.json" '.status + " " + .assetId + " " + .variants.thumbnails.small.key' \
  "completed photo derived/photo/thumbnail_small.webp"
check "job.json's setupCpuMs (libvips loaded and set up) is a part of its cpuMs, not all of it" \
  jq -e '.setupCpuMs > 0 and .setupCpuMs < .cpuMs' "$WORK/cwd/out/photo/job.json"
check "--json prints the same document as job.json" \
  bash -c "'$BIN' process '$WORK/photo.jpg' --no-scan --json --out '$WORK/j' > '$WORK/j.out' &&
           diff <(jq -S 'del(.timings, .durationMs, .metadata.processing)' '$WORK/j.out') \
                <(jq -S 'del(.timings, .durationMs, .metadata.processing)' '$WORK/j/job.json')"
check "a failed job exits 1 and still writes job.json" \
  bash -c "expect_exit() { \"\${@:2}\"; [ \$? = \$1 ]; }; expect_exit 1 '$BIN' process '$WORK/empty.jpg' --no-scan --out '$WORK/e' >/dev/null &&
           jq -e '.status == \"failed\" and .errors[0].code == \"ASSET_UPLOAD_FAILED\"' '$WORK/e/job.json'"
check "an unknown option is a usage error (2)" expect_exit 2 "$BIN" process "$WORK/photo.jpg" --frobnicate
check "an unknown stage is a usage error (2)" expect_exit 2 "$BIN" process "$WORK/photo.jpg" --stages thumbs
check "an unsafe asset id is a usage error (2)" expect_exit 2 "$BIN" process "$WORK/photo.jpg" --asset-id ../x
check "no file is a usage error (2)" expect_exit 2 "$BIN" process
check "an unknown command is a usage error (2)" expect_exit 2 "$BIN" frobnicate
check "--stages metadata makes no thumbnails" \
  bash -c "'$BIN' process '$WORK/photo.jpg' --no-scan --stages metadata --out '$WORK/m' >/dev/null &&
           jq -e '(.variants.thumbnails | length) == 0 and .metadata.processing.thumbnailGenerated == false
                  and .metadata.processing.metadataExtracted == true and .metadata.technical.width == 1600' '$WORK/m/job.json' &&
           ! ls '$WORK/m' | grep -q thumbnail"
check "--thumbnail-format jpeg and --asset-id name the keys" \
  bash -c "'$BIN' process '$WORK/small.png' --no-scan --thumbnail-format jpeg --asset-id clx123 --out '$WORK/k' >/dev/null &&
           jq -e '.variants.thumbnails.large.key == \"derived/clx123/thumbnail_large.jpg\" and .variants.thumbnails.large.contentType == \"image/jpeg\"' '$WORK/k/job.json' &&
           test -s '$WORK/k/thumbnail_large.jpg'"
check "--mime that contradicts the content is refused" \
  bash -c "expect_exit() { \"\${@:2}\"; [ \$? = \$1 ]; }; expect_exit 1 '$BIN' process '$WORK/small.png' --no-scan --mime image/jpeg --out '$WORK/w' >/dev/null &&
           jq -e '.errors[0].reason == \"type_mismatch\"' '$WORK/w/job.json'"
# poppler opens a URI, which needs an absolute path: a relative one failed
# with "cannot read the PDF: unknown error" (found by tests/image).
printf '%s\n' '%PDF-1.4' '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj' \
  '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj' \
  '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >> endobj' \
  'trailer << /Root 1 0 R >>' '%%EOF' > "$WORK/cwd/page.pdf"
check "a PDF given by a relative path is read" \
  bash -c "cd '$WORK/cwd' && '$BIN' process page.pdf --no-scan --out rel >/dev/null &&
           jq -e '.status == \"completed\" and .variants.thumbnails.small.width > 0' rel/job.json"
# A model with nothing to draw reached libvips in the thumbnail stage before
# anything had set libvips up: a crash in a fresh process (issue 31).
printf '%s' '{"asset":{"version":"2.0"},"scene":0,"scenes":[{"nodes":[0]}],"nodes":[{"camera":0}],' \
  '"cameras":[{"type":"perspective","perspective":{"yfov":0.8,"znear":0.1}}]}' > "$WORK/camera.gltf"
check "a glTF holding only a camera is partial, nothing to draw, no crash" \
  bash -c "'$BIN' process '$WORK/camera.gltf' --no-scan --out '$WORK/cam' >/dev/null &&
           jq -e '.status == \"partial\" and .errors[0].reason == \"no_geometry\"
                  and .metadata.technical.model.meshes == 0' '$WORK/cam/job.json'"
# The same gap let an Office file's embedded picture reach libvips with all
# of its loaders: a PDF named docProps/thumbnail.jpeg was drawn by pdfload.
# (Without LibreOffice, AW_OFFICE=off: the embedded picture is what is shown.)
mkdir -p "$WORK/pdfthumb/docProps" && cp "$WORK/cwd/page.pdf" "$WORK/pdfthumb/docProps/thumbnail.jpeg"
check "an Office thumbnail that is a PDF meets the blocked loaders in a fresh process" \
  bash -c "cd '$WORK/pdfthumb' && zip -q -X -r ../pdfthumb.docx . &&
           AW_OFFICE=off '$BIN' process '$WORK/pdfthumb.docx' --no-scan --out '$WORK/pt' >/dev/null;
           jq -e '(.variants.thumbnails | length) == 0 and .errors[0].reason == \"no_loader\"' '$WORK/pt/job.json'"
# An Office file's first page comes from an office process that `process`
# starts for it; AW_OFFICE=off leaves the picture the file embeds.
if command -v soffice >/dev/null 2>&1; then
  d="$WORK/docx"
  mkdir -p "$d/_rels" "$d/word" "$d/docProps"
  echo '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>' > "$d/[Content_Types].xml"
  echo '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>' > "$d/_rels/.rels"
  echo '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Page one</w:t></w:r></w:p></w:body></w:document>' > "$d/word/document.xml"
  vips black "$WORK/thumb.v" 240 180 && vips linear "$WORK/thumb.v" "$d/docProps/thumbnail.jpeg" 1 128
  (cd "$d" && zip -q -X -r ../page.docx .)
  check "process renders a docx's first page with LibreOffice (800 px; AW_OFFICE=off: the 240 x 180 picture it embeds)" \
    bash -c "'$BIN' process '$WORK/page.docx' --no-scan --out '$WORK/lo' >/dev/null &&
             jq -e '.variants.thumbnails.large.height == 800 and .metadata.technical.pageCount == 1' '$WORK/lo/job.json' &&
             AW_OFFICE=off '$BIN' process '$WORK/page.docx' --no-scan --out '$WORK/nolo' >/dev/null &&
             jq -e '.variants.thumbnails.large.width == 240 and .variants.thumbnails.large.height == 180' '$WORK/nolo/job.json'"
  # libmagic reads the first 1 MiB of a file (sniff.c): a spreadsheet and a
  # deck in the binary (CDF) formats, over 1 MiB with a picture of noise in
  # them, written by LibreOffice, are still typed as what they are.
  vips gaussnoise "$WORK/noise.v" 1400 1000 &&
    vips bandjoin "$WORK/noise.v $WORK/noise.v $WORK/noise.v" "$WORK/noise3.v" &&
    vips cast "$WORK/noise3.v" "$WORK/noise.png" uchar
  /usr/bin/python3 - "$WORK" <<'PY'
import base64, sys
work = sys.argv[1]
ns = " ".join(f'xmlns:{p}="urn:oasis:names:tc:opendocument:xmlns:{u}"' for p, u in (
    ("office", "office:1.0"), ("text", "text:1.0"), ("draw", "drawing:1.0"),
    ("svg", "svg-compatible:1.0"), ("table", "table:1.0")))
data = base64.b64encode(open(f"{work}/noise.png", "rb").read()).decode()
frame = ('<draw:frame svg:x="1cm" svg:y="1cm" svg:width="10cm" svg:height="7cm"><draw:image>'
         f'<office:binary-data>{data}</office:binary-data></draw:image></draw:frame>')
kinds = {"fods": ("spreadsheet", '<table:table table:name="S"><table:table-row><table:table-cell>'
                  f'<text:p>1</text:p>{frame}</table:table-cell></table:table-row></table:table>'),
         "fodp": ("presentation", f'<draw:page draw:name="p1">{frame}</draw:page>')}
for ext, (kind, body) in kinds.items():
    with open(f"{work}/big.{ext}", "w") as f:
        f.write(f'<?xml version="1.0" encoding="UTF-8"?><office:document {ns} office:version="1.2" '
                f'office:mimetype="application/vnd.oasis.opendocument.{kind}"><office:body>'
                f'<office:{kind}>{body}</office:{kind}></office:body></office:document>')
PY
  for pair in fods:xls fodp:ppt; do
    soffice "-env:UserInstallation=file://$WORK/lo-profile" --headless --convert-to "${pair#*:}" \
      --outdir "$WORK" "$WORK/big.${pair%:*}" >/dev/null 2>&1
  done
  # (no extension: the type comes from the content alone)
  cp "$WORK/big.xls" "$WORK/big-xls" && cp "$WORK/big.ppt" "$WORK/big-ppt"
  check "an xls and a ppt of over 1 MiB are typed as such by their content (libmagic reads 1 MiB)" \
    bash -c "test \$(stat -c %s '$WORK/big-xls') -gt 1048576 && test \$(stat -c %s '$WORK/big-ppt') -gt 1048576 &&
             '$BIN' process '$WORK/big-xls' --stages scan --no-scan --out '$WORK/bx' | grep -q 'type.*(application/vnd.ms-excel)' &&
             '$BIN' process '$WORK/big-ppt' --stages scan --no-scan --out '$WORK/bp' | grep -q 'type.*(application/vnd.ms-powerpoint)'"
fi
check "--max-pixels refuses from the header" \
  bash -c "'$BIN' process '$WORK/photo.jpg' --no-scan --max-pixels 1M --out '$WORK/p' >/dev/null;
           jq -e '.status == \"failed\" and .errors[0].code == \"ASSET_FILE_TOO_LARGE\"' '$WORK/p/job.json'"

# ClamAV's image fuzzy hash decodes images whole, so it is off unless asked for.
# The signature's hash is computed by ClamAV's own sigtool.
if command -v sigtool >/dev/null 2>&1; then
  vips gaussnoise "$WORK/g.v" 300 200 && vips cast "$WORK/g.v" "$WORK/look.png" uchar
  mkdir -p "$WORK/imgdb"
  echo "AW.Test.ImageLook;Engine:150-255,Target:0;0;fuzzy_img#$(sigtool --fuzzy-img "$WORK/look.png" | awk '{print $2}')" \
    > "$WORK/imgdb/look.ldb"
  check "by default no image fuzzy hash: an image known only by its look scans CLEAN" \
    bash -c "'$BIN' process '$WORK/look.png' --stages scan --clamav-db '$WORK/imgdb' --out '$WORK/look-off' >/dev/null;
             jq -e '.scanStatus == \"CLEAN\"' '$WORK/look-off/job.json'"
  check "--scan-image-hash on: the same image is INFECTED by its fuzzy-hash signature" \
    bash -c "'$BIN' process '$WORK/look.png' --stages scan --clamav-db '$WORK/imgdb' --scan-image-hash on --out '$WORK/look-on' >/dev/null;
             jq -e '.scanStatus == \"INFECTED\" and (.signature | startswith(\"AW.Test.ImageLook\"))' '$WORK/look-on/job.json'"
  check "--scan-image-hash takes on or off" expect_exit 2 "$BIN" process "$WORK/look.png" --scan-image-hash maybe
else
  echo "SKIP: sigtool (package clamav) missing: image fuzzy hash checks"
  [ "${AW_REQUIRE_TOOLS:-0}" = 1 ] && failed=$((failed + 1))
fi

# --- --help documents every option of the option tables ---------------------
options_of() { grep -ohE '^\s*\{"[a-z-]+", (required|no)_argument' "$@" | grep -oE '"[a-z-]+"' | tr -d '"'; }
check "the option tables are where this test reads them" \
  test "$(options_of "$ROOT/worker/cli/process.c" "$ROOT/worker/settings/service_config.c" | wc -l)" -gt 20
help=$("$BIN" process --help)
for opt in $(options_of "$ROOT/worker/cli/process.c" "$ROOT/worker/settings/pipeline_options.c"); do
  check "process --help documents --$opt" grep -q -- "--$opt" <<<"$help"
done
help=$("$BIN" run --help)
for opt in $(options_of "$ROOT/worker/settings/service_config.c" "$ROOT/worker/settings/pipeline_options.c"); do
  check "run --help documents --$opt" grep -q -- "--$opt" <<<"$help"
done
check "top-level --help names every command" \
  bash -c "'$BIN' --help | grep -q 'process FILE' && '$BIN' --help | grep -q 'run ' &&
           '$BIN' --help | grep -q 'upload FILE' && '$BIN' --help | grep -q 'events ' &&
           '$BIN' --help | grep -q 'regenerate '"
check "run without brokers or --embedded is a usage error (2)" expect_exit 2 "$BIN" run

# --- the README's main path: run --embedded, upload, events -----------------
embedded_flow() {
  local dir="$WORK/emb" brokers="" pid
  mkdir -p "$dir"
  (cd "$dir" && exec "$BIN" run --embedded --no-scan --concurrency 1 > out 2> err) &
  pid=$!
  for _ in $(seq 100); do
    brokers=$(sed -n 's/^bootstrap.servers=//p' "$dir/out"); [ -n "$brokers" ] && break; sleep 0.1
  done
  [ -n "$brokers" ] || { echo "no bootstrap.servers line"; cat "$dir/err"; kill "$pid"; return 1; }
  "$BIN" upload --brokers "$brokers" --storage "file://$dir/aw-storage" \
    "$WORK/photo.jpg" "$WORK/small.png" > "$dir/uploaded" || { kill "$pid"; return 1; }
  "$BIN" events --brokers "$brokers" --until 2 --timeout 90 --json > "$dir/events.jsonl"
  local rc=$?
  kill -TERM "$pid"; wait "$pid"; local exit_code=$?
  [ "$rc" = 0 ] || { echo "events did not see 2 final statuses"; cat "$dir/err"; return 1; }
  [ "$exit_code" = 0 ] || { echo "worker exited $exit_code after SIGTERM"; return 1; }
  # the job ids upload printed are the ones the worker reported
  diff <(awk '{print $2}' "$dir/uploaded" | sort) \
       <(jq -r 'select(.type == "asset.job.completed") | .data.jobId' "$dir/events.jsonl" | sort) &&
  jq -se '[.[] | select(.type == "asset.job.completed") | .data.status] == ["completed", "completed"]' \
       "$dir/events.jsonl" >/dev/null &&
  test -s "$dir/aw-storage/derived/photo/thumbnail_large.webp" &&
  test -s "$dir/aw-storage/derived/small/thumbnail_small.webp" &&
  test -s "$dir/aw-storage/uploads/photo/photo.jpg"
}
check "run --embedded + upload + events: two files to final status, outputs in ./aw-storage" embedded_flow

# --- every job.json validates against the schema ---------------------------
n=0
run_and_collect() { # run_and_collect FILE [args…]
  n=$((n + 1))
  "$BIN" process "$@" --out "$WORK/all/$n" >/dev/null 2>&1
}
run_and_collect "$WORK/photo.jpg" --no-scan
run_and_collect "$WORK/small.png" --no-scan --thumbnail-format jpeg
run_and_collect "$WORK/empty.jpg" --no-scan
run_and_collect "$WORK/photo.jpg" --clamav-db "$WORK/no-such-db"   # scan ERROR, partial
if [ -d "$CORPUS/open" ]; then
  while IFS= read -r -d '' f; do run_and_collect "$f" --no-scan; done \
    < <(find "$CORPUS/open/image" "$CORPUS/open/edge" -type f -print0)
  # videos with capture facts (make, model, software, gps, creationDateLocal)
  while IFS= read -r -d '' f; do run_and_collect "$f" --no-scan --stages metadata; done \
    < <(find "$CORPUS/open/video/mov" "$CORPUS/open/video/mp4" -type f -print0)
else
  echo "note: $CORPUS absent, schema checked on generated files only"
fi
for doc in "$WORK"/all/*/job.json; do
  check "schema: $doc" "$AJV" validate --spec=draft7 -s "$SCHEMA" -d "$doc"
done
sed 's/"status": "completed"/"status": "done"/' "$WORK/all/1/job.json" > "$WORK/broken.json"
check "the schema rejects a wrong status (it can fail)" \
  bash -c "! '$AJV' validate --spec=draft7 -s '$SCHEMA' -d '$WORK/broken.json'"
jq '.metadata.extracted.gps = {latitude: 91, longitude: 0}' "$WORK/all/1/job.json" > "$WORK/gps.json"
check "the schema rejects a latitude over 90" \
  bash -c "! '$AJV' validate --spec=draft7 -s '$SCHEMA' -d '$WORK/gps.json'"
jq '.metadata.extracted.creationDateLocal = "2019-07-24T11:25:40Z"' "$WORK/all/1/job.json" \
  > "$WORK/local.json"
check "the schema rejects a creationDateLocal without its offset" \
  bash -c "! '$AJV' validate --spec=draft7 -s '$SCHEMA' -d '$WORK/local.json'"

echo "cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
