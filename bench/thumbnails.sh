#!/usr/bin/env bash
# bench/thumbnails.sh — three thumbnail sizes from `asset-worker process
# --stages thumbnail` against one `vipsthumbnail -s 800` run and against three
# vipsthumbnail runs (800, 400, 200), same file, same run.
#
# Wall time (hyperfine: warm-up 2, 10 runs, median and spread), CPU time
# (user+sys) and instruction counts (callgrind: the same on a noisy machine)
# are reported side by side, ratios pair by pair. Inputs are made here:
# the commands that make them are printed. Writes bench/results/thumbnails.md.
set -euo pipefail
AW_ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$AW_ROOT/scripts/deps.sh"
AW_PKGS_bench="hyperfine valgrind jq bc libvips-tools"
aw_install_deps build bench
aw_build "$AW_ROOT/build-release" -DCMAKE_BUILD_TYPE=Release -DAW_TESTS=OFF
BIN="$AW_ROOT/build-release/asset-worker"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/aw-bench-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
RUNS=${RUNS:-10}
OUT="$AW_ROOT/bench/results"
mkdir -p "$OUT"

say() { echo "+ $*"; "$@"; }

make_inputs() {
  echo "# inputs (made here)"
  say vips gaussnoise "$WORK/n.v" 6000 4000 --mean 128 --sigma 30
  say vips xyz "$WORK/xy.v" 6000 4000
  say vips linear "$WORK/xy.v" "$WORK/rg.v" "0.0425 0.06375" "0 0"
  say vips bandjoin "$WORK/rg.v $WORK/n.v" "$WORK/rgb.v"
  say vips cast "$WORK/rgb.v" "$WORK/rgb8.v" uchar
  say vips copy "$WORK/rgb8.v" "$WORK/photo-24mp.jpg" --interpretation srgb
  say vips resize "$WORK/rgb8.v" "$WORK/graphic-6mp.png" 0.5
  say vips resize "$WORK/rgb8.v" "$WORK/photo-12mp.webp" 0.7071
  if vips resize "$WORK/rgb8.v" "$WORK/photo-6mp.avif[compression=av1,effort=0]" 0.5 2>/dev/null; then
    echo "+ vips resize rgb8.v photo-6mp.avif[compression=av1,effort=0] 0.5"
  fi
}

# instructions of one command (callgrind)
instructions() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

# median, stddev (ms), cpu (ms) of command N in a hyperfine JSON export
stat_of() { jq -r ".results[$2] | \"\(.median*1000) \(.stddev*1000) \((.user+.system)*1000)\"" "$1"; }

ratio() { echo "scale=3; $1 / $2" | bc -l; }

bench_file() { # bench_file FILE
  local f=$1 name ext json="$WORK/h.json"
  name=$(basename "$f"); ext=webp
  local ours="$BIN process $f --stages thumbnail --no-scan --out $WORK/o"
  local one="vipsthumbnail $f -s 800 -o $WORK/tn_%s.$ext"
  local one_same="vipsthumbnail $f -s 800 -o $WORK/ts_%s.$ext[Q=80,effort=2,strip]"
  local three="vipsthumbnail $f -s 800 -o $WORK/a_%s.$ext && vipsthumbnail $f -s 400 -o $WORK/b_%s.$ext && vipsthumbnail $f -s 200 -o $WORK/c_%s.$ext"
  hyperfine -w 2 -r "$RUNS" -N --export-json "$json" "$ours" "$one" "$one_same" >/dev/null 2>&1
  hyperfine -w 1 -r "$RUNS" --export-json "$WORK/h3.json" "$three" >/dev/null 2>&1
  read -r m0 s0 c0 < <(stat_of "$json" 0)
  read -r m1 s1 c1 < <(stat_of "$json" 1)
  read -r m2 s2 c2 < <(stat_of "$json" 2)
  read -r m3 s3 c3 < <(stat_of "$WORK/h3.json" 0)
  local i0 i1 i2
  i0=$(instructions $BIN process "$f" --stages thumbnail --no-scan --out "$WORK/o")
  i1=$(instructions vipsthumbnail "$f" -s 800 -o "$WORK/tn_%s.$ext")
  i2=$(instructions vipsthumbnail "$f" -s 800 -o "$WORK/ts_%s.$ext[Q=80,effort=2,strip]")
  printf '| %s | %.0f ± %.0f | %.0f ± %.0f | %.0f ± %.0f | %.0f ± %.0f | %s / %s / %s | %s / %s | %s / %s | %s |\n' \
    "$name" "$m0" "$s0" "$m1" "$s1" "$m2" "$s2" "$m3" "$s3" \
    "$(ratio "$m0" "$m1")" "$(ratio "$c0" "$c1")" "$(ratio "$i0" "$i1")" \
    "$(ratio "$c0" "$c2")" "$(ratio "$i0" "$i2")" \
    "$(ratio "$m0" "$m3")" "$(ratio "$c0" "$c3")" "$(echo "$i0/1000000" | bc)"
}

make_inputs | tee "$WORK/inputs.txt"
{
  echo "# Thumbnails: asset-worker (3 sizes) vs vipsthumbnail"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem/{print $2}') GiB;"
  echo "libvips $(vips --version | cut -d- -f2), $(date -u +%Y-%m-%d). Runs: $RUNS after warm-up, median ± stddev in ms."
  echo
  echo "A = \`asset-worker process FILE --stages thumbnail --no-scan\` (large, medium, small WebP, Q80, effort 2, stripped);"
  echo "B = \`vipsthumbnail FILE -s 800\` to WebP with its defaults (Q75, effort 4);"
  echo "B' = the same with our encoder settings (Q80, effort 2, strip); C = three vipsthumbnail runs (800, 400, 200)."
  echo "Ratios are wall / CPU (user+sys) / instructions; target A ≤ 1.0× B."
  echo
  echo "| file | A ms | B ms | B' ms | C ms | A/B wall / cpu / instr | A/B' cpu / instr | A/C wall / cpu | A Minstr |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for f in "$WORK"/photo-24mp.jpg "$WORK"/graphic-6mp.png "$WORK"/photo-12mp.webp "$WORK"/photo-6mp.avif; do
    [ -f "$f" ] && bench_file "$f"
  done
  echo
  echo "Inputs were made with:"
  echo '```'
  sed "s|$WORK/||g" "$WORK/inputs.txt" | grep '^+'
  echo '```'
} > "$OUT/thumbnails.md"
cat "$OUT/thumbnails.md"
