// The UI's web build in headless Chromium against the real server: pick an indicator and a
// year, see the map change, select an area and see its chart, receive an import live, and never
// contact a host other than the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, importCsv, NEW_YEAR_CSV, CHROMIUM_ARGS, SCREENSHOTS, waitFor } from './support.mjs';

let server;
let browser;
let page;
const requests = [];
const pageErrors = [];

before(async () => {
  server = await startServer();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(server.url);
  await page.waitForSelector('[data-testid=map] path.area');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const fills = () =>
  page.$$eval('[data-testid=map] path.area', (paths) => paths.map((path) => `${path.dataset.testid}=${path.dataset.fill}`));

test('the map shows the 18 areas, a legend, the references and the demo label', async () => {
  assert.equal(await page.locator('[data-testid=map] path.area').count(), 18, '5 Ämter + 13 amtsfreie Gemeinden');
  assert.match(await page.textContent('[data-testid=demo-banner]'), /Demodaten/, 'demo data is labelled');
  for (const id of ['01056', '01', 'DG']) {
    assert.match(await page.textContent(`[data-testid=reference-${id}]`), /\d,\d/, `reference ${id} has a German number`);
  }
  assert.ok((await page.locator('[data-testid=legend] li').count()) >= 2, 'the legend lists classes');
  assert.match(await page.textContent('body'), /GeoBasis-DE \/ BKG 2021 \(Daten verändert\)/, 'licence attribution visible');
});

test('picking another indicator and year redraws the map', async () => {
  const before = await fills();
  await page.selectOption('[data-testid=indicator-select]', 'betreuungsquote_u3');
  await waitFor(async () => (await page.getAttribute('[data-testid=map]', 'data-indicator')) === 'betreuungsquote_u3', 'indicator switch');
  assert.match(await page.textContent('[data-testid=map-title]'), /Betreuungsquote unter 3 Jahren 2025/);
  assert.notDeepEqual(await fills(), before, 'the colours follow the new indicator');

  await page.selectOption('[data-testid=year-select]', '2015');
  await waitFor(async () => (await page.getAttribute('[data-testid=map]', 'data-year')) === '2015', 'year switch');
  const gapFill = await page.getAttribute('[data-testid=area-010565616]', 'data-fill');
  assert.equal(gapFill, '#d9d9d9', 'the demo has no 2015 childcare data for Ämter: drawn as a gap');
});

test('selecting an area by mouse and by keyboard shows its time series', async () => {
  await page.click('[data-testid=area-010560015]');
  await waitFor(async () => /Elmshorn im Vergleich/.test(await page.textContent('[data-testid=chart-title]')), 'Elmshorn chart');
  await page.waitForSelector('[data-testid=series-chart] canvas');
  const axisText = await page.evaluate(() => {
    const chart = window.echarts.getInstanceByDom(document.querySelector('[data-testid=series-chart]'));
    return chart.getOption().yAxis[0].axisLabel.formatter(1234.5);
  });
  assert.equal(axisText, '1.234,5', 'the chart axis uses German number format');

  await page.focus('[data-testid=area-010560050]');
  await page.keyboard.press('Enter');
  await waitFor(async () => /Wedel im Vergleich/.test(await page.textContent('[data-testid=chart-title]')), 'Wedel chart by keyboard');
  await page.screenshot({ path: join(SCREENSHOTS, 'web.png'), fullPage: true });
});

test('an import on the server reaches the open page without a reload', async () => {
  const printed = importCsv(server.dataDir, NEW_YEAR_CSV);
  assert.match(printed, /6 neu/, `the import adds six values: ${printed}`);
  const offeredYears = () => page.$$eval('[data-testid=year-select] option', (options) => options.map((o) => o.value));
  await page.selectOption('[data-testid=indicator-select]', 'sgb2_quote');
  await waitFor(async () => (await offeredYears()).includes('2026'), 'year 2026 offered for the SGB-II-Quote');
  await page.selectOption('[data-testid=indicator-select]', 'grundsicherung_alter');
  await waitFor(async () => (await page.getAttribute('[data-testid=map]', 'data-indicator')) === 'grundsicherung_alter', 'switch');
  assert.ok(!(await offeredYears()).includes('2026'), 'an indicator without 2026 data does not offer 2026');
  await page.selectOption('[data-testid=indicator-select]', 'sgb2_quote');
  await page.selectOption('[data-testid=year-select]', '2026');
  await waitFor(async () => (await page.getAttribute('[data-testid=area-010560015]', 'data-value')) === '9.9', 'imported value on the map');
});

test('no request leaves the machine and the page raised no error', () => {
  const origin = new URL(server.url).origin;
  const foreign = requests.filter((url) => !url.startsWith(origin) && !url.startsWith('data:'));
  assert.deepEqual(foreign, [], 'everything comes from our own server (Datenschutz)');
  assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
});
