// The council chamber in the web build (Chromium, tablet size with touch): the start page with
// what is new and where one left off, a note that notices when its data change, a Sitzungsmappe
// built, reordered, exported as Markdown, deleted and imported again equal, the presentation mode
// walked with the keyboard only, the backup of everything, theme and text size, and reflow at
// 320 px. The person's data live in the browser's storage here (a file beside the cache in the
// app, see app.test.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, startServer, importCsv, NEW_YEAR_CSV, CHROMIUM_ARGS, SCREENSHOTS, tempDir, waitFor, clickNav } from './support.mjs';

let server;
let browser;
let page;
const pageErrors = [];

before(async () => {
  server = await startServer();
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, hasTouch: true, acceptDownloads: true });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

after(async () => {
  assert.deepEqual(pageErrors, [], 'no page errors in the whole run');
  await browser?.close();
  await server?.stop();
});

const stored = () => page.evaluate(() => JSON.parse(localStorage.getItem('fokus-persoenlich') ?? 'null'));

test('the start page: the data Stand in words, the headline indicators, nothing new on a first visit', async () => {
  await page.goto(server.url);
  await page.waitForSelector('[data-testid=headline]');
  assert.match(await page.textContent('[data-testid=stand]'), /^Datenstand \d\d\.\d\d\.\d{4}, direkt vom Server\.$/, 'the Stand in words');
  const headlines = await waitFor(async () => {
    const texts = await page.$$eval('[data-testid=headline]', (items) => items.map((item) => item.textContent));
    return texts.length >= 3 ? texts : null;
  }, 'the Leitkennzahlen of the Kreis');
  for (const text of headlines) assert.match(text, /\d,\d %|\d/, `each with its value: ${text}`);
  assert.ok(headlines.some((text) => /Prozentpunkte zum Vorjahr/.test(text)), 'the change against the year before');
  assert.ok(headlines.some((text) => /Land: \d+,\d %/.test(text)), 'the Land beside it');
  await waitFor(async () => (await page.locator('[data-testid=news-none]').count()) === 1, 'a first visit has read everything');
  await waitFor(async () => (await stored())?.read_until > 0, 'the first visit is remembered');
  assert.match(await page.textContent('[data-testid=demo-banner]'), /Demodaten/, 'demo data labelled on the start page too');
  await page.screenshot({ path: join(SCREENSHOTS, 'web-start-tablet.png') });
});

test('a note on a view, then an import: the start page lists what is new and the note says its data changed', async () => {
  await page.goto(`${server.url}/sozialbericht?kennzahl=sgb2_quote&jahr=2025&gebiete=010560015`);
  await page.waitForSelector('[data-testid=map] path.area');
  await page.click('[data-testid=merken]');
  await page.fill('[data-testid=note-text]', 'Elmshorn über dem Kreis.\nIm Ausschuss nachfragen.');
  await page.click('[data-testid=note-save]');
  await waitFor(async () => (await page.textContent('[data-testid=merken]')).includes('Gemerkt'), 'the view is marked as noted');
  const note = await waitFor(async () => (await stored())?.notes?.[0], 'the note stored');
  assert.equal(note.subject.id, 'sgb2_quote', 'it refers to the indicator');
  assert.match(note.digest, /^[0-9a-f]{32}$/, 'with a digest of its data');
  assert.equal(await page.locator('[data-testid=note-updated]').count(), 0, 'fresh: not flagged');
  await page.click('[data-testid=merken-close]');

  const printed = importCsv(server.dataDir, NEW_YEAR_CSV);
  assert.match(printed, /6 neu/, printed);
  await page.goto(`${server.url}/mappen`);
  await page.waitForSelector('[data-testid=note]');
  await waitFor(async () => (await page.locator('[data-testid=note] [data-testid=note-updated]').count()) === 1, 'the note flagged');
  assert.match(await page.textContent('[data-testid=note]'), /Daten seit Ihrer Notiz aktualisiert/);
  assert.match(await page.textContent('[data-testid=note]'), /Im Ausschuss nachfragen/, 'the note text kept');

  await clickNav(page, 'uebersicht');
  await page.waitForSelector('[data-testid=news]');
  const news = await page.$$eval('[data-testid=news-item]', (items) => items.map((item) => item.textContent));
  assert.ok(news.some((text) => /SGB-II-Quote: Werte für 2026/.test(text)), `the new year by indicator: ${news}`);
  assert.ok(news.every((text) => text.startsWith('neu')), 'marked new in words, not by colour alone');
  const before = news.length;
  await page.click('[data-testid=news-item] >> text=SGB-II-Quote: Werte für 2026');
  await page.waitForSelector('[data-testid=map] path.area');
  assert.equal(new URL(page.url()).searchParams.get('jahr'), '2026', 'the link opens the new year');
  await clickNav(page, 'uebersicht');
  await page.waitForSelector('[data-testid=news]');
  assert.equal(await page.locator('[data-testid=news-item]').count(), before - 1, 'opened: no longer new');
  assert.match(await page.textContent('[data-testid=resume]'), /SGB-II-Quote 2026, Karte/, 'where one left off');
  await page.screenshot({ path: join(SCREENSHOTS, 'web-start-news.png') });
  await page.click('[data-testid=news-all-read]');
  await page.waitForSelector('[data-testid=news-none]');
});

