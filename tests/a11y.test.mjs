// Accessibility (BITV 2.0 / WCAG 2.1 AA) in headless Chromium against the demo server with its
// content: axe-core (from npm, injected into the page) checks every route of the web build at
// desktop and tablet size and must report no violation of the WCAG 2.0/2.1 A and AA rules; every
// violation is printed with its element. Also: a visible focus ring with at least 3:1 contrast,
// and the focus on the main heading after a route change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { launchChromium, startServer, CHROMIUM_ARGS, SCREENSHOTS, waitFor, clickNav } from './support.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Every route, with what must be on screen before it is checked. */
const ROUTES = [
  ['/', '[data-testid=headline]'],
  ['/sozialbericht', '[data-testid=map] path.area'],
  // An area chosen: the value card beside the map, or its sheet on a tablet.
  ['/sozialbericht?kennzahl=sgb2_quote&gebiete=010560015', '[data-testid=card-title]'],
  ['/sozialbericht?kennzahl=sgb2_quote&ansicht=zeitreihe', '[data-testid=series-chart], .chart'],
  ['/sozialbericht?kennzahl=sgb2_quote&ansicht=rangfolge', '[data-testid=ranking]'],
  ['/sozialbericht?kennzahl=sgb2_quote&ansicht=tabelle', '[data-testid=data-table]'],
  ['/sozialbericht?kennzahl=sgb2_quote&ansicht=quellen', '[data-testid=sources]'],
  ['/gebiet?gebiet=010560015&jahr=2024', '[data-testid=profile-title]'],
  ['/vergleich?gebiete=010560015,010560039&jahr=2024', '[data-testid=compare-table], table'],
  ['/demografie', '.chart, [data-testid=pyramid]'],
  ['/demografie?gebiet=010560015&jahr=2022&karte=anteil_unter_18', '[data-testid=live-map] path.area'],
  ['/sozialausgaben', '.chart, [data-testid=spending]'],
  ['/sozialausgaben?einheit=einwohner&jahr=2024', '[data-testid=spending-treemap]'],
  ['/fokusbericht', '[data-testid=live-chart] canvas, [data-testid=live-chart] svg'],
  ['/fokusbericht?bericht=2024', '[data-testid=report-earlier]'],
  ['/empfehlungen', 'article'],
  ['/empfehlungen?darstellung=tabelle&status=ueberfaellig', '[data-testid=ampel-table]'],
  ['/suche?q=pflege', '[data-testid=search-hit]'],
  ['/newsletter', 'article'],
  ['/dokumente', '[data-testid=document]'],
  ['/video', '[data-testid=video]'],
  ['/einstellungen', '[data-testid=text-size]'],
  ['/mappen', '[data-testid=folder-item]'],
  ['/ueber', '[data-testid=licences]'],
  ['/barrierefreiheit', 'h1'],
];

/** What a member has gathered, put into the browser's storage before the pages load, so the
 * Merkliste, the Sitzungsmappe, the start page's news and the "Merken" panels are checked
 * with content. */
const PERSONAL = {
  format: 1,
  notes: [{ path: '/sozialbericht?kennzahl=sgb2_quote&jahr=2024', title: 'SGB-II-Quote 2024, Karte', text: 'Nachfragen', subject: { kind: 'indicator', id: 'sgb2_quote' }, digest: 'alt', revision: 1, saved_at: 1790000000 }],
  folders: [{ id: 'sozialausschuss', name: 'Sozialausschuss', committee: 'Sozialausschuss', date: '2026-03-12', items: [
    { path: '/sozialbericht?kennzahl=sgb2_quote&jahr=2024', title: 'SGB-II-Quote 2024, Karte', note: 'Nachfragen' },
    { path: '/gebiet?gebiet=010560015&jahr=2024', title: 'Gebietsprofil Elmshorn 2024', note: '' },
  ] }],
  read: {},
  read_until: 3,
  display: { theme: 'system', text_size: 100 },
};

