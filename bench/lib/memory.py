"""memory.py — N executors sharing one ClamAV engine against N processes each
loading its own, doing the same N jobs at once (the 95 MB video, every
stage). Sampled every 50 ms: the sum of RSS (which counts a shared page once
per process) and of PSS (each shared page split between the processes that
map it: the memory really used) over every process, at their peak."""

import subprocess
import threading
import time
from pathlib import Path

from service import Worker


def _rollup(pid):
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return rss, pss


def _sum(pids):
    rss = pss = 0
    for pid in pids:
        r, p = _rollup(pid)
        rss, pss = rss + r, pss + p
    return rss, pss


def _sample_until(pids_of, done):
    peak_rss = peak_pss = 0
    while not done():
        rss, pss = _sum(pids_of())
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(0.05)
    return {"peak_rss_sum_kib": peak_rss, "peak_pss_sum_kib": peak_pss}


def shared(bin_path, work: Path, db: Path, video: Path, n):
    w = Worker(bin_path, work, n, db, f"memory-{n}")
    try:
        time.sleep(1)
        rss, pss = _sum(w.pids())
        idle = {"rss_sum_kib": rss, "pss_sum_kib": pss, "processes": len(w.pids())}
        copies = []
        for i in range(n):
            link = work / f"mem-{n}-{i}{video.suffix}"
            if not link.exists():
                link.symlink_to(video)
            copies.append(link)
        sent = w.upload(copies)
        t = threading.Thread(target=w.wait_done, args=(set(sent),))
        t.start()
        busy = _sample_until(w.pids, lambda: not t.is_alive())
        t.join()
    finally:
        w.stop()
    return {"idle": idle, "busy": busy}


def separate(bin_path, work: Path, db: Path, video: Path, n):
    procs = [subprocess.Popen([str(bin_path), "process", str(video), "--clamav-db", str(db),
                               "--out", str(work / f"sep-{n}-{i}")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for i in range(n)]
    busy = _sample_until(lambda: [p.pid for p in procs if p.poll() is None],
                         lambda: all(p.poll() is not None for p in procs))
    if any(p.returncode != 0 for p in procs):
        raise RuntimeError(f"asset-worker process failed on {video}: exit {[p.returncode for p in procs]}")
    return {"busy": busy}


def compare(bin_path, work: Path, db: Path, video: Path, counts=(2, 4)):
    out = {}
    for n in counts:
        print(f"  memory: {n} executors sharing one engine vs {n} processes with one each", flush=True)
        out[str(n)] = {"shared": shared(bin_path, work, db, video, n),
                       "separate": separate(bin_path, work, db, video, n)}
    return out
