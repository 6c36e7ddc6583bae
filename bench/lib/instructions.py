"""instructions.py — the per-job rows of issue 30 (thumbnails, audio
preview, waveform) counted in instructions rather than timed: valgrind's
callgrind runs ours and the anchor once each on the same input and counts
the instructions each executes (Ir). A count does not move with the
machine's load or clock, so a difference of one per cent shows, where the
timed rows on a shared 2-core VM spread by ±15 % from run to run."""

import re
import subprocess
import tempfile
from pathlib import Path

from stages import FF1, StageBench, shown

LINE = re.compile(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+.*\[(.+)\]\s*$")
METHOD = ("callgrind runs ours and the anchor once each on the same input and counts the "
          "instructions each executes: a count does not move with the machine's load or clock. "
          "Per job, for each side: its instructions less the dynamic linker's (symbol lookup and "
          "relocation, which an executor pays once per library, not per job) less its start-up's "
          "(the same tool on the trivial input of the start-up table, linker again left out). "
          "Ours keeps the rest of its lazy set-up (libvips' and libmagic's initialisation on first "
          "use), which the timed rows' setupCpuMs takes off. Only user-space instructions count: "
          "the kernel's work (I/O, page faults, the zeroing of fresh pages) does not, so a side "
          "that zeroes reused heap memory itself (calloc) counts work the other side has the "
          "kernel do; the timed rows, user and system CPU, include both.")
SECTIONS = ("thumbnails", "audio")  # not the video's: x264 on 1080p, slow under callgrind
TOTAL = re.compile(r"^\s*([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS")


def count(argv):
    """(all instructions, the dynamic linker's) of one run of argv."""
    with tempfile.NamedTemporaryFile(prefix="aw-callgrind-") as out:
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out.name}",
                        *map(str, argv)], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        text = subprocess.run(["callgrind_annotate", "--auto=no", "--threshold=100", out.name],
                              check=True, capture_output=True, text=True).stdout
    total = linker = 0
    for line in text.splitlines():
        if m := TOTAL.match(line):
            total = int(m[1].replace(",", ""))
        elif (m := LINE.match(line)) and "/ld-linux" in m[2]:
            linker += int(m[1].replace(",", ""))
    if total == 0:
        raise RuntimeError(f"callgrind counted nothing: {shown(argv, Path('/'))}")
    return total, linker


class InstructionBench(StageBench):
    """The rows of StageBench that carry a target, each counted once per
    side; rows without a target (the comparisons beside them) are skipped."""

    def __init__(self, bin_path, work, tiny):
        super().__init__(bin_path, work, 1, tiny)
        self.start = {}

    def measure_startup(self):
        t = self.tiny
        trivial = {"asset-worker": self.ours(t["wav"], "--stages", "metadata"),
                   "vipsthumbnail": ["vipsthumbnail", t["png"], "-s", "8", "-o",
                                     self.work / "tiny_%s.webp"],
                   "ffmpeg": FF1 + ["-i", t["wav"], "-f", "null", "-"]}
        for tool, argv in trivial.items():
            total, linker = count(argv)
            self.start[tool] = total - linker
        return self.start

    def pair(self, section, stage, path, ours, anchor, anchor_tool, target=None, note=None,
             rss_target_mib=None):
        if (section not in SECTIONS or target is None or isinstance(anchor[0], list)
                or anchor_tool not in self.start):
            return None
        print(f"  instructions: {stage} ({Path(path).name})", flush=True)
        o_total, o_linker = count(ours)
        a_total, a_linker = count(anchor)
        o_job = o_total - o_linker - self.start["asset-worker"]
        a_job = a_total - a_linker - self.start[anchor_tool]
        row = {"section": section, "stage": stage, "input": Path(path).name, "target": target,
               "ours_command": shown(ours, self.work), "anchor_command": shown(anchor, self.work),
               "ours_ir": o_total, "ours_linker_ir": o_linker, "anchor_ir": a_total,
               "anchor_linker_ir": a_linker, "ours_job_ir": o_job, "anchor_job_ir": a_job,
               "whole_ratio": o_total / a_total, "job_ratio": o_job / a_job, "note": note}
        self.rows.append(row)
        return row


def measure(bin_path, work: Path, images, video, songs, tiny):
    """The thumbnail rows on `images`, the audio preview and waveform rows on
    `songs` and the video's AAC track; {start-up, rows}."""
    ib = InstructionBench(bin_path, work, tiny)
    ib.measure_startup()
    ib.thumbnails(images)
    ib.audio_video(video, songs)
    return {"startup_ir": ib.start, "rows": ib.rows}


def table(res):
    """The section of RESULTS.md: how it was counted, the rows, start-up."""
    m = lambda n: f"{n / 1e6:,.0f}"
    out = [f"`python3 bench/bench.py --bin build-release/asset-worker --instructions` on "
           f"{res['date']} (commit {res['commit']}): {METHOD}", "",
           "| stage | input | ours M instr. (linker) | anchor M instr. (linker) | whole ratio | "
           "per-job ratio | target |", "|---|---|---|---|---|---|---|"]
    for r in res["rows"]:
        met = "met" if r["job_ratio"] <= r["target"] else "**missed**"
        out.append(f"| {r['stage']} | {r['input']} | {m(r['ours_ir'])} ({m(r['ours_linker_ir'])}) | "
                   f"{m(r['anchor_ir'])} ({m(r['anchor_linker_ir'])}) | {r['whole_ratio']:.4f} | "
                   f"{r['job_ratio']:.4f} | ≤ {r['target']}: {met} |")
    s = res["startup_ir"]
    out += ["", "Start-up outside the linker (M instructions, the trivial inputs of the start-up "
            "table): " + ", ".join(f"{t} {m(v)}" for t, v in s.items()) + "."]
    return out
