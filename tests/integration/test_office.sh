#!/usr/bin/env bash
# test_office.sh — Office documents through the real service with its office
# process (LibreOfficeKit), executors and office children sandboxed:
#   - every corpus Office file and a document of each format made at test
#     time (written by LibreOffice itself from flat OpenDocument sources:
#     doc, docx, odt, xls, xlsx, ods, ppt, pptx, odp) gets three thumbnails,
#     large 800 px and small 200 px on the long side, not blank, and like
#     the reference renderer's page: `soffice --headless --convert-to png`
#     of the same file, both cut to 64 × 64, differ by little on average
#     (and a page of another document differs by much more);
#   - pageCount is LibreOffice's: pages and slides as pdfinfo counts them in
#     soffice's PDF of the file, sheets as the file's own XML lists them;
#   - hostile documents (office_recipes.py) end with their own code, and
#     nothing they point at is reached: no macro writes its file, no request
#     reaches a listener on 127.0.0.1 that linked images and external
#     references name, a file that a section and an image link to is never
#     opened (inotify);
#   - a rendering that hangs (its child stopped) ends as a timeout, one
#     whose child dies as a crash, and the next document renders; the office
#     process itself killed is started again and documents render again.
#
# usage: test_office.sh ASSET_WORKER_BINARY
# Needs: soffice (LibreOffice 7.4 with Writer, Calc, Impress), /usr/bin/python3
# with cryptography, vips, jq, node, pdfinfo, inotifywait. Missing tools make
# it skip (exit 77) unless AW_REQUIRE_TOOLS=1.
set -u
BIN=$(realpath "$1")
export AW_HTTP_PORT=0
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CORPUS=${AW_CORPUS_DIR:-$ROOT/../shared/corpus}
TIMEOUT=60 # --office-timeout of the worker under test (the hung child waits it out)

for tool in soffice vips jq node pdfinfo inotifywait; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "missing $tool"; [ "${AW_REQUIRE_TOOLS:-0}" = 1 ] && exit 1; exit 77
  fi
