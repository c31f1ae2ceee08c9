// The Sozialbericht explorer in headless Chromium against the demo server: every tab, the view
// in the address (deep link round trip, back and forward, reload), classification, suppressed
// versus missing, the labelled map, the indicator search, the Gebietsprofil, the Vergleich and
// the CSV export (the downloaded file is opened and checked).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, SCREENSHOTS, openMapPage, waitFor, clickNav } from './support.mjs';

let server;
let browser;
let page;
let pageErrors = [];

before(async () => {
  server = await startServer();
  ({ browser, page, pageErrors } = await openMapPage(server.url, { viewport: { width: 768, height: 1024 } }));
});

after(async () => {
  assert.deepEqual(pageErrors, [], 'no page errors in the whole run');
  await browser?.close();
  await server?.stop();
});

const query = () => new URL(page.url()).searchParams;
/** Opens the explorer's "Einstellen" (search, level, timeline) unless it is open. */
const openAdjust = async () => {
  await page.waitForSelector('[data-testid=adjust-toggle]');
  if (!(await page.isVisible('[data-testid=indicator-search]'))) await page.click('[data-testid=adjust-toggle]');
  await page.waitForSelector('[data-testid=indicator-search]', { state: 'visible' });
};
/** A tablet screen of the explorer from its tabs down (README pictures come from these). */
const tabletShot = async (name) => {
  await page.evaluate(() => document.querySelector('.tab-bar')?.scrollIntoView());
  await page.screenshot({ path: join(SCREENSHOTS, name) });
};
const mapIs = (indicator, year) =>
  waitFor(
    async () =>
      (await page.getAttribute('[data-testid=map]', 'data-indicator')) === indicator &&
      (await page.getAttribute('[data-testid=map]', 'data-year')) === String(year),
    `the map of ${indicator} ${year}`,
  );

test('the map names its areas without overlapping labels', async () => {
  assert.equal(await page.textContent('[data-testid=label-010560015]'), 'Elmshorn', 'a town by its name');
  assert.equal(await page.textContent('[data-testid=label-010565616]'), 'Elmshorn-Land', 'an Amt without the word Amt');
  const boxes = await page.$$eval('[data-testid=map] text.area-label', (labels) =>
    labels.map((label) => {
      const box = label.getBoundingClientRect();
      return { id: label.dataset.testid, left: box.left, right: box.right, top: box.top, bottom: box.bottom, size: parseFloat(getComputedStyle(label).fontSize) };
    }),
  );
  assert.ok(boxes.length >= 15, `most of the 18 areas are labelled: ${boxes.length}`);
  for (const [idx, a] of boxes.entries()) {
    for (const b of boxes.slice(idx + 1)) {
      const overlap = a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
      assert.ok(!overlap, `${a.id} and ${b.id} do not overlap`);
    }
  }
  const smallest = Math.min(...boxes.map((box) => box.size));
  assert.ok(smallest >= 7, `labels stay legible at 768 px: ${smallest}px`);
});

test('a link from before the start page took the root still opens its view', async () => {
  await page.goto(`${server.url}/?kennzahl=inobhutnahmen&jahr=2022&ansicht=rangfolge`);
  await page.waitForSelector('[data-testid=ranking]');
  assert.equal(new URL(page.url()).pathname, '/sozialbericht', 'moved to the explorer\'s own address');
  assert.equal(query().get('kennzahl'), 'inobhutnahmen', 'with the view the old link named');
  assert.equal(query().get('jahr'), '2022');
});