test('the start page by keyboard alone: skip link, the news, a headline indicator opened with Enter', async () => {
  await page.goto(server.url);
  await page.waitForSelector('[data-testid=headline]');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Zum Inhalt springen', 'the skip link comes first');
  await page.keyboard.press('Enter');
  const reached = [];
  for (let step = 0; step < 40; step++) {
    await page.keyboard.press('Tab');
    const where = await page.evaluate(() => {
      const element = document.activeElement;
      return { testid: element?.closest('[data-testid]')?.dataset.testid, text: element?.textContent?.trim() };
    });
    reached.push(where.testid);
    if (where.testid === 'headline') break;
  }
  assert.ok(reached.includes('news-item') || reached.includes('news-all-read') || reached.includes('resume'), `the news and where one left off come before the indicators: ${reached}`);
  assert.equal(reached.at(-1), 'headline', `a headline indicator is reached: ${reached}`);
  const name = await page.evaluate(() => document.activeElement.textContent);
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=series-chart], .chart');
  assert.equal(new URL(page.url()).pathname, '/sozialbericht', 'Enter opens the indicator');
  assert.match(await page.textContent('[data-testid=indicator-select] option:checked'), new RegExp(name.slice(0, 10)), 'the indicator named on the start page');
});

test('a Sitzungsmappe: gathered from the views, reordered, annotated, exported as Markdown, deleted and imported again equal', async () => {
  await page.goto(`${server.url}/gebiet?gebiet=010560015&jahr=2024`);
  await page.waitForSelector('[data-testid=profile-title]');
  await page.click('[data-testid=merken]');
  await page.fill('[data-testid=folder-new-name]', 'Sozialausschuss 12. März');
  await page.click('[data-testid=folder-add]');
  await waitFor(async () => /aufgenommen/.test(await page.textContent('[data-testid=folder-status]')), 'into a new folder');

  await page.goto(`${server.url}/fokusbericht`);
  await page.waitForSelector('[data-testid=chapter]');
  await page.click('[data-testid=chapter] >> nth=1 >> [data-testid=merken]');
  await page.click('[data-testid=chapter] >> nth=1 >> [data-testid=folder-add]');
  await waitFor(async () => /aufgenommen/.test(await page.textContent('[data-testid=chapter] >> nth=1 >> [data-testid=folder-status]')), 'the chapter into the same folder');

  await page.goto(`${server.url}/sozialbericht?kennzahl=sgb2_quote&jahr=2026`);
  await page.waitForSelector('[data-testid=map] path.area');
  await page.click('[data-testid=merken]');
  await page.click('[data-testid=folder-add]');
  await waitFor(async () => /aufgenommen/.test(await page.textContent('[data-testid=folder-status]')), 'the map too');

  await page.goto(`${server.url}/mappen`);
  await page.waitForSelector('[data-testid=folder]');
  const titles = () => page.$$eval('[data-testid=folder-item] .note-link', (links) => links.map((link) => link.textContent));
  assert.deepEqual(await titles(), ['Gebietsprofil Elmshorn 2024', 'Fokusbericht: Die Sozialausgaben im Überblick', 'SGB-II-Quote 2026, Karte']);
  await page.click('[aria-label="SGB-II-Quote 2026, Karte nach oben"]');
  await page.click('[aria-label="SGB-II-Quote 2026, Karte nach oben"]');
  await waitFor(async () => (await titles())[0] === 'SGB-II-Quote 2026, Karte', 'moved to the top');
  await page.click('[data-testid=folder-item] >> nth=0 >> summary');
  await page.fill('[data-testid=folder-item] >> nth=0 >> textarea', '# Frage\nWarum steigt die Quote?');
  await page.click('[data-testid=folder-item] >> nth=0 >> text=Notiz speichern');
  await waitFor(async () => (await stored()).folders[0].items[0].note === '# Frage\nWarum steigt die Quote?', 'the note on the item');
  await page.screenshot({ path: join(SCREENSHOTS, 'web-mappe-tablet.png'), fullPage: true });

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=folder-export]')]);
  const file = join(tempDir('mappe'), download.suggestedFilename());
  await download.saveAs(file);
  const markdown = readFileSync(file, 'utf8');
  assert.match(markdown, /^# Sitzungsmappe: Sozialausschuss 12\. März\n/, markdown);
  assert.match(markdown, /## 1\. SGB-II-Quote 2026, Karte\n\n<fokus:\/\/sozialbericht\?kennzahl=sgb2_quote&jahr=2026>\n\n\\# Frage\nWarum steigt die Quote\?\n/, markdown);
  const exported = (await stored()).folders[0];

  page.once('dialog', (dialog) => dialog.accept());
  await page.click('[data-testid=folder-delete]');
  await page.waitForSelector('[data-testid=folders-empty]');
  await page.setInputFiles('[data-testid=personal-import]', file);
  await waitFor(async () => /Mappe „Sozialausschuss 12\. März“ mit 3 Ansichten eingelesen/.test(await page.textContent('[data-testid=personal-status]')), 'imported');
  assert.deepEqual((await stored()).folders[0], exported, 'the imported folder equals the exported one');

  await page.setInputFiles('[data-testid=personal-import]', { name: 'kaputt.md', mimeType: 'text/markdown', buffer: Buffer.from('# Sitzungsmappe: X\n\n## 1. Böse\n\n<javascript:alert(1)>\n') });
  await waitFor(async () => /kaputt\.md: Zeile 5: „javascript:alert\(1\)“ ist keine Ansicht dieser App/.test(await page.textContent('[data-testid=personal-status]')), 'a bad file is refused with its line');
  assert.equal((await stored()).folders.length, 1, 'and changes nothing');
});

test('presentation mode by keyboard alone: Tab to "Präsentieren", arrows through the views, Esc back', async () => {
  await page.goto(`${server.url}/mappen`);
  await page.waitForSelector('[data-testid=folder-present]');
  for (let step = 0; step < 80; step++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.dataset.testid === 'folder-present')) break;
  }
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'folder-present', 'reached by Tab');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=presentation-bar]');
  await page.waitForSelector('[data-testid=map] path.area');
  assert.match(await page.textContent('[data-testid=presentation-place]'), /Ansicht 1 von 3: SGB-II-Quote 2026, Karte/);
  assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('nav.pages')).display), 'none', 'full screen: no navigation');
  const size = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  assert.ok(size > 18 * 1.3, `large type: ${size}px`);
  await page.screenshot({ path: join(SCREENSHOTS, 'web-praesentation-tablet.png') });
  await page.keyboard.press('ArrowRight');
  await page.waitForSelector('[data-testid=profile-title]');
  assert.match(await page.textContent('[data-testid=presentation-place]'), /Ansicht 2 von 3/);
  await page.keyboard.press('ArrowRight');
  await waitFor(async () => new URL(page.url()).pathname === '/fokusbericht', 'the chapter');
  await page.keyboard.press('ArrowLeft');
  await page.waitForSelector('[data-testid=profile-title]');
  await page.tap('[data-testid=presentation-next]');
  await waitFor(async () => /Ansicht 3 von 3/.test(await page.textContent('[data-testid=presentation-place]')), 'a tap on "Weiter"');
  // A swipe to the right goes back, as on a tablet.
  const cdp = await page.context().newCDPSession(page);
  const swipe = async (from, to) => {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: from, y: 500, id: 0 }] });
    for (let step = 1; step <= 5; step++) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: from + ((to - from) * step) / 5, y: 500, id: 0 }] });
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  };
  await swipe(300, 700);
  await waitFor(async () => /Ansicht 2 von 3/.test(await page.textContent('[data-testid=presentation-place]')), 'a swipe back').catch(async (error) => {
    // What was under the finger and where the presentation stood, for whoever reads the failure.
    console.log('at failure:', await page.evaluate(() => [
      location.href,
      document.querySelector('[data-testid=presentation-place]')?.textContent,
      document.elementFromPoint(300, 500)?.outerHTML.slice(0, 200),
    ]));
    await page.screenshot({ path: join(SCREENSHOTS, 'web-swipe-failure.png') });
    throw error;
  });
  await swipe(700, 300);
  await waitFor(async () => /Ansicht 3 von 3/.test(await page.textContent('[data-testid=presentation-place]')), 'a swipe forward');
  await cdp.detach();
  await page.keyboard.press('Escape');
  await page.waitForSelector('[data-testid=folder]');
  assert.equal(new URL(page.url()).pathname, '/mappen', 'Esc leaves for the folder');
  // At 1024 px the pages sit in the menu: its button is back, and the header with it.
  assert.ok(await page.isVisible('[data-testid=menu-button]') || await page.isVisible('nav.pages a'), 'the navigation is back');
  assert.ok(await page.isVisible('header.topbar'), 'and the header');
});