const SIZES = [
  ['large desktop', { width: 1920, height: 1080 }],
  ['desktop', { width: 1280, height: 900 }],
  ['tablet portrait', { width: 768, height: 1024 }],
  ['tablet landscape', { width: 1024, height: 768 }],
];
/** The system's theme; the app follows it unless the person picks one. */
const THEMES = ['light', 'dark'];

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Runs axe on the page; returns its violations as readable lines. */
async function violations(page) {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((violation) => ({
      id: violation.id,
      help: violation.help,
      nodes: violation.nodes.slice(0, 5).map((node) => `${node.target.join(' ')}: ${node.failureSummary.split('\n').slice(1).join(' ')}`),
      count: violation.nodes.length,
    }));
  });
  return found.map((violation) => `${violation.id} (${violation.count}×) ${violation.help}\n    ${violation.nodes.join('\n    ')}`);
}

for (const [size, viewport] of SIZES) for (const theme of THEMES) {
  test(`no WCAG 2.1 A/AA violation on any route (${size}, ${theme})`, async () => {
    // axe is injected as a script; the page's own CSP (which the server sends) would refuse it.
    const page = await browser.newPage({ viewport, bypassCSP: true, colorScheme: theme });
    await page.addInitScript((personal) => {
      if (!localStorage.getItem('fokus-persoenlich')) localStorage.setItem('fokus-persoenlich', personal);
    }, JSON.stringify(PERSONAL));
    const report = [];
    try {
      for (const [route, ready] of ROUTES) {
        await page.goto(`${server.url}${route}`);
        await page.waitForSelector(ready, { timeout: 30_000 });
        // Let charts and late content settle.
        await page.waitForTimeout(300);
        assert.equal(await page.getAttribute('html', 'data-theme'), theme, `${route}: the page follows the system's ${theme} theme`);
        for (const line of await violations(page)) report.push(`${route}: ${line}`);
        if (route.startsWith('/sozialbericht?') || route === '/gebiet?gebiet=010560015&jahr=2024' || route === '/fokusbericht') {
          // The Merken panel, open.
          await page.click('[data-testid=merken] >> nth=0');
          await page.waitForSelector('[data-testid=merken-panel]');
          for (const line of await violations(page)) report.push(`${route} (Merken offen): ${line}`);
        }
        if (route === '/sozialbericht') {
          // The explorer's settings and the menu, open.
          await page.click('[data-testid=adjust-toggle]');
          await page.waitForSelector('[data-testid=indicator-search]');
          for (const line of await violations(page)) report.push(`${route} (Einstellen offen): ${line}`);
          if (await page.isVisible('[data-testid=menu-button]')) {
            await page.click('[data-testid=menu-button]');
            await page.waitForSelector('[data-testid=nav-dokumente]', { state: 'visible' });
            for (const line of await violations(page)) report.push(`${route} (Menü offen): ${line}`);
          }
        }
      }
      await page.screenshot({ path: `${SCREENSHOTS}/web-a11y-${size.replace(' ', '-')}-${theme}.png` });
    } finally {
      await page.close();
    }
    assert.deepEqual(report, [], `axe found:\n${report.join('\n')}`);
  });
}