test('the view lives in the address: a deep link opens it, back and forward and reload keep it', async () => {
  await page.goto(`${server.url}/sozialbericht?kennzahl=arbeitslosenquote&jahr=2020&gebiete=010560015&ansicht=tabelle`);
  await page.waitForSelector('[data-testid=data-table]');
  assert.equal(await page.getAttribute('[data-testid=tab-tabelle]', 'aria-selected'), 'true', 'the table tab');
  assert.equal(await page.$eval('[data-testid=indicator-select]', (select) => select.value), 'arbeitslosenquote');
  assert.equal(await page.$eval('[data-testid=year-select]', (select) => select.value), '2020');
  assert.match(await page.textContent('[data-testid=table-title]'), /Arbeitslosenquote/);

  await page.click('[data-testid=tab-karte]');
  await mapIs('arbeitslosenquote', 2020);
  assert.equal(await page.textContent('[data-testid=card-title]'), 'Elmshorn', 'the selected area came with the link');
  // Landscape tablet: the value card beside the map.
  await page.setViewportSize({ width: 1024, height: 768 });
  await tabletShot('explorer-karte.png');
  await page.setViewportSize({ width: 768, height: 1024 });
  await page.selectOption('[data-testid=year-select]', '2022');
  await mapIs('arbeitslosenquote', 2022);
  assert.equal(query().get('jahr'), '2022', 'the year is in the address');

  await page.goBack();
  await mapIs('arbeitslosenquote', 2020);
  await page.goBack();
  await page.waitForSelector('[data-testid=data-table]');
  await page.goForward();
  await page.goForward();
  await mapIs('arbeitslosenquote', 2022);
  await page.reload();
  await mapIs('arbeitslosenquote', 2022);
  assert.equal(await page.textContent('[data-testid=card-title]'), 'Elmshorn', 'reload keeps the selection');

  // Leaving the page and coming back through the navigation restores the view.
  await clickNav(page, 'demografie');
  await page.waitForSelector('[data-testid=population-title]');
  await page.goBack();
  await mapIs('arbeitslosenquote', 2022);

  await page.click('[data-testid=copy-link]');
  const link = await waitFor(() => page.getAttribute('[data-testid=share-link]', 'value'), 'the link');
  assert.equal(link, page.url(), 'the link is the address of this very view');
});

