// Shared helpers of the end-to-end tests: start the real server on a free loopback port with the
// demo dataset in a fresh folder, import into it, and launch Debian's Chromium without any
// background traffic. Binaries come from `cargo xtask test` through environment variables.
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SERVER_BIN = process.env.FOKUS_SERVER_BIN ?? join(ROOT, 'target/debug/fokus-server');
export const APP_BIN = process.env.FOKUS_APP_BIN ?? join(ROOT, 'target/debug/fokus-app');
export const SYNC_BIN = process.env.FOKUS_SYNC_BIN ?? join(ROOT, 'target/debug/fokus-sync');
export const WEB_DIR = process.env.FOKUS_WEB_DIR ?? join(ROOT, 'src-ui/dist');
export const SCREENSHOTS = join(ROOT, 'target/screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });

/** Every folder `tempDir` made; removed when the test process ends, however it ends. */
const TEMP_DIRS = [];
process.on('exit', () => {
  if (process.env.FOKUS_KEEP_TEMP) return;
  for (const dir of TEMP_DIRS) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch (error) {
      console.error(`could not remove ${dir}: ${error.message}`);
    }
  }
});

/** A fresh folder under the system's temp folder, removed at exit (`FOKUS_KEEP_TEMP=1` keeps it). */
export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `fokus-${prefix}-`));
  TEMP_DIRS.push(dir);
  return dir;
}

/** The demo content folder `cargo xtask test` builds (Markdown, PDFs, video). */
const DEMO_CONTENT = process.env.FOKUS_DEMO_CONTENT;

/**
 * Starts `fokus-server serve --demo --content … [extraArgs]` on port 0; resolves with
 * { url, dataDir, stop }.
 */
export async function startServer(dataDir = tempDir('server'), extraArgs = []) {
  const content = DEMO_CONTENT ? ['--content', DEMO_CONTENT] : [];
  return serve(dataDir, ['--demo', ...content, ...extraArgs]);
}

/** The Land-level example deployment shipped in the repository. */
export const SH_EXAMPLE = join(ROOT, 'assets/examples/schleswig-holstein');

/**
 * Sets up a server as a county would, with no demo code involved: `fokus-server init CONFIG`,
 * then `fokus-server import` of each values file, then `serve`. Resolves like `startServer`.
 */
export async function startConfiguredServer(configDir, valueFiles, dataDir = tempDir('server')) {
  execFileSync(SERVER_BIN, ['--data-dir', dataDir, 'init', configDir], { encoding: 'utf8' });
  for (const file of valueFiles) {
    execFileSync(SERVER_BIN, ['--data-dir', dataDir, 'import', file], { encoding: 'utf8' });
  }
  return serve(dataDir, []);
}

/**
 * Serves an existing data folder (a restored backup, say) on `port`, so pages that knew the old
 * server find this one at the same address. Resolves like `startServer`.
 */
export function serveDataDir(dataDir, port, extraArgs = []) {
  return serve(dataDir, extraArgs, port);
}

async function serve(dataDir, extraArgs, port = 0) {
  const child = spawn(SERVER_BIN, ['--data-dir', dataDir, 'serve', ...extraArgs, '--port', String(port), '--web-dir', WEB_DIR], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${seen}`)), 30_000);
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      const match = seen.match(/läuft auf (http:\/\/[0-9.:]+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', resolve);
      child.kill('SIGKILL');
    });
  return { url, dataDir, stop, pid: child.pid };
}

/** Runs `fokus-server import` against the server's data folder; returns its stdout. */
export function importCsv(dataDir, csv, name = 'bi-export.csv') {
  const file = join(tempDir('import'), name);
  writeFileSync(file, csv);
  return execFileSync(SERVER_BIN, ['--data-dir', dataDir, 'import', file], { encoding: 'utf8' });
}

/** Publishes the demo content plus `extra` files ({ 'path.md': text }) on the server in `dataDir`. */
export function publishContent(dataDir, extra) {
  const dir = tempDir('content');
  cpSync(DEMO_CONTENT, dir, { recursive: true });
  for (const [path, text] of Object.entries(extra)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return execFileSync(SERVER_BIN, ['--data-dir', dataDir, 'publish', dir], { encoding: 'utf8' });
}

/** A CSV with a new year for every demo indicator in two areas, as a BI export would bring it. */
export const NEW_YEAR_CSV = [
  'kennzahl;gebiet;jahr;wert',
  'sgb2_quote;010560015;2026;9,9',
  'sgb2_quote;01056;2026;7,1',
  'arbeitslosenquote;010560015;2026;6,4',
  'arbeitslosenquote;01056;2026;5,0',
  'altenquotient;010560015;2026;36,2',
  'altenquotient;01056;2026;37,0',
].join('\n');

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export async function waitFor(check, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await check();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

/**
 * Debian's Chromium without background traffic, showing the online web build: every page and
 * context it opens has the offline copy switched off (local storage `fokus-offline=aus`, as
 * Einstellungen does), so these tests read from the server as before and may route its requests
 * (a service worker's requests would pass by `page.route`). `tests/offline.test.mjs` launches
 * Chromium itself for the offline web app.
 */
export async function launchChromium() {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const switchOff = () => localStorage.setItem('fokus-offline', 'aus');
  const newContext = browser.newContext.bind(browser);
  const newPage = browser.newPage.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    await context.addInitScript(switchOff);
    return context;
  };
  browser.newPage = async (options) => {
    const page = await newPage(options);
    await page.addInitScript(switchOff);
    return page;
  };
  return browser;
}

/**
 * Opens the Sozialbericht of the web build at the server `url` in Debian's Chromium and waits
 * for the map; resolves with { browser, page, pageErrors }. `onRequest` sees every request the
 * page makes.
 */
export async function openMapPage(url, { onRequest, viewport = { width: 1400, height: 1200 } } = {}) {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport });
  const pageErrors = [];
  if (onRequest) page.on('request', (request) => onRequest(request.url()));
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${url}/sozialbericht`);
  await page.waitForSelector('[data-testid=map] path.area');
  return { browser, page, pageErrors };
}

/**
 * Opens a page from the navigation: below 1200 px the pages sit in the menu, so it is opened
 * first, as a person would.
 */
export async function clickNav(page, slug) {
  const link = page.locator(`[data-testid=nav-${slug}]`);
  if (!(await link.isVisible())) await page.click('[data-testid=menu-button]');
  await link.click();
}

/**
 * Starts a store worker in `page` as the web build does (`/store-worker.js`, with `query` such
 * as `?stall_ms=1000`) and leaves `window.storeWorker = { worker, ask(call) }` for later
 * `page.evaluate` calls: `ask` posts one request of `fokus_model::worker` and resolves with its
 * result (`{ Ok }` or `{ Err }`). Resolves with the worker's first message (ready or failed).
 */
export function startStoreWorker(page, query = '') {
  return page.evaluate((query) => new Promise((started) => {
    const worker = new Worker(`/store-worker.js${query}`);
    const pending = new Map();
    let nextId = 1;
    worker.addEventListener('message', (event) => {
      const message = JSON.parse(event.data);
      if (message.kind === 'reply') {
        pending.get(message.id)?.(message.result);
        pending.delete(message.id);
      } else if (message.kind === 'ready' || message.kind === 'failed') {
        started(message);
      }
    });
    window.storeWorker = {
      worker,
      ask: (call) => new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        worker.postMessage(JSON.stringify({ id, ...call }));
      }),
    };
  }), query);
}
