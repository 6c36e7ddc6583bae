"""reuse.py — recipes and content-hash reuse through the service (issue 19):
`run --embedded`, 2 executors, file:// storage.

  originals   N small JPEGs uploaded as new assets: wall time, the pipeline's
              CPU (Σ cpuMs of the executors) and the worker's whole CPU
              (supervisor + executors) per job;
  duplicates  the same N files' bytes under N new asset ids: the same figures,
              how many were reused, and the ratio to the originals (target:
              pipeline CPU ≤ 5 % of the originals');
  outdated    `asset-worker regenerate --outdated` for every original asset
              of every round (≥ 100) with nothing changed: how many jobs ran
              a stage (target: none) and the wall time per asset."""

import json
import subprocess
import time
from pathlib import Path

import service
from measure import spread

EXECUTORS = 2


def _completed_of_jobs(w, jobs, timeout=600):
    """asset.job.completed data of these job ids, once all arrived."""
    end, found = time.time() + timeout, {}
    with open(w.events_path) as f:
        while time.time() < end and len(found) < len(jobs):
            lines = service.complete_lines(f)
            if not lines:
                time.sleep(0.05)
                continue
            for e in map(json.loads, lines):
                if e["type"] == "asset.job.completed" and e["data"]["jobId"] in jobs:
                    found[e["data"]["jobId"]] = e["data"]
    if len(found) < len(jobs):
        raise RuntimeError(f"{len(jobs) - len(found)} jobs not done in {timeout} s")
    return found


def _batch(w, files):
    before = w.cpu_ms()
    start = time.time()
    sent = w.upload(files)
    events, _ = w.wait_done(set(sent))
    wall = time.time() - start
    after = w.cpu_ms()
    done = [e["data"] for e in events if e["type"] == "asset.job.completed"]
    n = max(len(done), 1)
    return {
        "jobs": len(done),
        "wall_ms_per_job": wall * 1000 / n,
        "pipeline_cpu_ms_per_job": sum(d.get("cpuMs", 0) for d in done) / n,
        "worker_cpu_ms_per_job": (sum(after) - sum(before)) / n,
        "reused": sum(1 for d in done if d.get("reusedFrom")),
        "assets": sorted(sent),
    }


def _outdated(w, assets, keys):
    lines = "".join(json.dumps({"assetId": a, "storageKey": keys[a], "mimeType": "image/jpeg"}) + "\n"
                    for a in assets)
    start = time.time()
    out = subprocess.run([w.bin, "regenerate", "--brokers", w.brokers, "--outdated", "--file", "-"],
                         input=lines, capture_output=True, text=True, check=True)
    jobs = {line.split()[1] for line in out.stdout.splitlines()}
    done = _completed_of_jobs(w, jobs)
    wall = time.time() - start
    return {"jobs": len(done), "wall_ms_per_asset": wall * 1000 / max(len(done), 1),
            "stages_run": sum(1 for d in done.values() if d.get("timings")),
            "all_current": sum(1 for d in done.values()
                               if set((d.get("outputs") or {}).values()) == {"current"})}


def measure(bin_path, work: Path, db: Path, rounds_of_files, runs):
    """rounds_of_files: runs + 1 lists of different files (a warm-up first),
    so each round's originals are new bytes."""
    files = rounds_of_files[0]
    print(f"  reuse: {len(files)} originals, their duplicates, outdated over them; {runs} rounds",
          flush=True)
    w = service.Worker(bin_path, work, EXECUTORS, db, "reuse", reuse=True)
    rounds, all_originals = [], []
    try:
        for r in range(runs + 1):
            originals = _batch(w, service.links(work, rounds_of_files[r], f"reuse-o{r}"))
            duplicates = _batch(w, service.links(work, rounds_of_files[r], f"reuse-d{r}"))
            all_originals += originals["assets"]
            if r > 0:
                rounds.append((originals, duplicates))
        # every original asset so far (≥ 100 with the default 5 rounds of 20):
        # nothing changed, so no stage may run
        outdated = [_outdated(w, all_originals, _storage_keys(w, all_originals)) for _ in range(runs)]
    finally:
        w.stop()
    o, d = zip(*rounds)
    return {
        "files": len(files), "executors": EXECUTORS,
        "original": {k: spread([x[k] for x in o]) for k in
                     ("wall_ms_per_job", "pipeline_cpu_ms_per_job", "worker_cpu_ms_per_job")},
        "duplicate": {k: spread([x[k] for x in d]) for k in
                      ("wall_ms_per_job", "pipeline_cpu_ms_per_job", "worker_cpu_ms_per_job")},
        "duplicate_reused": [x["reused"] for x in d],
        "pipeline_cpu_ratio": spread([x["pipeline_cpu_ms_per_job"] / max(y["pipeline_cpu_ms_per_job"], 1e-9)
                                      for x, y in zip(d, o)]),
        "worker_cpu_ratio": spread([x["worker_cpu_ms_per_job"] / max(y["worker_cpu_ms_per_job"], 1e-9)
                                    for x, y in zip(d, o)]),
        "outdated": {"assets": outdated[-1]["jobs"], "stages_run": [x["stages_run"] for x in outdated],
                     "all_current": [x["all_current"] for x in outdated],
                     "wall_ms_per_asset": spread([x["wall_ms_per_asset"] for x in outdated])},
    }


def _storage_keys(w, assets):
    """Each asset's source key, as `asset-worker upload` stored it."""
    keys = {}
    root = Path(w.storage.removeprefix("file://"))
    for a in assets:
        match = next((p for p in (root / "uploads" / a).iterdir()), None)
        keys[a] = str(match.relative_to(root)) if match else f"uploads/{a}"
    return keys