test('classes by quantiles, equal steps or natural breaks, 3 to 7 of them, or around a reference', async () => {
  await page.goto(`${server.url}/sozialbericht?kennzahl=sgb2_quote&jahr=2024`);
  await page.waitForSelector('[data-testid=legend]');
  const legend = () =>
    page.$$eval('[data-testid=legend] li', (items) => items.map((item) => item.textContent));
  const counted = async () =>
    (await legend()).reduce((sum, text) => sum + Number(/\((\d+) Gebiet/.exec(text)?.[1] ?? 0), 0);
  assert.equal((await legend()).length, 5, 'five quantile classes by default');
  assert.equal(await counted(), 18, 'the legend counts every area once');

  await page.click('.classification summary');
  await page.selectOption('[data-testid=class-method]', 'jenks');
  await page.selectOption('[data-testid=class-count]', '3');
  await waitFor(async () => (await legend()).length === 3, 'three classes');
  assert.equal(query().get('klassen'), 'jenks');
  assert.equal(query().get('anzahl'), '3');
  assert.equal(await counted(), 18, 'still every area counted');
  await page.selectOption('[data-testid=class-method]', 'gleich');
  await page.selectOption('[data-testid=class-count]', '7');
  await waitFor(async () => (await legend()).length === 7, 'seven equal classes');

  await page.selectOption('[data-testid=class-reference]', 'land');
  await waitFor(async () => /Abweichung vom Wert Schleswig-Holstein/.test((await page.textContent('[data-testid=legend-centre]')) ?? ''), 'centred on the Land');
  assert.equal(query().get('bezug'), 'land');
  assert.equal((await legend()).length, 6, 'three classes either side of the Land');
  const fills = await page.$$eval('[data-testid=map] path.area', (paths) => paths.map((path) => path.dataset.fill));
  assert.ok(fills.some((fill) => ['#b35806', '#f1a340', '#fee0b6'].includes(fill)), 'orange: worse than the Land');
  await page.screenshot({ path: join(SCREENSHOTS, 'explorer-diverging.png') });
});

test('suppressed and missing values are drawn differently and explained with counts', async () => {
  await page.goto(`${server.url}/sozialbericht?kennzahl=inobhutnahmen&jahr=2024`);
  await page.waitForSelector('[data-testid=legend-suppressed]');
  assert.equal(await page.getAttribute('[data-testid=area-010560025]', 'data-fill'), 'url(#fokus-geheim)', 'Helgoland hatched');
  assert.match(await page.textContent('[data-testid=legend-suppressed]'), /geheim gehalten.*\(1 Gebiet\)/);
  await page.click('[data-testid=area-010560025]');
  assert.match(await page.textContent('[data-testid=value-card]'), /zum Schutz der Betroffenen nicht gezeigt/, 'the card says why');

  await page.goto(`${server.url}/sozialbericht?kennzahl=betreuungsquote_u3&jahr=2015`);
  await page.waitForSelector('[data-testid=legend-missing]');
  assert.equal(await page.getAttribute('[data-testid=area-010565616]', 'data-fill'), '#d9d9d9', 'no data: grey');
  assert.match(await page.textContent('[data-testid=legend-missing]'), /keine Daten \(5 Gebiete\)/, 'the five Ämter');
});

test('the indicator search folds umlauts and finds parts of words; Enter takes the first hit', async () => {
  await page.goto(`${server.url}/sozialbericht`);
  await openAdjust();
  for (const [text, expected] of [['arbeitslos', 'arbeitslosenquote'], ['aelter', 'anteil_65_plus'], ['Ältere', 'anteil_65_plus'], ['hartz', 'sgb2_quote'], ['Pflegeheim', 'stationaere_plaetze']]) {
    await page.fill('[data-testid=indicator-search]', text);
    await waitFor(async () => /^\d+ Kennzahlen? gefunden$/.test(await page.textContent('[data-testid=indicator-count]')), 'a count');
    const offered = await page.$$eval('[data-testid=indicator-select] option', (options) => options.map((option) => option.value));
    assert.ok(offered.includes(expected), `${text} finds ${expected}: ${offered}`);
    assert.ok(offered.length < 20, `${text} narrows the 73: ${offered.length}`);
  }
  await page.fill('[data-testid=indicator-search]', 'arbeitslosenquote');
  await page.press('[data-testid=indicator-search]', 'Enter');
  await waitFor(async () => query().get('kennzahl') === 'arbeitslosenquote', 'Enter picks the hit');
  // Area names are found by the same field and lead to the area's profile.
  await page.fill('[data-testid=indicator-search]', 'elmsh');
  await page.waitForSelector('[data-testid=area-hit-010560015]');
  await page.click('[data-testid=area-hit-010560015]');
  await page.waitForSelector('[data-testid=profile-table]');
  assert.match(await page.textContent('[data-testid=profile-title]'), /Gebietsprofil Elmshorn/, 'search leads to the profile');
  await page.goBack();
  await openAdjust();
  await page.fill('[data-testid=indicator-search]', '');
  const groups = await page.$$eval('[data-testid=indicator-select] optgroup', (nodes) => nodes.map((node) => node.label));
  assert.equal(groups[0], 'Zuletzt verwendet', 'recently used first');
});

test('Zeitreihe, Rangfolge, Tabelle and Quellen show the same numbers as the map', async () => {
  await page.goto(`${server.url}/sozialbericht?kennzahl=sgb2_quote&jahr=2024&gebiete=010560015`);
  await page.waitForSelector('[data-testid=map]');
  const mapValue = Number(await page.getAttribute('[data-testid=area-010560015]', 'data-value'));

  await page.click('[data-testid=tab-zeitreihe]');
  await page.click('[data-testid=series-pick]');
  await page.check('[data-testid=series-area-010560039]');
  await waitFor(async () => /Elmshorn, Pinneberg im Vergleich/.test(await page.textContent('[data-testid=chart-title]')), 'two areas');
  await page.waitForSelector('[data-testid=series-chart] canvas');
  const lines = await page.evaluate(() =>
    window.echarts.getInstanceByDom(document.querySelector('[data-testid=series-chart]')).getOption().series.map((series) => series.name),
  );
  assert.deepEqual(lines, ['Elmshorn', 'Pinneberg', 'Kreis Pinneberg', 'Schleswig-Holstein', 'Deutschland'], 'two areas and three references');
  // The chart saved as an image: the same lines, legend, source and link.
  const [chartSvg] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-chart-svg]')]);
  assert.equal(chartSvg.suggestedFilename(), 'sgb2_quote-zeitreihe.svg');
  await chartSvg.saveAs(join(SCREENSHOTS, 'export-zeitreihe.svg'));
  const chartText = readFileSync(join(SCREENSHOTS, 'export-zeitreihe.svg'), 'utf8');
  assert.equal((chartText.match(/data-line=/g) ?? []).length, 5, 'two areas and three references');
  for (const name of ['Elmshorn', 'Pinneberg', 'Schleswig-Holstein', 'Deutschland', 'Quelle: Statistik der Bundesagentur für Arbeit']) {
    assert.ok(chartText.includes(name), `${name} on the image`);
  }
  const [chartPng] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-chart-png]')]);
  await chartPng.saveAs(join(SCREENSHOTS, 'export-zeitreihe.png'));
  assert.equal(readFileSync(join(SCREENSHOTS, 'export-zeitreihe.png')).subarray(1, 4).toString(), 'PNG');
  // The chart follows its box: wider window, wider chart (rotating a tablet does the same).
  const chartWidth = () => page.$eval('[data-testid=series-chart] canvas', (canvas) => canvas.getBoundingClientRect().width);
  const narrow = await chartWidth();
  await page.setViewportSize({ width: 1024, height: 768 });
  await waitFor(async () => (await chartWidth()) > narrow + 100, `the chart widens from ${narrow}px`);
  await page.setViewportSize({ width: 768, height: 1024 });
  await waitFor(async () => Math.abs((await chartWidth()) - narrow) < 2, 'and narrows again');

  await page.click('[data-testid=tab-rangfolge]');
  const ranks = await page.$$eval('[data-testid=ranking] li', (items) => items.map((item) => item.querySelector('.rank-value').textContent));
  assert.equal(ranks.length, 18, 'every area ranked');
  const numbers = ranks.map((text) => Number(text.replace(' %', '').replace(',', '.')));
  assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b), 'lowest first: a higher SGB-II-Quote is worse');
  assert.match(await page.textContent('[data-testid=rank-010560015]'), new RegExp(mapValue.toFixed(1).replace('.', ',')), 'the map value');
  await tabletShot('explorer-rangfolge.png');

  await page.click('[data-testid=tab-tabelle]');
  const rowNames = () => page.$$eval('[data-testid=data-table] tbody:first-of-type tr th', (cells) => cells.map((cell) => cell.textContent));
  assert.equal((await rowNames()).length, 18, '18 areas');
  assert.equal(await page.locator('[data-testid=data-table] tr.reference').count(), 3, 'and the three references');
  await page.click('[data-testid=sort-2024]');
  const sortedCells = await page.$$eval('[data-testid=data-table] tbody:first-of-type tr', (rows, column) =>
    rows.map((row) => Number(row.children[column].textContent.replace(',', '.'))), 10);
  assert.deepEqual(sortedCells, [...sortedCells].sort((a, b) => a - b), 'sorted by 2024, ascending');
  assert.equal(await page.getAttribute('[data-testid=sort-2024] >> xpath=..', 'aria-sort'), 'ascending');
  const elmshorn = await page.$eval('[data-testid=row-010560015]', (row) => row.children[10].textContent);
  assert.equal(elmshorn, mapValue.toFixed(1).replace('.', ','), 'the table shows the map value');
  await tabletShot('explorer-tabelle.png');

  assert.equal(await page.getAttribute('[data-testid=row-010560015] th a', 'href'), '/gebiet?gebiet=010560015&jahr=2024', 'a row leads to the area profile');
  await page.click('[data-testid=tab-quellen]');
  assert.match(await page.textContent('[data-testid=sources-source]'), /Bundesagentur für Arbeit/);
  assert.match(await page.textContent('[data-testid=sources-stand]'), /^\d\d\.\d\d\.\d{4}$/, 'the Stand as a date');
  assert.match(await page.textContent('[data-testid=sources-notes]'), /Seit 2023 Bürgergeld/, 'the note on the series from kennzahlen.csv');
});

