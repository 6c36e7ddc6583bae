// thumbs.js — the anchor of the small-JPEG service rows (bench/lib/anchor.py):
// sharp makes our three WebP thumbnails of each file, with our settings.
// Per file: one decode with the EXIF orientation applied (.rotate()), shrunk
// to fit 800 × 800 (never enlarged) and kept in memory; from it, 800, 400
// and 200 (longest side) as WebP at quality 80, effort 2, metadata stripped
// (sharp's default), written to OUT_DIR. JOBS files in flight (the service's
// executor count), one libvips thread each (sharp.concurrency(1)).
//
//   node thumbs.js JOBS OUT_DIR FILE...
//
// One warm-up file first (not counted), then every file once; prints one
// JSON line: {"jobs", "wall_ms", "jobs_per_s", "cpu_ms_per_job"} (CPU of
// the whole process, every thread, from process.cpuUsage()).
'use strict';
const fs = require('fs');
const path = require('path');
const sharp = require('sharp');

const SIZES = [['large', 800], ['medium', 400], ['small', 200]];
const INSIDE = { fit: 'inside', withoutEnlargement: true };

sharp.concurrency(1);

async function thumbs(file, outDir) {
  const { data, info } = await sharp(file).rotate().resize(800, 800, INSIDE).raw()
    .toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
  const stem = path.basename(file, path.extname(file));
  for (const [name, box] of SIZES) {
    await sharp(data, raw).resize(box, box, INSIDE).webp({ quality: 80, effort: 2 })
      .toFile(path.join(outDir, `${stem}_${name}.webp`));
  }
}

async function pool(files, jobs, outDir) {
  let next = 0;
  const lane = async () => {
    while (next < files.length) await thumbs(files[next++], outDir);
  };
  await Promise.all(Array.from({ length: jobs }, lane));
}

async function main() {
  const [jobs, outDir, ...files] = process.argv.slice(2);
  fs.mkdirSync(outDir, { recursive: true });
  await thumbs(files[0], outDir); // warm-up: libvips' first operations
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await pool(files, Number(jobs), outDir);
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  console.log(JSON.stringify({
    jobs: files.length, wall_ms: wallMs, jobs_per_s: files.length / wallMs * 1000,
    cpu_ms_per_job: (cpu.user + cpu.system) / 1000 / files.length,
    sharp: sharp.versions.sharp, libvips: sharp.versions.vips,
  }));
}

main().catch((e) => { console.error(e); process.exit(1); });