done
/usr/bin/python3 -c 'import cryptography' 2>/dev/null ||
  { echo "missing python3-cryptography"; [ "${AW_REQUIRE_TOOLS:-0}" = 1 ] && exit 1; exit 77; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/aw-office-XXXXXX")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# --- the watchers -----------------------------------------------------------
mkdir -p "$WORK/secret" "$WORK/in" "$WORK/marks" "$WORK/db" "$WORK/ref"
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

# --- the documents ------------------------------------------------------------
/usr/bin/python3 "$ROOT/tests/integration/office_recipes.py" "$WORK/made" "$SECRET" "$PORT" \
  "$WORK/marks" || { echo "recipes failed"; exit 1; }
for f in "$WORK"/made/*.*; do # asset ids from the file names: render.docx → render-docx
  b=$(basename "$f"); cp "$f" "$WORK/in/${b%.*}-${b##*.}.${b##*.}"
done
CORPUS_FILES=()
touch "$WORK/malformed.list"
if [ -d "$CORPUS/open/document" ]; then
  while IFS= read -r f; do
    b=$(basename "$f"); cp "$f" "$WORK/in/corpus-${b%.*}-${b##*.}.${b##*.}"
    CORPUS_FILES+=("corpus-${b%.*}-${b##*.}")
    case $f in */malformed-office/*) echo "corpus-${b%.*}-${b##*.}" >> "$WORK/malformed.list" ;; esac
  done < <(find "$CORPUS/open/document" "$CORPUS/open/edge/malformed-office" -type f \
             \( -name '*.doc' -o -name '*.doc?' -o -name '*.xls' -o -name '*.xls?' \
                -o -name '*.ppt' -o -name '*.ppt?' -o -name '*.od?' \) | sort)
else
  echo "note: no corpus at $CORPUS; its Office files are skipped"
fi

# --- the service ----------------------------------------------------------------
# a database of one signature (the EICAR test file's hash): scanning is on, as in production
eicar() { printf '%s%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR' '-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'; }
echo "$(eicar | md5sum | cut -d' ' -f1):$(eicar | wc -c):Eicar-Test-Signature" > "$WORK/db/test.hdb"
mkdir -p "$WORK/storage"
"$BIN" run --embedded --storage "file://$WORK/storage" --spool-dir "$WORK/spool" \
  --clamav-db "$WORK/db" --concurrency 2 --office-timeout "$TIMEOUT" --reuse off \
  > "$WORK/worker.out" 2> "$WORK/worker.log" &
WORKER=$!
PIDS+=($WORKER)
BROKERS=""
for _ in $(seq 300); do
  BROKERS=$(sed -n 's/^bootstrap.servers=//p' "$WORK/worker.out")
  [ -n "$BROKERS" ] && break
  sleep 0.1
done
[ -n "$BROKERS" ] || { echo "the worker did not start:"; cat "$WORK/worker.log"; exit 1; }
kill -0 "$WORKER" 2>/dev/null || { echo "the worker exited:"; cat "$WORK/worker.log"; exit 1; }
uploaded=0
upload() { # upload FILE…
  "$BIN" upload --brokers "$BROKERS" --storage "file://$WORK/storage" "$@" >/dev/null ||
    fail "upload of $*"
  uploaded=$((uploaded + $#))
}
collect() { # collect: every final status so far into $WORK/events
  "$BIN" events --brokers "$BROKERS" --until "$uploaded" --json --timeout 300 > "$WORK/events" ||
    fail "fewer than $uploaded final statuses arrived"
}
job() { # job ASSET: its asset.job.completed data
  jq -c --arg a "$1" 'select(.type == "asset.job.completed" and .data.assetId == $a) | .data' \
    "$WORK/events" | tail -1
}
errors_of() { # errors_of ASSET: "stage:code:reason …"
  job "$1" | jq -r '"\(.status) \([.errors[] | "\(.stage):\(.code):\(.reason)"] | join(" "))"'
}
expect() { # expect ASSET STATUS [STAGE:CODE:REASON …]
  local want="$2 ${*:3}" got
  got=$(errors_of "$1")
  [ "${got% }" = "${want% }" ] && ok || fail "$1: got '$got', wanted '$want'"
}

upload "$WORK"/in/*.*
collect
kill -0 "$WORKER" 2>/dev/null && ok || fail "the worker died"

# --- renderings ---------------------------------------------------------------------
side() { vipsheader -f "$1" "$2"; }
long_side() { local w h; w=$(side width "$1"); h=$(side height "$1"); echo $((w > h ? w : h)); }
# mean absolute difference (0-255) of two pictures, each cut to 64 × 64 sRGB on white
square() { # square IN OUT
  vips thumbnail "$1" "$WORK/sq.v" 64 --height 64 --size force || return 1
  if [ "$(vipsheader -f bands "$WORK/sq.v")" = 2 ] || [ "$(vipsheader -f bands "$WORK/sq.v")" = 4 ]; then
    vips flatten "$WORK/sq.v" "$WORK/flat.v" --background 255 || return 1
  else
    cp "$WORK/sq.v" "$WORK/flat.v"
  fi
  vips colourspace "$WORK/flat.v" "$WORK/srgb.v" srgb && vips extract_band "$WORK/srgb.v" "$2" 0 --n 3
}
difference() {
  square "$1" "$WORK/a.v" && square "$2" "$WORK/b.v" &&
    vips subtract "$WORK/a.v" "$WORK/b.v" "$WORK/d.v" && vips abs "$WORK/d.v" "$WORK/e.v" &&
    vips avg "$WORK/e.v"
}
# the reference: LibreOffice's own PNG export of each rendered document
RENDERED=(render-doc render-docx render-odt render-xls render-xlsx render-ods render-ppt
          render-pptx render-odp macro-odt macro-ods)
for a in "${RENDERED[@]}" "${CORPUS_FILES[@]}"; do
  ls "$WORK/in/$a".* >> "$WORK/ref.list"
done
xargs soffice "-env:UserInstallation=file://$WORK/soffice-profile" --headless --convert-to png \
  --outdir "$WORK/ref" < "$WORK/ref.list" > /dev/null 2>&1
MAX_DIFFERENCE=12
flat_deviation() { square "$1" "$WORK/dev.v" && vips deviate "$WORK/dev.v"; }
rendered() { # rendered ASSET [REFERENCE]: three thumbnails, sized, not blank, like the reference
  local a=$1 ref="$WORK/ref/${2:-$1}.png" d="$WORK/storage/derived/$1" large diff deviation
  large=$(ls "$d"/thumbnail_large.* 2>/dev/null | head -1)
  [ -n "$large" ] && [ -e "$(ls "$d"/thumbnail_small.* | head -1)" ] ||
    { fail "$a: no thumbnails ($(errors_of "$a"))"; return; }
  [ "$(long_side "$large")" = 800 ] && ok || fail "$a: large is $(long_side "$large") px on its long side"
  [ "$(long_side "$(ls "$d"/thumbnail_small.* | head -1)")" = 200 ] && ok || fail "$a: small is not 200 px"
  # as far from blank as the reference page (a blank one, as the corpus's
  # python-docx template is, stays blank)
  deviation=$(flat_deviation "$large") want=$(flat_deviation "$ref")
  awk -v d="$deviation" -v w="$want" 'BEGIN { exit !(d != "" && w != "" && (w < 1 ? d < 1 : d >= w / 2)) }' && ok ||
    fail "$a: blank (deviation $deviation, soffice's page $want)"
  diff=$(difference "$large" "$ref")
  awk -v d="$diff" -v m=$MAX_DIFFERENCE 'BEGIN { exit !(d != "" && d < m) }' && ok ||
    fail "$a: differs from soffice's page by $diff on average (at most $MAX_DIFFERENCE)"
  echo "  $a: deviation $deviation (soffice's $want), difference from soffice's page $diff"
}
for a in "${RENDERED[@]}"; do
  expect "$a" completed
  rendered "$a"
done
# the check can fail: a text page against a slide
diff=$(difference "$WORK/storage/derived/render-docx/thumbnail_large.webp" "$WORK/ref/render-pptx.png")
awk -v d="$diff" -v m=$MAX_DIFFERENCE 'BEGIN { exit !(d > 2 * m) }' && ok ||
  fail "control: a page and a slide differ by only $diff"

# the corpus: its documents render; its malformed files render or end with a code
for a in "${CORPUS_FILES[@]}"; do
  if ! grep -qx "$a" "$WORK/malformed.list"; then
    expect "$a" completed
    rendered "$a"
    continue
  fi
  got=$(errors_of "$a")
  case $got in
    *thumbnail:ASSET_*) ok; echo "  $a: $got" ;;
    *) [ -e "$WORK/storage/derived/$a/thumbnail_large.webp" ] && ok ||
         fail "$a: neither rendered nor a thumbnail error: '$got'" ;;
  esac
done

# pageCount: LibreOffice's layout against pdfinfo of soffice's PDF; sheets from the XML
for a in render-docx render-odp render-ppt; do
  soffice "-env:UserInstallation=file://$WORK/soffice-profile" --headless --convert-to pdf \
    --outdir "$WORK/pdf" "$WORK/in/$a".* > /dev/null 2>&1
  want=$(pdfinfo "$WORK/pdf/$a.pdf" 2>/dev/null | awk '/^Pages:/ { print $2 }')
  got=$(job "$a" | jq '.metadata.technical.pageCount')
  [ -n "$want" ] && [ "$got" = "$want" ] && ok || fail "$a: pageCount $got, pdfinfo says $want"
done
sheets=$(unzip -p "$WORK/made/render.ods" content.xml | grep -o '<table:table ' | wc -l)
got=$(job render-ods | jq '.metadata.technical.pageCount')
[ "$got" = "$sheets" ] && ok || fail "render-ods: pageCount $got, the file has $sheets sheets"

# --- hostile documents -------------------------------------------------------------
expect macro-odt completed
expect macro-ods completed
[ -z "$(ls "$WORK/marks")" ] && ok || fail "a macro ran: $(ls "$WORK/marks")"
expect link-http-odt completed
expect link-http-docx completed
expect link-file-odt completed
expect ext-ref-ods completed
expect password-odt partial "thumbnail:ASSET_PROCESSING_FAILED:encrypted"
expect xml-bomb-docx partial "thumbnail:ASSET_PROCESSING_FAILED:corrupt"
[ "$(job zip-bomb-docx | jq -r '[.errors[] | select(.stage == "thumbnail") | "\(.code):\(.reason)"][0]')" \
  = "ASSET_FILE_TOO_LARGE:zip_limit" ] && ok || fail "zip-bomb-docx: $(errors_of zip-bomb-docx)"
# its properties come from the parts' own headers (issue 31); LibreOffice cannot open it
expect truncated-docx partial "metadata:ASSET_PROCESSING_FAILED:zip_directory thumbnail:ASSET_PROCESSING_FAILED:corrupt"
expect pages-10000-odt completed
[ "$(job pages-10000-odt | jq '.metadata.technical.pageCount')" = 10000 ] && ok ||
  fail "pages-10000-odt: pageCount $(job pages-10000-odt | jq '.metadata.technical.pageCount')"
sleep 0.5 # inotify and the listener's log are asynchronous
[ ! -s "$WORK/net.log" ] && ok || fail "a linked document reached the listener"
[ ! -s "$WORK/inotify.log" ] && ok || { fail "the linked secret was opened:"; cat "$WORK/inotify.log"; }

# --- a rendering that hangs, one that crashes, the office process killed -------
OFFICE=$(pgrep -P "$WORKER" -f asset-worker-office | head -1) # ours: other tests run beside
[ -n "$OFFICE" ] && ok || fail "no office process"
SIGNALLED=""
while_rendering() { # while_rendering ASSET SIGNAL: signal the child rendering ASSET's document
  local child=""
  cp "$WORK/in/pages-10000-odt.odt" "$WORK/in/$1.odt"
  upload "$WORK/in/$1.odt"
  for _ in $(seq 1200); do # the one before may hold the only slot until its timeout
    child=$(pgrep -P "$OFFICE" | grep -vxF -e "${SIGNALLED:-none}" | head -1)
    [ -n "$child" ] && break
    sleep 0.05
  done
  [ -n "$child" ] && kill "-$2" "$child" || fail "$1: no office child to signal"
  SIGNALLED=$child
}
while_rendering hung STOP
while_rendering crashed SEGV
cp "$WORK/in/render-docx.docx" "$WORK/in/after-crash.docx"
upload "$WORK/in/after-crash.docx"
collect
expect hung partial "thumbnail:ASSET_PROCESSING_FAILED:timeout"
expect crashed partial "thumbnail:ASSET_PROCESSING_FAILED:crashed"
# the child dies of the signal itself: no handler (LibreOffice's, a sanitizer's) runs first
job crashed | jq -e '.errors[0].message | test("died of signal 11")' >/dev/null && ok ||
  fail "crashed: $(job crashed | jq -c '.errors[0].message')"
expect after-crash completed
rendered after-crash render-docx
kill -KILL "$OFFICE"
for _ in $(seq 150); do grep -q "office: the office process ended" "$WORK/worker.log" && break; sleep 0.1; done
for n in 1 2 3; do cp "$WORK/in/render-docx.docx" "$WORK/in/after-restart-$n.docx"; done
upload "$WORK"/in/after-restart-*.docx
collect
for n in 1 2 3; do
  expect "after-restart-$n" completed
  [ -e "$WORK/storage/derived/after-restart-$n/thumbnail_large.webp" ] && ok ||
    fail "after-restart-$n: not rendered after the office process was started again"
done
kill -0 "$WORKER" 2>/dev/null && ok || fail "the worker died"
grep -q "office: LibreOfficeKit loaded" "$WORK/worker.log" && ok || fail "no office set-up line"
kill -TERM "$WORKER"; wait "$WORKER" && ok || fail "the worker did not exit 0"
[ -z "$(ls -A "$WORK/spool" 2>/dev/null)" ] && ok || fail "the spool was left: $(ls -A "$WORK/spool")"

echo "office service: $passed passed, $failed failed"
if [ "$failed" != 0 ]; then
  echo "--- worker log (tail)"; tail -30 "$WORK/worker.log"
fi
[ "$failed" = 0 ]
