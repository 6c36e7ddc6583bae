"""service.py — the whole service through the embedded broker: `run
--embedded` with C executors, files uploaded with `asset-worker upload` in
one burst per batch, status events read back with `asset-worker events`.

Per batch:
  jobs/s       files / (last asset.job.completed received − first upload
               event acknowledged);
  latency      each upload event acknowledged by the broker → its
               asset.job.completed received by the consumer (p50, p99);
  in worker    the job's "queued" progress event → its completed event;
  overhead     CPU of the worker's processes during the batch against the
               pipeline's own CPU (Σ cpuMs the executors measured), split
               into the supervisor (Kafka client, storage, events; the mock
               broker's threads are not counted: in production the broker
               is elsewhere) and the executors' lifecycle (fork from the
               zygote, sandbox, exit), which is the price of one process per
               job; that lifecycle also per job in ms (executors' CPU − Σ
               cpuMs, over the jobs), and the mock broker's threads per job
               on their own (not a pod's cost; they also serve the bench's
               two event readers);
  busy         growth of asset_worker_executor_busy_seconds_total (/metrics)
               over executors × the batch's span;
  backlog      jobs/s and busy again over the span from the first job handed
               to an executor ("queued") to the last job's event: the
               figures of a pod that has a backlog, without the mock
               broker's first delivery (it answers a fetch when its long
               poll runs out, up to 500 ms, where a real broker answers when
               data arrives); sharp's figures start at its first file too;
  anchor       optionally a command run on the same files between our
               batches, alternating which goes first (bench/lib/sharp.py),
               and our jobs/s over its jobs/s, pair by pair;
  memory       the supervisor's peak RSS, the zygote's RSS, and each
               executor's peak RSS per media family (from its result)."""

import json
from collections import Counter
import os
import signal
import socket
import statistics
import subprocess
import time
from datetime import datetime
from pathlib import Path

from measure import spread

TICK = os.sysconf("SC_CLK_TCK")
# The bench's own consumers ask the mock broker every 10 ms: it answers a
# fetch when its wait expires, not when data arrives as a real broker does.
# The worker keeps its defaults.
READER_ENV = {**os.environ, "AW_RDKAFKA_FETCH_WAIT_MAX_MS": "10"}


def _ms(iso):
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000


