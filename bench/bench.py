"""bench.py — every benchmark in one run (called by bench/run after the
release build): makes the inputs, runs each stage next to its anchor tool,
the service end to end through the embedded broker (the small-JPEG rows
next to sharp, and also with a ClamAV database of production size), and the
memory figures; writes bench/results.json and bench/RESULTS.md."""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "lib"))

import instructions  # noqa: E402
import memory  # noqa: E402
import office  # noqa: E402
import report  # noqa: E402
import service  # noqa: E402
import latency  # noqa: E402
import reuse  # noqa: E402
import sharp  # noqa: E402
from inputs import Inputs  # noqa: E402
from scan import ScanBench  # noqa: E402
from stages import StageBench  # noqa: E402

HERE = Path(__file__).resolve().parent


def sh(*argv):
    return subprocess.run(argv, capture_output=True, text=True).stdout.strip()


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")))
    os_name = next((l.split("=", 1)[1].strip().strip('"') for l in open("/etc/os-release")
                    if l.startswith("PRETTY_NAME")), "?")
    versions = ", ".join([
        "libvips " + sh("vips", "--version").split("-")[-1],
        sh("ffmpeg", "-version").splitlines()[0].split(" Copyright")[0],
        sh("clamscan", "--version").split("/")[0],
        "librdkafka " + sh("dpkg-query", "-W", "-f=${Version}", "librdkafka1"),
        "exiftool " + sh("exiftool", "-ver"),
        "assimp " + sh("dpkg-query", "-W", "-f=${Version}", "assimp-utils"),
        "OSMesa " + sh("dpkg-query", "-W", "-f=${Version}", "libosmesa6"),
    ])
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem / 1024 / 1024),
            "os": os_name, "kernel": platform.release(), "versions": versions}


