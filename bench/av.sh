#!/usr/bin/env bash
# bench/av.sh — the audio/video stages of `asset-worker process` against the
# ffmpeg command line doing the same work, same input, same run:
#   poster frame  vs  ffmpeg -ss T -skip_frame nokey -i IN -frames:v 1 out.png
#   preview clip  vs  ffmpeg with identical settings (10 s, 854x480, libx264
#                     veryfast CRF 26, AAC 96k, faststart, one thread)
#   waveform      vs  ffmpeg -i IN -map 0:a:0 -f null -   (decode only)
# Wall time (hyperfine: warm-up 1, RUNS runs, median ± stddev) and CPU time
# (user+sys), ratios pair by pair. Inputs are made here and their commands
# printed. Writes bench/results/av.md.
set -euo pipefail
AW_ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$AW_ROOT/scripts/deps.sh"
AW_PKGS_bench="hyperfine jq bc ffmpeg"
aw_install_deps build bench
aw_build "$AW_ROOT/build-release" -DCMAKE_BUILD_TYPE=Release -DAW_TESTS=OFF
BIN="$AW_ROOT/build-release/asset-worker"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/aw-bench-av-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
RUNS=${RUNS:-5}
OUT="$AW_ROOT/bench/results"
mkdir -p "$OUT"
FF="ffmpeg -nostdin -v error -y"

say() { echo "+ $*"; "$@"; }

make_inputs() {
  echo "# inputs (made here)"
  say $FF -f lavfi -i testsrc2=size=1920x1080:rate=30:duration=60 \
    -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=60" \
    -c:v libx264 -preset veryfast -g 60 -c:a aac -b:a 128k "$WORK/video-1080p-60s.mp4"
  say $FF -f lavfi -i sine=duration=0.1 "$WORK/tiny.wav"
  say $FF -f lavfi -i "aevalsrc=0.5*sin(2*PI*220*t)*sin(PI*t/7)+0.1*random(0):s=44100:d=180" \
    -c:a libmp3lame -b:a 192k "$WORK/song-3min.mp3"
}

# median, stddev, cpu (ms) of command N in a hyperfine JSON export
stat_of() { jq -r ".results[$2] | \"\(.median*1000) \(.stddev*1000) \((.user+.system)*1000)\"" "$1"; }
ratio() { echo "scale=3; $1 / $2" | bc -l; }

# pair NAME OURS THEIRS: one table row. The last column takes each side's
# process start-up (the baseline row) off first: in the service an executor
# starts once and runs many jobs.
pair() {
  local name=$1 ours=$2 theirs=$3 json="$WORK/h.json"
  hyperfine -w 1 -r "$RUNS" -N --export-json "$json" "$ours" "$theirs" >/dev/null 2>&1
  read -r m0 s0 c0 < <(stat_of "$json" 0)
  read -r m1 s1 c1 < <(stat_of "$json" 1)
  printf '| %s | %.0f ± %.0f | %.0f ± %.0f | %s | %s | %s |\n' "$name" "$m0" "$s0" "$m1" "$s1" \
    "$(ratio "$m0" "$m1")" "$(ratio "$c0" "$c1")" \
    "$(ratio "($c0 - $BASE_OURS)" "($c1 - $BASE_FF)")"
}

# CPU ms of a process that starts, reads a 0.1 s WAV and exits.
baseline() {
  local json="$WORK/b.json"
  hyperfine -w 2 -r $((RUNS * 2)) -N --export-json "$json" \
    "$BIN process --no-scan --out $WORK/b $WORK/tiny.wav --stages metadata" \
    "$FF -threads 1 -i $WORK/tiny.wav -f null -" >/dev/null 2>&1
  read -r _ _ BASE_OURS < <(stat_of "$json" 0)
  read -r _ _ BASE_FF < <(stat_of "$json" 1)
}

make_inputs | tee "$WORK/inputs.txt"
V="$WORK/video-1080p-60s.mp4"
A="$WORK/song-3min.mp3"
P="$BIN process --no-scan --out $WORK/o"
baseline
{
  echo "# Audio/video stages: asset-worker vs the ffmpeg command line"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem/{print $2}') GiB;"
  echo "$(ffmpeg -version | head -1 | cut -d' ' -f1-3), $(date -u +%Y-%m-%d). Runs: $RUNS after a warm-up, median ± stddev in ms."
  echo "Ratios: ours / ffmpeg, wall and CPU (user+sys). Our executors decode and encode with one thread"
  echo "(parallelism comes from running executors side by side); ffmpeg rows say which threading they use."
  echo
  printf 'Process start-up (start, read a 0.1 s WAV, exit), CPU: asset-worker %.0f ms, ffmpeg %.0f ms.\n\n' \
    "$BASE_OURS" "$BASE_FF"
  echo "| stage (input) | asset-worker ms | ffmpeg ms | wall ratio | CPU ratio | CPU ratio without start-up |"
  echo "|---|---|---|---|---|---|"
  # poster: 10 % of 60 s = 6 s
  pair "poster, 3 WebP sizes vs 1 PNG, ffmpeg auto threads (1080p 60 s)" \
    "$P/poster $V --stages thumbnail" \
    "$FF -ss 6 -skip_frame nokey -i $V -frames:v 1 $WORK/poster.png"
  pair "poster, ffmpeg -threads 1 (1080p 60 s)" \
    "$P/poster $V --stages thumbnail" \
    "$FF -threads 1 -ss 6 -skip_frame nokey -i $V -frames:v 1 $WORK/poster.png"
  pair "preview clip 10 s 854x480 (1080p 60 s)" \
    "$P/clip $V --stages preview" \
    "$FF -threads 1 -t 10 -i $V -filter_threads 1 -vf scale=854:480:flags=bicubic,setsar=1,format=yuv420p -c:v libx264 -preset veryfast -crf 26 -threads 1 -af aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo -c:a aac -b:a 96k -movflags +faststart $WORK/clip.mp4"
  pair "audio preview 30 s AAC 128k (MP3 3 min)" \
    "$P/aclip $A --stages preview" \
    "$FF -threads 1 -ss 60 -t 30 -i $A -c:a aac -b:a 128k -movflags +faststart $WORK/clip.m4a"
  pair "waveform vs decode only (MP3 3 min)" \
    "$P/wave $A --stages waveform" \
    "$FF -threads 1 -i $A -map 0:a:0 -f null -"
  pair "waveform vs decode only (AAC track of the video)" \
    "$P/wave $V --stages waveform" \
    "$FF -threads 1 -i $V -map 0:a:0 -f null -"
  echo
  echo "Targets (issue 5): poster ≤ 1.0×, preview ≤ 1.0×, waveform ≤ 1.2× decode-only."
  echo "Our commands include process start-up (dynamic linking of libvips, FFmpeg, libclamav …),"
  echo "sniffing and writing job.json; the last column takes each side's start-up off, as in the"
  echo "service, where executors start once. The poster rows write three WebP sizes where ffmpeg"
  echo "writes one full-size PNG."
  echo
  echo "Inputs were made with:"
  echo '```'
  sed "s|$WORK/||g" "$WORK/inputs.txt" | grep '^+'
  echo '```'
} > "$OUT/av.md"
cat "$OUT/av.md"