def _stat_ticks(path):
    """utime + stime and cutime + cstime of /proc/…/stat."""
    fields = Path(path).read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def _mock_ticks(pid):
    """utime + stime of the embedded mock broker's threads (rdk:mock*)."""
    return sum(_stat_ticks(t / "stat")[0] for t in Path(f"/proc/{pid}/task").iterdir()
               if (t / "comm").read_text().strip().startswith("rdk:mock"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


BUSY = "asset_worker_executor_busy_seconds_total"


def metric(port, name):
    """One unlabelled series of the worker's /metrics."""
    out = subprocess.run(["curl", "-s", f"http://127.0.0.1:{port}/metrics"], capture_output=True,
                         text=True).stdout
    return next((float(l.split()[1]) for l in out.splitlines() if l.startswith(name + " ")), 0.0)


def _status_kib(pid, key):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def complete_lines(f):
    """The whole lines written to f since the last call: a line the reader
    process is still writing is left for the next call."""
    lines = []
    while True:
        at = f.tell()
        line = f.readline()
        if not line.endswith("\n"):
            f.seek(at)
            return lines
        lines.append(line)


class Worker:
    def __init__(self, bin_path, work: Path, concurrency, db: Path, label, storage=None, env=None,
                 http_port=0, reuse=False):
        self.bin = str(bin_path)
        self.dir = work / f"svc-{label}"
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "storage").mkdir(exist_ok=True)
        self.storage = storage or f"file://{self.dir / 'storage'}"
        self.log = self.dir / "worker.log"
        out = open(self.dir / "worker.out", "w")
        self.proc = subprocess.Popen(
            [self.bin, "run", "--embedded", "--http-port", str(http_port), "--concurrency",
             str(concurrency), "--storage", self.storage, "--clamav-db", str(db),
             "--clamav-watch", "off", "--log-format", "json",
             # the batches upload the same bytes again: processing is what is measured
             "--reuse", "on" if reuse else "off"],
            stdout=out, stderr=open(self.log, "w"), start_new_session=True, env=env)
        self.brokers = self._wait_for(lambda: next(
            (l.split("=", 1)[1].strip() for l in (self.dir / "worker.out").read_text().splitlines()
             if l.startswith("bootstrap.servers=")), None))
        # a production-size ClamAV database takes the zygote 20 s or more to load
        self._wait_for(lambda: "assigned" in self.log.read_text() or None, 180)
        self.events_path, self.dlq_path = self.dir / "events.jsonl", self.dir / "dlq.jsonl"
        self.readers = [subprocess.Popen(
            [self.bin, "events", "--brokers", self.brokers, "--topic", topic, "--json"],
            stdout=open(path, "w"), stderr=subprocess.DEVNULL, env=READER_ENV)
            for topic, path in (("asset.events", self.events_path), ("asset.dlq", self.dlq_path))]

    def _wait_for(self, probe, seconds=30):
        end = time.time() + seconds
        while time.time() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited: {self.log.read_text()[-3000:]}")
            value = probe()
            if value:
                return value
            time.sleep(0.1)
        raise RuntimeError(f"worker not ready: {self.log.read_text()[-3000:]}")

    def pids(self):
        out = subprocess.run(["pgrep", "-g", str(self.proc.pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def cpu_ms(self):
        """(supervisor without the mock broker's threads, zygotes and executors)."""
        sup = other = 0
        for pid in self.pids():
            try:
                own, reaped = _stat_ticks(f"/proc/{pid}/stat")
                if pid == self.proc.pid:
                    sup += own - _mock_ticks(pid)
                else:
                    other += own + reaped
            except (FileNotFoundError, ProcessLookupError):
                pass  # an executor that just exited: the zygote's reaped time has it
        return sup * 1000 / TICK, other * 1000 / TICK

    def broker_cpu_ms(self):
        """The embedded mock broker's threads (left out of cpu_ms)."""
        return _mock_ticks(self.proc.pid) * 1000 / TICK

    def zygote_pid(self):
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid), "-f", "asset-worker-zygote"],
                             capture_output=True, text=True)
        return int(out.stdout.split()[0])

    def upload(self, files, env=None):
        out = subprocess.run([self.bin, "upload", "--brokers", self.brokers, "--storage",
                              self.storage, *map(str, files)], capture_output=True, text=True,
                             check=True, env=env)
        # ASSET JOB KEY CE_TIME ACKED: the latency starts when the broker has the event
        return {line.split()[0]: _ms(line.split()[4]) for line in out.stdout.splitlines()}

    def wait_done(self, assets, timeout=600):
        """The events of these assets, once each has its asset.job.completed
        or its upload event is in the dead-letter topic."""
        end, events, done, dead = time.time() + timeout, [], set(), set()
        with open(self.events_path) as f, open(self.dlq_path) as dlq:
            while time.time() < end:
                dead |= {json.loads(l)["data"]["assetId"] for l in complete_lines(dlq)}
                lines = complete_lines(f)
                if not lines:
                    if done | dead >= assets:
                        return events, dead & assets
                    time.sleep(0.05)
                    continue
                for e in map(json.loads, lines):
                    if e.get("data", {}).get("assetId") in assets:
                        events.append(e)
                        if e["type"] == "asset.job.completed":
                            done.add(e["data"]["assetId"])
        raise RuntimeError(f"batch not done in {timeout} s")

    def stop(self):
        memory = {"supervisor_peak_rss_kib": _status_kib(self.proc.pid, "VmHWM"),
                  "zygote_rss_kib": _status_kib(self.zygote_pid(), "VmRSS")}
        for r in self.readers:
            r.terminate()
            r.wait(timeout=10)
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=60)
        return memory


