// A second deployment in the browser: a server set up from the Schleswig-Holstein example with
// `init` and `import` only (no demo code), and the same web build drawing that Land's map,
// catalogue and title.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startConfiguredServer, SH_EXAMPLE, SCREENSHOTS, openMapPage, waitFor } from './support.mjs';

let server;
let browser;
let page;
let pageErrors = [];

before(async () => {
  server = await startConfiguredServer(SH_EXAMPLE, [join(SH_EXAMPLE, 'werte.csv'), join(SH_EXAMPLE, 'werte-mit-fallzahl.csv')]);
  ({ browser, page, pageErrors } = await openMapPage(server.url));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the Land deployment shows its 15 Kreise, its catalogue and its title', async () => {
  assert.equal(await page.locator('[data-testid=map] path.area').count(), 15, '11 Kreise + 4 kreisfreie Städte');
  await waitFor(async () => (await page.textContent('[data-testid=app-title]')) === 'FOKUS SH', 'the configured title');
  assert.match(await page.title(), /FOKUS SH – Sozialmonitor · Land Schleswig-Holstein/, 'the window title too');
  assert.equal(await page.getAttribute('[data-testid=map]', 'data-indicator'), 'sgb2_quote', 'opens on the Leitkennzahl');
  const options = await page.$$eval('[data-testid=indicator-select] option', (nodes) => nodes.map((node) => node.value));
  assert.deepEqual(
    options,
    ['sgb2_quote', 'arbeitslosenquote', 'grundsicherung_alter', 'pflegequote', 'betreuungsquote_u3', 'inobhutnahmen'],
    'the six indicators of kennzahlen.csv, in the configured order',
  );
  for (const id of ['01', 'DG']) {
    assert.match(await page.textContent(`[data-testid=reference-${id}]`), /\d,\d/, `reference ${id} has a German number`);
  }
  assert.equal(await page.locator('[data-testid=reference-01056]').count(), 0, 'no Kreis Pinneberg reference in a Land deployment');
  assert.match(await page.textContent('[data-testid=attribution]'), /GeoBasis-DE \/ BKG 2021 \(Daten verändert\)/, 'the configured licence notice');
  assert.doesNotMatch(await page.textContent('[data-testid=attribution]'), /Zensus/, 'no population source the Land did not configure');
  assert.match(await page.textContent('[data-testid=demo-banner]'), /Beispielkonfiguration Schleswig-Holstein/, 'example values are labelled');
  assert.match(await page.textContent('[data-testid=reference-01]'), /^Schleswig-Holstein\s*\d+,\d %\s*\(vorläufig\)$/, 'a provisional value says so');
  assert.equal(await page.locator('[data-testid=map] .inset').count(), 0, 'no inset: the Land configures none');
  const header = await page.$eval('header.topbar', (element) => getComputedStyle(element).backgroundColor);
  assert.equal(header, 'rgb(31, 86, 49)', 'the configured accent colour #1f5631');
  await page.screenshot({ path: join(SCREENSHOTS, 'web-schleswig-holstein.png') });
});

test('a Kreis of the Land opens its time series against the Land and the Bund', async () => {
  await page.click('[data-testid=area-01002]');
  await page.click('[data-testid=card-series]');
  await waitFor(async () => /Kiel im Vergleich/.test(await page.textContent('[data-testid=chart-title]')), 'Kiel chart');
  const header = await page.$$eval('.tab-panel details th[scope=col]', (cells) => cells.map((cell) => cell.textContent));
  assert.deepEqual(header, ['Jahr', 'Kiel', 'Schleswig-Holstein', 'Deutschland'], 'Kiel, then the Land, then the Bund');
  assert.deepEqual(pageErrors, [], 'no page errors');
});
