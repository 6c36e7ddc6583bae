#!/usr/bin/env node
// test_console.mjs — the console's page in Debian's Chromium, driven by
// playwright-core (npm, pinned in tests/package-lock.json; it uses the
// system's /usr/bin/chromium, nothing is downloaded), against the real
// worker (`run --embedded`, one executor) and the real console, with media
// made at run time (scripts/media.sh: every family, the EICAR file, an empty
// upload) plus small PNGs so the list has more than one page:
//   - / redirects to /dashboard/assets; the empty state and its call to action;
//   - the list fills in; cards are seen queued or processing (progress bar)
//     and the same jobs later completed; badge colours are the seed's;
//   - the page polls while something runs and stops once all is terminal;
//   - status and type filters, "load more";
//   - an expanded image job: three thumbnails that loaded; download returns
//     the stored bytes; copy URL writes the absolute URL to the clipboard;
//     the visibility toggle survives a reload; the preview modal (image and
//     video) opens and closes with Escape;
//   - the EICAR job's scan badge names its signature; a dead letter (an
//     upload of a type the worker refuses) shows on the dead-letter tab;
//   - Regenerate makes a job of its own that completes;
//   - issue 33: status tabs with counts; search, time range and sort; the
//     view and the open job in the URL; the list keeps polling (slower) and
//     says when it was updated; regenerate types, bulk retry of failed jobs,
//     replay from the dead-letter tab; no sideways scroll at 390 px and file
//     names whole; the modal keeps the focus, steps through outputs, downloads
//     and copies; live regions; reduced motion; the infected card leads with
//     the virus; posters for video and waveform tiles;
//   - no console error and no page error during the whole run.
// Screenshots of the states go to $AW_TEST_OUTPUT_DIR (default: a folder in
// the run's temporary directory, printed at the end).
// usage: node test_console.mjs ASSET_WORKER_BINARY WEB_DIST_DIR
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SKIP = 77;
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const [bin, webDir] = process.argv.slice(2);
const CHROMIUM = '/usr/bin/chromium';

function skipOrFail(why) {
  console.log(`SKIP: ${why}`);
  process.exit(process.env.AW_REQUIRE_TOOLS ? 1 : SKIP);
}
if (!bin || !webDir) {
  console.error('usage: test_console.mjs ASSET_WORKER_BINARY WEB_DIST_DIR');
  process.exit(2);
}
if (!fs.existsSync(CHROMIUM)) skipOrFail(`${CHROMIUM} missing (apt-get install chromium)`);
if (!fs.existsSync(path.join(webDir, 'index.html'))) skipOrFail(`${webDir}/index.html missing (scripts/web)`);
let chromium;
try {
  chromium = createRequire(path.join(root, 'tests/package.json'))('playwright-core').chromium;
} catch {
  skipOrFail('playwright-core missing (npm ci in tests/)');
}

const work = fs.mkdtempSync(path.join(process.env.TMPDIR || os.tmpdir(), 'aw-browser-'));
const shots = process.env.AW_TEST_OUTPUT_DIR || path.join(work, 'screenshots');
fs.mkdirSync(shots, { recursive: true });
const children = [];
let passed = 0, failed = 0;

function check(name, ok, detail) {
  if (ok) { passed++; console.log(`ok: ${name}`); return; }
  failed++;
  console.log(`FAIL: ${name}${detail !== undefined ? `\n    ${detail}` : ''}`);
}

// A part of the run whose failure (a timeout, say) is counted and does not
// stop the parts after it.
async function part(name, body) {
  try {
    await body();
  } catch (e) {
    check(`${name}: went to its end`, false, e.stack || String(e));
  }
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

async function waitFor(what, probe, seconds = 60, every = 200) {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await sleep(every);
  }
}

// A long-running child whose first line starting with `prefix` on stdout we want.
function start(name, argv, prefix) {
  const out = fs.openSync(path.join(work, `${name}.out`), 'w');
  const err = fs.openSync(path.join(work, `${name}.log`), 'w');
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', out, err] });
  children.push(child);
  return waitFor(`${name} to print ${prefix}`, () => {
    const line = fs.readFileSync(path.join(work, `${name}.out`), 'utf8').split('\n')
      .find(l => l.startsWith(prefix));
    return line ? line.slice(prefix.length).trim() : null;
  }, 120);
}

function stopAll() {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
}

