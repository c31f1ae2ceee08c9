// The editorial half in the web build (issue 13): the Fokusbericht with live figures and values
// drawn from the data, reports by year with their data Stand and the reading position; the
// Handlungsempfehlungen as Beschlusskontrolle (Ampel, filters in the address, overdue marks,
// table, CSV for the minutes, links to and from the indicators); the one search over everything;
// unread newsletters; and a corpus of script-injection payloads published as content.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, startServer, importCsv, publishContent, CHROMIUM_ARGS, SCREENSHOTS, waitFor } from './support.mjs';
import { PAYLOADS, hostileNewsletter, inspect } from './hostile-content.mjs';

let server;
let browser;
let page;
const pageErrors = [];
const dialogs = [];
const foreign = [];

before(async () => {
  server = await startServer();
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  page.on('request', (request) => {
    if (!request.url().startsWith(server.url) && !request.url().startsWith('data:') && !request.url().startsWith('blob:')) {
      foreign.push(request.url());
    }
  });
});

after(async () => {
  assert.deepEqual(pageErrors, [], 'no page errors in the whole run');
  assert.deepEqual(dialogs, [], 'no dialog was opened');
  assert.deepEqual(foreign, [], 'no request left the server');
  await browser?.close();
  await server?.stop();
});

const liveValues = () => page.$$eval('[data-testid=chapter] a[data-fokus=wert]', (links) => links.map((link) => ({ text: link.textContent, title: link.title })));

test('the report: live values and a live chart from the data, a live map, and the text follows an import', async () => {
  await page.goto(`${server.url}/fokusbericht`);
  await page.waitForSelector('[data-testid=live-chart] canvas, [data-testid=live-chart] svg');
  assert.equal(await page.textContent('[data-testid=report-title]'), 'Fokusbericht 2025');
  const values = await waitFor(async () => {
    const found = await liveValues();
    return found.length === 2 && found.every((value) => value.title) ? found : null;
  }, 'the inline values filled from the data');
  assert.match(values[0].text, /^\d+,\d %$/, `a value with its unit: ${values[0].text}`);
  // "zuletzt" without a year: the indicator's latest year, the one the chart beside it ends with.
  const latest = await page.$eval('[data-testid=live-chart] .chart', (chart) => String(window.echarts.getInstanceByDom(chart).getOption().xAxis[0].data.at(-1)));
  assert.equal(values[0].title, 'SGB-II-Quote, Kreis Pinneberg 2025', 'it says what it is');
  assert.equal(values[1].title, 'SGB-II-Quote, Schleswig-Holstein 2025');
  assert.equal(latest, '2025', 'the chart beside it ends with 2025 too');
  assert.match(await page.textContent('[data-testid=live-chart] figcaption'), /Quelle: Statistik der Bundesagentur für Arbeit/);
  await page.locator('[data-testid=live-map]').scrollIntoViewIfNeeded();
  await page.waitForSelector('[data-testid=live-map] path.area');
  assert.equal(await page.locator('[data-testid=live-map] path.area').count(), 18, 'the map of every map area');
  await page.locator('[data-testid=live-chart]').first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SCREENSHOTS, 'web-report-live-chart.png') });

  // The BI system corrects the Kreis's 2025 value: the sentence in the report says so.
  importCsv(server.dataDir, 'kennzahl;gebiet;jahr;wert\nsgb2_quote;01056;2025;9,9\n');
  await page.reload();
  await waitFor(async () => (await liveValues())[0]?.text === '9,9 %', 'the report shows the corrected value');

  await page.click('[data-testid=chapter] a[data-fokus=wert] >> nth=0');
  await page.waitForURL(/\/sozialbericht\?kennzahl=sgb2_quote(&jahr=2025)?&gebiete=01056/);
});