def render_again(out: Path):
    results = json.loads((out / "results.json").read_text())
    findings = HERE / "findings.md"
    results["findings"] = findings.read_text().strip() if findings.exists() else ""
    (out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    (out / "RESULTS.md").write_text(report.render(results))
    print(f"written: {out / 'RESULTS.md'}")


def model_inputs(corpus: Path, generated: Path):
    """The corpus glTF (when the corpus is here) and the generated icosphere:
    the corpus box has 12 triangles, too few for assimp's import to cost
    anything beyond its start-up, so the per-job ratio needs the icosphere."""
    box = corpus / "model/gltf/box01.glb"
    return ([box] if box.is_file() else []) + [generated]


def models_only(args):
    """The 3D model rows alone (a smoke run): inputs, start-up of the
    anchor, the rows, printed as RESULTS.md would show them."""
    work = Path(args.work or tempfile.mkdtemp(prefix="aw-bench-models-"))
    work.mkdir(parents=True, exist_ok=True)
    made = Inputs(work)
    icosphere, tiny_obj, tiny_glb = made.models()
    st = StageBench(args.bin, work, args.runs, {"obj": tiny_obj, "glb": tiny_glb})
    startup = st.measure_startup()
    st.models(model_inputs(Path(args.corpus) / "open", icosphere))
    print("\n| tool | wall ms | CPU ms | peak RSS MiB | command |\n|---|---|---|---|---|")
    for t, s in startup.items():
        print(f"| {t} | {report.ms(s['wall_ms'])} | {report.ms(s['cpu_ms'])} | "
              f"{report.mib(s['peak_rss_kib']['max'])} | `{s['command']}` |")
    print("", *report.stage_table(st.rows), "", *report.model_notes(st.rows), sep="\n")
    if not args.work:
        subprocess.run(["rm", "-rf", str(work)])


def office_only(args):
    """The Office rows alone, printed as RESULTS.md would show them."""
    work = Path(args.work or tempfile.mkdtemp(prefix="aw-bench-office-"))
    work.mkdir(parents=True, exist_ok=True)
    st = StageBench(args.bin, work, args.runs, {})
    made = Inputs(work)
    docs = made.office()
    st.office(docs)
    db = made.clamav_db(args.hashes, args.bodies)[0]
    rows = office.measure(args.bin, work, db, docs, made.small_images(20), args.runs)
    print("", *report.stage_table(st.rows), "", *office.table(rows), sep="\n")
    if not args.work:
        subprocess.run(["rm", "-rf", str(work)])


def stages_only(args):
    """The thumbnail, preview and waveform rows alone (issue 30's figures),
    with the start-up runs their per-job ratios need, printed."""
    work = Path(args.work or tempfile.mkdtemp(prefix="aw-bench-stages-"))
    work.mkdir(parents=True, exist_ok=True)
    made = Inputs(work)
    images = made.images()
    video, _, wav = made.media()
    st = StageBench(args.bin, work, args.runs, {"wav": wav, "png": work / "tiny.png"})
    st.measure_startup()
    st.thumbnails(images)
    st.audio_video(video, made.songs)
    print("", *report.stage_table(st.rows), sep="\n")
    if args.work:
        (work / "stages.json").write_text(json.dumps(st.rows, indent=1) + "\n")
        print(f"\nwritten: {work / 'stages.json'}")
    else:
        subprocess.run(["rm", "-rf", str(work)])


def instructions_only(args):
    """Issue 30's per-job rows counted in instructions (callgrind), merged
    into results.json under "instructions" and RESULTS.md written again; the
    other figures are left as they are."""
    work = Path(args.work or tempfile.mkdtemp(prefix="aw-bench-instr-"))
    work.mkdir(parents=True, exist_ok=True)
    made = Inputs(work)
    images = made.images()
    video, _, wav = made.media()
    res = instructions.measure(args.bin, work, images, video, made.songs,
                               {"wav": wav, "png": work / "tiny.png"})
    res["date"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    res["commit"] = sh("git", "-C", str(HERE), "describe", "--always", "--dirty")
    print("", *instructions.table(res), sep="\n")
    out = Path(args.out)
    results = json.loads((out / "results.json").read_text())
    results["instructions"] = res
    (out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    render_again(out)
    if not args.work:
        subprocess.run(["rm", "-rf", str(work)])


SMALL = "small JPEGs 1024x768"
LATENCY_FILES = 40  # the storage latency rows' batch: the first 40 small JPEGs


def databases(args, made, db):
    """{label: ClamAV database} for the small-JPEG service rows (--db-size):
    the bench's `db` and/or one of production size; and the production
    one's description (None without it)."""
    out, text = {}, None
    if args.db_size in ("bench", "both"):
        out["bench"] = db
    if args.db_size in ("production", "both"):
        prod, text = made.clamav_db_production()
        if prod != db:  # the official databases serve as both
            out["production"] = prod
    return out, text


def small_rows(args, work, dbs, small, executors):
    """The small-JPEG service rows with sharp beside them: each database,
    each executor count."""
    anchor = sharp.anchor(work)
    return [service.run_config(args.bin, work, db, SMALL, small, c, args.runs, anchor, label)
            for label, db in dbs.items() for c in executors]


def service_only(args):
    """The start-up rows and the small-JPEG service rows alone (before and
    after a change on a hot path or the link line), with sharp beside them
    and at each --db-size, printed as RESULTS.md shows them; RESULTS.md and
    results.json are left alone."""
    work = Path(args.work or tempfile.mkdtemp(prefix="aw-bench-service-"))
    work.mkdir(parents=True, exist_ok=True)
    made = Inputs(work)
    _, _, wav = made.media(tiny_only=True)
    db, _, db_text = made.clamav_db(args.hashes, args.bodies)
    dbs, prod_text = databases(args, made, db)
    small = made.small_images(args.small)
    st = StageBench(args.bin, work, args.runs, {"wav": wav, "png": work / "tiny.png"})
    startup = st.measure_startup()
    configs = small_rows(args, work, dbs, small, args.executors)
    print("\n| tool | wall ms | CPU ms | peak RSS MiB |\n|---|---|---|---|")
    for t, s in startup.items():
        print(f"| {t} | {report.ms(s['wall_ms'])} | {report.ms(s['cpu_ms'])} | "
              f"{report.mib(s['peak_rss_kib']['max'])} |")
    print(f"\nClamAV database: {db_text}")
    if prod_text:
        print(f"Production-size ClamAV database: {prod_text}")
    print("", *report.service_table(configs), "", *report.service_notes(configs), "",
          "| target | where | result | |", "|---|---|---|---|", *report.anchor_targets(configs), "",
          *report.memory_rows(configs), sep="\n")
    if args.work:  # the figures behind the tables, for a before/after diff
        rows = [{k: v for k, v in c.items() if k != "executor_peak_rss"} for c in configs]
        (work / "service.json").write_text(json.dumps(rows, indent=1) + "\n")
        print(f"\nwritten: {work / 'service.json'}")
    else:
        subprocess.run(["rm", "-rf", str(work)])


def memory_only(args):
    """The mixed corpus through the service with 1 and 2 executors, and the
    memory tables RESULTS.md shows for it (jobs/s beside them); RESULTS.md
    and results.json are left alone."""
    corpus = Path(args.corpus) / "open"
    if not corpus.is_dir():
        sys.exit(f"no corpus at {corpus}")
    work = Path(args.work or tempfile.mkdtemp(prefix="aw-bench-memory-"))
    work.mkdir(parents=True, exist_ok=True)
    made = Inputs(work)
    db, _, db_text = made.clamav_db(args.hashes, args.bodies)
    mixed = made.corpus(corpus)
    configs = [service.run_config(args.bin, work, db, "mixed corpus", mixed, c, args.runs)
               for c in (1, 2)]
    print(f"\nClamAV database: {db_text}")
    print("", *report.service_table(configs), "", *report.memory_rows(configs), "",
          *report.family_rss_table(service.per_family_rss(configs)), sep="\n")
    if args.work:  # every job's figures, for a before/after diff
        (work / "memory.json").write_text(json.dumps(configs, indent=1) + "\n")
        print(f"\nwritten: {work / 'memory.json'}")
    else:
        subprocess.run(["rm", "-rf", str(work)])


def main():
    ap = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    ap.add_argument("--bin", help="the asset-worker binary (bench/run passes its release build)")
    ap.add_argument("--runs", type=int, default=5, help="measured runs per figure (after a warm-up)")
    ap.add_argument("--small", type=int, default=100,
                    help="distinct 1024x768 JPEGs per small-JPEG service batch, the same files for "
                         "sharp beside it (the storage latency rows use the first "
                         f"{LATENCY_FILES}); default 100")
    ap.add_argument("--corpus", default=os.environ.get("AW_CORPUS_DIR", str(HERE.parent.parent / "shared/corpus")),
                    help="the corpus (its open/ folder): mixed files, a camera JPEG, a PDF "
                         "(default: $AW_CORPUS_DIR or ../shared/corpus); its rows are left out without it")
    ap.add_argument("--hashes", type=int, default=500000, help="synthetic database: MD5 signatures")
    ap.add_argument("--bodies", type=int, default=50000, help="synthetic database: body patterns")
    ap.add_argument("--db-size", choices=("bench", "production", "both"), default="both",
                    help="the ClamAV database of the small-JPEG service rows: bench (the synthetic "
                         "one of --hashes/--bodies, which every other row uses), production (a "
                         "synthetic one of the official databases' size, 8.5 M signatures, ~0.5 GB "
                         "of text in the work directory, ~1.2 GiB in the zygote; scaled down, and "
                         "said so, on a machine without the memory or disk; the full run gives it "
                         "the 2-executor row only) or both (default)")
    ap.add_argument("--out", default=str(HERE), help="where RESULTS.md and results.json go (default: bench/)")
    ap.add_argument("--work", help="work directory (default: a new one under $TMPDIR, removed); one "
                    "given is kept, and so are its synthetic databases for the next run")
    ap.add_argument("--render", action="store_true",
                    help="only write RESULTS.md again from results.json (e.g. after editing findings.md)")
    ap.add_argument("--models-only", action="store_true",
                    help="only the 3D model rows, printed (RESULTS.md and results.json are left "
                         "alone): python3 bench/bench.py --bin BINARY --models-only --runs 3")
    ap.add_argument("--office-only", action="store_true",
                    help="only the Office rows (process against soffice --convert-to png), "
                         "printed: python3 bench/bench.py --bin BINARY --office-only --runs 3")
    ap.add_argument("--stages-only", action="store_true",
                    help="only the thumbnail, preview and waveform rows with their anchors, "
                         "printed: python3 bench/bench.py --bin BINARY --stages-only --runs 3")
    ap.add_argument("--instructions", action="store_true",
                    help="only the thumbnail, preview and waveform rows with a target, counted in "
                         "instructions by valgrind's callgrind (once per side; ~10 min), merged "
                         "into results.json and RESULTS.md: python3 bench/bench.py --bin BINARY "
                         "--instructions")
    ap.add_argument("--service-only", action="store_true",
                    help="only the start-up rows and the small-JPEG service rows with sharp "
                         "beside them, at each --db-size, printed (RESULTS.md and results.json are "
                         "left alone): python3 bench/bench.py --bin BINARY --service-only --runs 3")
    ap.add_argument("--memory-only", action="store_true",
                    help="only the mixed-corpus service rows (1 and 2 executors) and their memory: "
                         "executor and scan process peak RSS per media family, printed: "
                         "python3 bench/bench.py --bin BINARY --memory-only --runs 2")
    ap.add_argument("--executors", type=int, nargs="+", default=[2],
                    help="with --service-only: the executor counts to run, at each --db-size (default: 2)")
    args = ap.parse_args()
    if args.render:
        return render_again(Path(args.out))
    if not args.bin:
        ap.error("--bin is needed (bench/run passes it)")
    if args.models_only:
        return models_only(args)
    if args.office_only:
        return office_only(args)
    if args.service_only:
        return service_only(args)
    if args.memory_only:
        return memory_only(args)
    if args.stages_only:
        return stages_only(args)
    if args.instructions:
        return instructions_only(args)
    started = time.time()
    work = Path(args.work or tempfile.mkdtemp(prefix="aw-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = Path(args.corpus) / "open"

    print("# inputs", flush=True)
    made = Inputs(work)
    images = made.images()
    video, song, wav = made.media()
    db, db_one, db_text = made.clamav_db(args.hashes, args.bodies)
    dbs, prod_text = databases(args, made, db)
    small = made.small_images(args.small)
    mixed = made.corpus(corpus) if corpus.is_dir() else []
    if not mixed:
        print(f"  corpus not found at {corpus}: its rows are left out", flush=True)
    pdf = next(iter(sorted((corpus / "document").glob("pdf/*.pdf"), key=lambda p: -p.stat().st_size)), None) \
        if mixed else None
    camera = next(iter(sorted((corpus / "image/jpeg-exif").glob("*.jpg"), key=lambda p: -p.stat().st_size)), None) \
        if mixed else None
    icosphere, tiny_obj, tiny_glb = made.models()
    tiny = {"wav": wav, "png": work / "tiny.png", "pdf": pdf, "obj": tiny_obj, "glb": tiny_glb}

    print("# stages", flush=True)
    st = StageBench(args.bin, work, args.runs, tiny)
    startup = st.measure_startup()
    st.thumbnails(images)
    st.audio_video(video, made.songs)
    st.metadata(images[0], camera, video, song, pdf)
    st.models(model_inputs(corpus, icosphere))

    print("# scan", flush=True)
    sc = ScanBench(args.bin, work, args.runs, db, db_one, work / "tiny.png")
    engine_load = sc.measure_load()
    sc.big_file(video)

    print("# service", flush=True)
    configs = []
    for label, executors in (("bench", (1, 2)), ("production", (2,))):
        if label in dbs:
            configs += small_rows(args, work, {label: dbs[label]}, small, executors)
    configs += [service.run_config(args.bin, work, db, "mixed corpus", mixed, c, args.runs)
                for c in (1, 2) if mixed]
    mixed_one = next((c for c in configs if c["workload"] == "mixed corpus" and c["executors"] == 1), None)
    if mixed_one:
        sc.directory(mixed, mixed_one["scan_ms_per_batch"])

    print("# storage latency", flush=True)
    lat = latency.measure(args.bin, work, db, small[:LATENCY_FILES], args.runs)

    print("# office", flush=True)
    docs = made.office()
    st.office(docs)
    office_rows = office.measure(args.bin, work, db, docs, small[:20], args.runs) if docs else None

    print("# recipes and reuse", flush=True)
    rounds = [made.small_images(20, first_seed=1000 * (r + 1), folder=f"reuse-{r}") for r in range(args.runs + 1)]
    reused = reuse.measure(args.bin, work, db_one, rounds, args.runs)

    print("# memory", flush=True)
    mem = memory.compare(args.bin, work, db, video)
    findings = HERE / "findings.md"
    results = {
        "command": "bench/run", "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": sh("git", "-C", str(HERE), "describe", "--always", "--dirty"),
        "machine": machine(), "runs": args.runs, "database": db_text,
        "database_production": prod_text, "inputs": made.commands,
        "startup": startup, "stages": st.rows, "engine_load": engine_load, "scan": sc.rows,
        "office_service": office_rows,
        "service": [{k: v for k, v in c.items() if k != "executor_peak_rss"} for c in configs],
        "executor_rss_per_family": service.per_family_rss(configs),
        "executor_peak_rss_jobs": [r for c in configs for r in c["executor_peak_rss"]],
        "storage_latency": lat, "reuse": reused, "memory": mem, "elapsed_s": time.time() - started,
        "findings": findings.read_text().strip() if findings.exists() else "",
    }
    out = Path(args.out)
    (out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    (out / "RESULTS.md").write_text(report.render(results))
    print(report.render(results))
    print(f"\nwritten: {out / 'RESULTS.md'}, {out / 'results.json'} ({results['elapsed_s']:.0f} s)")
    if not args.work:
        subprocess.run(["rm", "-rf", str(work)])


if __name__ == "__main__":
    main()
