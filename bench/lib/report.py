"""report.py — bench/RESULTS.md from the results dictionary (the same one
written as bench/results.json)."""

TARGET_RSS_MIB = 256


def mib(kib):
    return f"{kib / 1024:.0f}"


def ms(s):
    """median [min–max] of a spread, in ms."""
    return f"{s['median']:.0f} [{s['min']:.0f}–{s['max']:.0f}]"


def ratio(s):
    if s is None:
        return "—"
    return f"{s['median']:.2f} [{s['min']:.2f}–{s['max']:.2f}]"


def pct(s):
    return f"{s['median']:.1f} [{s['min']:.1f}–{s['max']:.1f}]"


def verdict(value, target, unit=""):
    shown, limit = (f"{value:.1f} %", f"{target} %") if unit == "%" else (f"{value:.2f}", f"{target}")
    if value <= target:
        return f"met ({shown} ≤ {limit})"
    how_much = f"{value - target:.1f} points" if unit == "%" else f"{100 * (value / target - 1):.0f} %"
    return f"**missed by {how_much}** ({shown} > {limit})"


def at_least(value, target):
    """verdict() for a figure that must reach its target."""
    if value >= target:
        return f"met ({value:.2f} ≥ {target})"
    return f"**missed by {100 * (1 - value / target):.0f} %** ({value:.2f} < {target})"


def opt(s, shown=ms):
    """A spread shown, or "—" where an older results.json lacks it."""
    return "—" if s is None else shown(s)


def workload(c):
    """The workload's name, with the database where it is not the bench's."""
    db = c.get("database", "bench")
    return c["workload"] + ("" if db == "bench" else f", {db}-size database")


def stage_table(rows):
    out = ["| stage | input | ours ms | anchor ms | wall ratio | CPU ratio | per-job ratio | "
           "ours / anchor peak RSS MiB |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r['stage']} | {r['input']} | {ms(r['ours']['wall_ms'])} | "
                   f"{ms(r['anchor']['wall_ms'])} | {ratio(r['ratio']['wall'])} | "
                   f"{ratio(r['ratio']['cpu'])} | {ratio(r['ratio']['per_job'])} | "
                   f"{mib(r['ours']['peak_rss_kib']['max'])} / {mib(r['anchor']['peak_rss_kib']['max'])} |")
    return out


def targets(res):
    out = ["| target | where | wall ratio, whole commands | per-job CPU ratio (start-up off) |",
           "|---|---|---|---|"]
    for r in res["stages"] + res["scan"]:
        if r.get("target") is not None:
            out.append(f"| {r['stage']} ≤ {r['target']}× | {r['input']} | "
                       f"{verdict(r['ratio']['wall']['median'], r['target'])} | "
                       f"{verdict(r['ratio']['per_job']['median'], r['target']) if r['ratio']['per_job'] else '—'} |")
    for c in res["service"]:
        o = c["overhead_supervisor_pct"]["median"]
        t = c["overhead_total_pct"]["median"]
        out.append(f"| Kafka + supervisor + storage CPU overhead ≤ 5 % | service, {workload(c)}, "
                   f"{c['executors']} executor(s) | {verdict(o, 5, '%')} "
                   f"| with the executors' fork/exit: {verdict(t, 5, '%')} |")
    out += anchor_targets(res["service"])
    worst = max(res["executor_rss_per_family"].values(), key=lambda f: f["max_kib"], default=None)
    if worst:
        over = [t for t, f in res["executor_rss_per_family"].items() if f["max_kib"] / 1024 > TARGET_RSS_MIB]
        out.append(f"| executor peak RSS ≤ {TARGET_RSS_MIB} MiB on every file | service, every job | "
                   f"largest {mib(worst['max_kib'])} MiB ({worst['max_file']}): "
                   f"{'met' if not over else '**missed**: ' + ', '.join(over)} | |")
    for r in res["stages"]:
        if r.get("rss_target_mib") is not None:
            peak = r["ours"]["peak_rss_kib"]["max"]
            out.append(f"| executor peak RSS ≤ {r['rss_target_mib']} MiB, 3D model | {r['input']}, "
                       f"`process --no-scan` (no zygote, no ClamAV engine) | largest {mib(peak)} MiB: "
                       f"{'met' if peak / 1024 <= r['rss_target_mib'] else '**missed**'} | |")
    return out


