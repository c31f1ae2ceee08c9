// The app part of `cargo xtask bench` (not a test: no assertions on time). Under Xvfb, offline:
// cold start of the real app to its first painted map, switching indicator and year in the
// explorer (to the next painted map), and the resident memory of the app and
// its WebKit processes after opening the map, a chart and the Fokusbericht. Writes rows in the
// format of fokus-bench to the file named by the first argument.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tempDir, waitFor, APP_BIN } from './support.mjs';
import { freePort, startDriver, SWITCH_TIMING } from './driver.mjs';

const out = process.argv[2];
const rows = [];
const row = (name, value, unit) => rows.push({ name, value, unit });

/** Resident memory (kB) of `pid` and every process below it. */
function treeRssKb(pid) {
  const parents = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // the process ended meanwhile
    }
  }
  const tree = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [child, parent] of parents) {
      if (tree.has(parent) && !tree.has(child)) {
        tree.add(child);
        grew = true;
      }
    }
  }
  let total = 0;
  for (const member of tree) {
    try {
      const match = readFileSync(`/proc/${member}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
      if (match) total += Number(match[1]);
    } catch {
      // ended
    }
  }
  return total;
}

const mapDrawn = `return document.querySelectorAll('[data-testid=map] path.area').length === 18`;
const offline = { FOKUS_SERVER_URL: `http://127.0.0.1:${await freePort()}`, FOKUS_CACHE_DIR: tempDir('bench-cache') };
const tauri = await startDriver(offline, APP_BIN);
try {
  // The very first start fills the empty cache from the bundled snapshot.
  let started = performance.now();
  let app = await tauri.openApp({ args: ['fokus://sozialbericht'] });
  await waitFor(() => app.run(mapDrawn), 'the first map', 60_000);
  row('app: first start ever (applies the bundled snapshot) to first painted map, offline', performance.now() - started, 'ms');
  await app.close();

  const starts = [];
  for (let run = 0; run < 5; run++) {
    started = performance.now();
    app = await tauri.openApp({ args: ['fokus://sozialbericht'] });
    await waitFor(() => app.run(mapDrawn), 'the map', 60_000);
    starts.push(performance.now() - started);
    if (run < 4) await app.close();
  }
  starts.sort((a, b) => a - b);
  row('app: cold start to first painted map, offline (median of 5, incl. WebDriver session setup)', starts[2], 'ms');

  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const switches = await app.runAsync(SWITCH_TIMING);
  row('app: indicator switch to painted map (median of 20)', median(switches.indicator), 'ms');
  row('app: year switch to painted map (median of 20)', median(switches.year), 'ms');

  await app.click('[data-testid=area-010560015]');
  await app.click('[data-testid=card-series]');
  await waitFor(() => app.run(`return !!document.querySelector('[data-testid=series-chart] canvas')`), 'the chart');
  await app.click('[data-testid=nav-fokusbericht]');
  await waitFor(() => app.run(`return document.querySelectorAll('[data-testid=chapter]').length > 0`), 'the report');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const pids = execFileSync('pgrep', ['-f', APP_BIN], { encoding: 'utf8' }).trim().split('\n').map(Number);
  const rssKb = Math.max(...pids.map(treeRssKb));
  row('app: resident memory after map, chart and report (app + WebKit processes)', rssKb / 1024, 'MiB');
  await app.close();
} finally {
  tauri.kill();
}
writeFileSync(out, JSON.stringify(rows, null, 2));
console.log(rows);
