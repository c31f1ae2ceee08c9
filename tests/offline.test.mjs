// The offline web app on a tablet-sized Chromium with touch (issue 24): a first visit online
// fills the store worker's SQLite in the browser's private file system and the service worker's
// shell cache; then, with the browser context offline, every route renders from that cache. An
// import reaches the open page without a reload, and closing the page in the middle of a sync
// (first sync and deltas) leaves a store the next visit opens and completes.
//
// Each test uses its own browser profile (a persistent context), as a tablet keeps one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { startServer, serveDataDir, importCsv, NEW_YEAR_CSV, CHROMIUM_ARGS, SCREENSHOTS, SERVER_BIN, tempDir, waitFor } from './support.mjs';

const TABLET = { viewport: { width: 768, height: 1024 }, hasTouch: true, isMobile: true };

/** Every page a councillor opens, with what shows it has its data. */
const ROUTES = [
  ['/', '[data-testid=headline]'],
  ['/sozialbericht', '[data-testid=map] path.area'],
  ['/sozialbericht?kennzahl=sgb2_quote&gebiete=010560015', '[data-testid=card-title]'],
  ['/sozialbericht?kennzahl=sgb2_quote&ansicht=zeitreihe', '[data-testid=series-chart], .chart'],
  ['/sozialbericht?kennzahl=sgb2_quote&ansicht=rangfolge', '[data-testid=ranking]'],
  ['/sozialbericht?kennzahl=sgb2_quote&ansicht=tabelle', '[data-testid=data-table]'],
  ['/sozialbericht?kennzahl=sgb2_quote&ansicht=quellen', '[data-testid=sources]'],
  ['/gebiet?gebiet=010560015&jahr=2024', '[data-testid=profile-title]'],
  ['/demografie', '.chart, [data-testid=pyramid]'],
  ['/sozialausgaben', '.chart, [data-testid=spending]'],
  ['/fokusbericht', '[data-testid=live-chart] canvas, [data-testid=live-chart] svg'],
  ['/empfehlungen', 'article'],
  ['/suche?q=pflege', '[data-testid=search-hit]'],
  ['/dokumente', '[data-testid=document]'],
  ['/mappen', '[data-testid=folder-item]'],
  ['/einstellungen', '[data-testid=offline-settings]'],
];

/** A Sitzungsmappe the online build kept in local storage before the store worker moved in. */
const EARLIER_PERSONAL = {
  version: 1,
  notes: [],
  folders: [{
    id: 'f1', name: 'Sozialausschuss März', created_at: 1790000000,
    items: [{ path: '/sozialbericht?kennzahl=sgb2_quote&jahr=2024', title: 'SGB-II-Quote 2024, Karte', note: 'Nachfragen' }],
  }],
  read: [],
};

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

async function tablet(colorScheme = 'light') {
  const context = await chromium.launchPersistentContext(tempDir('profile'), {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    colorScheme,
    ...TABLET,
  });
  const errors = [];
  context.on('page', (page) => page.on('pageerror', (error) => errors.push(error.message)));
  return { context, errors };
}

const serverRevision = async (url = server.url) => (await (await fetch(`${url}/api/v1/status`)).json()).revision;

/** The revision the page's store is at, as its sync bar shows it (`data-revision`). */
const pageRevision = async (page) => Number(await page.getAttribute('[data-testid=sync-status]', 'data-revision'));

/** Waits until the page's store has the server's revision and the sync bar says "abgeglichen". */
async function synced(page, what, url = server.url) {
  const target = await serverRevision(url);
  await waitFor(async () => (await pageRevision(page)) === target
    && /abgeglichen/.test(await page.textContent('[data-testid=sync-status]')), what, 60_000);
}

test('first visit online, then offline: every route renders from the tablet\'s own store', async () => {
  const { context, errors } = await tablet();
  const page = context.pages()[0] ?? await context.newPage();
  try {
    // The online build kept a Sitzungsmappe in local storage; the store worker takes it over.
    await page.goto(`${server.url}/barrierefreiheit`);
    await page.evaluate((personal) => localStorage.setItem('fokus-persoenlich', personal), JSON.stringify(EARLIER_PERSONAL));
    await page.goto(`${server.url}/sozialbericht`);
    await page.waitForSelector('[data-testid=map] path.area');
    await synced(page, 'the first sync into the store worker');
    assert.equal(await page.locator('[data-testid=online-only]').count(), 0, 'the page says nothing of "nur online"');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });

    // Installable: Chromium finds nothing missing for "Zum Startbildschirm hinzufügen".
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    assert.deepEqual(installabilityErrors, [], 'the web app is installable');
    const manifest = await (await fetch(`${server.url}/manifest.webmanifest`)).json();
    assert.equal(manifest.short_name, 'FOKUS PI', 'the manifest carries the deployment\'s name');
    assert.match(manifest.theme_color, /^#[0-9a-f]{6}$/i);

    await context.setOffline(true);
    for (const [route, ready] of ROUTES) {
      await page.goto(`${server.url}${route}`);
      await page.waitForSelector(ready, { timeout: 30_000 });
      await page.waitForTimeout(200);
      assert.match(await page.textContent('[data-testid=sync-status]'), /offline/, `${route}: the sync bar says offline`);
      assert.equal(await page.locator('[data-testid=online-only]').count(), 0, `${route}: from the store, not "nur online"`);
      const name = route === '/' ? 'start' : route.slice(1).replace(/[?&=,]/g, '-');
      await page.screenshot({ path: join(SCREENSHOTS, `offline-${name}.png`) });
    }
    // The Mappe moved from local storage into the store and is there offline.
    await page.goto(`${server.url}/mappen`);
    await page.waitForSelector('[data-testid=folder-item]');
    assert.match(await page.textContent('main'), /Sozialausschuss März/);
    assert.equal(await page.evaluate(() => localStorage.getItem('fokus-persoenlich')), null, 'local storage no longer holds it');
    await page.goto(`${server.url}/einstellungen`);
    await page.waitForSelector('[data-testid=storage]');
    await waitFor(async () => /Daten: \d/.test(await page.textContent('[data-testid=storage]')), 'the store\'s size shown');
    assert.match(await page.textContent('[data-testid=offline-mode]'), /Offline verfügbar/);
    await page.screenshot({ path: join(SCREENSHOTS, 'offline-einstellungen-full.png'), fullPage: true });
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});