test('split view from 1024 px: the report on one side, the live map on the other, all in the address', async () => {
  await page.goto(`${server.url}/fokusbericht`);
  await page.waitForSelector('[data-testid=chapter]');
  await page.click('[data-testid=split-toggle]');
  await page.waitForSelector('[data-testid=split-side] [data-testid=map] path.area');
  await page.selectOption('[data-testid=split-side] [data-testid=indicator-select]', 'arbeitslosenquote');
  await waitFor(async () => (await page.getAttribute('[data-testid=split-side] [data-testid=map]', 'data-indicator')) === 'arbeitslosenquote', 'the side map follows the pick');
  const address = new URL(page.url());
  assert.equal(address.pathname, '/fokusbericht', 'the report stays');
  assert.equal(address.searchParams.get('kennzahl'), 'arbeitslosenquote', 'the side view is in the address');
  assert.equal(address.searchParams.get('daneben'), 'karte');
  assert.equal(await page.locator('[data-testid=chapter]').count(), 4, 'the report beside it');
  const [text, side] = await Promise.all(['.split-text', '[data-testid=split-side]'].map((selector) => page.$eval(selector, (element) => element.getBoundingClientRect().toJSON())));
  assert.ok(side.left >= text.right - 1 && Math.abs(side.top - text.top) < 60, `side by side: ${JSON.stringify({ text, side })}`);
  await page.$eval('[data-testid=split-side] [data-testid=map]', (element) => element.scrollIntoView({ block: 'nearest' }));
  await page.screenshot({ path: join(SCREENSHOTS, 'web-split-tablet.png') });
  await page.reload();
  await page.waitForSelector('[data-testid=split-side] [data-testid=map] path.area');
  assert.equal(await page.getAttribute('[data-testid=split-side] [data-testid=map]', 'data-indicator'), 'arbeitslosenquote', 'a reload keeps both');
  await page.click('[data-testid=split-toggle]');
  await waitFor(async () => (await page.locator('[data-testid=split-side]').count()) === 0, 'closed');
  await page.setViewportSize({ width: 768, height: 1024 });
  assert.equal(await page.isVisible('[data-testid=split-toggle]'), false, 'too narrow for two columns: no split view');
  await page.setViewportSize({ width: 1024, height: 768 });
});

