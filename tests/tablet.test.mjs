// Tablet first, as a councillor uses it: Chromium with touch at 768 × 1024 (portrait) and
// 1024 × 768 (landscape, also a projector), and a 1366 × 768 laptop. The view starts in the
// upper half of the screen; a tap answers where the finger is without moving the page; every
// area can be hit by a finger; the presentation fills the projector; 200 % text reflows on
// every page; tables keep their key column; one vocabulary; the search understands "Elmshorn
// SGB-II". Screenshots of each land in target/screenshots/tablet-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, startServer, CHROMIUM_ARGS, SCREENSHOTS, waitFor } from './support.mjs';

let server;
let browser;
const pageErrors = [];

const PORTRAIT = { width: 768, height: 1024 };
const LANDSCAPE = { width: 1024, height: 768 };
const LAPTOP = { width: 1366, height: 768 };
const SIZES = [['portrait', PORTRAIT, true], ['landscape', LANDSCAPE, true], ['laptop', LAPTOP, false]];

before(async () => {
  server = await startServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  assert.deepEqual(pageErrors, [], 'no page errors in the whole run');
});

/** A fresh page of the given size, with touch where a tablet has it; `personal` seeds the
 * person's stored data (display settings, folders) before the first load. */
async function open(viewport, { touch = true, personal } = {}) {
  const context = await browser.newContext({ viewport, hasTouch: touch, acceptDownloads: true });
  if (personal) {
    await context.addInitScript((text) => {
      if (!sessionStorage.getItem('seeded')) {
        sessionStorage.setItem('seeded', '1');
        localStorage.setItem('fokus-persoenlich', text);
      }
    }, JSON.stringify(personal));
  }
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error' && process.env.FOKUS_CONSOLE) console.log('console:', message.text().slice(0, 1500)); });
  return page;
}

/**
 * Taps `dx`, `dy` px from an area's label point, as a finger would; first scrolls the page if
 * the value card's sheet covers that point (a reader scrolls too; the tap itself must not).
 */
async function tapArea(page, area, dx = 0, dy = 0) {
  let point = await labelPoint(page, area);
  const covered = await page.evaluate(({ x, y }) => !document.elementFromPoint(x, y)?.closest('[data-testid=map]'), { x: point.x + dx, y: point.y + dy });
  if (covered) {
    await page.evaluate((by) => scrollBy(0, by), 300);
    await page.waitForTimeout(100);
    point = await labelPoint(page, area);
  }
  await page.touchscreen.tap(point.x + dx, point.y + dy);
}

const top = (page, selector) => page.$eval(selector, (element) => element.getBoundingClientRect().top);

/** Screen coordinates of an area's label point (where its name is drawn). */
const labelPoint = (page, area) =>
  page.$eval(`[data-testid=area-${area}]`, (path) => {
    const [x, y] = path.dataset.label.split(',').map(Number);
    const ctm = path.ownerSVGElement.getScreenCTM();
    return { x: ctm.a * x + ctm.e, y: ctm.d * y + ctm.f };
  });

test('every explorer view starts in the upper half of the screen, on a tablet either way round and on a laptop', async () => {
  const views = [
    ['Karte', '/sozialbericht?kennzahl=sgb2_quote', '[data-testid=map]'],
    ['Zeitreihe', '/sozialbericht?kennzahl=sgb2_quote&ansicht=zeitreihe&gebiete=010560015', '[data-testid=series-chart]'],
    ['Rangfolge', '/sozialbericht?kennzahl=sgb2_quote&ansicht=rangfolge', '[data-testid=ranking]'],
    ['Tabelle', '/sozialbericht?kennzahl=sgb2_quote&ansicht=tabelle', '[data-testid=data-table]'],
    ['Demografie', '/demografie', '[data-testid=population-chart]'],
    ['Sozialausgaben', '/sozialausgaben', '[data-testid=spending-chart]'],
  ];
  for (const [size, viewport, touch] of SIZES) {
    const page = await open(viewport, { touch });
    for (const [name, route, selector] of views) {
      await page.goto(`${server.url}${route}`);
      await page.waitForSelector(selector);
      const at = await top(page, selector);
      assert.ok(at < viewport.height / 2, `${size}: the ${name} view starts at ${Math.round(at)} px, in the upper half of ${viewport.height}`);
    }
    await page.goto(`${server.url}/sozialbericht?kennzahl=sgb2_quote`);
    await page.waitForSelector('[data-testid=map] path.area');
    await page.screenshot({ path: join(SCREENSHOTS, `tablet-start-${size}.png`) });
    await page.context().close();
  }
});

