// The Redaktion workspace in Chromium, each role's main path as staff would walk it on a
// 768 × 1024 tablet and a desktop: the first admin (from `fokus-server user add --admin`) signs
// in with the one-time password and chooses their own; creates a Fachdienst account; the
// Fachdienst signs in, sees only its office's recommendations, sets one to "umgesetzt" — and an
// open page of the web app shows the Ampel change without a reload. Wrong passwords, a second
// office's item and the audit log are checked on the way; axe checks every workspace page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { launchChromium, startServer, SERVER_BIN, SCREENSHOTS, waitFor } from './support.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let server;
let browser;
const pageErrors = [];
let adminPassword;
let fachdienstOnce;

before(async () => {
  server = await startServer();
  const out = execFileSync(SERVER_BIN, ['--data-dir', server.dataDir, 'user', 'add', '--admin', '--anzeigename', 'Petra Planer', 'planer'], { encoding: 'utf8' });
  adminPassword = out.trim().split('\n').pop();
  assert.match(adminPassword, /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/, 'a one-time password is printed');
  browser = await launchChromium();
});

after(async () => {
  assert.deepEqual(pageErrors, [], 'no page errors in the whole run');
  await browser?.close();
  await server?.stop();
});

async function tablet() {
  const context = await browser.newContext({ viewport: { width: 768, height: 1024 }, hasTouch: true, bypassCSP: true });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return page;
}

/** axe's WCAG 2.1 A/AA violations on the page, as readable lines. */
async function axe(page) {
  // Injected as a script: the contexts bypass the page's CSP for it.
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  });
}

async function signIn(page, name, password) {
  await page.goto(`${server.url}/redaktion`);
  await page.waitForURL(/\/redaktion\/anmelden$/);
  await page.fill('[data-testid=anmelden-name]', name);
  await page.fill('[data-testid=anmelden-passwort]', password);
  await page.click('[data-testid=anmelden-senden]');
}

async function chooseOwnPassword(page, once, password) {
  await page.waitForURL(/\/redaktion\/passwort$/);
  await page.fill('[data-testid=passwort-alt]', once);
  await page.fill('[data-testid=passwort-neu]', password);
  await page.fill('[data-testid=passwort-wiederholen]', password);
  await page.click('[data-testid=passwort-senden]');
  await page.waitForURL(/\/redaktion$/);
}

test('the first admin signs in with the one-time password, chooses their own and creates a Fachdienst account', async () => {
  const page = await tablet();
  await signIn(page, 'planer', 'nicht das Passwort');
  await waitFor(async () => (await page.textContent('[data-testid=redaktion-fehler]')).includes('Name oder Passwort ist falsch'), 'a wrong password is told plainly');
  assert.deepEqual(await axe(page), [], 'the sign-in page passes axe');
  await page.screenshot({ path: join(SCREENSHOTS, 'redaktion-anmelden-tablet.png') });

  await page.fill('[data-testid=anmelden-passwort]', adminPassword);
  await page.click('[data-testid=anmelden-senden]');
  await page.waitForURL(/\/redaktion\/passwort$/);
  assert.equal(await page.locator('[data-testid=nav-konten]').count(), 0, 'nothing else before the own password');
  await page.fill('[data-testid=passwort-alt]', adminPassword);
  await page.fill('[data-testid=passwort-neu]', 'kurz');
  await page.fill('[data-testid=passwort-wiederholen]', 'kurz');
  await page.click('[data-testid=passwort-senden]');
  // The browser's own check (minlength) or the server's message: either way no change.
  assert.match(page.url(), /\/redaktion\/passwort$/);
  await chooseOwnPassword(page, adminPassword, 'Planung braucht gute Daten');
  assert.match(await page.textContent('[data-testid=redaktion-rollen]'), /Administration/);

  await page.click('[data-testid=nav-konten]');
  await page.waitForSelector('[data-testid=konto-planer]');
  await page.fill('[data-testid=konto-name]', 'fd.soziales');
  await page.fill('[data-testid=konto-anzeigename]', 'Fachdienst Soziales');
  await page.uncheck('[data-testid=konto-rolle-redaktion]');
  await page.check('[data-testid=konto-rolle-fachdienst]');
  await page.fill('[data-testid=konto-fachdienst]', 'Fachdienst Soziales');
  await page.click('[data-testid=konto-anlegen]');
  fachdienstOnce = (await page.locator('[data-testid=einmalpasswort-wert]').textContent()).trim();
  assert.match(fachdienstOnce, /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
  await page.waitForSelector('[data-testid=konto-fd\\.soziales]');
  assert.match(await page.textContent('[data-testid=konto-fd\\.soziales]'), /Fachdienst.*Fachdienst Soziales.*Einmalpasswort/);
  assert.deepEqual(await axe(page), [], 'the accounts page passes axe');
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 768, 'nothing wider than the tablet (the table scrolls in its box)');
  await page.screenshot({ path: join(SCREENSHOTS, 'redaktion-konten-tablet.png'), fullPage: true });
  await page.context().close();
});

