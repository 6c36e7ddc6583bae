"""latency.py — the service on S3 at real storage latency: s3rver (pinned in
tests/package-lock.json) behind the tests' proxy (tests/integration/
s3_fault_proxy.js), which holds every storage request DELAY ms before
passing it on, as a round trip to real S3 costs 20-100 ms. The batch's
sources are stored straight into s3rver first (not timed), then their
upload events go out in one burst; `run --embedded`, 2 executors.

Per delay:
  jobs/s          files / (last asset.job.completed received − first upload
                  event acknowledged), as in the service table;
  executors busy  growth of asset_worker_executor_busy_seconds_total
                  (/metrics) over executors × the batch's wall time;
  failed, lost    jobs not completed; "executor lost" lines in the log;
  supervisor CPU  the supervisor process (transfer threads included, the mock
                  broker's threads not) against the pipeline's own CPU.
One more row: a 95 MB source first in line, served at 10 MB/s with 20 ms per
request, and the small batch behind it: how many small jobs completed
before the large one reached an executor."""

import json
import os
import subprocess
import time
from pathlib import Path

import service
from measure import spread

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent.parent / "tests"
DELAYS = tuple(int(d) for d in os.environ.get("AW_BENCH_DELAYS", "0,20,50,100").split(","))
EXECUTORS = 2


def _wait_line(path: Path, prefix, seconds=30):
    end = time.time() + seconds
    while time.time() < end:
        for line in path.read_text().splitlines() if path.exists() else []:
            if prefix in line:
                return line
        time.sleep(0.1)
    raise RuntimeError(f"{path}: no '{prefix}' in {seconds} s")


class S3:
    """s3rver on a free port, and proxies in front of it."""

    def __init__(self, work: Path):
        self.dir = work / "s3"
        (self.dir / "data").mkdir(parents=True, exist_ok=True)
        self.port = service.free_port()
        out = self.dir / "s3rver.out"
        self.proc = subprocess.Popen(
            [str(TESTS / "node_modules/.bin/s3rver"), "-d", str(self.dir / "data"), "-a",
             "127.0.0.1", "-p", str(self.port), "--configure-bucket", "assets"],
            stdout=open(out, "w"), stderr=subprocess.STDOUT)
        _wait_line(out, "listening")
        self.env = {**os.environ, "AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER",
                    "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": f"http://127.0.0.1:{self.port}"}

    def proxy(self, tag, delay_ms, bytes_per_s=0):
        out, stats = self.dir / f"proxy-{tag}.out", self.dir / f"proxy-{tag}.json"
        proc = subprocess.Popen(
            ["node", str(TESTS / "integration/s3_fault_proxy.js"), str(self.port), "-", str(stats),
             str(delay_ms), str(bytes_per_s)], stdout=open(out, "w"), stderr=subprocess.STDOUT)
        port = int(_wait_line(out, "port ").split()[1])
        return proc, {**self.env, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}, stats

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def _batch(w, s3, files, tag, port, work):
    batch = service.links(work, files, tag)
    cpu0, busy0 = w.cpu_ms(), service.metric(port, service.BUSY)
    sent = w.upload(batch, env=s3.env)  # stored straight into s3rver, then published
    events, dead = w.wait_done(set(sent))
    fig = service.batch_figures(sent, events, cpu0, w.cpu_ms(), EXECUTORS)
    span_s = fig["jobs"] / fig["jobs_per_s"]
    fig["busy_fraction"] = (service.metric(port, service.BUSY) - busy0) / (EXECUTORS * span_s)
    fig["failed"] = sum(n for st, n in fig["statuses"].items() if st != "completed") + len(dead)
    return fig, events, sent


def _one_delay(bin_path, work, db, s3, files, delay, runs):
    proxy, env, stats = s3.proxy(f"d{delay}", delay)
    port = service.free_port()
    label = f"s3-{delay}ms"
    w = service.Worker(bin_path, work, EXECUTORS, db, label, storage=f"s3://assets/{label}",
                       env=env, http_port=port)
    figures = []
    try:
        for b in range(runs + 1):
            fig, _, _ = _batch(w, s3, files, f"{label}-b{b}", port, work)
            if b > 0:  # batch 0 warms up
                figures.append(fig)
        lost = w.log.read_text().count("executor lost")
    finally:
        w.stop()
        proxy.terminate()
    keys = ("jobs_per_s", "busy_fraction", "overhead_supervisor_pct")
    proxied = json.loads(Path(stats).read_text())
    return {"delay_ms": delay, "files": len(files), "executors": EXECUTORS,
            **{k: spread([f[k] for f in figures]) for k in keys},
            "failed": sum(f["failed"] for f in figures), "executors_lost": lost,
            "requests": proxied.get("requests"), "max_requests_in_flight": proxied.get("maxInFlight")}


def _large_first(bin_path, work, db, s3, files):
    big = work / "large-source.jpg"
    with open(big, "wb") as f:  # a JPEG header, then zeros: 95 MB
        f.write(b"\xff\xd8\xff\xe0")
        f.truncate(95 << 20)
    proxy, env, _ = s3.proxy("large", 20, 10 << 20)
    port = service.free_port()
    w = service.Worker(bin_path, work, EXECUTORS, db, "s3-large", storage="s3://assets/large",
                       env=env, http_port=port)
    try:
        fig, events, sent = _batch(w, s3, [big, *files], "large", port, work)
    finally:
        w.stop()
        proxy.terminate()
    big_asset = min(sent, key=sent.get)  # uploaded first
    started = next(service._ms(e["time"]) for e in events if e["type"] == "asset.job.progress"
                   and e["data"]["assetId"] == big_asset and e["data"].get("stage") == "queued")
    small_done = [service._ms(e["time"]) for e in events if e["type"] == "asset.job.completed"
                  and e["data"]["assetId"] != big_asset]
    return {"delay_ms": 20, "bytes_per_s": 10 << 20, "small": len(files),
            "small_done_before_large_started": sum(t < started for t in small_done),
            "large_waited_s": (started - sent[big_asset]) / 1000, "failed": fig["failed"]}


def measure(bin_path, work: Path, db: Path, files, runs):
    if not (TESTS / "node_modules/.bin/s3rver").exists():
        print("  storage latency: s3rver missing (npm ci in tests/): left out", flush=True)
        return None
    s3 = S3(work)
    try:
        rows = []
        for delay in DELAYS:
            print(f"  storage latency: {delay} ms per request, {len(files)} JPEGs, "
                  f"{EXECUTORS} executors, warm-up + {runs} batches", flush=True)
            rows.append(_one_delay(bin_path, work, db, s3, files, delay, runs))
        print("  storage latency: a 95 MB source ahead of the batch", flush=True)
        return {"rows": rows, "large_first": _large_first(bin_path, work, db, s3, files)}
    finally:
        s3.stop()
