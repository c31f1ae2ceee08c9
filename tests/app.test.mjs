// The real Tauri app under Xvfb, driven through tauri-driver + WebKitWebDriver (plain W3C
// WebDriver over HTTP). Run inside `xvfb-run -a dbus-run-session --` (cargo xtask test does):
// pick an indicator and see the map change, import on the server and see the OS notification
// arrive on D-Bus, then stop the server and restart the app: the cached view still works.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { APP_BIN, SCREENSHOTS, startServer, importCsv, NEW_YEAR_CSV, tempDir, waitFor } from './support.mjs';

const DRIVER_BIN = process.env.FOKUS_TAURI_DRIVER ?? 'tauri-driver';
let server;
let driver;
let driverUrl;
let monitor;
let notifications = '';
const cacheDir = tempDir('cache');

function freePort() {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function webdriver(method, path, body) {
  const response = await fetch(`${driverUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`);
  return json.value;
}

/** Starts the app through the driver; the app inherits the driver's environment. */
async function openApp() {
  const session = await waitFor(
    () => webdriver('POST', '/session', { capabilities: { alwaysMatch: { 'tauri:options': { application: APP_BIN } } } }),
    'a WebDriver session',
    60_000,
  );
  const id = session.sessionId;
  const run = (script, args = []) => webdriver('POST', `/session/${id}/execute/sync`, { script, args });
  const close = () => webdriver('DELETE', `/session/${id}`);
  const screenshot = async (name) => {
    const png = await webdriver('GET', `/session/${id}/screenshot`);
    writeFileSync(join(SCREENSHOTS, name), Buffer.from(png, 'base64'));
  };
  const click = async (selector) => {
    const element = await webdriver('POST', `/session/${id}/element`, { using: 'css selector', value: selector });
    const elementId = Object.values(element)[0];
    await webdriver('POST', `/session/${id}/element/${elementId}/click`, {});
  };
  return { id, run, click, close, screenshot };
}

const mapState = `
  const map = document.querySelector('[data-testid=map]');
  if (!map) return null;
  const areas = [...map.querySelectorAll('path.area')];
  return { indicator: map.dataset.indicator, year: map.dataset.year, count: areas.length,
           fills: areas.map((a) => a.dataset.fill).join(','),
           status: document.querySelector('[data-testid=sync-status]')?.textContent ?? '' };`;

async function startDriver(env) {
  const port = await freePort();
  const nativePort = await freePort();
  driverUrl = `http://127.0.0.1:${port}`;
  // Logs go to a file, not to our pipes: an app that outlives its driver must not hold the test
  // runner's stdout open (the runner would wait for it forever).
  const log = openSync(join(SCREENSHOTS, 'app-test.log'), 'a');
  driver = spawn(DRIVER_BIN, ['--port', String(port), '--native-port', String(nativePort)], {
    stdio: ['ignore', log, log],
    env: { ...process.env, FOKUS_SYNC_INTERVAL_SECS: '30', ...env },
  });
}

before(async () => {
  server = await startServer();
  monitor = spawn('dbus-monitor', ['--session', "interface='org.freedesktop.Notifications',member='Notify'"]);
  monitor.stdout.on('data', (chunk) => { notifications += chunk; });
  await startDriver({ FOKUS_SERVER_URL: server.url, FOKUS_CACHE_DIR: cacheDir });
});

after(async () => {
  driver?.kill();
  monitor?.kill();
  await server?.stop();
});

test('the app syncs, redraws the map for another indicator and announces an import', async () => {
  const app = await openApp();
  try {
    const first = await waitFor(async () => {
      const state = await app.run(mapState);
      return state && state.count === 18 && /Stand:/.test(state.status) ? state : null;
    }, 'the map after the first sync');
    assert.equal(first.count, 18, '18 areas drawn');

    await app.run(`
      const select = document.querySelector('[data-testid=indicator-select]');
      select.value = 'arbeitslosenquote';
      select.dispatchEvent(new Event('change', { bubbles: true }));`);
    const switched = await waitFor(async () => {
      const state = await app.run(mapState);
      return state?.indicator === 'arbeitslosenquote' ? state : null;
    }, 'the map for the Arbeitslosenquote');
    assert.notEqual(switched.fills, first.fills, 'the colours follow the picked indicator');

    await app.click('[data-testid=area-010560015]');
    await waitFor(
      async () => /Elmshorn im Vergleich/.test(await app.run(`return document.querySelector('[data-testid=chart-title]')?.textContent`)),
      'the time series of the clicked area',
    );
    await app.run(`document.querySelector('[data-testid=chart-title]').scrollIntoView({ block: 'center' })`);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // let the chart's animation finish for the picture
    await app.screenshot('app-chart.png');
    await app.run('window.scrollTo(0, 0)');
    await app.screenshot('app-map.png');

    const before = await (await fetch(`${server.url}/api/v1/status`)).json();
    const printed = importCsv(server.dataDir, NEW_YEAR_CSV);
    assert.match(printed, new RegExp(`Revision ${before.revision + 1}\\b`), 'the import is the next revision');
    await waitFor(() => /Neue Daten im Sozialbericht: 3 Kennzahlen für 2026/.test(notifications), 'the Notify call on D-Bus');
    assert.match(notifications, /string "FOKUS PI"/, 'the notification is titled with the app name');

    await waitFor(async () => {
      const years = await app.run(`return [...document.querySelectorAll('[data-testid=year-select] option')].map((o) => o.value)`);
      return years.includes('2026');
    }, 'the new year in the running app');
    await app.screenshot('app.png');
  } finally {
    await app.close();
  }
});

test('with the server gone, a restarted app shows the cached data and says it is offline', async () => {
  await server.stop();
  const app = await openApp();
  try {
    const state = await waitFor(async () => {
      const current = await app.run(mapState);
      return current && current.count === 18 && /offline/.test(current.status) ? current : null;
    }, 'the cached map while offline');
    assert.match(state.status, /offline · Stand: \d\d\.\d\d\.\d{4}/, 'offline with the time of the last sync');
    await app.screenshot('app-offline.png');
    assert.ok(!state.fills.split(',').every((fill) => fill === '#d9d9d9'), `the map is coloured from the cache: ${JSON.stringify(state)}`);
    await app.screenshot('app-offline.png');
  } finally {
    await app.close();
  }
});

test('a fresh install without any network shows the data it shipped with', async () => {
  driver.kill();
  // A port nobody listens on, and a cache folder never used: the very first start, offline.
  await startDriver({ FOKUS_SERVER_URL: `http://127.0.0.1:${await freePort()}`, FOKUS_CACHE_DIR: tempDir('fresh-cache') });
  const app = await openApp();
  try {
    const state = await waitFor(async () => {
      const current = await app.run(mapState);
      return current && current.count === 18 && /offline/.test(current.status) ? current : null;
    }, 'the bundled map on a first offline start');
    assert.match(state.status, /offline · mitgelieferter Datenstand/, 'says the data came with the app');
    assert.ok(!state.fills.split(',').every((fill) => fill === '#d9d9d9'), 'the map is coloured from the bundled data');
    const indicators = await app.run(`return document.querySelectorAll('[data-testid=indicator-select] option').length`);
    assert.equal(indicators, 73, 'the whole catalogue shipped with the app');
    await app.screenshot('app-first-start-offline.png');
  } finally {
    await app.close();
  }
});