test('reports by year: the earlier report stays readable with its own data Stand; the reading position is kept', async () => {
  await page.goto(`${server.url}/fokusbericht`);
  await page.waitForSelector('[data-testid=report-year]');
  assert.deepEqual(await page.$$eval('[data-testid=report-year]', (links) => links.map((link) => link.textContent)), ['Bericht 2025', 'Bericht 2024']);
  assert.match(await page.textContent('[data-testid=report-stand]'), /Datenstand vom 30\.09\.2025/);
  await page.click('[data-testid=report-year] >> text=Bericht 2024');
  await page.waitForURL(/bericht=2024/);
  await waitFor(async () => (await page.textContent('[data-testid=report-title]')) === 'Fokusbericht 2024', 'the 2024 report');
  assert.equal(await page.locator('[data-testid=chapter]').count(), 2);
  assert.match(await page.textContent('[data-testid=report-stand]'), /Datenstand vom 30\.09\.2024/);
  assert.match(await page.textContent('[data-testid=report-earlier]'), /Der neueste ist der Fokusbericht 2025/);

  await page.goto(`${server.url}/fokusbericht`);
  await page.waitForSelector('[data-testid=chapter]');
  assert.equal(await page.locator('[data-testid=reading-position]').count(), 0, 'nothing to continue yet');
  await page.evaluate(() => {
    document.getElementById('fokusbericht-2025-03-eingliederungshilfe').scrollIntoView();
    window.scrollBy(0, 100);
  });
  await waitFor(async () => (await page.evaluate(() => localStorage.getItem('fokus.lesestelle.2025'))) === 'fokusbericht-2025-03-eingliederungshilfe', 'the position kept');
  await page.goto(`${server.url}/fokusbericht`);
  await page.waitForSelector('[data-testid=reading-position]');
  assert.match(await page.textContent('[data-testid=reading-position]'), /Weiterlesen bei „Schwerpunkt Eingliederungshilfe“/);
  await page.click('[data-testid=reading-position] a');
  await waitFor(async () => page.evaluate(() => {
    const top = document.getElementById('fokusbericht-2025-03-eingliederungshilfe').getBoundingClientRect().top;
    return Math.abs(top) < 200;
  }), 'the chapter is in view');
});

test('Beschlusskontrolle: the Ampel counts, filters in the address, overdue marks, the table and the CSV', async () => {
  await page.goto(`${server.url}/empfehlungen`);
  await page.waitForSelector('[data-testid=recommendation]');
  const counts = await page.$$eval('.ampel-tile', (tiles) => tiles.map((tile) => `${tile.querySelector('.ampel-count').textContent} ${tile.querySelector('.ampel-label').textContent}`));
  assert.deepEqual(counts, ['1 offen', '1 in Umsetzung', '1 umgesetzt', '1 zurückgestellt', '1 überfällig'], 'counts per status, each with its word');
  assert.equal(await page.textContent('[data-testid=recommendations-count]'), '4 von 4 Empfehlungen');
  assert.match(await page.textContent('[data-testid=overdue]'), /^überfällig seit 31\.07\.2026$/, 'the overdue one is marked in words');

  await page.click('[data-testid=ampel-ueberfaellig]');
  await page.waitForURL(/status=ueberfaellig/);
  await waitFor(async () => (await page.textContent('[data-testid=recommendations-count]')) === '1 von 4 Empfehlungen', 'only the overdue one');
  assert.match(await page.textContent('[data-testid=recommendation] h2'), /Sprachförderung/);
  assert.equal(await page.getAttribute('[data-testid=ampel-ueberfaellig]', 'aria-pressed'), 'true');

  await page.click('[data-testid=filter-reset]');
  await page.selectOption('[data-testid=filter-field]', 'Wohnen');
  await page.waitForURL(/feld=Wohnen/);
  await waitFor(async () => (await page.textContent('[data-testid=recommendations-count]')) === '1 von 4 Empfehlungen', 'one field');
  await page.selectOption('[data-testid=filter-field]', '');
  await page.selectOption('[data-testid=filter-area]', '010560015');
  await waitFor(async () => (await page.textContent('[data-testid=recommendations-count]')) === '1 von 4 Empfehlungen', 'one area: Elmshorn');
  assert.match(await page.textContent('[data-testid=recommendation] h2'), /Alleinerziehende/);
  await page.reload();
  await waitFor(async () => (await page.textContent('[data-testid=recommendations-count]')) === '1 von 4 Empfehlungen', 'the filter survives a reload (it is in the address)');
  await page.click('[data-testid=filter-reset]');

  await page.click('[data-testid=view-table]');
  await page.waitForSelector('[data-testid=ampel-table]');
  assert.equal(await page.locator('[data-testid=ampel-row]').count(), 4);
  const rows = await page.$$eval('[data-testid=ampel-row]', (items) => items.map((row) => row.textContent));
  assert.match(rows[0], /^offen.*überfällig seit 31\.07\.2026.*Sprachförderung.*Fachdienst Jugend.*31\.07\.2026/, 'the overdue one first, its status in the first column');
  assert.match(rows[3], /^umgesetzt.*Tagespflege/, 'the done one last');
  await page.screenshot({ path: join(SCREENSHOTS, 'web-empfehlungen-ampel.png') });

  const download = page.waitForEvent('download');
  await page.click('[data-testid=recommendations-csv]');
  const file = await (await download).path();
  const csv = readFileSync(file, 'utf8');
  assert.ok(csv.startsWith('\ufeff'), 'with a BOM for Excel');
  const lines = csv.trim().split('\r\n');
  assert.equal(lines[3], 'Empfehlung;Handlungsfeld;Jahr;Zuständig;Frist;Status;Status seit;Überfällig;Notiz;Kennzahlen;Gebiete');
  assert.equal(lines.length, 8, 'a header and four recommendations');
  assert.ok(lines.some((line) => line.startsWith('Sprachförderung vor der Einschulung stärken;Kinder, Jugend und Familie;2025;Fachdienst Jugend;31.07.2026;offen;20.05.2025;ja;')), csv);
  assert.ok(lines.some((line) => line.includes('Sprachförderbedarf bei der Einschulung, Betreuungsquote 3 bis unter 6 Jahren;Kreis Pinneberg')), 'names, not ids');
});