test('a Fachdienst sets the status of its own recommendation, and an open app shows the new Ampel without a reload', async () => {
  const app = await browser.newPage({ viewport: { width: 1024, height: 768 } });
  app.on('pageerror', (error) => pageErrors.push(error.message));
  await app.goto(`${server.url}/empfehlungen`);
  await app.waitForSelector('[data-testid=recommendation]');
  const counts = () => app.$$eval('.ampel-tile', (tiles) => tiles.map((tile) => `${tile.querySelector('.ampel-count').textContent} ${tile.querySelector('.ampel-label').textContent}`));
  assert.deepEqual(await counts(), ['1 offen', '1 in Umsetzung', '1 umgesetzt', '1 zurückgestellt', '1 überfällig']);

  const page = await tablet();
  await signIn(page, 'fd.soziales', fachdienstOnce);
  await chooseOwnPassword(page, fachdienstOnce, 'Wohnraum für alle im Kreis');
  assert.equal(await page.locator('[data-testid=nav-konten]').count(), 0, 'no accounts page for a Fachdienst');
  await page.click('[data-testid=nav-empfehlungen]');
  await page.waitForSelector('[data-testid^=aufgabe-empfehlungen-]');
  const tasks = await page.$$eval('li[data-testid^=aufgabe-empfehlungen-] h2', (items) => items.map((item) => item.textContent));
  assert.equal(tasks.length, 2, `only the office's two recommendations: ${tasks}`);
  assert.ok(tasks.every((title) => !/Sprachförderung|Alleinerziehende/.test(title)), 'none of another office');
  assert.deepEqual(await axe(page), [], 'the Beschlusskontrolle passes axe');
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 768, 'nothing wider than the tablet');
  assert.equal(await page.getAttribute('[data-testid=nav-empfehlungen]', 'aria-current'), 'page');
  assert.equal(await page.getAttribute('[data-testid=nav-start]', 'aria-current'), null, 'only the page shown is marked');
  await page.screenshot({ path: join(SCREENSHOTS, 'redaktion-beschlusskontrolle-tablet.png'), fullPage: true });

  const card = page.locator('[data-testid=aufgabe-empfehlungen-wohnen-sozialwohnungen]');
  assert.match(await card.locator('[data-testid=aufgabe-stand]').textContent(), /in Umsetzung/);
  await card.locator('[data-testid=aufgabe-neuer-stand]').selectOption('umgesetzt');
  await card.locator('[data-testid=aufgabe-notiz]').fill('120 Sozialwohnungen belegt');
  await card.locator('[data-testid=aufgabe-speichern]').click();
  await waitFor(async () => /umgesetzt.*120 Sozialwohnungen belegt/.test(await card.locator('[data-testid=aufgabe-stand]').textContent()), 'the card shows the new status');
  assert.match(await page.textContent('[data-testid=redaktion-erledigt]'), /Gespeichert: „.*“ ist jetzt „umgesetzt“/);
  await page.screenshot({ path: join(SCREENSHOTS, 'redaktion-status-gesetzt-tablet.png') });

  // The app that was open all along hears of the new revision and redraws its Ampel.
  await waitFor(async () => (await counts()).join() === ['1 offen', '0 in Umsetzung', '2 umgesetzt', '1 zurückgestellt', '1 überfällig'].join(), 'the Ampel in the open app changes', 30_000);
  const article = app.locator('[data-testid=recommendation]', { hasText: 'Sozialwohnungen' });
  assert.match(await article.textContent(), /120 Sozialwohnungen belegt/, 'with the note');
  await app.screenshot({ path: join(SCREENSHOTS, 'redaktion-ampel-in-der-app.png') });
  await app.close();

  // Another office's item is refused by the server, whatever the page shows.
  const refused = await page.evaluate(async () => {
    const session = await (await fetch('/api/v1/redaktion/sitzung')).json();
    const answer = await fetch('/api/v1/redaktion/empfehlungen/status/empfehlungen/kinder-sprachfoerderung', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-fokus-csrf': session.csrf },
      body: JSON.stringify({ date: '2026-01-02', status: 'umgesetzt', note: '', seen: 1 }),
    });
    return [answer.status, (await answer.json()).message];
  });
  assert.equal(refused[0], 403);
  assert.match(refused[1], /Fachdienst Jugend/);
  // A request from elsewhere without the token is refused too.
  const forged = await page.evaluate(async () => (await fetch('/api/v1/redaktion/empfehlungen/status/empfehlungen/wohnen-sozialwohnungen', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ date: '2026-01-02', status: 'offen', note: '', seen: 4 }),
  })).status);
  assert.equal(forged, 403);
  await page.click('[data-testid=abmelden]');
  await page.waitForURL(/\/redaktion\/anmelden$/);
  await page.context().close();
});