test('a tap on an area answers where the eye is: the value card in view, the page not moved', async () => {
  for (const [size, viewport, touch] of SIZES) {
    const page = await open(viewport, { touch });
    await page.goto(`${server.url}/sozialbericht?kennzahl=sgb2_quote`);
    await page.waitForSelector('[data-testid=map] path.area');
    // Scrolled a little, as a reader would be: the tap must not throw the page anywhere.
    await page.mouse.wheel(0, 120);
    await page.waitForTimeout(200);
    const before = await page.evaluate(() => scrollY);
    for (const [area, name] of [['010560015', 'Elmshorn'], ['010560043', 'Rellingen'], ['010565616', 'Amt Elmshorn-Land']]) {
      const point = await labelPoint(page, area);
      if (touch) await page.touchscreen.tap(point.x, point.y);
      else await page.mouse.click(point.x, point.y);
      await waitFor(async () => (await page.textContent('[data-testid=card-title]').catch(() => '')) === name, `${size}: ${name} selected by a tap`);
      assert.equal(await page.evaluate(() => scrollY), before, `${size}: a tap on ${name} does not scroll the page`);
      const card = await page.$eval('[data-testid=card-value]', (element) => element.getBoundingClientRect().toJSON());
      assert.ok(card.top >= 0 && card.bottom <= viewport.height, `${size}: the value of ${name} is on screen: ${JSON.stringify(card)}`);
      assert.match(await page.textContent('[data-testid=card-summary]'), /Prozentpunkte (über|unter) Kreis Pinneberg|gleich wie Kreis Pinneberg/, `${size}: the value in words against the Kreis`);
      assert.match(await page.textContent('[data-testid=card-summary]'), /seit 2015 (gestiegen|gesunken|unverändert)/, `${size}: and the trend`);
    }
    await page.screenshot({ path: join(SCREENSHOTS, `tablet-tap-${size}.png`) });
    if (viewport.width < 900) {
      // The sheet closes with its button; the map is whole again.
      await page.tap('[data-testid=card-close]');
      await waitFor(async () => !(await page.isVisible('[data-testid=card-close]')), 'the sheet closed');
      assert.equal(await page.evaluate(() => scrollY), before, `${size}: closing does not scroll`);
    }
    // "Zeitreihe zeigen" and the tabs change the view in place too.
    await page.goto(`${server.url}/sozialbericht?kennzahl=sgb2_quote&gebiete=010560015`);
    await page.waitForSelector('[data-testid=card-series]');
    const still = await page.evaluate(() => scrollY);
    await page.click('[data-testid=card-series]');
    await page.waitForSelector('[data-testid=series-chart]');
    assert.equal(await page.evaluate(() => scrollY), still, `${size}: Zeitreihe zeigen keeps the page where it is`);
    await page.context().close();
  }
});