test('the map zooms with buttons and pans by dragging; a drag selects nothing', async () => {
  await page.goto(`${server.url}/sozialbericht?kennzahl=sgb2_quote&jahr=2024`);
  await page.waitForSelector('[data-testid=map] path.area');
  const box = () => page.getAttribute('[data-testid=map]', 'viewBox').then((text) => text.split(' ').map(Number));
  const [, , fullWidth] = await box();
  await page.click('[data-testid=map-zoom-in]');
  await page.click('[data-testid=map-zoom-in]');
  const zoomed = await box();
  assert.ok(Math.abs(zoomed[2] - fullWidth / 2.25) < 1, `two steps of 1.5: ${zoomed}`);
  const map = await page.$eval('[data-testid=map]', (element) => element.getBoundingClientRect().toJSON());
  await page.mouse.move(map.x + map.width / 2, map.y + map.height / 2);
  await page.mouse.down();
  await page.mouse.move(map.x + map.width / 2 + 120, map.y + map.height / 2 + 60, { steps: 6 });
  await page.mouse.up();
  const panned = await box();
  assert.ok(panned[0] < zoomed[0] && panned[1] < zoomed[1], `dragged to the right and down shows what lies left and above: ${zoomed} → ${panned}`);
  assert.equal(new URL(page.url()).searchParams.get('gebiete'), null, 'the drag selected no area');
  await page.click('[data-testid=map-zoom-reset]');
  assert.equal((await box())[2], fullWidth, 'the whole map again');

  // Two fingers spread apart on the zoomed map zoom further in (touch through Chromium's
  // DevTools protocol, as a tablet's screen delivers it).
  await page.click('[data-testid=map-zoom-in]');
  const before = await box();
  const cdp = await page.context().newCDPSession(page);
  const middle = { x: map.x + map.width / 2, y: map.y + map.height / 2 };
  const fingers = (spread) => [
    { x: middle.x - spread, y: middle.y, id: 0 },
    { x: middle.x + spread, y: middle.y, id: 1 },
  ];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: fingers(30) });
  for (const spread of [45, 60, 75, 90]) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: fingers(spread) });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  const pinched = await box();
  assert.ok(pinched[2] < before[2] * 0.8, `the pinch zoomed in: ${before} → ${pinched}`);
  await page.click('[data-testid=map-zoom-reset]');
  await cdp.detach();
});

