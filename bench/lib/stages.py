"""stages.py — each stage of `asset-worker process` next to the command-line
tool that does the same work on the same input: thumbnails vs vipsthumbnail,
poster and preview clip vs ffmpeg, waveform vs an ffmpeg decode, metadata vs
exiftool / ffprobe / pdfinfo, a 3D model's render and three sizes vs
`assimp info` (the import part only: no tool at hand renders a model).

Each row has three ratios, each the median of per-pair ratios: wall, CPU,
and "per job": our pipeline's own CPU (job.json's cpuMs less setupCpuMs,
the libraries' loading and the stages' set-up) against the anchor's CPU
with its start-up CPU (measured in the same run) taken off, which is what a
job costs in the service, whose executors are reused for many jobs and have
loaded their libraries on the first, on a machine kept busy by executors
side by side."""

import json
import shlex
from pathlib import Path

from measure import paired, repeated, spread, summary
from report import TARGET_RSS_MIB  # the executor's memory target, checked on the 3D rows

FF1 = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-threads", "1"]

# Below this many ms of CPU beyond its start-up, the anchor did next to no
# work and a per-job ratio would only divide noise.
MIN_WORK_MS = 10

# `assimp info`'s start-up differs by format (its OBJ path costs more): the
# start-up runs read a one-triangle file of the same format.
ASSIMP_STARTUP = {".obj": "assimp (OBJ)", ".glb": "assimp (glTF)", ".gltf": "assimp (glTF)"}


def per_job(pair, anchor_start_cpu):
    """What one job costs on a busy machine, where executors run side by side
    and have started once: our pipeline's own CPU (job.json's cpuMs less its
    setupCpuMs, as a reused executor pays it) against the anchor's CPU with its start-up CPU taken
    off. None where the anchor's own work is too small to divide by."""
    anchor_work = [a.cpu_ms - anchor_start_cpu for a in pair.anchor]
    if min(anchor_work) < MIN_WORK_MS:
        return None
    return spread([o / a for o, a in zip(pair.ours_job_cpu_ms, anchor_work)])


AUDIO_LABELS = {".mp3": "MP3", ".m4a": "AAC", ".flac": "FLAC", ".wav": "WAV",
                ".ogg": "Ogg Vorbis", ".mp4": "AAC track of the video"}


def audio_label(path):
    return AUDIO_LABELS.get(Path(path).suffix.lower(), Path(path).suffix)


def shown(argv, work):
    """A command as printed in the report, paths relative to the work directory."""
    return " ".join(shlex.quote(str(a).replace(f"{work}/", "")) for a in argv)


def job_cpu_reader(out_dir: Path):
    """A job's own CPU as a reused executor pays it: job.json's cpuMs less
    setupCpuMs (libraries loaded and stages set up, which an executor does
    on its first job of the kind only)."""
    def read():
        job = json.loads((out_dir / "job.json").read_text())
        return job["cpuMs"] - job.get("setupCpuMs", 0)
    return read