test('the CSV export opens in Excel: BOM, semicolons, German numbers, metadata and the link', async () => {
  await page.goto(`${server.url}/sozialbericht?kennzahl=sgb2_quote&jahr=2024&ansicht=tabelle`);
  await page.waitForSelector('[data-testid=data-table]');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-csv]')]);
  assert.equal(download.suggestedFilename(), 'sgb2_quote-gebiete.csv');
  const file = join(SCREENSHOTS, 'export.csv');
  await download.saveAs(file);
  const text = readFileSync(file, 'utf8');
  assert.ok(text.startsWith('\ufeff'), 'a BOM');
  const lines = text.slice(1).split('\r\n');
  assert.equal(lines[0], 'Kennzahl;SGB-II-Quote');
  assert.ok(lines.includes(`Link;${page.url()}`), 'the deep link of the view');
  assert.ok(lines.some((line) => /^Zitiervorschlag;.*SGB-II-Quote.*abgerufen am \d\d\.\d\d\.\d{4}/.test(line)), 'a citation');
  assert.ok(lines.some((line) => /^Lizenz;.*dl-de\/by-2-0/.test(line)), 'the licence');
  const header = lines.findIndex((line) => line.startsWith('Gebiet;'));
  assert.match(lines[header], /^Gebiet;Schlüssel;Ebene;2015;.*;2025$/, 'one column per year');
  const elmshorn = lines.find((line) => line.startsWith('Elmshorn;010560015;'));
  const onScreen = await page.$eval('[data-testid=row-010560015]', (row) => row.children[10].textContent);
  assert.equal(elmshorn.split(';')[3 + 9], onScreen, 'the 2024 value as on screen');
  assert.ok(lines.some((line) => line.startsWith('Deutschland;DG;Bund;')), 'the references too');
});

