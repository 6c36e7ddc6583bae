"""scan.py — the scan stage next to clamscan, the same database, the same
files, the same settings (image fuzzy hashes off on both sides). Engine load is reported apart: each side scans a 16x16 PNG once with
the bench database and once with a one-signature database; the difference
is the load. Scan-only times take each side's own load run off."""

from pathlib import Path

from measure import paired, repeated, spread, summary
from stages import job_cpu_reader, per_job, shown


class ScanBench:
    def __init__(self, bin_path, work: Path, runs, db: Path, db_one: Path, tiny_png: Path):
        self.bin, self.work, self.runs = str(bin_path), work, runs
        self.db, self.db_one, self.tiny = db, db_one, tiny_png
        self.rows, self.load = [], {}

    def ours(self, path, db):
        return [self.bin, "process", path, "--stages", "scan", "--clamav-db", db,
                "--out", self.work / "scan"]

    def theirs(self, path, db, recursive=False):
        """clamscan with our scan settings: no image fuzzy hash (off by default
        in the worker, --scan-image-hash)."""
        return ["clamscan", "--no-summary", "--quiet", "--scan-image-fuzzy-hash=no", "-d", db,
                *(["-r"] if recursive else []), path]

    def measure_load(self):
        print("  scan: engine load", flush=True)
        for tool, make in (("asset-worker", self.ours), ("clamscan", self.theirs)):
            full = summary(repeated(make(self.tiny, self.db), self.runs))
            base = summary(repeated(make(self.tiny, self.db_one), self.runs))
            self.load[tool] = {
                "with_database_ms": full["wall_ms"], "with_one_signature_ms": base["wall_ms"],
                "with_database_cpu_ms": full["cpu_ms"],
                "engine_load_ms": full["wall_ms"]["median"] - base["wall_ms"]["median"],
                "peak_rss_kib": full["peak_rss_kib"], "peak_rss_one_signature_kib": base["peak_rss_kib"],
                "command": shown(make(self.tiny, self.db), self.work),
            }
        return self.load

    def _row(self, stage, name, ours, anchor, ok_anchor=(0, 1), extra=None):
        print(f"  scan: {stage}", flush=True)
        p = paired(ours, anchor, self.runs, ok_anchor=ok_anchor,
                   job_cpu=job_cpu_reader(self.work / "scan"))
        their_load = self.load["clamscan"]["with_database_cpu_ms"]["median"]
        row = {
            "section": "scan", "stage": stage, "input": name,
            "ours_command": shown(ours, self.work), "anchor_command": shown(anchor, self.work),
            "ours": summary(p.ours), "anchor": summary(p.anchor),
            "ratio": {"wall": spread(p.ratios("wall_ms")), "cpu": spread(p.ratios("cpu_ms")),
                      "per_job": per_job(p, their_load)},
            "target": None, "note": "per job = scan only: our pipeline's CPU against clamscan's CPU less its start-up + engine load",
        }
        if extra:
            row.update(extra)
        self.rows.append(row)
        return row

    def big_file(self, path: Path):
        return self._row("scan a 95 MB video vs clamscan", path.name, self.ours(path, self.db),
                         self.theirs(path, self.db))

    def directory(self, files, service_scan_ms):
        """clamscan -r over a directory holding the mixed files, next to the sum
        of our scan stage times for the same files in the service runs (one
        `process` per file would reload the engine each time)."""
        d = self.work / "mixed"
        d.mkdir(exist_ok=True)
        for i, f in enumerate(files):
            link = d / f"{i:03d}{f.suffix}"
            if not link.exists():
                link.symlink_to(f)
        print("  scan: mixed directory, clamscan -r", flush=True)
        anchor = self.theirs(d, self.db, recursive=True) + ["--follow-file-symlinks=2"]
        theirs = repeated(anchor, self.runs, ok=(0, 1, 2))
        load = self.load["clamscan"]["with_database_ms"]["median"]
        their_scan = [s.wall_ms - load for s in theirs]
        row = {
            "section": "scan", "stage": f"scan {len(files)} mixed files (corpus) vs clamscan -r",
            "input": "corpus/open", "anchor_command": shown(anchor, self.work),
            "ours_command": "the scan stage's own time, summed over the same files in the service runs",
            "anchor": summary(theirs),
            "ours_scan_ms": spread(service_scan_ms),
            "anchor_scan_ms": spread(their_scan),
            "ratio": {"per_job": spread([o / t for o, t in zip(service_scan_ms, their_scan)])},
            "target": None,
            "note": "scan only on both sides: clamscan's start-up + engine load run taken off",
        }
        self.rows.append(row)
        return row