test('offline in dark: the map, a chart and the Mappen from the store', async () => {
  const { context, errors } = await tablet('dark');
  const page = context.pages()[0] ?? await context.newPage();
  try {
    await page.goto(`${server.url}/sozialbericht`);
    await synced(page, 'the first sync');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
    await context.setOffline(true);
    for (const [route, ready, name] of [
      ['/sozialbericht?kennzahl=sgb2_quote&gebiete=010560015', '[data-testid=card-title]', 'sozialbericht'],
      ['/fokusbericht', '[data-testid=live-chart] canvas, [data-testid=live-chart] svg', 'fokusbericht'],
      ['/demografie', '.chart, [data-testid=pyramid]', 'demografie'],
    ]) {
      await page.goto(`${server.url}${route}`);
      await page.waitForSelector(ready, { timeout: 30_000 });
      await page.waitForTimeout(300);
      assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
      await page.screenshot({ path: join(SCREENSHOTS, `offline-dark-${name}.png`) });
    }
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});

test('an import on the server reaches the open page without a reload, is announced, and stays offline', async () => {
  const { context } = await tablet();
  // The person allowed notifications (Einstellungen); the page's Notification calls are recorded
  // on their way to the browser's own.
  await context.grantPermissions(['notifications'], { origin: server.url });
  await context.addInitScript(() => {
    const Browser = window.Notification;
    window.fokusNotifications = [];
    window.Notification = class extends Browser {
      constructor(title, options) {
        super(title, options);
        window.fokusNotifications.push({ title, body: options?.body ?? '' });
      }
    };
  });
  const page = context.pages()[0] ?? await context.newPage();
  try {
    await page.goto(`${server.url}/einstellungen`);
    await page.waitForSelector('[data-testid=notify-permission]');
    await waitFor(async () => /Neue Daten werden gemeldet/.test(await page.textContent('[data-testid=notify-permission]')),
      'Einstellungen says new data are announced');
    await page.goto(`${server.url}/sozialbericht?kennzahl=sgb2_quote`);
    await synced(page, 'the first sync');
    assert.deepEqual(await page.evaluate(() => window.fokusNotifications), [], 'a first sync announces nothing');
    const offeredYears = () => page.$$eval('[data-testid=year-select] option', (options) => options.map((o) => o.value));
    const before = await pageRevision(page);
    const printed = importCsv(server.dataDir, NEW_YEAR_CSV.replace('9,9', '9,8'));
    assert.match(printed, /neu|geändert/, printed);
    await synced(page, 'the import applied in the worker');
    assert.ok((await pageRevision(page)) > before, 'the store moved to the new revision');
    await waitFor(async () => (await offeredYears()).includes('2026'), 'year 2026 offered without a reload');
    const [announced, ...more] = await page.evaluate(() => window.fokusNotifications);
    assert.equal(announced?.title, 'Neue Daten in FOKUS', 'the import is announced by a notification');
    assert.match(announced.body, /2026|SGB/, `it says what is new: ${announced.body}`);
    assert.deepEqual(more, [], 'once');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector('[data-testid=map] path.area');
    assert.ok((await offeredYears()).includes('2026'), 'the new year is in the store offline');
  } finally {
    await context.close();
  }
});

test('a document kept for the session opens offline; one neither opened nor kept does not', async () => {
  const { context, errors } = await tablet();
  const page = context.pages()[0] ?? await context.newPage();
  try {
    await page.goto(`${server.url}/dokumente`);
    await synced(page, 'the first sync');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
    const documents = page.locator('[data-testid=document]');
    assert.ok(await documents.count() >= 2, 'the demo has two documents');
    const [kept, other] = [documents.nth(0), documents.nth(1)];
    await kept.locator('[data-testid=document-keep]').click();
    await kept.locator('[data-testid=document-kept]').waitFor();
    assert.equal(await other.locator('[data-testid=document-keep]').count(), 1, 'the other one is not kept');
    await other.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'online-dokumente-keep.png') });
    const keptHref = await kept.locator('[data-testid=document-file]').getAttribute('href');
    const otherHref = await other.locator('[data-testid=document-file]').getAttribute('href');

    await context.setOffline(true);
    await page.reload();
    await page.locator('[data-testid=document]').first().waitFor();
    assert.equal(await page.locator('[data-testid=document]').nth(0).locator('[data-testid=document-kept]').count(), 1,
      'offline, the page says the document is kept');
    const read = (href) => page.evaluate(async (href) => {
      try {
        const response = await fetch(href);
        const bytes = new Uint8Array(await response.arrayBuffer());
        return { status: response.status, start: String.fromCharCode(...bytes.slice(0, 5)) };
      } catch (error) {
        return { error: String(error) };
      }
    }, href);
    assert.equal(await page.locator('[data-testid=document]').nth(1).locator('[data-testid=document-not-kept]').count(), 1,
      'offline, the other one says it needs the network instead of offering to keep it');
    assert.deepEqual(await read(keptHref), { status: 200, start: '%PDF-' }, 'the kept PDF opens offline');
    const missing = await read(otherHref);
    assert.ok(missing.error || missing.status !== 200, `the other one is not there offline: ${JSON.stringify(missing)}`);
    await page.locator('[data-testid=document]').nth(1).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'offline-dokumente.png') });
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});