test('recommendations and indicators link to each other', async () => {
  await page.goto(`${server.url}/sozialbericht?kennzahl=sgb2_quote`);
  await page.waitForSelector('[data-testid=indicator-recommendations]');
  assert.equal(await page.textContent('[data-testid=indicator-recommendations]'), '1 Empfehlung zu dieser Kennzahl');
  await page.click('[data-testid=indicator-recommendations]');
  await page.waitForURL(/\/empfehlungen\?zu=sgb2_quote/);
  await waitFor(async () => (await page.textContent('[data-testid=recommendations-count]')) === '1 von 4 Empfehlungen', 'the recommendations on it');
  // The filter names the indicator once the catalogue is read (until then it shows its key).
  await waitFor(async () => /Empfehlungen zur Kennzahl „SGB-II-Quote“/.test(await page.textContent('[data-testid=filter-indicator]')), 'the filter to name the indicator');
  await page.click('[data-testid=recommendation-indicator] >> text=SGB-II-Quote');
  await page.waitForURL(/\/sozialbericht\?kennzahl=sgb2_quote$/);
});

test('one search over everything: folded, stemmed, grouped, marked, each hit a link to its section', async () => {
  await page.goto(`${server.url}/`);
  await page.fill('[data-testid=header-search]', 'Pflegeheime');
  await page.press('[data-testid=header-search]', 'Enter');
  await page.waitForURL(/\/suche\?q=Pflegeheime/);
  await page.waitForSelector('[data-testid=search-group]');
  const groups = await page.$$eval('[data-testid=search-group]', (items) => items.map((item) => item.dataset.kind));
  assert.deepEqual(groups, ['kennzahl', 'kapitel'], 'the indicator (by its synonym) and the chapter');
  const marks = await page.$$eval('[data-testid=search-hit] mark', (items) => items.map((item) => item.textContent));
  assert.ok(marks.includes('Pflegeheimen'), `the inflected form is found and marked: ${marks}`);
  await page.screenshot({ path: join(SCREENSHOTS, 'web-search.png') });

  for (const [words, kind, title] of [
    ['aelterer', 'kennzahl', 'Anteil Älterer'],
    ['Älterer', 'kennzahl', 'Anteil Älterer'],
    ['elmshorn', 'gebiet', 'Elmshorn'],
    ['hartz', 'kennzahl', 'SGB-II-Quote'],
    ['tagespflegeplätze', 'empfehlung', 'Tagespflege in den Ämtern ausbauen'],
    ['methodik', 'dokument', null],
    ['untertitel', 'video', null],
  ]) {
    await page.fill('[data-testid=search-input]', words);
    await waitFor(async () => {
      const found = await page.$$eval(`[data-testid=search-group][data-kind=${kind}] [data-testid=search-hit] .hit-title`, (items) => items.map((item) => item.textContent));
      return found.length > 0 && (title === null || found.includes(title));
    }, `${words} finds a ${kind}${title ? ` (${title})` : ''}`);
  }
  await page.fill('[data-testid=search-input]', 'Quatschwort');
  await page.waitForSelector('[data-testid=search-empty]');

  await page.fill('[data-testid=search-input]', 'Eingliederungshilfe Ämtern');
  await page.click('[data-testid=search-group][data-kind=kapitel] [data-testid=search-hit] a');
  await page.waitForURL(/\/fokusbericht\?bericht=2025#fokusbericht-2025-03-eingliederungshilfe/);
  await waitFor(async () => page.evaluate(() => document.activeElement?.id === 'fokusbericht-2025-03-eingliederungshilfe'), 'the chapter is focused');
});

test('a new newsletter is marked unread until it is opened', async () => {
  publishContent(server.dataDir, { 'newsletter/2026-4.md': '+++\nart = "newsletter"\ntitel = "Newsletter 4/2026"\ndatum = 2026-11-20\njahr = 2026\nquartal = 4\n+++\nNeue Zahlen.\n' });
  await page.goto(`${server.url}/newsletter`);
  await page.waitForSelector('[data-testid=newsletter-unread]');
  assert.equal(await page.locator('[data-testid=newsletter-unread]').count(), 1, 'only the new issue');
  const unread = page.locator('[data-testid=newsletter]', { has: page.locator('[data-testid=newsletter-unread]') });
  assert.match(await unread.textContent(), /Newsletter 4\/2026/);
  await unread.locator('summary').click();
  await waitFor(async () => (await page.locator('[data-testid=newsletter-unread]').count()) === 0, 'read once opened');
  await page.reload();
  await page.waitForSelector('[data-testid=newsletter]');
  await page.waitForTimeout(500);
  assert.equal(await page.locator('[data-testid=newsletter-unread]').count(), 0, 'and still read after a reload');
});

test(`${PAYLOADS.length} script-injection payloads published as content: none runs, none navigates, all text stays readable`, async () => {
  assert.ok(PAYLOADS.length >= 40, 'at least 40 payloads');
  const printed = publishContent(server.dataDir, { 'newsletter/2026-1.md': hostileNewsletter(1) });
  assert.match(printed, /Veröffentlicht/, printed);
  await page.goto(`${server.url}/newsletter#newsletter-2026-1`);
  const selector = '#newsletter-2026-1 .prose';
  await page.waitForSelector(selector);
  if (!(await page.evaluate(() => document.querySelector('#newsletter-2026-1 details').open))) {
    await page.locator('#newsletter-2026-1 summary').click();
  }
  await page.waitForTimeout(1000);
  // Hover, focus and click what the payloads tried to hook.
  for (const text of ['Text dreiundvierzig', 'Stil vierzehn', 'Wert achtundvierzig', 'Laufschrift']) {
    const target = page.locator(selector).getByText(text).first();
    if (await target.count()) await target.hover();
  }
  for (const name of ['Link fünf', 'Link sechs', 'Link sieben', 'Link acht', 'Link achtundzwanzig', 'Link neunundzwanzig', 'Link sechsundvierzig']) {
    await page.locator(selector).getByText(name, { exact: true }).click();
    await page.waitForTimeout(100);
    assert.match(page.url(), /\/newsletter/, `${name} did not navigate`);
  }
  const problems = await page.evaluate(inspect, [selector, PAYLOADS.length]);
  assert.deepEqual(problems, [], problems.join('\n'));
  assert.match(page.url(), /\/newsletter/, 'still on the page');
  await page.screenshot({ path: join(SCREENSHOTS, 'web-hostile-newsletter.png'), fullPage: true });

  // Search over the same text shows it as text.
  await page.goto(`${server.url}/suche?q=Schadcode`);
  await page.waitForSelector('[data-testid=search-hit]');
  assert.equal(await page.evaluate(() => window.__xss), undefined);

  // A directive cannot carry script either: publish refuses it with the file and line.
  let refused = '';
  try {
    publishContent(server.dataDir, { 'fokusbericht/2026/01.md': '+++\nart = "kapitel"\ntitel = "T"\ndatum = 2026-01-01\njahr = 2026\nkapitel = 1\n+++\nText\n::chart{indicator="<script>alert(1)</script>"}\n' });
  } catch (error) {
    refused = `${error.stderr}${error.stdout}`;
  }
  assert.match(refused, /fokusbericht\/2026\/01\.md, Zeile 9: unbekannte Kennzahl/, refused);
});
