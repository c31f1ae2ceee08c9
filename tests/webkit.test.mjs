// The offline web app in WebKit, because iPads run WebKit (issue 24): Debian's WebKitGTK
// MiniBrowser visits once online with a profile of its own, then the server is stopped and the
// browser started again on the pages a councillor opens: the shell comes from the service worker
// and the data from the store worker's own store.
//
// Not through WebKitWebDriver: its automation sessions use an ephemeral profile, in which WebKit
// refuses the Origin Private File System ("UnknownError") and nothing survives a restart. So the
// browser runs as a person's would, at the landscape tablet size MiniBrowser opens with
// (1024 × 768), and the test reads what the page writes to the console (MiniBrowser's
// `--enable-write-console-messages-to-stdout`), the window's title (xwininfo) and screenshots
// (ffmpeg's x11grab). Runs under `xvfb-run` (`cargo xtask test`).
//
// What WebKitGTK 2.50 lacks, checked here: the OPFS sync access handles (NotSupportedError
// "Backend does not support this operation"), so the store worker keeps its SQLite pages in
// IndexedDB (relaxed-idb) in WebKitGTK; Safari (from iPadOS 16.4) has the handles.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, SCREENSHOTS, tempDir, waitFor } from './support.mjs';

const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
/** The web platform features Safari has on and Debian's WebKitGTK keeps behind flags. */
const FEATURES = '--features=+StorageAPI,+StorageAPIEstimate,+FileSystem,+FileSystemWritableStream,+AccessHandle';
/** The document title once the deployment's catalog is read (index.html's own is shorter). */
const DATA_TITLE = 'FOKUS PI – Digitaler Sozialbericht · Kreis Pinneberg';

let server;
const home = tempDir('webkit-home');

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop().catch(() => {});
});

/** The title of MiniBrowser's window, or ''. */
function windowTitle() {
  const tree = execFileSync('xwininfo', ['-root', '-tree'], { encoding: 'utf8' });
  const line = tree.split('\n').find((entry) => entry.includes('("MiniBrowser"'));
  return line?.match(/"([^"]*)": \(/)?.[1] ?? '';
}

/** Whether a WebKit web or network process still runs (zombies aside). */
function webKitRunning() {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).some((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return /\(WebKit(WebProces|NetworkPr)[^)]*\) [^Z]/.test(stat);
    } catch {
      return false;
    }
  });
}

/**
 * Starts MiniBrowser on `url` with the test's profile; resolves with { console(), screenshot(name), close() }.
 */
function miniBrowser(url, { dark = false } = {}) {
  const env = { ...process.env, HOME: home, XDG_DATA_HOME: join(home, 'data'), XDG_CACHE_HOME: join(home, 'cache') };
  const args = ['--enable-write-console-messages-to-stdout=true', FEATURES, ...(dark ? ['--dark-mode'] : []), url];
  // Line-buffered: WebKit writes the console with stdio, which a pipe would hold back.
  const browser = spawn('stdbuf', ['-oL', '-eL', MINIBROWSER, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  browser.stdout.on('data', (chunk) => { output += chunk; });
  browser.stderr.on('data', (chunk) => { output += chunk; });
  const exited = new Promise((resolve) => browser.on('exit', resolve));
  return {
    console: () => output,
    screenshot(name) {
      execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'x11grab', '-video_size', '1024x768', '-i', process.env.DISPLAY,
        '-frames:v', '1', join(SCREENSHOTS, `${name}.png`)]);
    },
    async close() {
      browser.kill();
      await exited;
      // The web and network processes end after the browser; the store's lock goes with them.
      await waitFor(async () => !webKitRunning(), 'WebKit\'s processes ended', 15_000).catch(() => {});
    },
  };
}

test('WebKit: a first visit fills the store; with the server gone, the pages come from it', async () => {
  const online = miniBrowser(`${server.url}/sozialbericht`);
  let revision;
  try {
    await waitFor(async () => /FOKUS Offline-Speicher abgeglichen: Revision \d+/.test(online.console()), 'the first sync in WebKit', 90_000)
      .catch((error) => {
        console.log('MiniBrowser said:', online.console().split('\n').filter((line) => /FOKUS|ERROR/.test(line)).join('\n'));
        throw error;
      });
    await waitFor(async () => online.console().includes('FOKUS Service Worker steuert die Seite'), 'the service worker in control', 30_000);
    revision = Number(online.console().match(/abgeglichen: Revision (\d+)/)[1]);
    const status = await (await fetch(`${server.url}/api/v1/status`)).json();
    assert.equal(revision, status.revision, 'the store is at the server\'s revision');
    assert.doesNotMatch(online.console(), /FOKUS nur online/, 'the store opened');
    online.screenshot('webkit-online');
  } finally {
    await online.close();
  }

  await server.stop();
  for (const [route, name, dark] of [
    ['/sozialbericht?kennzahl=sgb2_quote&gebiete=010560015', 'sozialbericht', false],
    ['/fokusbericht', 'fokusbericht', false],
    ['/demografie', 'demografie', false],
    ['/empfehlungen', 'empfehlungen', false],
    ['/sozialbericht', 'sozialbericht-dark', true],
  ]) {
    const offline = miniBrowser(`${server.url}${route}`, { dark });
    try {
      await waitFor(async () => /FOKUS Offline-Speicher geöffnet: Revision \d+/.test(offline.console()), `${route}: the store opened offline`, 30_000)
        .catch((error) => {
          console.log('MiniBrowser said:', offline.console().split('\n').filter((line) => /FOKUS|ERROR/.test(line)).join('\n'));
          throw error;
        });
      assert.equal(Number(offline.console().match(/geöffnet: Revision (\d+)/)[1]), revision, `${route}: the store kept its revision`);
      // The catalog read from the store names the deployment in the title.
      await waitFor(async () => windowTitle() === DATA_TITLE, `${route}: the deployment's title from the store`, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      offline.screenshot(`webkit-offline-${name}`);
    } finally {
      await offline.close();
    }
  }
});