test('closing the page in the middle of syncs (24 times) leaves a store the next visit opens and completes', async () => {
  const { context } = await tablet();
  try {
    let closedDuringSync = 0;
    for (let round = 0; round < 24; round += 1) {
      // Every other round brings a delta: a changed value for a new year.
      if (round % 2 === 1) importCsv(server.dataDir, `kennzahl;gebiet;jahr;wert\nsgb2_quote;010560015;2027;${(5 + round / 10).toFixed(1).replace('.', ',')}`);
      const page = await context.newPage();
      await page.goto(`${server.url}/sozialbericht`);
      // The store opened (it would say "nur online" if it could not), then a moment of the sync.
      await page.waitForSelector('[data-testid=sync-status]');
      assert.equal(await page.locator('[data-testid=online-only]').count(), 0, `round ${round}: the store opens`);
      if (round === 0) {
        // The first sync is closed while it runs, for certain (a fast machine could finish it
        // before a random moment); later rounds close at random points.
        await page.waitForFunction(() => /Gleiche ab|Verbinde/.test(document.querySelector('[data-testid=sync-status]')?.textContent ?? ''),
          null, { timeout: 30_000, polling: 10 });
      } else {
        await page.waitForTimeout(Math.floor(Math.random() * 2500));
      }
      if (/Gleiche ab|Verbinde/.test(await page.textContent('[data-testid=sync-status]'))) closedDuringSync += 1;
      await page.close();
    }
    assert.ok(closedDuringSync > 0, 'some pages were closed while a sync ran');
    const page = await context.newPage();
    await page.goto(`${server.url}/sozialbericht?kennzahl=sgb2_quote`);
    await synced(page, 'the visit after the closings completes the sync');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector('[data-testid=map] path.area');
    assert.equal(await pageRevision(page), await serverRevision(), 'offline, the store is at the server\'s revision');
    const years = await page.$$eval('[data-testid=year-select] option', (options) => options.map((o) => o.value));
    assert.ok(years.includes('2027'), 'the last delta is in the store');
  } finally {
    await context.close();
  }
});

test('a server restored from a backup (behind the store) is followed: the store is replaced, as in the app', async () => {
  const dataDir = tempDir('restored-server');
  let current = await startServer(dataDir);
  const port = Number(new URL(current.url).port);
  const { context } = await tablet();
  try {
    const page = context.pages()[0] ?? await context.newPage();
    await page.goto(`${current.url}/sozialbericht?kennzahl=sgb2_quote`);
    await synced(page, 'the first sync', current.url);
    const backup = join(tempDir('backup'), 'data');
    execFileSync(SERVER_BIN, ['--data-dir', dataDir, 'backup', backup], { encoding: 'utf8' });
    const backedUp = await serverRevision(current.url);
    importCsv(dataDir, NEW_YEAR_CSV.replace('9,9', '9,7'));
    await synced(page, 'the import after the backup', current.url);
    const offeredYears = () => page.$$eval('[data-testid=year-select] option', (options) => options.map((o) => o.value));
    await waitFor(async () => (await offeredYears()).includes('2026'), 'year 2026 offered');
    // The county restores the backup: the server is back at the earlier revision, same address.
    await current.stop();
    current = await serveDataDir(backup, port);
    assert.equal(await serverRevision(current.url), backedUp);
    await waitFor(async () => (await pageRevision(page)) === backedUp, 'the store follows the restored server without a reload', 60_000);
    await waitFor(async () => !(await offeredYears()).includes('2026'), 'the year only the lost import had is gone');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector('[data-testid=map] path.area');
    assert.equal(await pageRevision(page), backedUp, 'offline, the store is the restored server\'s');
  } finally {
    await context.close();
    await current.stop();
  }
});