test('every area can be hit by a finger: taps around a small area\'s name choose it, and every area is in the list', async () => {
  const page = await open(PORTRAIT);
  await page.goto(`${server.url}/sozialbericht?kennzahl=sgb2_quote`);
  await page.waitForSelector('[data-testid=map] path.area');
  const areas = await page.$$eval('[data-testid=map] path.area', (paths) => paths.map((path) => ({ id: path.dataset.area, name: path.getAttribute('aria-label').split(':')[0] })));
  assert.equal(areas.length, 18);
  for (const { id, name } of areas) {
    // A 44 × 44 px spot: its middle and four points 15 px away choose the area.
    for (const [dx, dy] of [[0, 0], [15, 0], [-15, 0], [0, 15], [0, -15]]) {
      await tapArea(page, id, dx, dy);
      await waitFor(async () => new URL(page.url()).searchParams.get('gebiete') === id, `${name}: a tap ${dx},${dy} px from its name chooses it`);
    }
  }
  // The Gemeinde level: 49 small areas; each is chosen by a tap on its name and from the list.
  await page.goto(`${server.url}/sozialbericht?kennzahl=sgb2_quote&ebene=gemeinde`);
  await waitFor(async () => (await page.locator('[data-testid=map] path.area').count()) === 49, 'the 49 Gemeinden');
  const gemeinden = await page.$$eval('[data-testid=map] path.area', (paths) => paths.map((path) => path.dataset.area));
  const listed = await page.$$eval('[data-testid=area-select] option', (options) => options.map((option) => option.value).filter(Boolean));
  assert.deepEqual([...listed].sort(), [...gemeinden].sort(), 'every Gemeinde in the list');
  for (const id of gemeinden) {
    await tapArea(page, id);
    await waitFor(async () => new URL(page.url()).searchParams.get('gebiete') === id, `${id}: a tap on its name chooses it`);
  }
  await page.selectOption('[data-testid=area-select]', gemeinden[7]);
  await waitFor(async () => new URL(page.url()).searchParams.get('gebiete') === gemeinden[7], 'chosen from the list');
  // The map takes the pinch itself: the page keeps its scale, the map zooms.
  assert.equal(await page.$eval('[data-testid=map]', (svg) => getComputedStyle(svg).touchAction), 'pan-y', 'one finger scrolls the page, two are the map\'s');
  const box = await page.$eval('[data-testid=map]', (svg) => svg.getBoundingClientRect().toJSON());
  const cdp = await page.context().newCDPSession(page);
  const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
  const touch = (type, spread) => cdp.send('Input.dispatchTouchEvent', {
    type,
    touchPoints: type === 'touchEnd' ? [] : [{ x: cx - spread, y: cy, id: 1 }, { x: cx + spread, y: cy, id: 2 }],
  });
  await touch('touchStart', 20);
  for (let spread = 30; spread <= 120; spread += 10) await touch('touchMove', spread);
  await touch('touchEnd', 0);
  await waitFor(async () => (await page.getAttribute('[data-testid=map]', 'viewBox')) !== '0.0 0.0 800.0 600.0', 'the map zoomed by the pinch');
  assert.equal(await page.evaluate(() => visualViewport.scale), 1, 'the page did not zoom');
  await page.context().close();
});

test('the presentation fills the projector: slim bar, no tabs or banner, the view ≥ 75 % of the screen', async () => {
  const personal = {
    format: 1,
    folders: [{ id: 'sitzung', name: 'Sozialausschuss', committee: 'Sozialausschuss', date: '2026-12-10', items: [
      { path: '/sozialbericht?kennzahl=sgb2_quote&gebiete=010560015', title: 'SGB-II-Quote, Karte', note: '' },
      { path: '/sozialbericht?kennzahl=sgb2_quote&gebiete=010560015&ansicht=zeitreihe', title: 'SGB-II-Quote, Zeitreihe', note: '' },
    ] }],
  };
  for (const [size, viewport] of [['1024x768', LANDSCAPE], ['1920x1080', { width: 1920, height: 1080 }]]) {
    const page = await open(viewport, { personal });
    await page.goto(`${server.url}/mappen`);
    await page.click('[data-testid=folder-present]');
    await page.waitForSelector('[data-testid=map] path.area');
    await page.waitForSelector('[data-testid=card-title]');
    const bar = await page.$eval('[data-testid=presentation-bar]', (element) => element.getBoundingClientRect().height);
    assert.ok(bar <= 64, `${size}: a slim bar: ${bar} px`);
    for (const hidden of ['.tab-bar', '[data-testid=demo-banner]', '.view-actions', '.map-zoom', 'header.topbar']) {
      assert.equal(await page.isVisible(hidden), false, `${size}: no ${hidden} on the projector`);
    }
    assert.equal(await page.isVisible('[data-testid=presentation-demo]'), true, `${size}: demo data still say so`);
    const covered = (selectors) => page.evaluate((selectors) => {
      const boxes = selectors.map((selector) => document.querySelector(selector).getBoundingClientRect());
      const left = Math.max(0, Math.min(...boxes.map((box) => box.left)));
      const right = Math.min(innerWidth, Math.max(...boxes.map((box) => box.right)));
      const upper = Math.max(0, Math.min(...boxes.map((box) => box.top)));
      const lower = Math.min(innerHeight, Math.max(...boxes.map((box) => box.bottom)));
      return ((right - left) * (lower - upper)) / (innerWidth * innerHeight);
    }, selectors);
    const map = await covered(['[data-testid=map]', '[data-testid=value-card]']);
    assert.ok(map >= 0.75, `${size}: map and value card cover ${(100 * map).toFixed(0)} % of the screen`);
    await page.screenshot({ path: join(SCREENSHOTS, `tablet-present-map-${size}.png`) });
    await page.click('[data-testid=presentation-next]');
    await page.waitForSelector('[data-testid=series-chart] canvas');
    await waitFor(async () => (await covered(['[data-testid=chart-title]', '[data-testid=series-chart]'])) >= 0.75, `${size}: the chart with its title fills the screen`);
    await page.screenshot({ path: join(SCREENSHOTS, `tablet-present-chart-${size}.png`) });
    await page.context().close();
  }
});

