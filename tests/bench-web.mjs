// The web part of `cargo xtask bench` (not a test: no assertions on time). The UI's web build
// in Debian's Chromium against the demo server: switching the explorer's indicator and year, each
// to the next painted map (median of 20). Writes rows in the format of fokus-bench to the file
// named by the first argument.
import { writeFileSync } from 'node:fs';
import { startServer, openMapPage } from './support.mjs';
import { SWITCH_TIMING } from './driver.mjs';

const out = process.argv[2];
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const server = await startServer();
const { browser, page } = await openMapPage(server.url, { viewport: { width: 1024, height: 768 } });
try {
  const result = await page.evaluate((script) => new Promise((resolve) => new Function(script).call(null, resolve)), SWITCH_TIMING);
  const rows = [
    { name: 'web: indicator switch to painted map, Chromium (median of 20)', value: median(result.indicator), unit: 'ms' },
    { name: 'web: year switch to painted map, Chromium (median of 20)', value: median(result.year), unit: 'ms' },
  ];
  writeFileSync(out, JSON.stringify(rows, null, 2));
  console.log(rows);
} finally {
  await browser.close();
  await server.stop();
}