test('the map saved as SVG and PNG carries title, legend, source, licence and link', async () => {
  await page.goto(`${server.url}/sozialbericht?kennzahl=sgb2_quote&jahr=2024`);
  await page.waitForSelector('[data-testid=export-svg]');
  const [svgDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-svg]')]);
  assert.equal(svgDownload.suggestedFilename(), 'sgb2_quote-2024-karte.svg');
  const svgFile = join(SCREENSHOTS, 'export-karte.svg');
  await svgDownload.saveAs(svgFile);
  const svg = readFileSync(svgFile, 'utf8');
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/, 'a standalone SVG file');
  assert.match(svg, />SGB-II-Quote 2024</, 'the title with the year');
  assert.match(svg, /Quelle: Statistik der Bundesagentur für Arbeit · Datenstand \d\d\.\d\d\.\d{4}/, 'source and Datenstand');
  assert.match(svg, /GeoBasis-DE \/ BKG 2021 \(Daten verändert\)/, 'the geodata licence notice');
  assert.ok(svg.includes(page.url().replaceAll('&', '&amp;')), 'the link of the view');
  assert.equal((svg.match(/<path /g) ?? []).length, 18, 'the 18 areas');
  assert.match(svg, />Elmshorn</, 'named');
  assert.match(svg, /\(\d+\)<\/text>/, 'the legend with its counts');

  const [pngDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-png]')]);
  assert.equal(pngDownload.suggestedFilename(), 'sgb2_quote-2024-karte.png');
  const pngFile = join(SCREENSHOTS, 'export-karte.png');
  await pngDownload.saveAs(pngFile);
  const png = readFileSync(pngFile);
  assert.equal(png.subarray(1, 4).toString(), 'PNG', 'a PNG file');
  const width = png.readUInt32BE(16);
  assert.equal(width, 2 * 848, 'twice the SVG width, sharp on slides');
});

test('the Gebietsprofil shows every indicator beside Kreis, Land and Bund, with trend and change', async () => {
  await page.goto(`${server.url}/sozialbericht?kennzahl=sgb2_quote&jahr=2024&gebiete=010560015`);
  await page.click('[data-testid=card-profile]');
  await page.waitForSelector('[data-testid=profile-table]');
  assert.equal(new URL(page.url()).pathname, '/gebiet');
  assert.match(await page.textContent('[data-testid=profile-title]'), /Gebietsprofil Elmshorn/);
  assert.equal(await page.locator('[data-testid=profile-table] tr[data-testid^=profile-]').count(), 73, 'all 73 indicators');
  const heads = await page.$$eval('[data-testid=profile-table] thead th', (cells) => cells.map((cell) => cell.textContent));
  assert.deepEqual(heads.slice(1, 5), ['Elmshorn', 'Kreis Pinneberg', 'Schleswig-Holstein', 'Deutschland']);
  const changes = await page.$$eval('[data-testid=profile-table] td.change', (cells) => cells.map((cell) => cell.textContent));
  assert.ok(changes.some((text) => /\(besser\)/.test(text)) && changes.some((text) => /\(schlechter\)/.test(text)), 'change judged by polarity');
  assert.equal(await page.locator('[data-testid=profile-table] svg.sparkline').count(), 73, 'a trend line each');
  await page.selectOption('[data-testid=profile-year]', '2020');
  await waitFor(async () => new URL(page.url()).searchParams.get('jahr') === '2020', 'the year in the address');
  await page.screenshot({ path: join(SCREENSHOTS, 'explorer-profil.png') });
  // A row leads back to the explorer at that indicator, area and year.
  await page.click('[data-testid=profile-sgb2_quote] a');
  await mapIs('sgb2_quote', 2020);
  assert.equal(await page.textContent('[data-testid=card-title]'), 'Elmshorn');
});

