// The web part of `cargo xtask bench` (not a test: no assertions on time). The UI's web build
// in Debian's Chromium against the demo server: switching the explorer's indicator and year, each
// to the next painted map (median of 20); and the server's resident memory, idle and under 500
// concurrent full syncs. Writes rows in the format of fokus-bench to the file named by the first
// argument.
import { readFileSync, writeFileSync } from 'node:fs';
import { startServer, openMapPage } from './support.mjs';
import { SWITCH_TIMING } from './driver.mjs';

const out = process.argv[2];
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const server = await startServer();
const { browser, page } = await openMapPage(server.url, { viewport: { width: 1024, height: 768 } });
try {
  const result = await page.evaluate((script) => new Promise((resolve) => new Function(script).call(null, resolve)), SWITCH_TIMING);
  // The server process alone (the release binary serving the 1× demo), in MiB.
  const rss = () => Number(readFileSync(`/proc/${server.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)[1]) / 1024;
  const idle = rss();
  // The first full sync after a revision builds and compresses the page (zstd -19's window and
  // tables are most of that build's memory); its peak is reported on its own.
  let buildPeak = idle;
  const buildSampler = setInterval(() => { buildPeak = Math.max(buildPeak, rss()); }, 10);
  await (await fetch(`${server.url}/api/v1/feed?since=0`, { headers: { 'accept-encoding': 'gzip' } })).arrayBuffer();
  clearInterval(buildSampler);
  let peak = rss();
  const sampler = setInterval(() => { peak = Math.max(peak, rss()); }, 10);
  for (let round = 0; round < 2; round += 1) {
    await Promise.all(Array.from({ length: 500 }, async () => {
      const response = await fetch(`${server.url}/api/v1/feed?since=0`, { headers: { 'accept-encoding': 'gzip' } });
      await response.arrayBuffer();
    }));
  }
  clearInterval(sampler);
  peak = Math.max(peak, rss());
  const atMost = (row, limit) => ({ ...row, target: `≤ ${limit} MB`, met: row.value <= limit });
  const rows = [
    { name: 'web: indicator switch to painted map, Chromium (median of 20)', value: median(result.indicator), unit: 'ms' },
    { name: 'web: year switch to painted map, Chromium (median of 20)', value: median(result.year), unit: 'ms' },
    atMost({ name: 'server: resident memory at idle (1×, after serving the web app)', value: idle, unit: 'MiB' }, 100),
    { name: 'server: resident memory while building the full page (peak, sampled every 10 ms)', value: buildPeak, unit: 'MiB' },
    atMost({ name: 'server: resident memory under 500 concurrent full syncs (peak, sampled every 10 ms)', value: peak, unit: 'MiB' }, 100),
  ];
  writeFileSync(out, JSON.stringify(rows, null, 2));
  console.log(rows);
} finally {
  await browser.close();
  await server.stop();
}
