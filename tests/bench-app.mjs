// The app part of `cargo xtask bench` (not a test: no assertions on time). Under Xvfb, offline:
// cold start of the real app to its first painted map (as the app logs it, from process start,
// and as WebDriver sees it), switching indicator and year in the explorer (to the next painted
// map), and the resident memory of the app's Rust process and its WebKit processes after opening
// the map, a chart and the Fokusbericht, against a blank Tauri window on the same WebKitGTK
// (`FOKUS_BLANK_BIN`, the example `blank_window`). Writes rows in the format of fokus-bench to
// the file named by the first argument.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { tempDir, waitFor, APP_BIN, ROOT } from './support.mjs';
import { freePort, startDriver, SWITCH_TIMING } from './driver.mjs';

const out = process.argv[2];
const rows = [];
const row = (name, value, unit) => rows.push({ name, value, unit });

/** Resident memory (kB) of `pid` and every process below it, by process name. */
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
  const parts = { shell: 0, webkit: 0, total: 0, web: false };
  for (const member of tree) {
    try {
      const status = readFileSync(`/proc/${member}/status`, 'utf8');
      const rss = Number(status.match(/VmRSS:\s+(\d+) kB/)?.[1] ?? 0);
      const name = status.match(/Name:\s+(\S+)/)?.[1] ?? '';
      if (member === pid) parts.shell += rss;
      else if (name.startsWith('WebKit')) parts.webkit += rss;
      if (name.startsWith('WebKitWebProces')) parts.web = true;
      parts.total += rss;
    } catch {
      // ended
    }
  }
  return parts;
}

const ratioRow = (name, value, unit, baselineName, baseline, atMost) => rows.push({
  name, value, unit,
  baseline: { name: baselineName, value: baseline },
  ratio: value / baseline,
  ...(atMost ? { target: `≤ ${atMost}×`, met: value / baseline <= atMost } : {}),
});

/** The app's own measure of its first paint: ms since its process started, one per start. */
function loggedFirstPaints(logFile) {
  if (!existsSync(logFile)) return [];
  return [...readFileSync(logFile, 'utf8').matchAll(/first map painted since_start_ms=([\d.]+)/g)].map((match) => Number(match[1]));
}

const mapDrawn = `return document.querySelectorAll('[data-testid=map] path.area').length === 18`;
const logFile = join(tempDir('bench-log'), 'app.log');
const offline = {
  FOKUS_SERVER_URL: `http://127.0.0.1:${await freePort()}`,
  FOKUS_CACHE_DIR: tempDir('bench-cache'),
  FOKUS_LOG_FILE: logFile,
};
const paintsBefore = () => loggedFirstPaints(logFile).length;
async function loggedPaint(count) {
  await waitFor(() => loggedFirstPaints(logFile).length > count, 'the first-paint line in the app log', 30_000);
  return loggedFirstPaints(logFile)[count];
}
const tauri = await startDriver(offline, APP_BIN);
try {
  // The very first start fills the empty cache from the bundled snapshot.
  let started = performance.now();
  let count = paintsBefore();
  let app = await tauri.openApp({ args: ['fokus://sozialbericht'] });
  await waitFor(() => app.run(mapDrawn), 'the first map', 60_000);
  row('app: first start ever (applies the bundled snapshot) to first painted map, offline, as the app logs it from process start', await loggedPaint(count), 'ms');
  row('app: first start ever to first painted map, through WebDriver (incl. session setup)', performance.now() - started, 'ms');
  await app.close();

  const starts = [];
  const logged = [];
  for (let run = 0; run < 5; run++) {
    started = performance.now();
    count = paintsBefore();
    app = await tauri.openApp({ args: ['fokus://sozialbericht'] });
    await waitFor(() => app.run(mapDrawn), 'the map', 60_000);
    starts.push(performance.now() - started);
    logged.push(await loggedPaint(count));
    if (run < 4) await app.close();
  }
  const median5 = (values) => [...values].sort((a, b) => a - b)[2];
  rows.push({
    name: 'app: cold start to first painted map, offline, as the app logs it from process start (median of 5)',
    value: median5(logged), unit: 'ms', target: '≤ 500 ms', met: median5(logged) <= 500,
  });
  row('app: cold start to first painted map, through WebDriver (median of 5, incl. session setup)', median5(starts), 'ms');

  const appTree = () => {
    const pids = execFileSync('pgrep', ['-f', APP_BIN], { encoding: 'utf8' }).trim().split('\n').map(Number);
    return pids.map(treeRssKb).sort((a, b) => b.total - a.total)[0];
  };
  // Where the memory goes: after the first map, after a chart, after the report.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const afterMap = appTree();

  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const switches = await app.runAsync(SWITCH_TIMING);
  row('app: indicator switch to painted map (median of 20)', median(switches.indicator), 'ms');
  row('app: year switch to painted map (median of 20)', median(switches.year), 'ms');

  await app.click('[data-testid=area-010560015]');
  await app.click('[data-testid=card-series]');
  await waitFor(() => app.run(`return !!document.querySelector('[data-testid=series-chart] canvas')`), 'the chart');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const afterChart = appTree();
  await app.click('[data-testid=nav-fokusbericht]');
  await waitFor(() => app.run(`return document.querySelectorAll('[data-testid=chapter]').length > 0`), 'the report');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const appMemory = appTree();

  // The baseline: a blank Tauri window, settled as long as the app had.
  const blankBin = process.env.FOKUS_BLANK_BIN;
  const blank = spawn(blankBin, [], { stdio: 'ignore' });
  let blankMemory;
  try {
    await waitFor(() => treeRssKb(blank.pid).web, 'the blank window\'s web process', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    blankMemory = treeRssKb(blank.pid);
  } finally {
    blank.kill();
  }
  const mib = (kb) => kb / 1024;
  row('app: resident memory after map, chart and report: the Rust process', mib(appMemory.shell), 'MiB');
  row('app: resident memory after map, chart and report: its WebKit processes', mib(appMemory.webkit), 'MiB');
  row('app: resident memory after the first map (Rust + WebKit processes)', mib(afterMap.total), 'MiB');
  row('app: resident memory after 40 map switches and a chart (Rust + WebKit processes)', mib(afterChart.total), 'MiB');
  row('blank Tauri window (same WebKitGTK, empty page): the Rust process', mib(blankMemory.shell), 'MiB');
  row('blank Tauri window: its WebKit processes', mib(blankMemory.webkit), 'MiB');
  ratioRow('app: resident memory after map, chart and report (Rust + WebKit processes)', mib(appMemory.total), 'MiB',
    'blank Tauri window, same WebKitGTK', mib(blankMemory.total), 1.5);
  await app.close();
} finally {
  tauri.kill();
}
writeFileSync(out, JSON.stringify(rows, null, 2));
// The app's log (start, snapshot, first paint), for a look at where a start spends its time.
if (existsSync(logFile)) writeFileSync(join(ROOT, 'target/bench-app.log'), readFileSync(logFile));
console.log(rows);