test('a BI export: a refused file names its lines, an accepted one is previewed, taken over, reaches the API and is taken back', async () => {
  const page = await tablet();
  await signIn(page, 'planer', 'Planung braucht gute Daten');
  await page.waitForURL(/\/redaktion$/);
  await page.click('[data-testid=nav-daten]');
  await page.waitForSelector('[data-testid=daten-form]');
  const before = (await (await fetch(`${server.url}/api/v1/status`)).json()).revision;

  await page.setInputFiles('[data-testid=daten-datei]', { name: 'kaputt.csv', mimeType: 'text/csv', buffer: Buffer.from('kennzahl;gebiet;jahr;wert\nsgb2_quote;010560015;2026;viel\n') });
  await page.click('[data-testid=daten-vorschau]');
  await page.waitForSelector('[data-testid=daten-abgelehnt]');
  const problems = await page.$$eval('[data-testid=daten-problem]', (rows) => rows.map((row) => row.textContent));
  assert.ok(problems.length >= 1 && problems.some((row) => row.startsWith('2') && /viel/.test(row)), `line 2 named with its value: ${problems}`);

  const csv = ['kennzahl;gebiet;jahr;wert', 'sgb2_quote;010560015;2025;19,9', 'sgb2_quote;01056;2026;7,1'].join('\n');
  await page.setInputFiles('[data-testid=daten-datei]', { name: 'bi-export.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.click('[data-testid=daten-vorschau]');
  await page.waitForSelector('[data-testid=daten-vorschau-ergebnis]');
  assert.match(await page.textContent('[data-testid=daten-summe]'), /^1 neu, 1 geändert, 0 unverändert/);
  assert.match(await page.textContent('[data-testid=daten-aenderungen]'), /Elmshorn.*2025/, 'the changed value with its area and year');
  assert.ok((await page.locator('[data-testid=daten-hinweise] li').count()) >= 1, 'a doubled rate is worth a warning');
  assert.equal((await (await fetch(`${server.url}/api/v1/status`)).json()).revision, before, 'a preview writes nothing');
  assert.deepEqual(await axe(page), [], 'the Daten page with a preview passes axe');
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 768, 'nothing wider than the tablet');
  await page.screenshot({ path: join(SCREENSHOTS, 'redaktion-daten-vorschau-tablet.png'), fullPage: true });

  const stored2025 = (await (await fetch(`${server.url}/api/v1/read/area_series?indicator=sgb2_quote&area=010560015`)).json()).lines[0].points.find(([year]) => year === 2025)[1];
  assert.notEqual(stored2025, 19.9);
  await page.click('[data-testid=daten-uebernehmen]');
  await waitFor(async () => /^Übernommen: bi-export\.csv/.test(await page.textContent('[data-testid=redaktion-erledigt]')), 'taken over');
  // Elmshorn's 2025 value as the server serves it.
  const at2025 = async () => {
    const series = await (await fetch(`${server.url}/api/v1/read/area_series?indicator=sgb2_quote&area=010560015`)).json();
    return series.lines[0].points.find(([year]) => year === 2025)[1];
  };
  assert.equal(await at2025(), 19.9, 'the new value is served');
  assert.equal((await (await fetch(`${server.url}/api/v1/status`)).json()).revision, before + 1, 'one revision');

  await page.click('[data-testid=daten-rueckgaengig]');
  await waitFor(async () => /^Rückgängig gemacht/.test(await page.textContent('[data-testid=redaktion-erledigt]')), 'taken back');
  assert.equal(await at2025(), stored2025, 'the old value is back');
  assert.equal((await (await fetch(`${server.url}/api/v1/status`)).json()).revision, before + 2, 'the undo is a revision of its own');
  await waitFor(async () => /rückgängig gemacht/.test(await page.textContent('[data-testid=daten-log]')), 'the log says so');
  await page.screenshot({ path: join(SCREENSHOTS, 'redaktion-daten-log-tablet.png'), fullPage: true });
  await page.context().close();
});

test('the admin reads who changed what in the audit log, on a desktop and in dark', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: 'dark', bypassCSP: true });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await signIn(page, 'planer', 'Planung braucht gute Daten');
  await page.waitForURL(/\/redaktion$/);
  await page.click('[data-testid=nav-protokoll]');
  await page.waitForSelector('[data-testid=protokoll] tbody tr');
  const rows = await page.$$eval('[data-testid=protokoll] tbody tr', (items) => items.map((row) => row.textContent));
  assert.match(rows[0], /planer.*Anmeldung/, 'newest first');
  assert.ok(rows.some((row) => /fd\.soziales.*Stand einer Empfehlung.*wohnen-sozialwohnungen: umgesetzt/.test(row)), 'the status change with its author');
  assert.ok(rows.some((row) => /planer.*Anmeldung fehlgeschlagen/.test(row)), 'the failed sign-in');
  assert.ok(rows.some((row) => /planer.*Konto angelegt.*fd\.soziales/.test(row)), 'the account created');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
  assert.deepEqual(await axe(page), [], 'the audit log passes axe in dark');
  await page.screenshot({ path: join(SCREENSHOTS, 'redaktion-protokoll-desktop-dunkel.png') });
  await context.close();
});