/** The contrast ratio of two CSS colours (WCAG's relative luminance). */
function contrast(a, b) {
  const luminance = (rgb) => {
    const [r, g, b2] = rgb.map((value) => {
      const channel = value / 255;
      return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b2;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

test('the focus ring stands out at least 3:1 from what is behind it, and a new page puts the focus on its heading', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await page.goto(`${server.url}/sozialbericht`);
    await page.waitForSelector('[data-testid=map] path.area');
    // Tab through the first controls: each focused one shows an outline of enough contrast
    // against the background it sits on.
    const seen = [];
    for (let step = 0; step < 12; step++) {
      await page.keyboard.press('Tab');
      const ring = await page.evaluate(() => {
        const element = document.activeElement;
        if (!element || element === document.body) return null;
        const style = getComputedStyle(element);
        const parse = (text) => (text.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
        // The first opaque background behind the element.
        let behind = element.parentElement;
        let background = [255, 255, 255];
        while (behind) {
          const colour = getComputedStyle(behind).backgroundColor;
          const alpha = colour.startsWith('rgba') ? Number(colour.split(',')[3]) : 1;
          if (colour !== 'transparent' && alpha > 0.5) {
            background = parse(colour);
            break;
          }
          behind = behind.parentElement;
        }
        return {
          what: `${element.tagName.toLowerCase()}${element.dataset.testid ? `[${element.dataset.testid}]` : ''}`,
          width: parseFloat(style.outlineWidth),
          style: style.outlineStyle,
          colour: parse(style.outlineColor),
          background,
        };
      });
      if (ring) seen.push(ring);
    }
    assert.ok(seen.length >= 8, `controls reached by Tab: ${JSON.stringify(seen)}`);
    for (const ring of seen) {
      assert.ok(ring.style !== 'none' && ring.width >= 2, `${ring.what} shows a focus outline: ${JSON.stringify(ring)}`);
      const ratio = contrast(ring.colour, ring.background);
      assert.ok(ratio >= 3, `${ring.what}: focus outline ${ratio.toFixed(2)}:1 against its background (${JSON.stringify(ring)})`);
    }

    await clickNav(page, 'dokumente');
    await waitFor(async () => (await page.evaluate(() => document.activeElement?.tagName)) === 'H1', 'the focus on the new page\'s heading');
    assert.match(await page.evaluate(() => document.activeElement.textContent), /Dokumente/);
  } finally {
    await page.close();
  }
});

test('the navigation: one row under the header on the desktop, a menu on tablets that opens over the page, closes with Esc and gives the focus back, targets of 44 px and more', async () => {
  for (const [size, viewport, shape] of [
    ['desktop', { width: 1280, height: 900 }, 'row'],
    ['tablet landscape', { width: 1024, height: 768 }, 'menu'],
    ['tablet portrait', { width: 768, height: 1024 }, 'menu'],
  ]) {
    const page = await browser.newPage({ viewport, hasTouch: true });
    try {
      await page.goto(`${server.url}/`);
      await page.waitForSelector("[data-testid=headline]");
      const header = await page.$eval('header.topbar', (element) => element.getBoundingClientRect().height);
      assert.ok(header <= 80, `${size}: the header is one compact row: ${header} px`);
      const boxes = () => page.$$eval('nav.pages a', (anchors) => anchors.map((anchor) => {
        const box = anchor.getBoundingClientRect();
        return { text: anchor.textContent, top: Math.round(box.top), left: Math.round(box.left), bottom: box.bottom, width: box.width, height: box.height };
      }));
      if (shape === 'menu') {
        assert.ok((await boxes()).every((link) => link.width === 0), `${size}: the pages wait in the menu`);
        assert.equal(await page.getAttribute('[data-testid=menu-button]', 'aria-expanded'), 'false');
        await page.tap('[data-testid=menu-button]');
        await waitFor(async () => (await page.getAttribute('[data-testid=menu-button]', 'aria-expanded')) === 'true', 'the menu open');
      }
      const links = await boxes();
      const tops = new Set(links.map((link) => link.top));
      const lefts = new Set(links.map((link) => link.left));
      if (shape === 'row') assert.equal(tops.size, 1, `${size}: one row: ${JSON.stringify(links)}`);
      else {
        assert.equal(lefts.size, 1, `${size}: one column: ${JSON.stringify(links)}`);
        assert.ok(Math.max(...links.map((link) => link.bottom)) <= viewport.height, `${size}: the whole menu is on screen`);
      }
      for (const link of links) assert.ok(link.width >= 44 && link.height >= 44, `${size}: ${link.text} is at least 44 × 44 px`);
      await page.screenshot({ path: `${SCREENSHOTS}/web-nav-${size.replace(' ', '-')}.png` });
      if (shape === 'menu') {
        await page.keyboard.press('Escape');
        await waitFor(async () => (await page.getAttribute('[data-testid=menu-button]', 'aria-expanded')) === 'false', 'Esc closes the menu');
        assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'menu-button', 'the focus is back on the menu button');
        await page.tap('[data-testid=menu-button]');
        await page.tap('[data-testid=nav-dokumente]');
        await page.waitForURL(/\/dokumente/);
        await waitFor(async () => (await page.getAttribute('[data-testid=menu-button]', 'aria-expanded')) === 'false', 'a page chosen closes the menu');
      }
    } finally {
      await page.close();
    }
  }
});
