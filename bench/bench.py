"""bench.py — every benchmark in one run (called by bench/run after the
release build): makes the inputs, runs each stage next to its anchor tool,
the service end to end through the embedded broker, and the memory figures;
writes bench/results.json and bench/RESULTS.md."""

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

import memory  # noqa: E402
import report  # noqa: E402
import service  # noqa: E402
import latency  # noqa: E402
import reuse  # noqa: E402
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


def main():
    ap = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    ap.add_argument("--bin", help="the asset-worker binary (bench/run passes its release build)")
    ap.add_argument("--runs", type=int, default=5, help="measured runs per figure (after a warm-up)")
    ap.add_argument("--small", type=int, default=40, help="small images per service batch")
    ap.add_argument("--corpus", default=os.environ.get("AW_CORPUS_DIR", str(HERE.parent.parent / "shared/corpus")),
                    help="the corpus (its open/ folder): mixed files, a camera JPEG, a PDF "
                         "(default: $AW_CORPUS_DIR or ../shared/corpus); its rows are left out without it")
    ap.add_argument("--hashes", type=int, default=500000, help="synthetic database: MD5 signatures")
    ap.add_argument("--bodies", type=int, default=50000, help="synthetic database: body patterns")
    ap.add_argument("--out", default=str(HERE), help="where RESULTS.md and results.json go (default: bench/)")
    ap.add_argument("--work", help="work directory (default: a new one under $TMPDIR, removed)")
    ap.add_argument("--render", action="store_true",
                    help="only write RESULTS.md again from results.json (e.g. after editing findings.md)")
    ap.add_argument("--models-only", action="store_true",
                    help="only the 3D model rows, printed (RESULTS.md and results.json are left "
                         "alone): python3 bench/bench.py --bin BINARY --models-only --runs 3")
    args = ap.parse_args()
    if args.render:
        return render_again(Path(args.out))
    if not args.bin:
        ap.error("--bin is needed (bench/run passes it)")
    if args.models_only:
        return models_only(args)
    started = time.time()
    work = Path(args.work or tempfile.mkdtemp(prefix="aw-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = Path(args.corpus) / "open"

    print("# inputs", flush=True)
    made = Inputs(work)
    images = made.images()
    video, song, wav = made.media()
    db, db_one, db_text = made.clamav_db(args.hashes, args.bodies)
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
    st.audio_video(video, song)
    st.metadata(images[0], camera, video, song, pdf)
    st.models(model_inputs(corpus, icosphere))

    print("# scan", flush=True)
    sc = ScanBench(args.bin, work, args.runs, db, db_one, work / "tiny.png")
    engine_load = sc.measure_load()
    sc.big_file(video)

    print("# service", flush=True)
    configs = []
    for name, files in (("small JPEGs 1024x768", small), ("mixed corpus", mixed)):
        for c in (1, 2):
            if files:
                configs.append(service.run_config(args.bin, work, db, name, files, c, args.runs))
    mixed_one = next((c for c in configs if c["workload"] == "mixed corpus" and c["executors"] == 1), None)
    if mixed_one:
        sc.directory(mixed, mixed_one["scan_ms_per_batch"])

    print("# storage latency", flush=True)
    lat = latency.measure(args.bin, work, db, small, args.runs)

    print("# recipes and reuse", flush=True)
    rounds = [made.small_images(20, first_seed=1000 * (r + 1), folder=f"reuse-{r}") for r in range(args.runs + 1)]
    reused = reuse.measure(args.bin, work, db_one, rounds, args.runs)

    print("# memory", flush=True)
    mem = memory.compare(args.bin, work, db, video)
    findings = HERE / "findings.md"
    results = {
        "command": "bench/run", "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": sh("git", "-C", str(HERE), "describe", "--always", "--dirty"),
        "machine": machine(), "runs": args.runs, "database": db_text, "inputs": made.commands,
        "startup": startup, "stages": st.rows, "engine_load": engine_load, "scan": sc.rows,
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
