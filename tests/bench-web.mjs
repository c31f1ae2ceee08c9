// The web part of `cargo xtask bench` (not a test: no assertions on time). The UI's web build
// in Debian's Chromium against the demo server: switching the explorer's indicator and year, each
// to the next painted map (median of 20); and the server's resident memory, idle and under 500
// concurrent full syncs (Node's fetch, gzip as browsers ask), twice. The server sends as many
// full pages at once as it has slots for (`--max-full-syncs`) and tells the rest 503 with
// `Retry-After`; a refused sync comes back after that wait, as the apps do, so every sync ends
// with the page. Writes rows in the format of fokus-bench to the file named by the first
// argument.
import { readFileSync, writeFileSync } from 'node:fs';
import { startServer, openMapPage } from './support.mjs';
import { SWITCH_TIMING } from './driver.mjs';

const out = process.argv[2];
const ROUNDS = 2;
const SYNCS = 500;
/** A refused sync is asked again at most this often before the run counts it as failed. */
const MAX_ATTEMPTS = 20;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const server = await startServer();
const { browser, page } = await openMapPage(server.url, { viewport: { width: 1024, height: 768 } });
// The server process alone (the release binary serving the 1× demo), in MiB. A process that
// has ended (a zombie until it is reaped) has no VmRSS line: that is said, not a TypeError.
const rss = () => {
  const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
  const resident = status.match(/VmRSS:\s+(\d+) kB/);
  if (!resident) throw new Error(`the server (pid ${server.pid}) has ended: ${status.match(/State:.*/)?.[0]}`);
  return Number(resident[1]) / 1024;
};
/** Samples `rss` every 10 ms until `stop`; a sample that fails is kept for `stop` to throw. */
const sampler = (start) => {
  let peak = start;
  let failure = null;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rss());
    } catch (error) {
      failure ??= error;
    }
  }, 10);
  return {
    stop() {
      clearInterval(timer);
      if (failure) throw failure;
      return peak;
    },
    cancel: () => clearInterval(timer),
  };
};
/** One full sync as an app does it: refused (503), it waits the `Retry-After` and asks again. */
const fullSync = async (counts) => {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const response = await fetch(`${server.url}/api/v1/feed?since=0`, { headers: { 'accept-encoding': 'gzip' } });
    const body = await response.arrayBuffer();
    if (response.status === 200) return body.byteLength;
    if (response.status !== 503) throw new Error(`a full sync answered ${response.status}`);
    counts.refused += 1;
    const wait = Number(response.headers.get('retry-after'));
    if (!(wait > 0)) throw new Error(`a 503 without a usable Retry-After: ${response.headers.get('retry-after')}`);
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
  }
  throw new Error(`a full sync was still refused after ${MAX_ATTEMPTS} attempts`);
};
const samplers = [];
try {
  const result = await page.evaluate((script) => new Promise((resolve) => new Function(script).call(null, resolve)), SWITCH_TIMING);
  const idle = rss();
  // The first full sync after a revision builds and compresses the page (zstd -19's window and
  // tables are most of that build's memory); its peak is reported on its own.
  const build = sampler(idle);
  samplers.push(build);
  await (await fetch(`${server.url}/api/v1/feed?since=0`, { headers: { 'accept-encoding': 'gzip' } })).arrayBuffer();
  const buildPeak = build.stop();
  const load = sampler(rss());
  samplers.push(load);
  const counts = { refused: 0 };
  const roundSeconds = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const started = performance.now();
    await Promise.all(Array.from({ length: SYNCS }, () => fullSync(counts)));
    roundSeconds.push((performance.now() - started) / 1000);
  }
  const peak = Math.max(load.stop(), rss());
  const atMost = (row, limit) => ({ ...row, target: `≤ ${limit} MB`, met: row.value <= limit });
  const rows = [
    { name: 'web: indicator switch to painted map, Chromium (median of 20)', value: median(result.indicator), unit: 'ms' },
    { name: 'web: year switch to painted map, Chromium (median of 20)', value: median(result.year), unit: 'ms' },
    atMost({ name: 'server: resident memory at idle (1×, after serving the web app)', value: idle, unit: 'MiB' }, 100),
    { name: 'server: resident memory while building the full page (peak, sampled every 10 ms)', value: buildPeak, unit: 'MiB' },
    atMost({ name: `server: resident memory under ${SYNCS} concurrent full syncs (peak, sampled every 10 ms)`, value: peak, unit: 'MiB' }, 100),
    { name: `server: ${SYNCS} concurrent full syncs from Node's fetch (gzip), until the last has its page (slowest of ${ROUNDS} rounds)`, value: Math.max(...roundSeconds), unit: 's' },
    { name: `server: ${SYNCS} concurrent full syncs, answers 503 with Retry-After (per round, mean of ${ROUNDS})`, value: counts.refused / ROUNDS, unit: 'refusals' },
  ];
  writeFileSync(out, JSON.stringify(rows, null, 2));
  console.log(rows);
} finally {
  // The samplers stop before the server does: a sample of the killed server's zombie would
  // throw from a timer and hide whatever ended the run.
  for (const running of samplers) running.cancel();
  await browser.close();
  await server.stop();
}
