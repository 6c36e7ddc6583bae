"""sharp.py — the anchor of the small-JPEG service rows: sharp (the libvips
binding behind Immich's thumbnails; pinned in bench/sharp/package-lock.json,
its prebuilt libvips from @img/* packages, installed by bench/run with npm
ci) makes the same three WebP thumbnails of the same files with our
settings (bench/sharp/thumbs.js: one decode, EXIF orientation applied,
800/400/200, quality 80, effort 2), as many files in flight as the service
has executors, one libvips thread each. It does nothing else (no metadata,
no scan, no broker, no storage): the worker's whole job against the
thumbnails alone."""

import json
import subprocess
from pathlib import Path

SHARP = Path(__file__).resolve().parent.parent / "sharp"


def available():
    return (SHARP / "node_modules/sharp").is_dir()


def anchor(work: Path):
    """A function (files, jobs) → figures, for service.run_config; None
    (printed) where sharp is not installed."""
    if not available():
        print(f"  sharp missing (npm ci in {SHARP}): the service rows have no anchor", flush=True)
        return None
    out = work / "sharp-out"

    def run(files, jobs):
        res = subprocess.run(["node", str(SHARP / "thumbs.js"), str(jobs), str(out), *map(str, files)],
                             capture_output=True, text=True, check=True)
        figures = json.loads(res.stdout.strip().splitlines()[-1])
        figures["tool"] = f"sharp {figures['sharp']} (libvips {figures['libvips']})"
        return figures

    return run