test('200 % text reflows on every page at 768 × 1024: nothing scrolls sideways, the header stays compact', async () => {
  const page = await open(PORTRAIT, { personal: { format: 1, display: { theme: 'system', text_size: 200 } } });
  const routes = [
    ['/', '[data-testid=headline]'],
    ['/sozialbericht?kennzahl=sgb2_quote&gebiete=010560015', '[data-testid=card-title]'],
    ['/sozialbericht?kennzahl=sgb2_quote&ansicht=zeitreihe&gebiete=010560015', '[data-testid=series-chart]'],
    ['/sozialbericht?kennzahl=sgb2_quote&ansicht=rangfolge', '[data-testid=ranking]'],
    ['/sozialbericht?kennzahl=sgb2_quote&ansicht=tabelle', '[data-testid=data-table]'],
    ['/sozialbericht?kennzahl=sgb2_quote&ansicht=quellen', '[data-testid=sources]'],
    ['/gebiet?gebiet=010560015', '[data-testid=profile-table]'],
    ['/vergleich?gebiete=010560015,010560043', '[data-testid=compare-table]'],
    ['/demografie', '[data-testid=population-chart]'],
    ['/sozialausgaben', '[data-testid=spending-chart]'],
    ['/fokusbericht', '[data-testid=chapter]'],
    ['/empfehlungen', 'article'],
    ['/empfehlungen?darstellung=tabelle', '[data-testid=ampel-table]'],
    ['/newsletter', 'article'],
    ['/dokumente', '[data-testid=document]'],
    ['/video', '[data-testid=video]'],
    ['/mappen', 'h1'],
    ['/einstellungen', '[data-testid=text-size]'],
    ['/suche?q=pflege', '[data-testid=search-hit]'],
    ['/ueber', '[data-testid=licences]'],
    ['/barrierefreiheit', 'h1'],
  ];
  for (const [route, ready] of routes) {
    await page.goto(`${server.url}${route}`);
    await page.waitForSelector(ready);
    await page.waitForTimeout(300);
    const fonts = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    assert.ok(fonts >= 35, `${route}: text at 200 % (${fonts} px)`);
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
    assert.ok(scrollWidth <= clientWidth, `${route}: no sideways scrolling at 200 % (${scrollWidth} > ${clientWidth})`);
    const overflowing = await page.evaluate(() => [...document.querySelectorAll('main *')].filter((element) => {
      // Inside a box that scrolls or clips (a wide table, a chart) is not over the page's edge.
      for (let parent = element.parentElement; parent && parent.tagName !== 'MAIN'; parent = parent.parentElement) {
        if (getComputedStyle(parent).overflowX !== 'visible') return false;
      }
      if (element.closest('svg')) return false;
      const box = element.getBoundingClientRect();
      return box.width > 0 && box.right > innerWidth + 1;
    }).map((element) => `${element.tagName}.${element.className}`).slice(0, 5));
    assert.deepEqual(overflowing, [], `${route}: nothing runs over the right edge`);
  }
  const header = await page.$eval('header.topbar', (element) => element.getBoundingClientRect().height);
  assert.ok(header < 330, `the header stays compact at 200 %: ${header} px`);
  await page.goto(`${server.url}/sozialbericht?kennzahl=sgb2_quote&gebiete=010560015`);
  await page.waitForSelector('[data-testid=card-title]');
  const label = await page.$eval('[data-testid=map] text.area-label', (text) => parseFloat(text.style.fontSize));
  assert.ok(label >= 30, `map labels grow with the text: ${label} map units`);
  await page.screenshot({ path: join(SCREENSHOTS, 'tablet-200-explorer.png') });
  await page.context().close();
});

