"""office.py — Office documents through the service (`run --embedded`, the
office process warm): per document, the CPU of the office process and the
children it forked and reaped (/proc: utime + stime + cutime + cstime) and
the batch's wall time per document, against `soffice --headless
--convert-to png` of the same file run whole (same run, after each batch);
the jobs/s of an Office batch; and the small-JPEG batch's jobs/s with
Office documents in the same batch against without, the other families'
cost of sharing the machine with LibreOffice."""

import subprocess
import time
from pathlib import Path

import service
from measure import repeated, spread


def _ticks_ms(pid):
    """CPU of a process and its reaped children, ms."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return ticks * 1000 / 100  # USER_HZ


def _office_pid(worker):
    out = subprocess.run(["pgrep", "-P", str(worker.proc.pid), "-f", "asset-worker-office"],
                         capture_output=True, text=True)
    return int(out.stdout.split()[0])


def _batch(w, work, files, tag, suffix=None):
    """One batch: its completed jobs and their jobs/s (of the files whose
    name ends in suffix only, when given: the JPEGs of a mixed batch)."""
    batch = service.links(work, files, tag)
    sent = w.upload(batch)
    events, _ = w.wait_done(set(sent))
    counted = {p.stem for p in batch if suffix is None or p.suffix == suffix}
    done = [e for e in events if e["type"] == "asset.job.completed"
            and e["data"]["assetId"] in counted]
    end = max(service._ms(e["received"]) for e in done)
    return [e["data"] for e in done], len(done) / ((end - min(sent.values())) / 1000)


def measure(bin_path, work: Path, db, docs, small, runs, concurrency=2):
    """The Office rows; docs: documents (one of each kind), small: JPEGs."""
    w = service.Worker(bin_path, work, concurrency, db, "office", reuse=False)
    rows = {"documents": [d.name for d in docs], "executors": concurrency, "runs": runs}
    try:
        office = _office_pid(w)
        per_doc_cpu, per_doc_wall, office_rate, jpeg_alone, jpeg_mixed = [], [], [], [], []
        many = docs * 4
        for r in range(runs + 1):
            before = _ticks_ms(office)
            done, rate = _batch(w, work, many, f"office-{r}")
            cpu = (_ticks_ms(office) - before) / len(done)
            _, alone = _batch(w, work, small, f"jpeg-alone-{r}")
            _, mixed = _batch(w, work, small + many, f"jpeg-mixed-{r}", suffix=".jpg")
            if r == 0:
                continue  # the warm-up
            per_doc_cpu.append(cpu)
            per_doc_wall.append(1000 / rate)
            office_rate.append(rate)
            jpeg_alone.append(alone)
            jpeg_mixed.append(mixed)
        rows["office_cpu_ms_per_doc"] = spread(per_doc_cpu)
        rows["job_wall_ms_per_doc"] = spread(per_doc_wall)
        rows["office_jobs_per_s"] = spread(office_rate)
        rows["jpeg_jobs_per_s_alone"] = spread(jpeg_alone)
        rows["jpeg_and_office_jobs_per_s"] = spread(jpeg_mixed)
        rows["office_rss_kib"] = int(Path(f"/proc/{office}/status").read_text()
                                     .split("VmRSS:")[1].split()[0])
    finally:
        w.stop()
    anchor = [repeated(["soffice", f"-env:UserInstallation=file://{work}/soffice-profile",
                        "--headless", "--convert-to", "png", "--outdir", work / "soffice", d],
                       runs) for d in docs]
    rows["soffice_cpu_ms_per_doc"] = spread([s.cpu_ms for a in anchor for s in a])
    rows["soffice_wall_ms_per_doc"] = spread([s.wall_ms for a in anchor for s in a])
    rows["cpu_ratio"] = rows["office_cpu_ms_per_doc"]["median"] / rows["soffice_cpu_ms_per_doc"]["median"]
    rows["wall_ratio"] = rows["job_wall_ms_per_doc"]["median"] / rows["soffice_wall_ms_per_doc"]["median"]
    return rows


def table(rows):
    """Markdown lines of the Office rows."""
    if not rows:
        return []
    ms = lambda s: f"{s['median']:.0f} [{s['min']:.0f}–{s['max']:.0f}]"
    rate = lambda s: f"{s['median']:.2f} [{s['min']:.2f}–{s['max']:.2f}]"
    return [
        f"Office documents through the service ({', '.join(rows['documents'])}, each 4 times a "
        f"batch, {rows['executors']} executors and office slots), against `soffice --headless "
        "--convert-to png` of each, whole:",
        "",
        "| figure | ours | soffice | ratio |",
        "|---|---|---|---|",
        f"| CPU per document (office process and its children) | {ms(rows['office_cpu_ms_per_doc'])} ms "
        f"| {ms(rows['soffice_cpu_ms_per_doc'])} ms | {rows['cpu_ratio']:.2f} |",
        f"| wall per document (the batch's time / its documents) | {ms(rows['job_wall_ms_per_doc'])} ms "
        f"| {ms(rows['soffice_wall_ms_per_doc'])} ms | {rows['wall_ratio']:.2f} |",
        f"| Office batch, jobs/s | {rate(rows['office_jobs_per_s'])} | | |",
        f"| small JPEGs alone, jobs/s | {rate(rows['jpeg_jobs_per_s_alone'])} | | |",
        f"| the same JPEGs with the Office documents in their batch, JPEG jobs/s | "
        f"{rate(rows['jpeg_and_office_jobs_per_s'])} | | |",
        f"| the office process's RSS after the batches | {rows['office_rss_kib'] // 1024} MiB | | |",
        "",
    ]
