// The offline web app's part of `cargo xtask bench` (issue 24; not a test: no assertions on time).
// In Debian's Chromium on an empty profile, through a proxy that counts what the server sends:
// - the first visit until the copy works offline (service worker in control, store synced):
//   bytes over the wire and time, against the desktop app's first sync of the same data;
// - the store worker's first sync alone (the JSON feed, as Chromium negotiates its encoding)
//   against the minimal encoding;
// - reads through the store worker (map, profile, series; the page's round trip) at 1× and 10×
//   against the same reads in the native store, from the in-process run's rows.
// Arguments: the in-process rows (bench-core.json), the output file, fokus-bench's binary.
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, serveDataDir, startServer, startStoreWorker, tempDir } from './support.mjs';

const [corePath, out, benchBin] = process.argv.slice(2);
const core = JSON.parse(readFileSync(corePath, 'utf8'));
const coreRow = (name) => {
  const row = core.find((candidate) => candidate.name === name);
  if (!row) throw new Error(`bench-core.json has no row "${name}"`);
  return row;
};
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ratio = (name, value, unit, baseline, atMost) => ({
  name, value, unit,
  baseline: { name: baseline.name, value: baseline.value },
  ratio: value / baseline.value,
  ...(atMost === undefined ? {} : { target: `≤ ${atMost}×`, met: value / baseline.value <= atMost }),
});

