#!/usr/bin/env bash
# run_service.sh HARNESS WORKER — runs the service tests, then validates every
# event payload they collected against its JSON Schema in schemas/.
set -u
HARNESS=$1 BIN=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
AJV="$ROOT/tests/node_modules/.bin/ajv"
DUMP=$(mktemp -d "${TMPDIR:-/tmp}/aw-events-XXXXXX")
trap 'rm -rf "$DUMP"' EXIT
AW_EVENTS_DUMP="$DUMP" "$HARNESS" "$BIN" || exit 1
if [ ! -x "$AJV" ]; then
  echo "missing $AJV"; [ "${AW_REQUIRE_TOOLS:-0}" = 1 ] && exit 1; exit 0
fi
failed=0 checked=0
for type in asset.job.completed asset.scan.completed asset.job.progress; do
  for f in "$DUMP"/"$type"-*.json; do
    [ -e "$f" ] || { echo "no $type events were collected"; failed=$((failed + 1)); continue; }
    checked=$((checked + 1))
    "$AJV" validate --spec=draft7 -s "$ROOT/schemas/$type.schema.json" -d "$f" >/dev/null 2>&1 ||
      { echo "schema: $f"; "$AJV" validate --spec=draft7 -s "$ROOT/schemas/$type.schema.json" -d "$f"; failed=$((failed + 1)); }
  done
done
echo "event schemas: $checked checked, $failed failed"
[ "$failed" = 0 ]