function makeMedia() {
  const files = path.join(work, 'files'), db = path.join(work, 'db');
  fs.mkdirSync(files);
  execFileSync('bash', ['-c', `. '${root}/scripts/media.sh'; set -e; WORK='${work}';
    make_demo_files '${files}'; make_eicar_db '${db}';
    for i in $(seq 1 12); do vips black '${work}/b.v' $((40 + i)) 30 && vips linear '${work}/b.v' '${files}/swatch-'$i'.png' 1 $((i * 17)) --uchar; done`],
  { stdio: ['ignore', 'ignore', 'inherit'] });
  return { files: fs.readdirSync(files).map(f => path.join(files, f)).sort(), db };
}

const rgb = s => (s.match(/\d+(\.\d+)?/g) || []).slice(0, 3).map(Number);
function hue(color) {
  const [r, g, b] = rgb(color);
  if (r > g && r > b) return g > 0.5 * r ? (g > 0.8 * r ? 'yellow' : 'orange') : 'red';
  if (g > r && g > b) return 'green';
  if (b > r && b >= g) return 'blue';
  return 'other';
}

async function main() {
  const { files, db } = makeMedia();
  const storage = path.join(work, 'storage');
  fs.mkdirSync(storage);
  const brokers = await start('worker', [bin, 'run', '--embedded', '--storage', `file://${storage}`,
    '--clamav-db', db, '--http-port', '0', '--concurrency', '1', '--clamav-watch', 'off'],
  'bootstrap.servers=');
  const consoleUrl = await start('console', [bin, 'console', '--brokers', brokers, '--storage',
    `file://${storage}`, '--db', path.join(work, 'console.db'), '--web-dir', webDir,
    '--http-address', '127.0.0.1', '--http-port', '0'], 'console=');
  const api = async p => (await fetch(consoleUrl + p)).json();

  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // As behind an authenticating proxy, which names the console's user.
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 },
    extraHTTPHeaders: { 'X-Forwarded-User': 'reviewer@example.com' } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: consoleUrl });
  const page = await context.newPage();
  const problems = [];
  page.on('console', m => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', e => problems.push(`page error: ${e.message}`));
  const listRequests = [];
  page.on('request', r => { if (/\/api\/v1\/jobs(\?|$)/.test(r.url())) listRequests.push({ at: Date.now(), url: r.url() }); });
  const shot = name => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  // A job's card, loading more pages until it is there (20 a page, newest first).
  const cardOf = async id => {
    const card = page.locator(`[data-testid="job-card"][data-job-id="${id}"]`);
    await waitFor(`the card of ${id}`, async () => {
      if (await card.count() > 0) return true;
      const more = page.getByTestId('load-more');
      if (await more.count() > 0 && await more.isEnabled()) await more.click();
      return false;
    }, 60, 500);
    return card;
  };

  try {
    await page.goto(consoleUrl + '/');
    check('/ redirects to /dashboard/assets', new URL(page.url()).pathname === '/dashboard/assets', page.url());
    const empty = page.getByTestId('empty-state');
    await empty.waitFor({ timeout: 20000 });
    check('the empty state says "No assets yet"', (await empty.innerText()).includes('No assets yet'));
    const ctaHref = await page.getByTestId('empty-cta').getAttribute('href');
    check('its call to action leads nowhere that is missing (no 404)',
      ctaHref === null || (await fetch(new URL(ctaHref, consoleUrl))).status === 200, ctaHref);
    await part('empty state', async () => {
      await page.getByTestId('empty-cta').click();
      const help = page.getByTestId('empty-help');
      await help.waitFor({ timeout: 5000 });
      check('its call to action tells how to upload', (await help.innerText()).includes('asset-worker upload'));
    });
    if (new URL(page.url()).pathname !== '/dashboard/assets') await page.goto(consoleUrl + '/dashboard/assets');
    await shot('1-empty');

    // --- uploads: the list fills in while the jobs run -----------------------
    const refused = path.join(work, 'tool.exe');
    fs.writeFileSync(refused, 'MZ not really a program');
    const uploadsDone = new Promise((resolve, reject) => {
      const up = spawn(bin, ['upload', '--brokers', brokers, '--storage', `file://${storage}`, ...files],
        { stdio: ['ignore', 'pipe', 'inherit'] });
      up.on('exit', code => (code === 0 ? resolve() : reject(new Error(`upload exited ${code}`))));
    });
    await uploadsDone;
    execFileSync(bin, ['upload', '--brokers', brokers, '--storage', `file://${storage}`,
      '--mime', 'application/x-msdownload', refused], { stdio: 'ignore' });
    // No refresh: an empty list keeps polling, so the uploads show up by themselves.
    const uploadedAt = Date.now();
    const seen = new Map(); // job id → statuses in the order seen
    let sawProgressBar = false, runningShot = false;
    await waitFor('every loaded card terminal', async () => {
      const cards = await page.getByTestId('job-card').evaluateAll(els => els.map(e => ({
        id: e.dataset.jobId, status: e.dataset.status,
        bar: Boolean(e.querySelector('[data-testid="progress-bar"]')),
      })));
      for (const c of cards) {
        const h = seen.get(c.id) || [];
        if (h[h.length - 1] !== c.status) h.push(c.status);
        seen.set(c.id, h);
        if (c.status === 'processing' && c.bar) sawProgressBar = true;
      }
      if (!runningShot && cards.some(c => c.status === 'processing')) { runningShot = true; await shot('2-running'); }
      return cards.length === 20 && cards.every(c => !['queued', 'processing'].includes(c.status));
    }, 600, 150);
    const total = (await api('/api/v1/jobs?limit=1')).total;
    check(`the list holds every upload (${files.length})`, total === files.length, `total ${total}`);
    const moved = [...seen.values()].filter(h => h.some(s => s === 'queued' || s === 'processing') &&
      ['completed', 'partial', 'failed'].includes(h[h.length - 1]));
    check('cards were seen queued or processing and later terminal', moved.length >= 3,
      JSON.stringify([...seen.entries()].slice(0, 5)));
    check('a processing job shows a progress bar', sawProgressBar);
    const during = listRequests.filter(r => r.at >= uploadedAt && r.at < uploadedAt + 6000).length;
    check('while jobs run the list is polled (≥ 2 requests in its first 6 s)', during >= 2, `${during}`);
    await shot('3-done');

    // --- polling stops once all is terminal ------------------------------------
    await sleep(2500);
    const quietFrom = Date.now();
    await sleep(6000);
    const after = listRequests.filter(r => r.at >= quietFrom).length;
    check('polling slows once every job is terminal (≤ 1 request in 6 s)', after <= 1, `${after}`);
    await part('polling goes on', async () => {
      await sleep(7000);
      const later = listRequests.filter(r => r.at >= quietFrom).length;
      check('…but does not stop (a request within 13 s)', later >= 1, `${later}`);
      const live = page.getByTestId('live-indicator');
      const text = await live.innerText();
      check('a live indicator says when the list was updated', /live/i.test(text) && /updated \d+ s ago/.test(text), text);
    });

    // --- badge colours -----------------------------------------------------------
    const badgeHue = async status => {
      const b = page.locator(`[data-testid="job-card"][data-status="${status}"] [data-testid="status-badge"]`).first();
      if (await b.count() === 0) return null;
      return b.evaluate(el => {
        const s = getComputedStyle(el);
        return s.backgroundColor && !/rgba\(0, 0, 0, 0\)|transparent/.test(s.backgroundColor)
          ? [s.backgroundColor, s.color] : [s.color, s.color];
      });
    };
    const completedHue = await badgeHue('completed'), failedHue = await badgeHue('failed');
    check('completed badges are green', completedHue && [hue(completedHue[0]), hue(completedHue[1])].includes('green'),
      JSON.stringify(completedHue));
    check('failed badges are red', failedHue && [hue(failedHue[0]), hue(failedHue[1])].includes('red'),
      JSON.stringify(failedHue));

    // --- filters and load more -----------------------------------------------------
    check('20 cards on the first page', await page.getByTestId('job-card').count() === 20);
    await page.getByTestId('load-more').click();
    await waitFor('all cards after load more', async () => await page.getByTestId('job-card').count() === total, 30);
    check('"load more" shows the rest', await page.getByTestId('job-card').count() === total);
    const statuses = await page.getByTestId('job-card').evaluateAll(els => els.map(e => e.dataset.status));
    check('every job, on every page, ended (none left queued or processing)',
      statuses.every(st => ['completed', 'partial', 'failed'].includes(st)), statuses.join(' '));
    const emptyJob = (await api('/api/v1/jobs?limit=100')).jobs.find(j => j.asset_id === 'empty-upload');
    check('the empty upload ends failed (its scan never ran: no verdict)',
      emptyJob && emptyJob.status === 'failed' && emptyJob.scan_status === null, JSON.stringify(emptyJob));
    await part('status filter', async () => {
      await page.locator('[data-testid="status-tab"][data-status="completed"]').click();
      await waitFor('a status=completed request', () => listRequests.some(r => r.url.includes('status=completed')), 20);
      await waitFor('only completed cards', async () => {
        const st = await page.getByTestId('job-card').evaluateAll(els => els.map(e => e.dataset.status));
        return st.length > 0 && st.every(s => s === 'completed');
      }, 20);
      const completedTotal = (await api('/api/v1/jobs?status=completed&limit=1')).total;
      check('the status filter shows the completed jobs only',
        await page.getByTestId('job-card').count() === Math.min(completedTotal, 20), `${completedTotal}`);
      await page.locator('[data-testid="status-tab"][data-status="all"]').click();
    });
    await page.getByTestId('filter-type').selectOption('VIDEO');
    const videoTotal = (await api('/api/v1/jobs?asset_type=VIDEO&limit=1')).total;
    await waitFor('the VIDEO cards', async () => await page.getByTestId('job-card').count() === videoTotal, 20);
    check('the type filter (VIDEO) shows the video jobs', videoTotal >= 1 &&
      listRequests.some(r => r.url.includes('asset_type=VIDEO')), `${videoTotal}`);
    await page.getByTestId('filter-type').selectOption('all');
    await waitFor('the list back', async () => await page.getByTestId('job-card').count() >= 20, 20);

    // --- issue 33: counts, search, time range, sort, the URL ---------------------------
    const cardIds = () => page.getByTestId('job-card').evaluateAll(els => els.map(e => e.dataset.jobId));
    await part('counts per status', async () => {
      const counts = (await api('/api/v1/jobs?limit=1')).counts || {};
      await waitFor('status tab counts', async () =>
        (await page.locator('[data-testid="status-tab"][data-status="failed"]').getAttribute('data-count')) !== '', 10);
      for (const st of ['queued', 'processing', 'completed', 'failed', 'partial']) {
        const shown = await page.locator(`[data-testid="status-tab"][data-status="${st}"]`).getAttribute('data-count');
        check(`the ${st} tab shows its count (${counts[st]})`, shown === String(counts[st]), `${shown}`);
      }
      const allShown = await page.locator('[data-testid="status-tab"][data-status="all"]').innerText();
      check('the All tab shows the total', allShown.includes(String(total)), allShown);
    });
    await part('search', async () => {
      await page.getByTestId('filter-search').fill('camera-photo');
      await waitFor('the search applied', async () => { const ids = await cardIds(); return ids.length >= 1 && ids.length < 5; }, 15);
      const hits = (await api('/api/v1/jobs?q=camera-photo&limit=100')).jobs.map(j => j.id);
      check('the search box filters by file name / asset id', JSON.stringify(await cardIds()) === JSON.stringify(hits), JSON.stringify(hits));
      check('the search is in the URL', new URL(page.url()).searchParams.get('q') === 'camera-photo', page.url());
      const some = (await api('/api/v1/jobs?limit=5')).jobs[3];
      await page.getByTestId('filter-search').fill(some.id);
      await waitFor('the job id search', async () => JSON.stringify(await cardIds()) === JSON.stringify([some.id]), 15);
      check('the search box finds a job by its id', true);
      await page.getByTestId('filter-search').fill('');
      await waitFor('the list back', async () => (await cardIds()).length >= 20, 15);
    });
    await part('time range', async () => {
      await page.getByTestId('filter-from').fill('2099-01-01T00:00');
      await waitFor('the empty range', async () => await page.getByTestId('empty-state').count() === 1, 15);
      check('a time range after every job leaves none', await page.getByTestId('job-card').count() === 0);
      await page.getByTestId('filter-from').fill('2000-01-01T00:00');
      await waitFor('the wide range', async () => (await cardIds()).length >= 20, 15);
      check('a time range around every job shows them', new URL(page.url()).searchParams.has('from'), page.url());
      await page.getByTestId('filter-from').fill('');
    });
    await part('sort', async () => {
      await page.getByTestId('filter-sort').selectOption('oldest');
      const oldest = (await api('/api/v1/jobs?sort=oldest&limit=3')).jobs.map(j => j.id);
      await waitFor('oldest first', async () => JSON.stringify((await cardIds()).slice(0, 3)) === JSON.stringify(oldest), 15);
      check('sort: oldest first', true);
      await page.getByTestId('filter-sort').selectOption('newest');
    });
    await part('filters in the URL', async () => {
      await page.locator('[data-testid="status-tab"][data-status="failed"]').click();
      await page.getByTestId('filter-type').selectOption('IMAGE');
      await waitFor('the failed images', async () => {
        const st = await page.getByTestId('job-card').evaluateAll(els => els.map(e => e.dataset.status));
        return st.length > 0 && st.every(x => x === 'failed');
      }, 15);
      const url = page.url();
      const other = await context.newPage();
      await other.goto(url);
      await other.getByTestId('job-card').first().waitFor({ timeout: 15000 });
      const st = await other.getByTestId('job-card').evaluateAll(els => els.map(e => e.dataset.status));
      check('a shared link keeps status and type (tab pressed, list filtered)',
        (await other.locator('[data-testid="status-tab"][data-status="failed"]').getAttribute('aria-pressed')) === 'true' &&
        (await other.getByTestId('filter-type').inputValue()) === 'IMAGE' && st.every(x => x === 'failed'), `${url} ${st}`);
      const deep = (await api('/api/v1/jobs?sort=oldest&limit=1')).jobs[0];
      await other.goto(`${consoleUrl}/dashboard/assets?job=${deep.id}`);
      const opened = other.locator(`[data-testid="job-card"][data-job-id="${deep.id}"]`);
      await opened.locator(`[id="job-details-${deep.id}"]`).waitFor({ timeout: 15000 });
      check('a link to a job opens it, even off the first page',
        (await opened.getByTestId('expand-toggle').getAttribute('aria-expanded')) === 'true');
      await other.close();
      await page.locator('[data-testid="status-tab"][data-status="all"]').click();
      await page.getByTestId('filter-type').selectOption('all');
      await waitFor('the list back', async () => (await cardIds()).length >= 20, 15);
    });

    // --- an image job's outputs ------------------------------------------------------
    const jobs = (await api('/api/v1/jobs?limit=100')).jobs;
    const photo = jobs.find(j => j.asset_id === 'camera-photo');
    const card = await cardOf(photo.id);
    await card.getByTestId('expand-toggle').click();
    const tiles = card.getByTestId('asset-tile');
    await waitFor('three thumbnails loaded', async () => await tiles.count() === 3 &&
      (await card.locator('img').evaluateAll(imgs => imgs.filter(i => i.complete && i.naturalWidth > 0).length)) === 3, 30);
    check('an expanded image job shows three loaded thumbnails', await tiles.count() === 3);
    check('its stage timeline lists the stages', await card.getByTestId('stage-row').count() >= 3);
    await shot('4-expanded');
    const assets = await api(`/api/v1/jobs/${photo.id}/assets`);
    const small = assets.find(a => a.name === 'thumbnail-small');
    const tile = card.locator(`[data-testid="asset-tile"][data-asset-id="${small.id}"]`);
    const [download] = await Promise.all([page.waitForEvent('download'), tile.getByTestId('action-download').click()]);
    const got = fs.readFileSync(await download.path());
    const stored = fs.readFileSync(path.join(storage, small.key));
    check('download returns the stored thumbnail', Buffer.compare(got, stored) === 0, `${got.length} vs ${stored.length} bytes`);
    await tile.getByTestId('action-copy').click();
    await waitFor('"Copied"', async () => (await tile.getByTestId('action-copy').getAttribute('data-copied')) === 'true', 10);
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    check('copy URL writes the absolute URL to the clipboard', copied === consoleUrl + small.url, copied);
    check('the copied URL answers 200', (await fetch(copied)).status === 200);
    await tile.getByTestId('action-visibility').click();
    await waitFor('public', async () => (await tile.getByTestId('action-visibility').getAttribute('data-public')) === 'true', 10);
    await page.reload();
    const reopened = (await cardOf(photo.id)).getByTestId('expand-toggle');
    const stillOpen = (await reopened.getAttribute('aria-expanded')) === 'true';
    check('the open job survives a reload (in the URL)', new URL(page.url()).searchParams.get('job') === photo.id && stillOpen, page.url());
    if (!stillOpen) await reopened.click();
    const vis = page.locator(`[data-testid="asset-tile"][data-asset-id="${small.id}"]`).getByTestId('action-visibility');
    await vis.waitFor({ timeout: 20000 });
    check('the visibility toggle survives a reload', (await vis.getAttribute('data-public')) === 'true');
    await page.locator(`[data-testid="asset-tile"][data-asset-id="${small.id}"] .tile-media`).click();
    const modal = page.getByTestId('preview-modal');
    await modal.waitFor({ timeout: 10000 });
    check('a thumbnail opens the preview modal with the image',
      await modal.locator('img').evaluate(i => i.complete && i.naturalWidth > 0));
    await shot('5-modal');
    await page.keyboard.press('Escape');
    await modal.waitFor({ state: 'detached', timeout: 10000 });
    check('Escape closes the modal', await modal.count() === 0);
    await part('modal focus, actions and stepping', async () => {
      const opener = page.locator(`[data-testid="asset-tile"][data-asset-id="${small.id}"] .tile-media`);
      await opener.click();
      await modal.waitFor({ timeout: 10000 });
      let escaped = 0;
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press(i % 4 === 3 ? 'Shift+Tab' : 'Tab');
        if (!(await modal.evaluate(m => m.contains(document.activeElement)))) escaped++;
      }
      check('Tab and Shift+Tab stay inside the preview modal', escaped === 0, `${escaped} of 12 left it`);
      const dl = modal.getByTestId('preview-download');
      check('the modal offers a download of the output', (await dl.getAttribute('href')) === small.url, await dl.getAttribute('href'));
      await modal.getByTestId('preview-copy').click();
      await waitFor('modal copy', async () => (await modal.getByTestId('preview-copy').getAttribute('data-copied')) === 'true', 10);
      check('the modal copies the absolute URL', (await page.evaluate(() => navigator.clipboard.readText())) === consoleUrl + small.url);
      const ids = assets.map(a => a.id), at = ids.indexOf(small.id);
      await modal.getByTestId('preview-next').click();
      check('Next shows the next output', (await modal.getAttribute('data-asset-id')) === ids[(at + 1) % ids.length]);
      await page.keyboard.press('ArrowLeft');
      check('← goes back to the previous one', (await modal.getAttribute('data-asset-id')) === small.id);
      await page.keyboard.press('Escape');
      await modal.waitFor({ state: 'detached', timeout: 10000 });
      check('closing gives the focus back to the tile', await opener.evaluate(el => el === document.activeElement));
    });
    if (await modal.count() > 0) { // a failed part must not leave the modal over the page
      await page.keyboard.press('Escape');
      await modal.waitFor({ state: 'detached', timeout: 10000 });
    }

    // --- the video's preview clip ------------------------------------------------------
    const clip = jobs.find(j => j.asset_id === 'phone-clip');
    const clipCard = await cardOf(clip.id);
    await clipCard.getByTestId('expand-toggle').click();
    const previewTile = clipCard.locator('[data-testid="asset-tile"][data-asset-type="preview"]');
    await previewTile.waitFor({ timeout: 20000 });
    await previewTile.locator('.tile-media').click();
    const video = page.getByTestId('preview-modal').locator('video');
    await video.waitFor({ timeout: 10000 });
    const src = await video.evaluate(v => v.currentSrc || v.src);
    const clipReply = await fetch(new URL(src, consoleUrl));
    check('the preview modal plays the preview clip (a video/mp4 that answers 200)',
      clipReply.status === 200 && clipReply.headers.get('content-type') === 'video/mp4', `${src} ${clipReply.status}`);
    await waitFor('the clip to load', () => video.evaluate(v => v.readyState >= 1), 20);
    await page.keyboard.press('Escape');
    await part('posters', async () => {
      const poster = previewTile.getByTestId('tile-poster');
      await waitFor('the preview clip\'s poster', async () => await poster.count() === 1 &&
        await poster.evaluate(p => (p.tagName === 'IMG' ? p.complete && p.naturalWidth > 0 : p.readyState >= 2)), 20);
      check('the video preview tile shows a poster, not an emoji',
        !(await previewTile.innerText()).includes('🎬'), await previewTile.innerText());
      const audioJob = jobs.find(j => j.asset_type === 'AUDIO' && ['completed', 'partial'].includes(j.status));
      const audioCard = await cardOf(audioJob.id);
      await audioCard.getByTestId('expand-toggle').click();
      const peaks = audioCard.locator('[data-testid="asset-tile"][data-asset-type="waveform_peaks"]');
      await peaks.waitFor({ timeout: 20000 });
      const peaksPoster = peaks.getByTestId('tile-poster');
      await waitFor('the waveform poster', async () => await peaksPoster.count() === 1 &&
        await peaksPoster.evaluate(p => p.complete && p.naturalWidth > 0), 20);
      check('the waveform tile shows the waveform picture, not an emoji', !(await peaks.innerText()).includes('📈'));
    });

    // --- scan badge, dead letters ----------------------------------------------------------
    const eicar = jobs.find(j => j.asset_id === 'eicar-test-file');
    const scan = (await cardOf(eicar.id)).getByTestId('scan-badge');
    const scanText = await scan.innerText();
    check('the EICAR job\'s scan badge says infected, with its signature',
      /infected/i.test(scanText) && scanText.includes('Eicar-Test-Signature'), scanText);
    await part('the infected card', async () => {
      const infectedCard = await cardOf(eicar.id);
      const lead = infectedCard.getByTestId('job-infected');
      const leadText = await lead.innerText();
      const first = await infectedCard.evaluate(c => {
        const a = c.querySelector('[data-testid="job-infected"]'), b = c.querySelector('[data-testid="job-error"]');
        return Boolean(a) && (!b || Boolean(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING));
      });
      check('an infected card leads with the virus, before any other error',
        first && leadText.includes('Eicar-Test-Signature'), leadText);
      const live = await infectedCard.getByTestId('job-live').evaluate(e => [e.getAttribute('aria-live'), e.textContent]);
      check('each card has a polite live region that says its status', live[0] === 'polite' && live[1].includes(eicar.status), JSON.stringify(live));
    });
    await page.getByTestId('tab-dead-letters').click();
    check('the tab is in the URL', new URL(page.url()).searchParams.get('tab') === 'dead-letters', page.url());
    await part('replay', async () => {
      const row = page.getByTestId('dead-letter-row').first();
      const button = row.getByTestId('dead-letter-replay');
      await button.waitFor({ timeout: 10000 });
      const why = await row.getByTestId('dead-letter-replay-reason').innerText();
      check('each dead letter has Replay; the refused .exe\'s is disabled and says why (the worker would refuse it again)',
        await button.isDisabled() && /refuse it again/.test(why), why);
    });
    await waitFor('a dead letter row', async () => await page.getByTestId('dead-letter-row').count() >= 1, 30);
    const dl = await page.getByTestId('dead-letter-row').first().innerText();
    check('the refused upload is on the dead-letter tab with its code', dl.includes('ASSET_INVALID_FILE_TYPE'), dl);
    await shot('6-dead-letters');
    await page.getByTestId('tab-jobs').click();

    // --- Regenerate -------------------------------------------------------------------------
    const again = await cardOf(photo.id);
    await again.getByTestId('expand-toggle').waitFor();
    if ((await again.getByTestId('expand-toggle').getAttribute('aria-expanded')) !== 'true')
      await again.getByTestId('expand-toggle').click();
    await again.getByTestId('regenerate').click();
    const result = again.getByTestId('regenerate-result');
    await result.waitFor({ timeout: 20000 });
    const regenId = ((await result.innerText()).match(/regen-[0-9a-f]+/) || [])[0];
    check('Regenerate answers with a new job id', Boolean(regenId), await result.innerText());
    await waitFor('the regenerate job completed', async () =>
      (await page.locator(`[data-testid="job-card"][data-job-id="${regenId}"]`).getAttribute('data-status').catch(() => null)) === 'completed', 120);
    const regen = await api(`/api/v1/jobs/${regenId}`);
    check('the regenerate job is a job of its own and completed', regen.kind === 'regenerate' && regen.status === 'completed',
      JSON.stringify({ kind: regen.kind, status: regen.status }));
    check('the regenerate job is credited to the console\'s user, not the uploader (cli)',
      regen.user_id === 'reviewer@example.com', regen.user_id);
    await shot('7-regenerated');

    await part('regenerate types', async () => {
      const opts = await again.getByTestId('regenerate-types').evaluate(s => [...s.options].map(o => o.value));
      check('Regenerate offers all, thumbnail, preview, metadata, outdated',
        ['all', 'thumbnail', 'preview', 'metadata', 'outdated'].every(t => opts.includes(t)), opts.join(' '));
      await again.getByTestId('regenerate-types').selectOption('thumbnail');
      const before = await again.getByTestId('regenerate-result').innerText();
      await again.getByTestId('regenerate').click();
      await waitFor('a second answer', async () => (await again.getByTestId('regenerate-result').innerText()) !== before, 20);
      const id = ((await again.getByTestId('regenerate-result').innerText()).match(/regen-[0-9a-f]+/) || [])[0];
      const job = await api(`/api/v1/jobs/${id}`);
      check('the chosen type is the one requested', JSON.stringify(job.regenerate_types) === '["thumbnail"]', JSON.stringify(job.regenerate_types));
    });
    await part('bulk retry', async () => {
      const failedBefore = (await api('/api/v1/jobs?status=failed&limit=100')).jobs;
      page.once('dialog', d => void d.accept());
      await page.getByTestId('retry-failed').click();
      const said = page.getByTestId('retry-failed-result');
      await said.waitFor({ timeout: 120000 });
      const text = await said.innerText();
      const n = Number((text.match(/Requested (\d+)/) || [])[1]);
      const regens = (await api('/api/v1/jobs?limit=100')).jobs.filter(j => j.kind === 'regenerate');
      const retried = failedBefore.filter(f => regens.some(r => r.asset_id === f.asset_id && r.created_at > f.created_at));
      check(`"Retry failed" regenerates every failed job (${failedBefore.length})`,
        failedBefore.length > 0 && n === failedBefore.length && retried.length === failedBefore.length, `${text}; ${retried.length}`);
    });
    await part('new uploads while idle', async () => {
      await waitFor('every job terminal again', async () => {
        const c = (await api('/api/v1/jobs?limit=1')).counts;
        return c.queued === 0 && c.processing === 0;
      }, 300, 1000);
      await sleep(4000);
      const extra = path.join(work, 'late-arrival.png');
      fs.copyFileSync(files.find(f => f.endsWith('swatch-1.png')), extra);
      execFileSync(bin, ['upload', '--brokers', brokers, '--storage', `file://${storage}`, extra], { stdio: 'ignore' });
      const late = await waitFor('the late upload in the API', async () =>
        (await api('/api/v1/jobs?q=late-arrival&limit=1')).jobs[0], 30);
      await waitFor('the late upload\'s card, without Refresh', async () =>
        await page.locator(`[data-testid="job-card"][data-job-id="${late.id}"]`).count() === 1, 25);
      check('an upload after everything ended shows up by itself', true);
    });
    await part('390 px', async () => {
      const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
      const p = await phone.newPage();
      p.on('pageerror', e => problems.push(`page error (390): ${e.message}`));
      await p.goto(`${consoleUrl}/dashboard/assets?job=${photo.id}`);
      const card390 = p.locator(`[data-testid="job-card"][data-job-id="${photo.id}"]`);
      await waitFor('the photo card at 390 px', async () => {
        if (await card390.count() > 0) return true;
        const more = p.getByTestId('load-more');
        if (await more.count() > 0 && await more.isEnabled()) await more.click();
        return false;
      }, 30, 500);
      if ((await card390.getByTestId('expand-toggle').getAttribute('aria-expanded')) !== 'true')
        await card390.getByTestId('expand-toggle').click();
      await card390.getByTestId('asset-tile').first().waitFor({ timeout: 20000 });
      const width = await p.evaluate(() => document.documentElement.scrollWidth);
      check('at 390 px the page does not scroll sideways', width <= 390, `${width} px`);
      const broken = await p.evaluate(() => {
        const out = [];
        for (const el of document.querySelectorAll('.job-title')) {
          const node = el.firstChild;
          if (!node || node.nodeType !== Node.TEXT_NODE) continue;
          const text = node.textContent;
          for (const m of text.matchAll(/\S+/g)) {
            const r = document.createRange();
            r.setStart(node, m.index);
            r.setEnd(node, m.index + m[0].length);
            const tops = new Set([...r.getClientRects()].map(x => Math.round(x.top)));
            if (tops.size > 1 && r.getBoundingClientRect().width < el.clientWidth) out.push(m[0]);
          }
        }
        return out;
      });
      check('at 390 px file names are not broken mid-word', broken.length === 0, broken.join(' '));
      await p.screenshot({ path: path.join(shots, '8-phone.png'), fullPage: true });
      await p.getByTestId('tab-dead-letters').click();
      await p.getByTestId('dead-letter-row').first().waitFor({ timeout: 15000 });
      const dlWidth = await p.evaluate(() => document.documentElement.scrollWidth);
      check('at 390 px the dead-letter tab does not scroll sideways', dlWidth <= 390, `${dlWidth} px`);
      await phone.close();
    });
    await part('reduced motion', async () => {
      const animation = async reduced => {
        const c = await browser.newContext({ reducedMotion: reduced ? 'reduce' : 'no-preference' });
        const p = await c.newPage();
        await p.goto(`${consoleUrl}/dashboard/assets`);
        const dot = p.locator('.live-dot');
        await dot.waitFor({ timeout: 15000 });
        const name = await dot.evaluate(d => getComputedStyle(d).animationName);
        await c.close();
        return name;
      };
      const normal = await animation(false), reduced = await animation(true);
      check('animations run normally and stop under prefers-reduced-motion',
        normal !== 'none' && reduced === 'none', `${normal} / ${reduced}`);
    });
  } finally {
    check('no console error and no page error during the run', problems.length === 0, problems.join('\n    '));
    await browser.close();
  }
}

try {
  await main();
} catch (e) {
  check('the run went to its end', false, e.stack || String(e));
} finally {
  stopAll();
  console.log(`screenshots: ${shots}`);
  if (!process.env.AW_KEEP_TEST_LOGS && failed === 0) fs.rmSync(work, { recursive: true, force: true });
  else console.log(`kept: ${work}`);
}
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