def anchor_targets(configs):
    out = []
    for c in configs:
        a = c.get("anchor")
        if a:
            out.append(f"| small JPEGs: ≥ 1.0× sharp jobs/s | service, {workload(c)}, {c['executors']} "
                       f"executor(s), {c['files']} files; {a['tool']} | {at_least(a['ratio']['median'], 1.0)} "
                       f"| ours {c['jobs_per_s']['median']:.2f} jobs/s, sharp {a['jobs_per_s']['median']:.2f} |")
            if a.get("backlog_ratio") and c.get("backlog_jobs_per_s"):
                out.append(f"| the same with a backlog (from the first job's start) | as above | "
                           f"{at_least(a['backlog_ratio']['median'], 1.0)} | ours "
                           f"{c['backlog_jobs_per_s']['median']:.2f} jobs/s |")
            if c.get("backlog_busy_pct"):
                out.append(f"| executors busy ≥ 95 % with a backlog | {workload(c)}, {c['executors']} "
                           f"executor(s) | {at_least(c['backlog_busy_pct']['median'] / 100, 0.95)} | "
                           f"{c['backlog_busy_pct']['median']:.1f} % |")
    return out


def model_notes(rows):
    """The two sides of each 3D row's per-job ratio, and its peak RSS."""
    out = [f"- {r['input']}: per job, our pipeline {ms(r['ours_job_cpu_ms'])} ms CPU (`cpuMs`: the "
           f"model imported by each of the two stages, rendered, three sizes encoded), `assimp info` "
           f"{ms(r['anchor_work_cpu_ms'])} ms beyond its start-up (import with its own "
           f"post-processing); our peak RSS {mib(r['ours']['peak_rss_kib']['max'])} MiB "
           f"(target ≤ {r['rss_target_mib']} MiB)" for r in rows if "ours_job_cpu_ms" in r]
    return out + ["- OBJ and glTF start-up of `assimp info` are measured apart (one-triangle files): "
                  "its OBJ path costs more from the start."]


