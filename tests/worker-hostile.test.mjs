// Hostile answers to the store worker's sync (issue 24): the browser's host of fokus-sync's plan
// meets the same cases as the native syncer (`crates/fokus-sync/tests/hostile`, served one per
// port by the `hostile_feeds` example beside the web build's files). Each leaves an empty store
// at revision 0 with nothing in it; a stalled server reads as offline, the others as a problem the
// sync bar names. The good feed on its own port is the control: the same steps there fill the
// store.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, ROOT, WEB_DIR, startStoreWorker, tempDir } from './support.mjs';
import { join } from 'node:path';

const HOSTILE_BIN = process.env.FOKUS_HOSTILE_FEEDS_BIN ?? join(ROOT, 'target/debug/examples/hostile_feeds');
/** The worker's stall time here (the app's is 30 s). */
const STALL_MS = 1_000;

let feeds;
let cases;
let context;

before(async () => {
  feeds = spawn(HOSTILE_BIN, [WEB_DIR], { stdio: ['ignore', 'pipe', 'inherit'] });
  cases = [];
  for await (const line of createInterface({ input: feeds.stdout })) {
    if (line === '') break;
    cases.push(JSON.parse(line));
  }
  context = await chromium.launchPersistentContext(tempDir('hostile-profile'), {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
});

after(async () => {
  await context?.close();
  feeds?.kill();
});

/** A worker of the page's origin, started as the web build starts it: ready, one sync, then
 * what it holds (sync state, catalogue). */
async function syncOnce(port) {
  const page = await context.newPage();
  try {
    await page.goto(`http://127.0.0.1:${port}/`);
    const ready = await startStoreWorker(page, `?stall_ms=${STALL_MS}`);
    if (ready.kind === 'failed') return { ready };
    return {
      ready,
      ...await page.evaluate(async () => {
        const sync = await storeWorker.ask({ call: 'sync_run', known: null });
        const status = await storeWorker.ask({ call: 'sync_status' });
        const catalog = await storeWorker.ask({ call: 'read', name: 'catalog_get', args: {} });
        storeWorker.worker.terminate();
        return { sync, status, catalog };
      }),
    };
  } finally {
    await page.close();
  }
}

test('every hostile feed leaves the worker\'s store empty; the good one fills it', async () => {
  assert.ok(cases.length >= 10, `the shared cases and the control are served: ${cases.length}`);
  for (const { why, port, offline, good } of cases) {
    const { ready, sync, status, catalog } = await syncOnce(port);
    assert.equal(ready.kind, 'ready', `${why}: the store opens (${ready.reason ?? ''})`);
    assert.equal(ready.revision, 0, `${why}: a fresh origin starts empty`);
    const state = sync.Ok;
    assert.ok(state, `${why}: the sync answers with its state`);
    if (good) {
      assert.ok(state.revision > 0 && state.problem === null, `the good feed syncs: ${JSON.stringify(state)}`);
      assert.ok(catalog.Ok.indicators.length > 0, 'the good feed fills the catalogue');
      continue;
    }
    assert.equal(state.revision, 0, `${why}: the store stays at revision 0`);
    assert.equal(status.Ok.revision, 0, `${why}: and says so afterwards`);
    assert.equal(catalog.Ok.indicators.length, 0, `${why}: nothing written`);
    if (offline) {
      assert.equal(state.online, false, `${why}: reads as a lost connection`);
      assert.equal(state.problem, null, `${why}: not as a broken server: ${state.problem}`);
    } else {
      assert.match(state.problem ?? '', /ungültige Antwort des Servers/, `${why}: named as the server's fault`);
    }
  }
});
