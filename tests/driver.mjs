// The real app through tauri-driver + WebKitWebDriver (plain W3C WebDriver over HTTP), shared by
// the app tests and the app benchmark.
import { spawn, spawnSync } from 'node:child_process';
import { openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { APP_BIN, SCREENSHOTS, waitFor } from './support.mjs';

const DRIVER_BIN = process.env.FOKUS_TAURI_DRIVER ?? 'tauri-driver';

export function freePort() {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** What the map shows, or null before it is drawn. */
export const mapState = `
  const map = document.querySelector('[data-testid=map]');
  if (!map) return null;
  const areas = [...map.querySelectorAll('path.area')];
  return { indicator: map.dataset.indicator, year: map.dataset.year, count: areas.length,
           fills: areas.map((a) => a.dataset.fill).join(','),
           status: document.querySelector('[data-testid=sync-status]')?.textContent ?? '' };`;

/**
 * Starts tauri-driver with `env` for the app; returns { openApp(), kill() }. The app (APP_BIN or
 * `appBin`) inherits the driver's environment.
 */
export async function startDriver(env, appBin = APP_BIN) {
  let url;
  let driver;
  // Logs go to a file, not to our pipes: an app that outlives its driver must not hold the test
  // runner's stdout open (the runner would wait for it forever).
  const log = openSync(join(SCREENSHOTS, 'app-test.log'), 'a');
  async function launch() {
    const port = await freePort();
    const nativePort = await freePort();
    url = `http://127.0.0.1:${port}`;
    driver = spawn(DRIVER_BIN, ['--port', String(port), '--native-port', String(nativePort)], {
      stdio: ['ignore', log, log],
      env: { ...process.env, FOKUS_SYNC_INTERVAL_SECS: '30', FOKUS_LOG_FILE: join(SCREENSHOTS, 'app.log'), ...env },
    });
  }
  await launch();

  async function webdriver(method, path, body, signal) {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    const json = await response.json();
    if (!response.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`);
    return json.value;
  }

  /**
   * Starts the app (with `args` on its command line, as the OS passes a `fokus://` link) and
   * returns { run(script), runAsync(script), click(selector), screenshot(name), resize(w, h), close() }.
   */
  async function openApp({ args = [] } = {}) {
    // A session that is not there in 90 s will not come (undici would wait 300 s for headers).
    const create = () => webdriver('POST', '/session', { capabilities: { alwaysMatch: { 'tauri:options': { application: appBin, args } } } }, AbortSignal.timeout(90_000));
    let session;
    try {
      session = await waitFor(create, 'a WebDriver session', 60_000);
    } catch (error) {
      // Seen on a loaded machine: WebKitWebDriver never answered the new session and the app
      // never logged its start. Say what was running, then try once with a fresh driver (no app
      // left on the cache, so the new one cannot hand its link to a stuck one); a second miss fails.
      const running = spawnSync('ps', ['-eo', 'pid,stat,etime,args'], { encoding: 'utf8' }).stdout
        .split('\n').filter((line) => /fokus-app|WebKit|tauri-driver/.test(line));
      console.log(`no WebDriver session (${error.message}); running:\n${running.join('\n')}\nstarting a fresh driver once`);
      driver.kill('SIGKILL');
      spawnSync('pkill', ['-KILL', '-f', appBin]);
      spawnSync('pkill', ['-KILL', '-f', 'WebKitWebDriver']);
      await launch();
      session = await waitFor(create, 'a WebDriver session from a fresh driver', 60_000);
    }
    const id = session.sessionId;
    const run = (script, args = []) => webdriver('POST', `/session/${id}/execute/sync`, { script, args });
    /** Runs `script`, which ends by calling `arguments[arguments.length - 1](result)`. */
    const runAsync = (script, args = []) => webdriver('POST', `/session/${id}/execute/async`, { script, args });
    // The session ends before the app's process does; an app started while the last one still
    // runs on the same cache would hand its link over and end, and the session would wait for
    // it forever. So closing waits until no process of the app is left.
    const close = async () => {
      await webdriver('DELETE', `/session/${id}`);
      await waitFor(() => spawnSync('pgrep', ['-f', appBin]).status !== 0, 'the app process to end', 20_000);
    };
    const screenshot = async (name) => {
      const png = await webdriver('GET', `/session/${id}/screenshot`);
      writeFileSync(join(SCREENSHOTS, name), Buffer.from(png, 'base64'));
    };
    const click = async (selector) => {
      // Below 1200 px the pages sit in the menu: open it first, as a person would.
      const inMenu = await run(`const link = document.querySelector(arguments[0]);
        return !!link && !!link.closest('nav.pages') && link.getClientRects().length === 0;`, [selector]);
      if (inMenu) {
        await run(`document.querySelector('[data-testid=menu-button]').click(); return null;`);
        await waitFor(() => run(`return document.querySelector(arguments[0]).getClientRects().length > 0`, [selector]), 'the menu open');
      }
      const element = await webdriver('POST', `/session/${id}/element`, { using: 'css selector', value: selector });
      const elementId = Object.values(element)[0];
      await webdriver('POST', `/session/${id}/element/${elementId}/click`, {});
    };
    /** Sets the window's size, e.g. a tablet's 768 × 1024. */
    const resize = (width, height) => webdriver('POST', `/session/${id}/window/rect`, { width, height });
    /** Presses and lifts a pointer at viewport point `x`, `y`: a finger where WebKitWebDriver
     * offers touch, else the mouse. Returns the pointer type used. */
    const tap = async (x, y) => {
      const act = (pointerType) => webdriver('POST', `/session/${id}/actions`, {
        actions: [{ type: 'pointer', id: 'finger', parameters: { pointerType }, actions: [
          { type: 'pointerMove', duration: 0, origin: 'viewport', x: Math.round(x), y: Math.round(y) },
          { type: 'pointerDown', button: 0 },
          { type: 'pointerUp', button: 0 },
        ] }],
      });
      try {
        await act('touch');
        return 'touch';
      } catch {
        await webdriver('DELETE', `/session/${id}/actions`).catch(() => {});
        await act('mouse');
        return 'mouse';
      }
    };
    return { id, run, runAsync, click, close, screenshot, resize, tap };
  }

  return { openApp, kill: () => driver.kill() };
}

/**
 * A page script (for WebDriver's execute/async or playwright's evaluate) that switches the
 * explorer's indicator `runs` times and measures each switch from the change event to the first
 * frame painted after the map shows the new indicator; then the same for the year. Resolves with
 * { indicator: [ms…], year: [ms…] }.
 */
export const SWITCH_TIMING = `
  const runs = 20;
  const finish = arguments[arguments.length - 1];
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  const until = async (check) => { while (!check()) await frame(); await frame(); };
  const map = () => document.querySelector('[data-testid=map]');
  (async () => {
    const result = { indicator: [], year: [] };
    const select = () => document.querySelector('[data-testid=indicator-select]');
    const ids = [...select().options].map((option) => option.value);
    for (let run = 0; run < runs; run++) {
      const id = ids.filter((known) => known !== map().dataset.indicator)[run % (ids.length - 1)];
      const started = performance.now();
      select().value = id;
      select().dispatchEvent(new Event('change', { bubbles: true }));
      await until(() => map()?.dataset.indicator === id);
      result.indicator.push(performance.now() - started);
    }
    for (let run = 0; run < runs; run++) {
      const years = [...document.querySelectorAll('[data-testid=year-select] option')].map((option) => option.value);
      const year = years.filter((known) => known !== map().dataset.year)[run % (years.length - 1)];
      const started = performance.now();
      const yearSelect = document.querySelector('[data-testid=year-select]');
      yearSelect.value = year;
      yearSelect.dispatchEvent(new Event('change', { bubbles: true }));
      await until(() => map()?.dataset.year === year);
      result.year.push(performance.now() - started);
    }
    finish(result);
  })();`;