def service_table(configs):
    out = ["| workload | executors | files | jobs/s | latency p50 ms | p99 ms | in worker p50 ms | "
           "p99 ms | supervisor CPU % | executor fork/exit CPU % | fork/exit CPU ms/job | total % | "
           "capacity overhead % | executors busy % | mock broker CPU ms/job | jobs/s with a backlog | "
           "busy % with a backlog |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for c in configs:
        out.append(f"| {workload(c)} | {c['executors']} | {c['files']} | {ratio(c['jobs_per_s'])} | "
                   f"{ms(c['latency_p50_ms'])} | {ms(c['latency_p99_ms'])} | {ms(c['in_worker_p50_ms'])} | "
                   f"{ms(c['in_worker_p99_ms'])} | {pct(c['overhead_supervisor_pct'])} | "
                   f"{pct(c['overhead_executor_lifecycle_pct'])} | "
                   f"{opt(c.get('executor_lifecycle_cpu_ms_per_job'), pct)} | {pct(c['overhead_total_pct'])} | "
                   f"{pct(c['capacity_overhead_pct'])} | {opt(c.get('busy_pct'), pct)} | "
                   f"{opt(c.get('broker_cpu_ms_per_job'), pct)} | {opt(c.get('backlog_jobs_per_s'), ratio)} | "
                   f"{opt(c.get('backlog_busy_pct'), pct)} |")
    return out


def service_notes(configs):
    """Each row's statuses and anchor, then the executors' lifecycle and the
    zygote at each database size."""
    out = []
    for c in configs:
        out.append(f"- {workload(c)}, {c['executors']} executor(s): statuses {c['statuses']}")
        a = c.get("anchor")
        if a:
            out.append(f"  - anchor: {a['tool']} made the three thumbnails of the same {c['files']} files "
                       f"at {ratio(a['jobs_per_s'])} jobs/s, {ms(a['cpu_ms_per_job'])} ms CPU per job "
                       f"({c['executors']} in flight, one libvips thread each); ours / sharp jobs/s "
                       f"{ratio(a['ratio'])}, pair by pair"
                       + (f"; with a backlog {ratio(a['backlog_ratio'])}" if a.get("backlog_ratio") else ""))
    sized = [c for c in configs if "executor_lifecycle_cpu_ms_per_job" in c and c["workload"].startswith("small")]
    if len({c.get("database") for c in sized}) > 1:
        out += ["", "Executors' fork/sandbox/exit per job (their CPU less Σ cpuMs, over the jobs) by ClamAV "
                "database size, with the zygote's RSS (since issue 29's scanner the engine is not in it but in the scanner, a child of the zygote, and its scan processes; before, it was, and every executor shared it):", ""]
        out += [f"- {workload(c)}, {c['executors']} executor(s): {pct(c['executor_lifecycle_cpu_ms_per_job'])} ms "
                f"per job, {pct(c['overhead_executor_lifecycle_pct'])} % of the pipeline's CPU; zygote "
                f"{mib(c['zygote_rss_kib'])} MiB" for c in sized]
    return out


def latency_table(lat):
    base = lat["rows"][0]["jobs_per_s"]["median"]
    out = ["| delay per storage request | jobs/s | vs 0 ms | executors busy % | jobs failed | "
           "executors lost | requests (most at once) | supervisor CPU % of pipeline |",
           "|---|---|---|---|---|---|---|---|"]
    for r in lat["rows"]:
        busy = {k: 100 * v for k, v in r["busy_fraction"].items()}
        out.append(f"| {r['delay_ms']} ms | {ratio(r['jobs_per_s'])} | "
                   f"{r['jobs_per_s']['median'] / base:.2f} | {pct(busy)} | {r['failed']} | "
                   f"{r['executors_lost']} | {r['requests']} ({r['max_requests_in_flight']}) | "
                   f"{pct(r['overhead_supervisor_pct'])} |")
    big = lat["large_first"]
    out += ["", f"A 95 MB source first in line, served at {big['bytes_per_s'] >> 20} MB/s with "
            f"{big['delay_ms']} ms per request, {big['small']} small JPEGs behind it: "
            f"{big['small_done_before_large_started']} of them completed before the large one "
            f"reached an executor ({big['large_waited_s']:.1f} s after its upload event); "
            f"jobs failed: {big['failed']}."]
    return out


def latency_targets(lat):
    rows = {r["delay_ms"]: r for r in lat["rows"]}
    at0, at50 = rows[0]["jobs_per_s"]["median"], rows[50]["jobs_per_s"]["median"]
    failed = sum(r["failed"] + r["executors_lost"] for r in lat["rows"])
    busy = min(r["busy_fraction"]["median"] for r in lat["rows"])
    sup = max(r["overhead_supervisor_pct"]["median"] for r in lat["rows"])
    ok = lambda good: "met" if good else "**missed**"
    return [f"| jobs/s at 50 ms ≥ 0.8 × jobs/s at 0 ms | storage latency, small JPEGs | "
            f"{ok(at50 >= 0.8 * at0)} ({at50 / at0:.2f}) | |",
            f"| 0 jobs failed, 0 executors lost up to 100 ms | storage latency | "
            f"{ok(failed == 0)} ({failed}) | |",
            f"| executors busy ≥ 90 % with a backlog | storage latency, every delay | "
            f"{ok(busy >= 0.9)} (lowest {100 * busy:.0f} %) | |",
            f"| supervisor CPU ≤ 5 % of pipeline CPU | storage latency, every delay | "
            f"{verdict(sup, 5, '%')} | |"]


def reuse_section(r):
    o, d, u = r["original"], r["duplicate"], r["outdated"]
    ratio_cpu = r["pipeline_cpu_ratio"]["max"] * 100
    return [
        "", "## Recipes and reuse", "",
        f"`run --embedded`, {r['executors']} executors, file:// storage: {r['files']} small JPEGs "
        "uploaded as new assets (originals), then the same bytes under new asset ids "
        "(duplicates: the index names the originals, their outputs are copied), then "
        "`asset-worker regenerate --outdated` over the originals with nothing changed. "
        "Pipeline CPU: Σ cpuMs the executors report; worker CPU: supervisor + executors.", "",
        "| batch | wall ms/job | pipeline CPU ms/job | worker CPU ms/job | reused |",
        "|---|---|---|---|---|",
        f"| originals | {ms(o['wall_ms_per_job'])} | {ms(o['pipeline_cpu_ms_per_job'])} | "
        f"{ms(o['worker_cpu_ms_per_job'])} | — |",
        f"| duplicates | {ms(d['wall_ms_per_job'])} | {ms(d['pipeline_cpu_ms_per_job'])} | "
        f"{ms(d['worker_cpu_ms_per_job'])} | {min(r['duplicate_reused'])}–{max(r['duplicate_reused'])}"
        f" of {r['files']} |",
        f"| outdated, nothing changed | {ms(u['wall_ms_per_asset'])} per asset | — | — | "
        f"all current: {min(u['all_current'])}–{max(u['all_current'])} of {u['assets']} |", "",
        "| target | result | |", "|---|---|---|",
        f"| a duplicate's pipeline CPU ≤ 5 % of the original's | {ratio(r['pipeline_cpu_ratio'])} | "
        f"{verdict(ratio_cpu, 5, '%')} |",
        f"| a duplicate's whole worker CPU (for scale) | {ratio(r['worker_cpu_ratio'])} of the original's | |",
        f"| outdated with nothing changed: no stage runs | jobs that ran a stage: "
        f"{max(u['stages_run'])} of {u['assets']} | {'met' if max(u['stages_run']) == 0 else '**missed**'} |",
    ]


def memory_rows(configs):
    out = ["| process | RSS MiB |", "|---|---|"]
    for c in configs:
        out.append(f"| supervisor peak ({workload(c)}, {c['executors']} executor(s)) | "
                   f"{mib(c['supervisor_peak_rss_kib'])} |")
        out.append(f"| zygote ({workload(c)}, {c['executors']} executor(s)) | {mib(c['zygote_rss_kib'])} |")
    return out


def family_rss_table(families):
    out = ["Executor peak RSS per media family (every job of the service runs with the bench's "
           "database; shared pages included, so each figure holds the libraries earlier jobs of "
           "the same executor loaded; the job's own memory is the \"added over its start\" "
           "column). The ClamAV engine is in the scanner, not in executors: the last column is "
           "the largest peak of the executors' scan processes, the engine they share included:", "",
           "| family | jobs | median MiB | largest MiB | largest at a job's start MiB | largest added over its start MiB | file with the largest | scan process largest MiB |",
           "|---|---|---|---|---|---|---|---|"]
    for t, f in families.items():
        start = mib(f['max_start_kib']) if 'max_start_kib' in f else '—'
        scan = mib(f['scan_max_kib']) if f.get('scan_max_kib') else '—'
        out.append(f"| {t} | {f['jobs']} | {mib(f['median_kib'])} | {mib(f['max_kib'])} | {start} | "
                   f"{mib(f['max_added_kib'])} | {f['max_file']} | {scan} |")
    return out


def memory(res):
    out = memory_rows(res["service"])
    out += ["", *family_rss_table(res["executor_rss_per_family"])]
    out += ["", "N jobs at once on the 95 MB video (every stage): N executors sharing one engine vs "
            "N `asset-worker process` runs with one engine each. Sums over every process, at the peak:", "",
            "| N | shared: idle PSS MiB (processes) | shared: busy PSS / RSS MiB | separate: busy PSS / RSS MiB | PSS saved |",
            "|---|---|---|---|---|"]
    for n, m in res["memory"].items():
        sh, se = m["shared"], m["separate"]["busy"]
        saved = se["peak_pss_sum_kib"] - sh["busy"]["peak_pss_sum_kib"]
        out.append(f"| {n} | {mib(sh['idle']['pss_sum_kib'])} ({sh['idle']['processes']}) | "
                   f"{mib(sh['busy']['peak_pss_sum_kib'])} / {mib(sh['busy']['peak_rss_sum_kib'])} | "
                   f"{mib(se['peak_pss_sum_kib'])} / {mib(se['peak_rss_sum_kib'])} | {mib(saved)} MiB |")
    return out


def render(res):
    m = res["machine"]
    load = res["engine_load"]
    out = [
        "# asset-worker benchmarks", "",
        f"`{res['command']}` on {res['date']} (commit {res['commit']}), {res['elapsed_s']:.0f} s in all after the release build.", "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}, Linux {m['kernel']}.",
        f"Libraries: {m['versions']}.", "",
        f"Every figure: {res['runs']} runs after a warm-up, median [min–max]. Ratios are ours / anchor, "
        "taken pair by pair (ours and the anchor alternate; each ratio within one pair) and then "
        "the median. *Wall* and *CPU* ratios compare the two commands whole. *Per job* compares "
        "CPU without process start-up: ours is the pipeline's own CPU as `process` reports it "
        "in job.json (`cpuMs`, measured around the pipeline as an executor measures it, less "
        "`setupCpuMs`, the libraries' loading and the stages' set-up), the "
        "anchor's is its CPU less its start-up CPU (the start-up table below, same run). That is "
        "what one asset costs in the service, whose executors are forked from a zygote that has "
        "already started and loaded the ClamAV engine, are reused for many jobs (libraries load on "
        "an executor's first job that needs them), and run side by side on "
        "every core (so CPU, not one job's wall time, is the cost). \"—\" where the anchor does "
        "less than 10 ms of work beyond its start-up.", "",
        f"ClamAV database: {res['database']}.", "",
        *([f"Production-size ClamAV database (the small-JPEG service row marked so): "
           f"{res['database_production']}.", ""] if res.get("database_production") else []),
        "## Targets", "", *targets(res), "",
        "## Process start-up (start, handle a trivial input, exit)", "",
        "| tool | wall ms | CPU ms | peak RSS MiB | command |", "|---|---|---|---|---|",
        *[f"| {t} | {ms(s['wall_ms'])} | {ms(s['cpu_ms'])} | {mib(s['peak_rss_kib']['max'])} | `{s['command']}` |"
          for t, s in res["startup"].items()], "",
    ]
    for section, title in (("thumbnails", "Thumbnails (3 sizes: large 800, medium 400, small 200, WebP)"),
                           ("video", "Video"), ("audio", "Audio"), ("metadata", "Metadata"),
                           ("model", "3D models (metadata + thumbnails: rendered once by OSMesa at "
                                     "1600 × 1600, halved to 800, then 3 sizes, WebP)"),
                           ("office", "Office documents (page 1 by LibreOfficeKit, then 3 sizes, "
                                      "WebP)")):
        rows = [r for r in res["stages"] if r["section"] == section]
        if rows:
            out += [f"## {title}", "", *stage_table(rows), ""]
            out += list(dict.fromkeys(f"- {r['stage']}: {r['note']}" for r in rows if r.get("note")))
            if section == "model":
                out += model_notes(rows)
            if section == "office":
                import office  # here: office imports service, which may import this module
                out += ["", *office.table(res.get("office_service"))]
            out += [""]
    out += ["## Scan (the same database and settings for both: no image fuzzy hash)", "",
            f"Engine load: asset-worker {load['asset-worker']['engine_load_ms']:.0f} ms, clamscan "
            f"{load['clamscan']['engine_load_ms']:.0f} ms (a 16×16 PNG scanned with the bench database "
            "minus the same with a one-signature database); with the database, start-up + load: "
            f"asset-worker {ms(load['asset-worker']['with_database_ms'])} ms, peak RSS "
            f"{mib(load['asset-worker']['peak_rss_kib']['max'])} MiB; clamscan "
            f"{ms(load['clamscan']['with_database_ms'])} ms, {mib(load['clamscan']['peak_rss_kib']['max'])} MiB.", "",
            *stage_table([r for r in res["scan"] if "ours" in r]), ""]
    for r in res["scan"]:
        if "ours_scan_ms" in r:
            out += [f"{r['stage']}: our scan stage {ms(r['ours_scan_ms'])} ms in all, clamscan "
                    f"{ms(r['anchor_scan_ms'])} ms (its whole run {ms(r['anchor']['wall_ms'])} ms); "
                    f"ratio {ratio(r['ratio']['per_job'])}.", ""]
    out += ["## End to end through the embedded broker", "",
            "Each batch uploads every file in one burst (`asset-worker upload`, one event each) and "
            "waits for every `asset.job.completed` (or the upload event in `asset.dlq`). Latency: "
            "the upload event acknowledged by the broker → its completed event received by a "
            "consumer; jobs/s: files / (last completed received − first upload acknowledged). The "
            "worker runs with its defaults; the bench's own consumers fetch every 10 ms, as the mock "
            "broker answers a fetch when its wait expires rather than when data arrives. In worker: the job's \"queued\" progress event → "
            "its completed event. CPU overhead, against the CPU the pipeline itself used (Σ cpuMs "
            "the executors measured): the supervisor process (librdkafka, storage copies, events, "
            "offsets; the mock broker's threads are not counted) and, apart, the executors' "
            "fork/sandbox/exit, the price of one process per job, also in ms per job. Capacity "
            "overhead: executors × batch time against Σ pipeline wall time (durationMs), i.e. "
            "executor time not spent in the pipeline. Executors busy: the growth of "
            "`asset_worker_executor_busy_seconds_total` over executors × the batch's time. Mock "
            "broker CPU: the embedded broker's threads (`rdk:mock*`), left out of the supervisor's "
            "figure, as in production the broker is not in the pod; they also serve the bench's two "
            "event readers. The small-JPEG rows have an anchor: sharp (`bench/sharp/thumbs.js`, "
            "the libvips binding behind Immich's thumbnails) makes the three WebP thumbnails of "
            "the same files with our settings (one decode, EXIF orientation applied, 800/400/200, "
            "quality 80, effort 2), as many in flight as there are executors, one libvips thread "
            "each, and nothing else (no metadata, no scan, no broker, no storage); it runs between "
            "our batches, alternating which goes first, and the ratio is ours / its jobs/s pair by "
            "pair.", "", *service_table(res["service"]), "", *service_notes(res["service"])]
    if res.get("storage_latency"):
        out += ["", "## Storage latency: S3 behind a delaying proxy", "",
                "s3rver behind the tests' proxy (`tests/integration/s3_fault_proxy.js`), which "
                "holds every request the given time before passing it on (real S3 costs 20–100 ms "
                "a request). Each batch's sources are stored straight into s3rver first, then "
                "their upload events go out in one burst; `run --embedded --storage s3://…`, 2 "
                "executors, default --transfers and --prefetch. Executors busy: the growth of "
                "`asset_worker_executor_busy_seconds_total` over executors × the batch's wall "
                "time. Supervisor CPU: the supervisor process, transfer threads included.", "",
                *latency_table(res["storage_latency"]), "",
                "| target | where | result | |", "|---|---|---|---|",
                *latency_targets(res["storage_latency"])]
    if res.get("reuse"):
        out += reuse_section(res["reuse"])
    if res.get("instructions"):
        import instructions  # here: instructions imports stages, which imports this module
        out += ["", "## Per job in instructions (callgrind)", "", *instructions.table(res["instructions"])]
    out += ["", "## Memory", "", *memory(res), "", "## Inputs", "",
            "Made by the script (paths relative to its work directory):", "", "```",
            *res["inputs"], "```", ""]
    if res.get("findings"):
        out += ["## Findings", "", res["findings"], ""]
    return "\n".join(out)