class StageBench:
    def __init__(self, bin_path, work: Path, runs, tiny):
        self.bin, self.work, self.runs, self.tiny = str(bin_path), work, runs, tiny
        self.rows = []
        self.startup = {}

    def ours(self, path, *args):
        return [self.bin, "process", path, "--no-scan", "--out", self.work / "o", *args]

    def measure_startup(self):
        """Start-up of each tool: start, do almost nothing, exit (median ms);
        the tools whose trivial input is in `tiny`."""
        t = self.tiny
        trivial = {}
        if t.get("wav"):
            trivial["asset-worker"] = self.ours(t["wav"], "--stages", "metadata")
        if t.get("png"):
            trivial["vipsthumbnail"] = ["vipsthumbnail", t["png"], "-s", "8", "-o", self.work / "tiny_%s.webp"]
        if t.get("wav"):
            trivial["ffmpeg"] = FF1 + ["-i", t["wav"], "-f", "null", "-"]
            trivial["ffprobe"] = ["ffprobe", "-v", "error", "-show_format", t["wav"]]
        if t.get("png"):
            trivial["exiftool"] = ["exiftool", "-j", t["png"]]
        if t.get("pdf"):  # a PDF of the corpus; without it there is no PDF row
            trivial["pdfinfo"] = ["pdfinfo", t["pdf"]]
        for suffix in (".obj", ".glb"):  # one-triangle models (Inputs.models)
            if t.get(suffix[1:]):
                trivial[ASSIMP_STARTUP[suffix]] = ["assimp", "info", t[suffix[1:]]]
        for tool, argv in trivial.items():
            samples = repeated(argv, self.runs * 2, warmup=2)
            self.startup[tool] = {"command": shown(argv, self.work), **summary(samples)}
        return self.startup

    def start_cpu(self, tool):
        return self.startup[tool]["cpu_ms"]["median"]

    def pair(self, section, stage, path, ours, anchor, anchor_tool, target=None, note=None,
             rss_target_mib=None):
        print(f"  {section}: {stage} ({Path(path).name})", flush=True)
        p = paired(ours, anchor, self.runs, job_cpu=job_cpu_reader(self.work / "o"))
        runs_of_anchor = len(anchor) if isinstance(anchor[0], list) else 1
        anchor_start_cpu = (self.start_cpu(anchor_tool) * runs_of_anchor
                            if anchor_tool in self.startup else None)
        row = {
            "section": section, "stage": stage, "input": Path(path).name,
            "ours_command": shown(ours, self.work),
            "anchor_command": " && ".join(shown(a, self.work) for a in anchor)
            if runs_of_anchor > 1 else shown(anchor, self.work),
            "ours": summary(p.ours), "anchor": summary(p.anchor),
            "ratio": {
                "wall": spread(p.ratios("wall_ms")),
                "cpu": spread(p.ratios("cpu_ms")),
                "per_job": per_job(p, anchor_start_cpu) if anchor_start_cpu is not None else None,
            },
            # the two sides of the per-job ratio, in ms
            "ours_job_cpu_ms": spread(p.ours_job_cpu_ms),
            "anchor_work_cpu_ms": spread([a.cpu_ms - (anchor_start_cpu or 0) for a in p.anchor]),
            "target": target, "note": note,
        }
        if rss_target_mib is not None:
            row["rss_target_mib"] = rss_target_mib
        self.rows.append(row)
        return row

    def thumbnails(self, images):
        for f in images:
            ours = self.ours(f, "--stages", "thumbnail")
            one = ["vipsthumbnail", f, "-s", "800", "-o", self.work / "one_%s.webp"]
            same = ["vipsthumbnail", f, "-s", "800", "-o", self.work / "same_%s.webp[Q=80,effort=2,strip]"]
            three = [["vipsthumbnail", f, "-s", str(s), "-o", self.work / f"three{s}_%s.webp"]
                     for s in (800, 400, 200)]
            self.pair("thumbnails", "3 sizes vs one vipsthumbnail -s 800", f, ours, one,
                      "vipsthumbnail", target=1.05,
                      note="ours writes three sizes (800, 400, 200), vipsthumbnail one")
            self.pair("thumbnails", "3 sizes vs one vipsthumbnail, our encoder settings", f, ours,
                      same, "vipsthumbnail")
            self.pair("thumbnails", "3 sizes vs three vipsthumbnail runs", f, ours, three,
                      "vipsthumbnail")

    def office(self, docs):
        """Page 1 of a document, the three sizes: `process` (which starts an
        office process of its own for it, LibreOfficeKit in a sandboxed
        child) against soffice --convert-to png, both whole processes; no
        per-job ratio: a job's cpuMs leaves out the office child's CPU."""
        for f in docs:
            anchor = ["soffice", f"-env:UserInstallation=file://{self.work}/soffice-profile",
                      "--headless", "--convert-to", "png", "--outdir", self.work / "soffice", f]
            self.pair("office", "page 1, 3 sizes vs soffice --convert-to png", f,
                      self.ours(f, "--stages", "thumbnail"), anchor, "soffice", target=1.0,
                      note="whole processes: ours starts LibreOffice for the one document, "
                           "as soffice does")

    def audio_video(self, video, songs):
        """The video's poster and clip, and each song (the same 3 min in
        MP3, AAC, FLAC, WAV and Ogg Vorbis): its preview and waveform; the
        waveform of the video's AAC track too."""
        poster_at = "6"  # 10 % into 60 s, as our poster stage picks
        self.pair("video", "poster frame vs ffmpeg -ss -skip_frame nokey (1 thread)", video,
                  self.ours(video, "--stages", "thumbnail"),
                  FF1 + ["-ss", poster_at, "-skip_frame", "nokey", "-i", video, "-frames:v", "1",
                         self.work / "poster.png"], "ffmpeg", target=1.0,
                  note="ours writes three WebP sizes, ffmpeg one full-size PNG")
        self.pair("video", "preview clip 10 s 854x480 vs ffmpeg, same settings", video,
                  self.ours(video, "--stages", "preview"),
                  FF1 + ["-t", "10", "-i", video, "-filter_threads", "1", "-vf",
                         "scale=854:480:flags=bicubic,setsar=1,format=yuv420p", "-c:v", "libx264",
                         "-preset", "veryfast", "-crf", "26", "-threads", "1", "-af",
                         "aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo",
                         "-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart",
                         self.work / "clip.mp4"], "ffmpeg", target=1.0)
        for song in songs:
            self.pair("audio", f"audio preview 30 s AAC 128k vs ffmpeg ({audio_label(song)})", song,
                      self.ours(song, "--stages", "preview"),
                      FF1 + ["-ss", "60", "-t", "30", "-i", song, "-c:a", "aac", "-b:a", "128k",
                             "-movflags", "+faststart", self.work / "clip.m4a"], "ffmpeg",
                      target=1.0)
        for f in [*songs, video]:
            self.pair("audio", f"waveform vs ffmpeg decode only ({audio_label(f)})", f,
                      self.ours(f, "--stages", "waveform"),
                      FF1 + ["-i", f, "-map", "0:a:0", "-f", "null", "-"], "ffmpeg", target=1.1)

    def metadata(self, photo, camera_jpeg, video, song, pdf):
        exif_tags = ["-ImageWidth", "-ImageHeight", "-Orientation", "-Make", "-Model", "-ISO",
                     "-FNumber", "-ExposureTime", "-FocalLength", "-DateTimeOriginal",
                     "-ColorSpace", "-BitsPerSample"]
        for f in (f for f in (photo, camera_jpeg) if f is not None):
            self.pair("metadata", "image metadata vs exiftool, the same fields", f,
                      self.ours(f, "--stages", "metadata"), ["exiftool", "-j", "-n", *exif_tags, f],
                      "exiftool")
        probe = ["ffprobe", "-v", "error", "-show_entries",
                 "format=duration,bit_rate,format_name:format_tags=title,artist,album,creation_time:"
                 "stream=codec_type,codec_name,width,height,avg_frame_rate,pix_fmt,color_space,"
                 "sample_rate,channels:stream_side_data=rotation", "-of", "json"]
        for f in (video, song):
            self.pair("metadata", "audio/video metadata vs ffprobe, the same fields", f,
                      self.ours(f, "--stages", "metadata"), probe + [f], "ffprobe")
        if pdf is not None:
            self.pair("metadata", "PDF metadata vs pdfinfo", pdf,
                      self.ours(pdf, "--stages", "metadata"), ["pdfinfo", pdf], "pdfinfo")

    def models(self, models):
        """Each 3D model: `process` with metadata and thumbnail (the model
        imported by each stage, rendered once at 800 × 800 by OSMesa, three
        WebP sizes) next to `assimp info` (import with assimp's own
        post-processing, the structure printed). Only the import is common to
        both: the ratios say what the render and the encodes add to it. Peak
        RSS of `process` is checked against the executor's target."""
        for f in models:
            self.pair("model", "render + 3 sizes vs assimp info (import only)", f,
                      self.ours(f, "--stages", "metadata,thumbnail"), ["assimp", "info", f],
                      ASSIMP_STARTUP[Path(f).suffix.lower()], rss_target_mib=TARGET_RSS_MIB)