test('tables at tablet width keep their key column and say that they scroll', async () => {
  const page = await open(PORTRAIT);
  await page.goto(`${server.url}/empfehlungen?darstellung=tabelle`);
  await page.waitForSelector('[data-testid=ampel-table]');
  const heads = await page.$$eval('[data-testid=ampel-table] thead th', (cells) => cells.map((cell) => cell.textContent));
  assert.equal(heads[0], 'Status', 'the status first');
  await page.goto(`${server.url}/gebiet?gebiet=010560015`);
  await page.waitForSelector('[data-testid=profile-table]');
  for (const reference of ['Schleswig-Holstein', 'Deutschland']) {
    const box = await page.locator('[data-testid=profile-table] thead th', { hasText: reference }).boundingBox();
    assert.ok(box && box.x + box.width <= PORTRAIT.width, `${reference} in view at 768 px: ${JSON.stringify(box)}`);
  }
  await page.goto(`${server.url}/sozialausgaben`);
  await page.waitForSelector('[data-testid=spending-chart]');
  await page.click('text=als Tabelle >> nth=0');
  await waitFor(() => page.isVisible('[data-testid=scroll-hint]'), 'a wide table says it scrolls');
  const region = page.locator('[data-testid=scroll-hint] + .table-scroll').first();
  const sticky = await region.evaluate((element) => getComputedStyle(element.querySelector('tbody tr > :first-child')).position);
  assert.equal(sticky, 'sticky', 'its first column stays while it scrolls');
  await region.evaluate((element) => { element.scrollLeft = element.scrollWidth; element.dispatchEvent(new Event('scroll')); });
  await waitFor(async () => !(await page.isVisible('[data-testid=scroll-hint] >> nth=0')), 'scrolled to its end, the hint goes');
  await page.context().close();
});

test('one vocabulary: arrows for direction only, words for better and worse, Datenstand, abgeglichen and Status', async () => {
  const page = await open(PORTRAIT);
  await page.goto(`${server.url}/sozialbericht?kennzahl=sgb2_quote&gebiete=010560015`);
  // On a tablet the sheet shows the answer first; the comparisons unfold with "Mehr".
  await page.tap('[data-testid=card-expand]');
  await page.waitForSelector('[data-testid=card-comparisons] li');
  const comparisons = await page.$$eval('[data-testid=card-comparisons] li', (items) => items.map((item) => item.textContent));
  for (const line of comparisons) {
    assert.doesNotMatch(line, /[▲▼]/, `no arrow for good or bad: ${line}`);
    assert.match(line, /(über|unter) .* – (günstiger|ungünstiger)$|^gleich wie [^–]*$/, `a difference with its verdict in words, or equal without one: ${line}`);
  }
  assert.match(await page.textContent('[data-testid=sync-status]'), /abgeglichen/, 'the sync is "abgeglichen"');
  const banner = await page.textContent('[data-testid=demo-banner]');
  assert.equal((banner.match(/Demodaten/g) ?? []).length, 1, `Demodaten said once: ${banner}`);
  await page.click('[data-testid=tab-quellen]');
  assert.match(await page.textContent('[data-testid=sources]'), /Datenstand/);
  await page.goto(`${server.url}/empfehlungen`);
  await page.waitForSelector('article');
  assert.match(await page.textContent('main'), /Status seit/);
  assert.doesNotMatch(await page.textContent('main'), /Stand seit/);
  await page.context().close();
});