def batch_figures(sent, events, cpu_before, cpu_after, concurrency):
    done = {e["data"]["assetId"]: e for e in events if e["type"] == "asset.job.completed"}
    queued = {e["data"]["assetId"]: _ms(e["time"]) for e in events
              if e["type"] == "asset.job.progress" and e["data"].get("stage") == "queued"}
    latency = sorted(_ms(e["received"]) - sent[a] for a, e in done.items())
    inside = sorted(_ms(e["time"]) - queued[a] for a, e in done.items() if a in queued)
    span = max(_ms(e["received"]) for e in done.values()) - min(sent.values())
    # with a backlog: from the first job handed to an executor to the last
    # job's event (the broker's delivery of the first upload left out)
    backlog_span = max(_ms(e["time"]) for e in done.values()) - min(queued.values())
    pipeline_cpu = sum(e["data"].get("cpuMs", 0) for e in done.values())
    pipeline_wall = sum(e["data"].get("durationMs", 0) for e in done.values())
    sup = cpu_after[0] - cpu_before[0]
    execs = cpu_after[1] - cpu_before[1]
    pct = lambda v: 100 * v / pipeline_cpu
    return {
        "jobs": len(done), "jobs_per_s": len(done) / span * 1000,
        "backlog_jobs_per_s": len(done) / backlog_span * 1000, "backlog_span_ms": backlog_span,
        "latency_p50_ms": latency[len(latency) // 2], "latency_p99_ms": latency[int(len(latency) * 0.99)],
        "in_worker_p50_ms": inside[len(inside) // 2], "in_worker_p99_ms": inside[int(len(inside) * 0.99)],
        "pipeline_cpu_ms": pipeline_cpu, "pipeline_wall_ms": pipeline_wall,
        "supervisor_cpu_ms": sup, "executors_cpu_ms": execs,
        "overhead_supervisor_pct": pct(sup),
        "overhead_executor_lifecycle_pct": pct(execs - pipeline_cpu),
        "executor_lifecycle_cpu_ms_per_job": (execs - pipeline_cpu) / len(done),
        "overhead_total_pct": pct(sup + execs - pipeline_cpu),
        "capacity_overhead_pct": 100 * (span * concurrency - pipeline_wall) / pipeline_wall,
        "statuses": dict(Counter(e["data"]["status"] for e in done.values())),
        "scan_ms": sum(t["ms"] for e in done.values() for t in e["data"].get("timings", [])
                       if t.get("stage") == "scan"),
        "executor_peak_rss": [{"type": e["data"].get("metadata", {}).get("type", "UNKNOWN"),
                               "asset": a, "status": e["data"]["status"], "peak_kib": e["data"].get("peakRssKiB"),
                               "start_kib": e["data"].get("rssAtStartKiB"),
                               "scan_kib": e["data"].get("scanPeakRssKiB")} for a, e in done.items()],
    }


def links(work: Path, files, tag):
    """The files under new names (a new asset id per batch), extensions kept."""
    d = work / "batches" / tag
    d.mkdir(parents=True, exist_ok=True)
    out = []
    for i, f in enumerate(files):
        link = d / f"{tag}-{i:03d}{f.suffix.lower()}"
        link.unlink(missing_ok=True)  # made by an earlier run in the same --work
        link.symlink_to(f)
        out.append(link)
    return out


def _measured_batch(w, work, files, tag, port, concurrency):
    """One batch through the worker: batch_figures, plus the mock broker's
    CPU per job and the executors' busy share."""
    batch = links(work, files, tag)
    before, broker, busy = w.cpu_ms(), w.broker_cpu_ms(), metric(port, BUSY)
    sent = w.upload(batch)
    events, dead = w.wait_done(set(sent))
    time.sleep(0.3)  # the executors that replace the last ones are forked
    figures = batch_figures(sent, events, before, w.cpu_ms(), concurrency)
    span_s = figures["jobs"] / figures["jobs_per_s"]
    figures["broker_cpu_ms_per_job"] = (w.broker_cpu_ms() - broker) / figures["jobs"]
    busy_s = metric(port, BUSY) - busy
    figures["busy_pct"] = 100 * busy_s / (concurrency * span_s)
    figures["backlog_busy_pct"] = 100 * busy_s / (concurrency * figures["backlog_span_ms"] / 1000)
    figures["dead_lettered"] = len(dead)
    return figures, batch


KEYS = ["jobs_per_s", "latency_p50_ms", "latency_p99_ms", "in_worker_p50_ms", "in_worker_p99_ms",
        "overhead_supervisor_pct", "overhead_executor_lifecycle_pct", "overhead_total_pct",
        "capacity_overhead_pct", "pipeline_cpu_ms", "supervisor_cpu_ms", "executors_cpu_ms",
        "executor_lifecycle_cpu_ms_per_job", "broker_cpu_ms_per_job", "busy_pct", "backlog_jobs_per_s",
        "backlog_busy_pct"]


def _anchor_figures(ours, theirs):
    """The anchor's jobs/s and CPU per job, and ours / its jobs/s pair by pair."""
    return {"tool": theirs[0]["tool"],
            "jobs_per_s": spread([t["jobs_per_s"] for t in theirs]),
            "cpu_ms_per_job": spread([t["cpu_ms_per_job"] for t in theirs]),
            "ratio": spread([o["jobs_per_s"] / t["jobs_per_s"] for o, t in zip(ours, theirs)]),
            "backlog_ratio": spread([o["backlog_jobs_per_s"] / t["jobs_per_s"]
                                     for o, t in zip(ours, theirs)])}


def run_config(bin_path, work: Path, db: Path, name, files, concurrency, runs, anchor=None,
               database="bench"):
    """Warm-up + `runs` batches of `files` through one worker. anchor(files,
    concurrency), if given, runs beside each batch (after it, then before
    it, alternating, as measure.paired does) and returns its figures."""
    label = f"{''.join(ch if ch.isalnum() else '-' for ch in name)}-{concurrency}-{database}"
    print(f"  service: {name}, {concurrency} executor(s), {database} database: warm-up + {runs} "
          f"batches of {len(files)}{' (and the anchor beside each)' if anchor else ''}", flush=True)
    port = free_port()
    w = Worker(bin_path, work, concurrency, db, label, http_port=port)
    batches, theirs, origin = [], [], {}
    try:
        for b in range(runs + 1):
            anchor_first = anchor is not None and b > 0 and (b - 1) % 2 == 1  # as measure.paired
            first = anchor(files, concurrency) if anchor_first else None
            figures, batch = _measured_batch(w, work, files, f"{label}-b{b}", port, concurrency)
            origin.update({link.stem: str(f).split("/open/")[-1] for link, f in zip(batch, files)})
            after = anchor(files, concurrency) if anchor is not None and not anchor_first else None
            if b > 0:  # batch 0 warms up (and the anchor's first run with it)
                batches.append(figures)
                if anchor is not None:
                    theirs.append(first or after)
    finally:
        memory = w.stop()
    return {
        "workload": name, "executors": concurrency, "files": len(files), "database": database,
        **{k: spread([b[k] for b in batches]) for k in KEYS},
        **({"anchor": _anchor_figures(batches, theirs)} if theirs else {}),
        "statuses": {**batches[-1]["statuses"], "dead-lettered": batches[-1]["dead_lettered"]},
        "scan_ms_per_batch": [b["scan_ms"] for b in batches],
        "executor_peak_rss": [{**r, "file": origin[r["asset"]]} for b in batches
                              for r in b["executor_peak_rss"]],
        **memory,
    }


def per_family_rss(configs):
    """Largest and median executor peak RSS per media family, over every job
    of the runs with the bench's database, and the largest peak of the
    executors' scan processes (which hold the ClamAV engine, shared with the
    scanner: 1 GiB with the production-size database)."""
    by_type = {}
    for c in configs:
        if c.get("database", "bench") != "bench":
            continue
        for r in c["executor_peak_rss"]:
            if r["peak_kib"]:
                by_type.setdefault(r["type"], []).append(r)
    out = {}
    for t, rs in sorted(by_type.items()):
        peaks = [r["peak_kib"] for r in rs]
        worst = max(rs, key=lambda r: r["peak_kib"])
        out[t] = {"jobs": len(rs), "median_kib": statistics.median(peaks), "max_kib": worst["peak_kib"],
                  "max_added_kib": max(r["peak_kib"] - r["start_kib"] for r in rs),
                  "max_start_kib": max(r["start_kib"] for r in rs),
                  "scan_max_kib": max((r.get("scan_kib") or 0 for r in rs), default=0),
                  "max_file": worst["file"]}
    return out