test('everything as one file: saved, lost and read back', async () => {
  await page.goto(`${server.url}/mappen`);
  await page.waitForSelector('[data-testid=personal-export]');
  const before = await stored();
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=personal-export]')]);
  const file = join(tempDir('sicherung'), download.suggestedFilename());
  await download.saveAs(file);
  assert.equal(download.suggestedFilename(), 'fokus-notizen-und-mappen.json');
  await page.evaluate(() => localStorage.removeItem('fokus-persoenlich'));
  await page.reload();
  await page.waitForSelector('[data-testid=notes-empty]');
  await page.setInputFiles('[data-testid=personal-import]', file);
  await waitFor(async () => /Eingelesen: 1 Merkzettel, 1 Mappen/.test(await page.textContent('[data-testid=personal-status]')), 'read back');
  const after = await stored();
  assert.deepEqual(after.notes, before.notes, 'the notes');
  assert.deepEqual(after.folders, before.folders, 'the folders');
});

test('theme and text size from the settings; the page reflows at 320 px', async () => {
  await page.goto(`${server.url}/einstellungen`);
  await page.waitForSelector('[data-testid=text-size]');
  await page.check('[data-testid=theme-dunkel]');
  await waitFor(async () => (await page.getAttribute('html', 'data-theme')) === 'dark', 'dark');
  await page.selectOption('[data-testid=text-size]', '150');
  await waitFor(async () => (await page.evaluate(() => getComputedStyle(document.documentElement).fontSize)) === '27px', '150 % of 18 px');
  await page.reload();
  await page.waitForSelector('[data-testid=text-size]');
  await waitFor(async () => (await page.getAttribute('html', 'data-theme')) === 'dark', 'kept over a reload');
  await page.screenshot({ path: join(SCREENSHOTS, 'web-einstellungen-dunkel.png') });
  await page.check('[data-testid=theme-hell]');
  await page.selectOption('[data-testid=text-size]', '100');
  await waitFor(async () => (await page.getAttribute('html', 'data-theme')) === 'light', 'light again');

  await page.setViewportSize({ width: 320, height: 640 });
  for (const route of ['/', '/mappen', '/fokusbericht', '/empfehlungen', '/empfehlungen?darstellung=tabelle', '/suche?q=pflege', '/ueber', '/einstellungen']) {
    await page.goto(`${server.url}${route}`);
    await page.waitForSelector('h1');
    await page.waitForTimeout(500);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    const wide = await page.evaluate(() => [...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right + window.scrollX > 321)
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}.${element.className}`));
    if (width > 320) await page.screenshot({ path: join(SCREENSHOTS, 'web-reflow-320-failure.png'), fullPage: true });
    assert.ok(width <= 320, `${route}: no horizontal scrolling at 320 px (${width}; ${wide})`);
  }
  await page.setViewportSize({ width: 1024, height: 768 });
});