test('the Vergleich sets two to five areas side by side and marks the best and the worst', async () => {
  await page.goto(`${server.url}/vergleich?gebiete=010560015`);
  await page.waitForSelector('[data-testid=compare-hint]');
  await page.selectOption('[data-testid=compare-add]', '010560039');
  await page.waitForSelector('[data-testid=compare-table]');
  await page.selectOption('[data-testid=compare-add]', '010560050');
  await waitFor(async () => (await page.$$eval('[data-testid=compare-table] thead th', (cells) => cells.length)) === 5, 'three areas and the Kreis');
  const row = await page.$eval('[data-testid=compare-sgb2_quote]', (tr) => ({ best: tr.querySelectorAll('.best').length, worst: tr.querySelectorAll('.worst').length, text: tr.textContent }));
  assert.deepEqual([row.best, row.worst], [1, 1], `one best and one worst: ${row.text}`);
  assert.match(row.text, /– günstigster/, 'marked in words, not colour alone (and no arrow: arrows say which way a value moved)');
  await page.selectOption('[data-testid=compare-field]', 'Arbeit und Grundsicherung');
  await waitFor(async () => new URL(page.url()).searchParams.get('feld') === 'Arbeit und Grundsicherung', 'the field in the address');
  await page.selectOption('[data-testid=compare-year]', '2018');
  await waitFor(async () => /Vergleich 2018/.test(await page.textContent('[data-testid=compare-title]')), 'the year chosen');
  const rows = await page.locator('[data-testid=compare-table] tbody tr').count();
  assert.ok(rows > 0 && rows < 73, `one Handlungsfeld: ${rows} rows`);
  await page.screenshot({ path: join(SCREENSHOTS, 'explorer-vergleich.png') });
});

test('the Gemeinde level draws the 49 Gemeinden, their values averaging to their Amt, small ones protected', async () => {
  await page.goto(`${server.url}/sozialbericht?kennzahl=inobhutnahmen&jahr=2024`);
  await openAdjust();
  const labels = await page.$$eval('[data-testid=level-select] option', (options) => options.map((option) => option.textContent));
  assert.deepEqual(labels, ['Ämter und amtsfreie Gemeinden', 'Gemeinden'], 'the levels in words');
  await page.selectOption('[data-testid=level-select]', 'gemeinde');
  await waitFor(async () => (await page.locator('[data-testid=map] path.area').count()) === 49, 'the 49 Gemeinden');
  // "Einstellen" lies over the map like a menu; Esc closes it.
  await page.keyboard.press('Escape');
  await waitFor(async () => !(await page.isVisible('[data-testid=level-select]')), 'Einstellen closed');
  assert.equal(query().get('ebene'), 'gemeinde', 'the level is in the address');
  const suppressed = await page.$$eval('[data-testid=map] path.area', (paths) => paths.filter((path) => path.dataset.fill === 'url(#fokus-geheim)').length);
  assert.ok(suppressed > 5, `small Gemeinden are protected, not just Helgoland: ${suppressed}`);
  assert.match(await page.textContent('[data-testid=legend-suppressed]'), new RegExp(`\\(${suppressed} Gebiete\\)`), 'and counted in the legend');
  assert.equal(await page.locator('[data-testid=map] .inset path.area, [data-testid=area-010560025025]').count() >= 1, true, 'Helgoland still drawn');
  await page.click('[data-testid=area-010565616029]');
  await waitFor(async () => (await page.textContent('[data-testid=card-title]')) === 'Klein Nordende', 'a Gemeinde selected');
  await page.click('[data-testid=tab-tabelle]');
  assert.equal(await page.locator('[data-testid=data-table] tbody:first-of-type tr').count(), 49, 'the table lists the Gemeinden');
  await page.click('[data-testid=tab-karte]');
  await page.screenshot({ path: join(SCREENSHOTS, 'explorer-gemeinden.png') });
});
