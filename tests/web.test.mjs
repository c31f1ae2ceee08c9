// The UI's web build in headless Chromium against the real server: pick an indicator and a
// year, see the map change, select an area and see its chart, receive an import live, and never
// contact a host other than the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, importCsv, NEW_YEAR_CSV, SCREENSHOTS, openMapPage, waitFor, clickNav } from './support.mjs';

let server;
let browser;
let page;
const requests = [];
let pageErrors = [];

before(async () => {
  server = await startServer();
  ({ browser, page, pageErrors } = await openMapPage(server.url, { onRequest: (url) => requests.push(url) }));
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
  assert.match(await page.textContent('[data-testid=attribution]'), /Bevölkerung: Zensus 2022/, 'the configured population source');
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

test('selecting an area by mouse and by keyboard shows its value beside the map and its time series', async () => {
  await page.click('[data-testid=area-010560015]');
  await waitFor(async () => (await page.textContent('[data-testid=card-title]')) === 'Elmshorn', 'the value card of Elmshorn');
  assert.match(await page.textContent('[data-testid=card-value]'), /^\d+,\d %$/, 'its value, German');
  assert.match(await page.textContent('[data-testid=card-rank]'), /^Rang \d+ von 1\d /, 'its rank among the areas with a value');
  await page.click('[data-testid=card-series]');
  await waitFor(async () => /Elmshorn im Vergleich/.test(await page.textContent('[data-testid=chart-title]')), 'Elmshorn chart');
  await page.waitForSelector('[data-testid=series-chart] canvas');
  const axisText = await page.evaluate(() => {
    const chart = window.echarts.getInstanceByDom(document.querySelector('[data-testid=series-chart]'));
    return chart.getOption().yAxis[0].axisLabel.formatter(1234.5);
  });
  assert.equal(axisText, '1.234,5', 'the chart axis uses German number format');

  await page.click('[data-testid=tab-karte]');
  await page.focus('[data-testid=area-010560050]');
  await page.keyboard.press('Enter');
  await waitFor(async () => (await page.textContent('[data-testid=card-title]')) === 'Wedel', 'Wedel selected by keyboard');
  await page.keyboard.press('ArrowRight');
  const moved = await page.evaluate(() => document.activeElement?.dataset.testid);
  assert.ok(moved?.startsWith('area-') && moved !== 'area-010560050', `the arrow key moves to a neighbour: ${moved}`);
  await page.keyboard.press('Enter');
  await waitFor(async () => (await page.textContent('[data-testid=card-title]')) !== 'Wedel', 'and Enter selects it');
  await page.screenshot({ path: join(SCREENSHOTS, 'web.png'), fullPage: true });
});

test('an import on the server reaches the open page without a reload', async () => {
  const printed = importCsv(server.dataDir, NEW_YEAR_CSV);
  assert.match(printed, /6 neu/, `the import adds six values: ${printed}`);
  const offeredYears = () => page.$$eval('[data-testid=year-select] option', (options) => options.map((o) => o.value));
  await page.selectOption('[data-testid=indicator-select]', 'sgb2_quote');
  await waitFor(async () => (await offeredYears()).includes('2026'), 'year 2026 offered for the SGB-II-Quote').catch(async (error) => {
    // What the page showed, for whoever reads the failure (seen once in about ten runs).
    const select = await page.$eval('[data-testid=indicator-select]', (element) => element.value);
    console.log('at failure:', page.url(), select, await page.getAttribute('[data-testid=map]', 'data-indicator'), await offeredYears());
    throw error;
  });
  await page.selectOption('[data-testid=indicator-select]', 'grundsicherung_alter');
  await waitFor(async () => (await page.getAttribute('[data-testid=map]', 'data-indicator')) === 'grundsicherung_alter', 'switch');
  assert.ok(!(await offeredYears()).includes('2026'), 'an indicator without 2026 data does not offer 2026');
  await page.selectOption('[data-testid=indicator-select]', 'sgb2_quote');
  await page.selectOption('[data-testid=year-select]', '2026');
  await waitFor(async () => (await page.getAttribute('[data-testid=area-010560015]', 'data-value')) === '9.9', 'imported value on the map');
});

test('the editorial pages show the published content, its files and the captioned video', async () => {
  await clickNav(page, 'fokusbericht');
  await waitFor(async () => (await page.locator('[data-testid=chapter]').count()) === 4, 'four chapters of the Fokusbericht');
  assert.equal(new URL(page.url()).pathname, '/fokusbericht', 'the page has its own address');
  assert.match(await page.textContent('h1'), /Fokusbericht 2025/, 'titled with its year');
  assert.match(await page.textContent('[data-testid=chapter] table'), /Eingliederungshilfe/, 'Markdown tables render');
  assert.match(await page.textContent('main'), /Demotext/, 'demo content says so');
  await page.screenshot({ path: join(SCREENSHOTS, 'web-fokusbericht.png') });

  await clickNav(page, 'empfehlungen');
  await waitFor(async () => (await page.locator('[data-testid=recommendation]').count()) === 4, 'four recommendations');
  const statuses = await page.$$eval('[data-testid=recommendation-status]', (spans) => spans.map((span) => span.textContent).sort());
  assert.deepEqual(statuses, ['in Umsetzung', 'offen', 'umgesetzt', 'zurückgestellt'], 'each with its current status');
  await page.screenshot({ path: join(SCREENSHOTS, 'web-empfehlungen.png') });

  await clickNav(page, 'newsletter');
  await waitFor(async () => (await page.locator('[data-testid=newsletter]').count()) === 4, 'four newsletters');
  assert.match(await page.textContent('[data-testid=newsletter] summary'), /Newsletter 4\/2025.*15\.12\.2025/, 'newest first, German date');

  await clickNav(page, 'dokumente');
  await waitFor(async () => (await page.locator('[data-testid=document]').count()) === 2, 'two documents');
  assert.match(await page.textContent('[data-testid=document-file] >> nth=0'), /öffnen \(PDF, \d+ KB\)$/, 'type and size before opening');
  const href = await page.getAttribute('[data-testid=document-file] >> nth=0', 'href');
  const pdf = await (await fetch(new URL(href, server.url))).arrayBuffer();
  assert.equal(Buffer.from(pdf).subarray(0, 5).toString(), '%PDF-', 'the document link serves the PDF');

  await clickNav(page, 'video');
  await waitFor(async () => (await page.locator('[data-testid=transcript] li').count()) === 4, 'the transcript beside the video, from its captions');
  assert.match(await page.textContent('[data-testid=transcript] li'), /^0:00 FOKUS PI – der Sozialbericht/, 'with the time of each caption');
  await page.click('[data-testid=video-load]');
  await page.waitForSelector('[data-testid=video-player]');
  const video = await waitFor(
    () =>
      page.$eval('[data-testid=video-player]', (element) =>
        element.readyState >= 1 && element.textTracks.length > 0 && element.textTracks[0].cues?.length > 0
          ? { duration: element.duration, mode: element.textTracks[0].mode, cue: element.textTracks[0].cues[0].text }
          : null,
      ),
    'the video with its captions',
  );
  assert.ok(video.duration > 10, `a real video of about 16 s: ${video.duration}`);
  assert.equal(video.mode, 'showing', 'captions are on by default');
  assert.match(video.cue, /FOKUS PI/, 'the first caption');
  await page.screenshot({ path: join(SCREENSHOTS, 'web-video.png') });
  await clickNav(page, 'sozialbericht');
  await page.waitForSelector('[data-testid=map] path.area');
});

test('demography and social spending: a population pyramid per area and year, spending per inhabitant', async () => {
  await clickNav(page, 'demografie');
  await waitFor(async () => /Kreis Pinneberg 2025: [\d.]+ Einwohner/.test(await page.textContent('[data-testid=population-title]')), 'the Kreis pyramid');
  await page.waitForSelector('[data-testid=population-chart] canvas');
  await page.selectOption('[data-testid=population-area]', '010560015');
  // One change after the other, as a person makes them: the year after the area has arrived.
  await waitFor(async () => /Elmshorn/.test(await page.textContent('[data-testid=population-title]')), 'the Elmshorn pyramid');
  await page.selectOption('[data-testid=year-select]', '2022');
  const title = await waitFor(async () => {
    const text = await page.textContent('[data-testid=population-title]');
    return /Elmshorn 2022/.test(text) ? text : null;
  }, 'the Elmshorn pyramid of 2022');
  const inhabitants = Number(title.match(/([\d.]+) Einwohner/)[1].replaceAll('.', ''));
  assert.ok(Math.abs(inhabitants - 51248) < 20, `Elmshorn in 2022 is its Zensus population (51,248): ${inhabitants}`);
  await page.screenshot({ path: join(SCREENSHOTS, 'web-demografie.png') });
  // Any area but the Kreis is drawn against the Kreis's outline, scaled to the same size; in
  // shares both are percent of their inhabitants.
  await waitFor(async () => /Umriss: Kreis Pinneberg 2022, auf die Einwohnerzahl von Elmshorn umgerechnet/.test(await page.textContent('[data-testid=comparison-note]')), 'the Kreis as outline');
  const pyramidHead = await page.$$eval('[data-testid=population-chart-table] thead th', (cells) => cells.map((cell) => cell.textContent));
  assert.deepEqual(pyramidHead.slice(0, 4), ['Alter', 'weiblich', 'männlich', 'Kreis Pinneberg weiblich, auf gleiche Einwohnerzahl umgerechnet']);
  await page.click('[data-testid=measure-shares]');
  await page.waitForURL(/darstellung=anteile/);
  const shareRows = await waitFor(async () => {
    const rows = await page.$$eval('[data-testid=population-row]', (items) => items.map((row) => [...row.children].map((cell) => cell.textContent)));
    return rows.length === 18 && rows[0][1].endsWith('%') ? rows : null;
  }, 'the pyramid in percent');
  for (const column of [1, 3]) {
    // Women and men of each side together are the whole area: 100 %.
    const total = shareRows.reduce((sum, row) => sum + Number(row[column].replace(' %', '').replace(',', '.')) + Number(row[column + 1].replace(' %', '').replace(',', '.')), 0);
    assert.ok(Math.abs(total - 100) < 0.6, `column ${column} adds up to 100 %: ${total}`);
  }
  assert.match(await page.textContent('[data-testid=population-chart-source]'), /^Quelle: Demodaten, ausgerichtet an: Zensus 2022, .* · Datenstand \d\d\.\d\d\.\d{4}$/);
  // The pyramid's exports: CSV with its metadata and the table as shown, SVG and PNG with title and source.
  const [pyramidCsv] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=population-chart-csv]')]);
  assert.equal(pyramidCsv.suggestedFilename(), 'demografie-pyramide-010560015-2022.csv');
  await pyramidCsv.saveAs(join(SCREENSHOTS, 'export-pyramide.csv'));
  const pyramidText = readFileSync(join(SCREENSHOTS, 'export-pyramide.csv'), 'utf8');
  assert.ok(pyramidText.startsWith('\ufeffTitel;Bevölkerung Elmshorn 2022 (Anteile in %)'), pyramidText.slice(0, 80));
  assert.match(pyramidText, /\r\nAlter;weiblich;männlich;Kreis Pinneberg weiblich;Kreis Pinneberg männlich\r\n85\+;\d+,\d %;/);
  const csvLink = new URL(pyramidText.match(/\r\nLink;(\S+)\r\n/)[1]);
  assert.deepEqual([...csvLink.searchParams].sort(), [['darstellung', 'anteile'], ['gebiet', '010560015'], ['jahr', '2022']], 'the link opens this view');
  const [pyramidSvg] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=population-chart-svg]')]);
  assert.equal(pyramidSvg.suggestedFilename(), 'demografie-pyramide-010560015-2022.svg');
  await pyramidSvg.saveAs(join(SCREENSHOTS, 'export-pyramide.svg'));
  const pyramidImage = readFileSync(join(SCREENSHOTS, 'export-pyramide.svg'), 'utf8');
  assert.match(pyramidImage, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/, 'a standalone SVG');
  for (const text of ['Bevölkerung Elmshorn 2022 (Anteile in %)', 'Quelle: Demodaten', 'Kreis Pinneberg', 'männlich', '85+']) {
    assert.ok(pyramidImage.includes(text), `${text} on the image`);
  }
  const [pyramidPng] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=population-chart-png]')]);
  await pyramidPng.saveAs(join(SCREENSHOTS, 'export-pyramide.png'));
  assert.equal(readFileSync(join(SCREENSHOTS, 'export-pyramide.png')).subarray(1, 4).toString(), 'PNG');
  await page.click('[data-testid=measure-people]');
  await waitFor(async () => !/darstellung/.test(page.url()), 'back to people');

  // The age structure over the years follows the chosen area; its table adds up to the pyramid.
  await waitFor(async () => /^Elmshorn: Altersgruppen 2015–2025, Prognose bis 2040$/.test(await page.textContent('[data-testid=age-structure-title]')), 'the age groups of Elmshorn');
  await page.waitForSelector('[data-testid=age-structure-chart] canvas');
  await page.waitForSelector('[data-testid=ratio-chart] canvas');
  assert.match(await page.textContent('[data-testid=projection-hint]'), /^Ab 2030 zeigen die Diagramme eine Vorausberechnung \(Prognose\) bis 2040/);
  const structureYears = await page.$$eval('[data-testid=age-structure-row] th', (cells) => cells.map((cell) => cell.textContent));
  assert.deepEqual(structureYears.slice(0, 4), ['2040 (Prognose)', '2035 (Prognose)', '2030 (Prognose)', '2025'], 'the projection named in the table');
  assert.equal(structureYears.length, 14, 'one row a year, counted and projected');
  const row2022 = await page.$$eval('[data-testid=age-structure-row]', (rows) =>
    rows.map((row) => [...row.children].map((cell) => cell.textContent)).find((cells) => cells[0] === '2022'));
  const sum = row2022.slice(1).reduce((total, cell) => total + Number(cell.replaceAll('.', '')), 0);
  assert.equal(sum, inhabitants, 'the seven groups of 2022 add up to the pyramid of 2022');
  assert.match(await page.textContent('[data-testid=ratio-title]'), /^Altenquotient 2025: \d+,\d \(2015: \d+,\d; Prognose 2040: \d+,\d\) Personen ab 65 je 100 im Alter von 20 bis 64$/);
  const ratios = await page.$$eval('[data-testid=ratio-row]', (rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent)));
  assert.equal(ratios.length, 14);
  // The tooltip names the year as a year and the values the German way.
  await page.locator('[data-testid=ratio-chart]').scrollIntoViewIfNeeded();
  const ratioBox = await page.locator('[data-testid=ratio-chart]').boundingBox();
  await page.mouse.move(ratioBox.x + ratioBox.width * 0.5, ratioBox.y + ratioBox.height * 0.5);
  await waitFor(async () => page.$$eval('[data-testid=ratio-chart] div', (divs) =>
    divs.some((div) => /^20\d\dJugendquotient\d+,\d je 100Altenquotient\d+,\d je 100$/.test(div.textContent))), 'the tooltip with its year');
  // Births, deaths and moves: the natural and the migratory balance add up to the change of the
  // population the age groups show.
  await page.waitForSelector('[data-testid=movement-chart] canvas');
  assert.match(await page.textContent('[data-testid=movement-title]'), /^2025: [\d.]+ Geburten, [\d.]+ Sterbefälle, Wanderungssaldo [+−][\d.]+$/);
  const moves = await page.$$eval('[data-testid=movement-row]', (rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent)));
  assert.equal(moves.length, 10, '2016–2025');
  const groups = await page.$$eval('[data-testid=age-structure-row]', (rows) => Object.fromEntries(rows.map((row) => {
    const cells = [...row.children].map((cell) => cell.textContent);
    return [cells[0], cells.slice(1).reduce((total, cell) => total + Number(cell.replaceAll('.', '')), 0)];
  })));
  const signedNumber = (text) => Number(text.replace('−', '-').replace('+', '').replaceAll('.', ''));
  for (const [year, , , natural, , , migration] of moves) {
    assert.equal(signedNumber(natural) + signedNumber(migration), groups[year] - groups[String(Number(year) - 1)], `${year}: natural + migratory change = change of the population`);
  }
  // A correction imported on the server reaches the open page with the next sync, no reload.
  const births2025 = moves.find((row) => row[0] === '2025')[1];
  assert.notEqual(births2025, '999');
  importCsv(server.dataDir, 'gebiet;jahr;geburten;sterbefaelle;zuzuege;fortzuege\n010560015;2025;999;600;3000;2600\n', 'bewegung.csv');
  await waitFor(async () => /^2025: 999 Geburten, 600 Sterbefälle, Wanderungssaldo \+400$/.test(await page.textContent('[data-testid=movement-title]')), 'the imported movement on the open page');
  // The projection in the pyramid: the slider reaches it, and it says what it is.
  await page.selectOption('[data-testid=year-select]', '2040');
  await waitFor(async () => /Elmshorn 2040 \(Prognose\)/.test(await page.textContent('[data-testid=population-title]')), 'the projected pyramid');
  assert.equal(await page.textContent('[data-testid=projection-note]'), 'Vorausberechnung (Prognose), keine gezählten Einwohner.');
  assert.equal(await page.getAttribute('[data-testid=year-slider]', 'aria-valuetext'), '2040 (Prognose)');
  await page.selectOption('[data-testid=year-select]', '2022');
  await waitFor(async () => /Elmshorn 2022:/.test(await page.textContent('[data-testid=population-title]')), 'back to 2022');
  for (const [year, youth, old] of ratios) assert.match(`${youth} ${old}`, /^\d+,\d \d+,\d$/, `both ratios for ${year}`);

  // Area and year are in the address: a reload keeps them.
  const asked = new URL(page.url());
  assert.equal(asked.pathname, '/demografie');
  assert.deepEqual([...asked.searchParams].sort(), [['gebiet', '010560015'], ['jahr', '2022']]);
  await page.reload();
  await waitFor(async () => /Elmshorn 2022/.test(await page.textContent('[data-testid=population-title]')), 'Elmshorn 2022 after a reload');
  // Every area on a map: the share of the 80-year-olds first, then another indicator.
  await page.waitForSelector('[data-testid=live-map] path.area');
  assert.equal(await page.getAttribute('[data-testid=live-map] [data-testid=map]', 'data-indicator'), 'anteil_80_plus');
  assert.equal(await page.locator('[data-testid=live-map] path.area').count(), 18);
  await page.selectOption('[data-testid=shares-indicator]', 'anteil_unter_18');
  await page.waitForURL(/karte=anteil_unter_18/);
  await waitFor(async () => (await page.getAttribute('[data-testid=live-map] [data-testid=map]', 'data-indicator')) === 'anteil_unter_18', 'the map of the children');

  await clickNav(page, 'sozialausgaben');
  await waitFor(async () => /2025: [\d.,]+ Mio\. € netto, [\d.]+ € je Einwohner, 7\d % des Gesamthaushalts/.test(await page.textContent('[data-testid=spending-title]')), 'the spending headline with its share of the budget');
  await page.waitForSelector('[data-testid=spending-chart] canvas');
  assert.equal(await page.locator('[data-testid=spending-row]').count(), 11, 'one row a year, 2015–2025');
  await page.screenshot({ path: join(SCREENSHOTS, 'web-sozialausgaben.png') });
  // Spending imported on the server appears with the next sync.
  const headline = await page.textContent('[data-testid=spending-title]');
  importCsv(server.dataDir, 'bereich;jahr;euro\nBildung und Teilhabe;2025;104.100.000\n', 'ausgaben.csv');
  await waitFor(async () => {
    const now = await page.textContent('[data-testid=spending-title]');
    return now !== headline && /^2025: [\d.,]+ Mio\. € netto/.test(now);
  }, 'the imported spending on the open page');
  assert.match(await page.textContent('[data-testid=spending-chart-source]'), /^Quelle: Haushalt des Kreises Pinneberg, Teilergebnisplan Soziales \(Demodaten\) · Datenstand \d\d\.\d\d\.\d{4}$/);
  const [spendingCsv] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=spending-chart-csv]')]);
  assert.equal(spendingCsv.suggestedFilename(), 'sozialausgaben-2015-2025.csv');
  await spendingCsv.saveAs(join(SCREENSHOTS, 'export-sozialausgaben.csv'));
  const spendingText = readFileSync(join(SCREENSHOTS, 'export-sozialausgaben.csv'), 'utf8');
  assert.match(spendingText, /\r\nLeistungsbereich;2015;2016;2017;2018;2019;2020;2021;2022;2023;2024;2025\r\n[^;\r\n]+(;[\d.]+,\d){11}\r\n/, 'every field and year, as the table shows them');

  // Every field in every year as a table, in euros or per inhabitant; the unit is in the address.
  const fields = await page.locator('[data-testid=field-year-row]').count();
  assert.ok(fields >= 5, `a row per field: ${fields}`);
  const euroCells = await page.$$eval('[data-testid=field-year-row] td', (cells) => cells.map((cell) => cell.textContent));
  assert.equal(euroCells.length, fields * 11, 'a cell per field and year');
  await page.click('[data-testid=unit-inhabitant]');
  await page.waitForURL(/einheit=einwohner/);
  await waitFor(async () => {
    const cells = await page.$$eval('[data-testid=field-year-row] td', (items) => items.map((cell) => cell.textContent));
    return cells.length === euroCells.length && cells.join() !== euroCells.join();
  }, 'the table per inhabitant');
  // One year: a treemap and every field with its shares and its change against the year before.
  await page.selectOption('[data-testid=spending-year]', '2024');
  await page.waitForURL(/jahr=2024/);
  await waitFor(async () => (await page.textContent('[data-testid=spending-year-title]')) === 'Sozialausgaben 2024 nach Leistungsbereich', 'the year 2024');
  assert.equal(await page.locator('[data-testid=treemap-tile]').count(), fields, 'a tile per field');
  const rows = await page.$$eval('[data-testid=field-row]', (items) => items.map((row) => [...row.children].map((cell) => cell.textContent)));
  assert.equal(rows.length, fields);
  const shares = rows.reduce((sum, row) => sum + Number(row[3].replace(' %', '').replace(',', '.')), 0);
  assert.ok(Math.abs(shares - 100) < 0.5, `the shares of the social budget add up to 100 %: ${shares}`);
  for (const row of rows) {
    assert.match(row[4], /^\d+,\d %$/, `share of the whole budget: ${row}`);
    assert.match(row[5], /^[+−][\d.]+,\d Mio\. € \([+−][\d.]+,\d %\)$/, `change against 2023: ${row}`);
  }
  // The treemap exports as the picture on the page, with its title and source.
  const [treemapSvg] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=spending-treemap-svg]')]);
  assert.equal(treemapSvg.suggestedFilename(), 'sozialausgaben-2024.svg');
  await treemapSvg.saveAs(join(SCREENSHOTS, 'export-treemap.svg'));
  const treemapImage = readFileSync(join(SCREENSHOTS, 'export-treemap.svg'), 'utf8');
  assert.equal((treemapImage.match(/<rect x=/g) ?? []).length, fields, 'a tile per field');
  assert.ok(treemapImage.includes('Sozialausgaben 2024 nach Leistungsbereich') && treemapImage.includes('Quelle: Haushalt des Kreises Pinneberg'));
  const [treemapCsv] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=spending-treemap-csv]')]);
  await treemapCsv.saveAs(join(SCREENSHOTS, 'export-treemap.csv'));
  const treemapText = readFileSync(join(SCREENSHOTS, 'export-treemap.csv'), 'utf8');
  assert.equal(treemapText.trim().split('\r\n').filter((line) => /Mio\. €;/.test(line)).length, fields, 'a CSV row per field');
  await clickNav(page, 'sozialbericht');
  await page.waitForSelector('[data-testid=map] path.area');
});

test('no request leaves the machine and the page raised no error', () => {
  const origin = new URL(server.url).origin;
  const foreign = requests.filter((url) => !url.startsWith(origin) && !url.startsWith('data:'));
  assert.deepEqual(foreign, [], 'everything comes from our own server (Datenschutz)');
  assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
});