test('staff: the time series takes several areas from a list, keeps each line\'s colour, and exports exactly what it shows', async () => {
  const page = await open(LAPTOP, { touch: false });
  await page.goto(`${server.url}/sozialbericht?kennzahl=sgb2_quote&ansicht=zeitreihe&gebiete=010560015`);
  await page.waitForSelector('[data-testid=series-chart] canvas');
  const colours = () => page.evaluate(() => Object.fromEntries(
    window.echarts.getInstanceByDom(document.querySelector('[data-testid=series-chart]')).getOption().series.map((series) => [series.name, series.lineStyle.color]),
  ));
  const first = await colours();
  await page.click('[data-testid=series-pick]');
  await page.check('[data-testid=series-area-010560043]');
  await page.check('[data-testid=series-area-010560039]');
  await waitFor(async () => new URL(page.url()).searchParams.get('gebiete') === '010560015,010560043,010560039', 'three areas chosen in order');
  assert.ok(await page.isVisible('[data-testid=series-area-010560050]'), 'the list stays open while ticking');
  await waitFor(async () => Object.keys(await colours()).length === 6, 'three areas and three references drawn');
  const after = await colours();
  for (const name of Object.keys(first)) assert.equal(after[name], first[name], `${name} keeps its colour`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-csv]')]);
  const file = join(SCREENSHOTS, 'tablet-view.csv');
  await download.saveAs(file);
  const lines = readFileSync(file, 'utf8').slice(1).trim().split('\r\n');
  const rows = lines.slice(lines.findIndex((line) => line.startsWith('Gebiet;')) + 1).map((line) => line.split(';')[0]);
  assert.deepEqual(rows, ['Elmshorn', 'Rellingen', 'Pinneberg', 'Kreis Pinneberg', 'Schleswig-Holstein', 'Deutschland'], 'the CSV of this view: its three areas and the references');
  // A long title on the saved image wraps instead of running off.
  const [image] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-chart-svg]')]);
  const svgFile = join(SCREENSHOTS, 'tablet-series.svg');
  await image.saveAs(svgFile);
  const svg = readFileSync(svgFile, 'utf8');
  const width = Number(svg.match(/width="(\d+)"/)[1]);
  for (const [, size, text] of svg.matchAll(/font-size="(\d+)" font-weight="700" fill="#111111">([^<]*)</g)) {
    assert.ok(text.length * Number(size) * 0.6 <= width - 48, `the title line "${text}" fits the image`);
  }
  await page.context().close();
});

test('search: an area with an indicator, words inside compounds, spaces around marks, one hit a place, a chapter in its year', async () => {
  const page = await open(PORTRAIT);
  const search = async (words) => {
    await page.goto(`${server.url}/suche?q=${encodeURIComponent(words)}`);
    await page.waitForSelector('[data-testid=search-hit], [data-testid=search-empty]');
  };
  await search('Elmshorn SGB-II');
  const group = page.locator('[data-testid=search-group][data-kind=kennzahl]');
  assert.match(await group.locator('h2').textContent(), /Kennzahlen für Elmshorn/);
  assert.equal(await group.locator('a.hit-title').first().textContent(), 'SGB-II-Quote', 'the indicator itself first');
  await group.locator('a.hit-title').first().tap();
  await page.waitForSelector('[data-testid=card-title]');
  assert.equal(new URL(page.url()).searchParams.get('kennzahl'), 'sgb2_quote');
  assert.equal(await page.textContent('[data-testid=card-title]'), 'Elmshorn', 'the indicator\'s view for Elmshorn');

  await search('Armut');
  const titles = await page.$$eval('[data-testid=search-hit]', (hits) => hits.map((hit) => hit.textContent));
  assert.ok(titles.some((text) => /Kinderarmut/.test(text)) && titles.some((text) => /Altersarmut/.test(text)), `Kinderarmut and Altersarmut: ${titles}`);

  await search('Pflege');
  const marked = await page.$$eval('a.hit-title', (links) => links.map((link) => link.textContent));
  assert.ok(marked.includes('Pflege durch Angehörige'), `the space after a mark stays: ${marked}`);
  const seen = await page.$eval('a.hit-title', (link) => link.innerText);
  assert.doesNotMatch(seen, /Pflegedurch/, 'as drawn, too');

  await search('Elmshorn');
  const places = await page.locator('[data-testid=search-group][data-kind=gebiet] a.hit-title').allTextContents();
  assert.equal(places.filter((text) => text === 'Elmshorn').length, 1, `one Elmshorn: ${places}`);

  await search('Schwerpunkt Pflege');
  const chapter = page.locator('[data-testid=search-group][data-kind=kapitel] a.hit-title').first();
  assert.match(await chapter.getAttribute('href'), /^\/fokusbericht\?bericht=2024#/, 'the 2024 chapter links to the 2024 report');
  await chapter.tap();
  await waitFor(async () => (await page.textContent('[data-testid=report-title]')) === 'Fokusbericht 2024', 'the 2024 report');
  await page.context().close();
});