/** A proxy in front of `target` that counts the bytes it passes back, in total and per path. */
async function countingProxy(target) {
  const upstream = new URL(target);
  const counts = { total: 0, byPath: new Map() };
  const proxy = http.createServer((request, response) => {
    const forward = http.request({
      host: upstream.hostname, port: upstream.port, method: request.method, path: request.url,
      headers: { ...request.headers, host: upstream.host },
    }, (answer) => {
      response.writeHead(answer.statusCode, answer.rawHeaders);
      const path = request.url.split('?')[0];
      answer.on('data', (chunk) => {
        counts.total += chunk.length;
        counts.byPath.set(path, (counts.byPath.get(path) ?? 0) + chunk.length);
        response.write(chunk);
      });
      answer.on('end', () => response.end());
    });
    forward.on('error', () => response.destroy());
    request.pipe(forward);
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${proxy.address().port}`, counts, close: () => proxy.close() };
}

const rows = [];
const browser = { launch: (profile) => chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, viewport: { width: 768, height: 1024 }, hasTouch: true, isMobile: true }) };

// 1×: the first visit, until the copy works offline.
const server = await startServer();
const proxy = await countingProxy(server.url);
try {
  const context = await browser.launch(tempDir('bench-first-visit'));
  const page = context.pages()[0] ?? await context.newPage();
  let synced = false;
  let controlled = false;
  let done;
  const working = new Promise((resolve) => { done = resolve; });
  page.on('console', (message) => {
    const text = message.text();
    if (/FOKUS Offline-Speicher abgeglichen/.test(text)) synced = true;
    if (/FOKUS Service Worker steuert die Seite/.test(text)) controlled = true;
    if (synced && controlled) done(performance.now());
  });
  const started = performance.now();
  await page.goto(`${proxy.url}/`);
  const ready = await working;
  const firstVisitMs = ready - started;
  const firstVisitBytes = proxy.counts.total;
  const feedBytes = proxy.counts.byPath.get('/api/v1/feed') ?? 0;
  console.log('first visit, bytes by path:', [...proxy.counts.byPath].sort((a, b) => b[1] - a[1]));
  await context.close();
  const appBytes = coreRow('1×: first full sync (snapshot), bytes on the wire');
  const appTime = coreRow('1×: first full sync (snapshot), wall time');
  rows.push(ratio('offline web app, 1×: first visit until it works offline (shell + first sync), bytes on the wire',
    firstVisitBytes, 'B', { name: "the desktop app's first sync (snapshot)", value: appBytes.value }));
  rows.push(ratio('offline web app, 1×: first visit until it works offline, wall time (Chromium, loopback)',
    firstVisitMs, 'ms', { name: "the desktop app's first sync (snapshot)", value: appTime.value }));
  rows.push(ratio("offline web app, 1×: the store worker's first sync (JSON feed, Chromium's encoding), bytes on the wire",
    feedBytes, 'B', appBytes.baseline, 2));
} finally {
  proxy.close();
}

/** The store worker's reads on a fresh profile at `url` (synced first), as query_rows does. */
async function workerReads(url) {
  const context = await browser.launch(tempDir('bench-worker-reads'));
  const page = context.pages()[0] ?? await context.newPage();
  try {
    // A page of the origin without the UI's own worker (which would hold the store).
    await page.addInitScript(() => localStorage.setItem('fokus-offline', 'aus'));
    await page.goto(`${url}/barrierefreiheit`);
    const ready = await startStoreWorker(page);
    if (ready.kind !== 'ready') throw new Error(`the store worker did not start: ${ready.reason}`);
    return await page.evaluate(async () => {
      const sync = await storeWorker.ask({ call: 'sync_run', known: null });
      if (!sync.Ok || sync.Ok.revision === 0) throw new Error(`first sync: ${JSON.stringify(sync)}`);
      const catalog = (await storeWorker.ask({ call: 'read', name: 'catalog_get', args: {} })).Ok;
      const mapKinds = catalog.dataset?.map_kinds?.length ? catalog.dataset.map_kinds : ['amt', 'amtsfreie_gemeinde'];
      const areas = catalog.areas.filter((area) => mapKinds.includes(area.kind)).map((area) => area.id);
      const timed = async (name, args) => {
        const started = performance.now();
        const result = await storeWorker.ask({ call: 'read', name, args });
        if (!result.Ok) throw new Error(`${name}: ${JSON.stringify(result.Err)}`);
        return performance.now() - started;
      };
      // The message round trip alone (a call that reads nothing): what every read pays on top.
      const roundTrip = [];
      for (let run = 0; run < 400; run += 1) {
        const started = performance.now();
        await storeWorker.ask({ call: 'sync_status' });
        roundTrip.push(performance.now() - started);
      }
      const samples = { map: [], profile: [], series: [], roundTrip };
      for (let run = 0; run < 400; run += 1) {
        const indicator = catalog.indicators[run % catalog.indicators.length].id;
        const year = 2015 + (run % 11);
        const area = areas[(run * 7919) % areas.length];
        samples.map.push(await timed('map_values', { indicator, year }));
        samples.profile.push(await timed('area_profile', { area, year }));
        samples.series.push(await timed('area_series', { indicator, area }));
      }
      return samples;
    });
  } finally {
    await context.close();
  }
}

const READS = [
  ['map', 'map (indicator × year → all areas, references, class breaks)'],
  ['profile', 'area profile (all indicators of one area and year)'],
  ['series', 'time series (one area and the references over 11 years)'],
];
const readRows = (label, samples) => {
  rows.push({ name: `offline web app, ${label}: page ↔ store worker message round trip without a read (sync_status), p50`,
    value: median(samples.roundTrip), unit: 'ms' });
  for (const [key, name] of READS) {
    const native = coreRow(`${label}: ${name}, p50`);
    rows.push(ratio(`offline web app, ${label}: ${name} through the store worker (page round trip), p50`,
      median(samples[key]), 'ms', { name: 'the same read in the native store', value: native.value }, 3));
  }
};
try {
  readRows('1×', await workerReads(server.url));
} finally {
  await server.stop();
}

const dataDir = tempDir('bench-10x');
execFileSync(benchBin, ['synth', '--areas', '1100', '--data-dir', dataDir]);
const server10 = await serveDataDir(dataDir, 0);
try {
  readRows('10×', await workerReads(server10.url));
} finally {
  await server10.stop();
}

writeFileSync(out, JSON.stringify(rows, null, 2));
console.log(rows);
