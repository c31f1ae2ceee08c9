// The real Tauri app under Xvfb, driven through tauri-driver + WebKitWebDriver (plain W3C
// WebDriver over HTTP). Run inside `xvfb-run -a dbus-run-session --` (cargo xtask test does):
// pick an indicator and see the map change, import on the server and see the OS notification
// arrive on D-Bus, mute a kind of news in the settings, click a notification and land on its
// page, play the captioned video from the cache, follow links out of the app (only https and mail,
// through the system), set the server address, then stop the server and restart the app: the
// cached view still works. Last, the same build pointed at a Land's server shows that Land.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_BIN, startServer, startConfiguredServer, SH_EXAMPLE, importCsv, publishContent, NEW_YEAR_CSV, tempDir, waitFor } from './support.mjs';
import { startNotificationService } from './notifications.mjs';
import { freePort, mapState, startDriver } from './driver.mjs';
import { PAYLOADS, hostileNewsletter, inspect } from './hostile-content.mjs';

let server;
let tauri;
let monitor;
let notifications = '';
let service;
const cacheDir = tempDir('cache');
const exportDir = tempDir('export');
const openerLog = join(tempDir('opener'), 'opened.log');

before(async () => {
  server = await startServer();
  service = await startNotificationService();
  monitor = spawn('dbus-monitor', ['--session', "interface='org.freedesktop.Notifications',member='Notify'"]);
  monitor.stdout.on('data', (chunk) => { notifications += chunk; });
  tauri = await startDriver({ FOKUS_SERVER_URL: server.url, FOKUS_CACHE_DIR: cacheDir, FOKUS_EXPORT_DIR: exportDir, FOKUS_OPENER_LOG: openerLog });
});

after(async () => {
  tauri?.kill();
  monitor?.kill();
  service?.stop();
  await server?.stop();
});

test('the app opens on its start page, syncs, redraws the map for another indicator and announces an import', async () => {
  const app = await tauri.openApp();
  try {
    await waitFor(async () => (await app.run(`return document.querySelectorAll('[data-testid=headline]').length`)) >= 3, 'the start page with the headline indicators');
    assert.equal(await app.run('return location.pathname'), '/', 'the app opens on the Übersicht');
    await waitFor(async () => /^Datenstand \d\d\.\d\d\.\d{4}, (zuletzt abgeglichen (gerade eben|vor .*)|wird gerade abgeglichen)\.$/.test(await app.run(`return document.querySelector('[data-testid=stand]')?.textContent`)), 'the Stand in words');
    await app.click('[data-testid=nav-sozialbericht]');
    const first = await waitFor(async () => {
      const state = await app.run(mapState);
      return state && state.count === 18 && /abgeglichen/.test(state.status) ? state : null;
    }, 'the map after the first sync');
    assert.equal(first.count, 18, '18 areas drawn');

    await app.run(`
      const select = document.querySelector('[data-testid=indicator-select]');
      select.value = 'arbeitslosenquote';
      select.dispatchEvent(new Event('change', { bubbles: true }));`);
    const switched = await waitFor(async () => {
      const state = await app.run(mapState);
      return state?.indicator === 'arbeitslosenquote' ? state : null;
    }, 'the map for the Arbeitslosenquote');
    assert.notEqual(switched.fills, first.fills, 'the colours follow the picked indicator');

    await app.click('[data-testid=area-010560015]');
    await waitFor(async () => (await app.run(`return document.querySelector('[data-testid=card-title]')?.textContent`)) === 'Elmshorn', 'the value card');
    await app.click('[data-testid=card-series]');
    await waitFor(
      async () => /Elmshorn im Vergleich/.test(await app.run(`return document.querySelector('[data-testid=chart-title]')?.textContent`)),
      'the time series of the clicked area',
    );
    await app.run(`document.querySelector('[data-testid=chart-title]').scrollIntoView({ block: 'center' })`);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // let the chart's animation finish for the picture
    await app.screenshot('app-chart.png');
    await app.click('[data-testid=tab-karte]');
    await app.run('window.scrollTo(0, 0)');
    await app.screenshot('app-map.png');

    const before = await (await fetch(`${server.url}/api/v1/status`)).json();
    const printed = importCsv(server.dataDir, NEW_YEAR_CSV);
    assert.match(printed, new RegExp(`Revision ${before.revision + 1}\\b`), 'the import is the next revision');
    await waitFor(() => /Neue Daten im Sozialbericht: 3 Kennzahlen für 2026/.test(notifications), 'the Notify call on D-Bus');
    assert.match(notifications, /string "FOKUS PI"/, 'the notification is titled with the app name');

    await waitFor(async () => {
      const years = await app.run(`return [...document.querySelectorAll('[data-testid=year-select] option')].map((o) => o.value)`);
      return years.includes('2026');
    }, 'the new year in the running app');
    await app.screenshot('app.png');
  } finally {
    await app.close();
  }
});

const NEWSLETTER_2026 = `+++
art = "newsletter"
titel = "Newsletter 1/2026: Neue Kennzahlen"
datum = 2026-03-31
zusammenfassung = "Die Zahlen für 2026 sind da."
jahr = 2026
quartal = 1
+++
Demotext für den Test.
`;

test('muted news stay quiet; a clicked notification opens its page; the video plays from the cache', async () => {
  const app = await tauri.openApp();
  try {
    await waitFor(async () => /abgeglichen \d/.test(await app.run(`return document.querySelector('[data-testid=sync-status]')?.textContent`)), 'a synced app');
    // Console errors (a panic's message) for the failure report below.
    await app.run(`window.__errors = []; const original = console.error; console.error = (...parts) => { window.__errors.push(parts.join(' ')); original(...parts); }; return null;`);
    await app.click('[data-testid=nav-einstellungen]');
    await waitFor(() => app.run(`return !!document.querySelector('[data-testid=notify-daten]')`), 'the settings page');
    assert.equal(await app.run(`return document.querySelector('[data-testid=notify-daten]').checked`), true, 'all news are announced by default');
    await app.click('[data-testid=notify-daten]');
    await waitFor(async () => /Gespeichert/.test(await app.run(`return document.querySelector('[data-testid=settings-saved]').textContent`)), 'the saved setting');
    await app.screenshot('app-settings.png');

    // New data: muted, so the sync brings it without a notification.
    const shownBefore = service.shown.length;
    importCsv(server.dataDir, NEW_YEAR_CSV.replaceAll('2026', '2027'), 'bi-2027.csv');
    await app.click('[data-testid=nav-sozialbericht]');
    await waitFor(() => app.run(`return !!document.querySelector('[data-testid=indicator-select]')`), 'the Sozialbericht page');
    await app.run(`
      const select = document.querySelector('[data-testid=indicator-select]');
      select.value = 'sgb2_quote';
      select.dispatchEvent(new Event('change', { bubbles: true }));`);
    await waitFor(async () => {
      const years = await app.run(`return [...document.querySelectorAll('[data-testid=year-select] option')].map((o) => o.value)`);
      return years.includes('2027');
    }, 'the 2027 values of the SGB-II-Quote in the app').catch(async (error) => {
      // What the app showed and held, for whoever reads the failure (seen once in five runs).
      console.log('at failure:', await app.run(`return [location.href, document.querySelector('[data-testid=sync-status]')?.textContent, [...document.querySelectorAll('[data-testid=year-select] option')].map((o) => o.value).join(' ')]`));
      console.log('the cache answers:', await app.runAsync(`const done = arguments[arguments.length - 1]; window.__TAURI__.core.invoke('read', { args: { name: 'indicator_table', args: { indicator: 'sgb2_quote' } } }).then((t) => done(t.years.join(' ')), (e) => done(JSON.stringify(e)));`));
      throw error;
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual(service.shown.slice(shownBefore).map((n) => n.body), [], 'muted data news caused no notification');

    // A new newsletter: announced, and the click on the notification opens the newsletter page.
    publishContent(server.dataDir, { 'newsletter/2026-1.md': NEWSLETTER_2026 });
    const shown = await waitFor(() => service.shown.find((n) => /Newsletter 1\/2026 erschienen/.test(n.body)), 'the newsletter notification');
    assert.equal(shown.appName, 'FOKUS PI', 'the service shows the app by its name');
    assert.deepEqual(shown.actions, ['default', 'Öffnen'], 'clickable');
    service.click(shown.id);
    // The publish also re-rendered the 2025 report's "zuletzt" values after the earlier imports,
    // so one notification may name both; a click opens the page of its first line.
    const firstPage = /^Fokusbericht/.test(shown.body) ? '/fokusbericht' : '/newsletter';
    await waitFor(async () => (await app.run('return location.pathname')) === firstPage, `${firstPage} after the click`);
    if (firstPage !== '/newsletter') await app.click('[data-testid=nav-newsletter]');
    await waitFor(async () => /Newsletter 1\/2026/.test(await app.run(`return document.querySelector('[data-testid=newsletter] summary')?.textContent ?? ''`)), 'the new newsletter on top');
    await app.screenshot('app-newsletter.png');

    // The video is fetched on request into the cache and played from there, with captions.
    await app.click('[data-testid=nav-video]');
    await waitFor(() => app.run(`return !!document.querySelector('[data-testid=video-load]')`), 'the video page');
    await waitFor(async () => (await app.run(`return document.querySelectorAll('[data-testid=transcript] li').length`)) === 4, 'the transcript from the cached captions');
    await app.click('[data-testid=video-load]');
    const video = await waitFor(
      () =>
        app.run(`const v = document.querySelector('[data-testid=video-player]');
          if (!v || v.readyState < 1 || !v.textTracks.length || !v.textTracks[0].cues?.length) return null;
          return { src: v.currentSrc, duration: v.duration, cue: v.textTracks[0].cues[0].text };`),
      'the video from the cache with its captions',
    );
    assert.match(video.src, /^blob:/, 'played from memory, read from the cache (not from the server)');
    const [film] = await (await fetch(`${server.url}/api/v1/read/content_list?kind=video`)).json();
    const videoFile = film.media.find((media) => media.role === 'video');
    assert.ok(existsSync(join(cacheDir, 'blobs', videoFile.sha256)), 'the video was fetched on request into the cache');
    assert.ok(video.duration > 10, `the whole video: ${video.duration} s`);
    assert.match(video.cue, /FOKUS PI/, 'captions loaded');
    await app.screenshot('app-video.png');

    // Demography and spending come from the cache through their own commands.
    await app.click('[data-testid=nav-demografie]');
    await waitFor(async () => /Kreis Pinneberg 2025: [\d.]+ Einwohner/.test(await app.run(`return document.querySelector('[data-testid=population-title]')?.textContent ?? ''`)), 'the Kreis pyramid in the app');
    // The time view from the cache: the projection, births, deaths and moves; a chart saved as
    // PNG through the save command (ECharts' SVG renderer, then the web view's canvas).
    await waitFor(async () => /Prognose bis 2040$/.test(await app.run(`return document.querySelector('[data-testid=age-structure-title]')?.textContent ?? ''`)), 'the age groups with their projection in the app');
    await waitFor(async () => /^2025: [\d.]+ Geburten/.test(await app.run(`return document.querySelector('[data-testid=movement-title]')?.textContent ?? ''`)), 'births, deaths and moves in the app');
    await app.click('[data-testid=movement-chart-png]');
    const movementPng = join(exportDir, 'demografie-bewegung-01056.png');
    await waitFor(() => existsSync(movementPng) && readFileSync(movementPng).length > 1000, 'the movement chart saved as PNG');
    assert.equal(readFileSync(movementPng).subarray(1, 4).toString(), 'PNG');
    await app.screenshot('app-demografie.png');
    await app.click('[data-testid=nav-sozialausgaben]');
    await waitFor(async () => /Mio\. € netto, [\d.]+ € je Einwohner/.test(await app.run(`return document.querySelector('[data-testid=spending-title]')?.textContent ?? ''`)), 'the spending headline in the app');
    await app.screenshot('app-sozialausgaben.png');

    await app.click('[data-testid=nav-einstellungen]');
    await waitFor(() => app.run(`return !!document.querySelector('[data-testid=notify-daten]')`), 'the settings page again');
    assert.equal(await app.run(`return document.querySelector('[data-testid=notify-daten]').checked`), false, 'the setting was kept');
    await app.click('[data-testid=notify-daten]');
  } catch (error) {
    // What the app showed when it went wrong, for whoever reads the failure.
    await app.screenshot('app-failure.png').catch(() => {});
    console.log('page text at failure:', await app.run('return document.body.innerText').catch(() => '?'));
    console.log('errors at failure:', await app.run('return window.__errors').catch(() => '?'));
    console.log('notifications shown:', JSON.stringify(service.shown.map((notification) => notification.body)));
    console.log('media at failure:', await app.run(`const v = document.querySelector('video');
      return v && { src: v.currentSrc, ready: v.readyState, network: v.networkState, error: v.error && v.error.code + ' ' + v.error.message,
        tracks: v.textTracks.length, mode: v.textTracks[0]?.mode, cues: v.textTracks[0]?.cues?.length,
        trackReady: v.querySelector('track')?.readyState };`).catch((error) => String(error)));
    throw error;
  } finally {
    await app.close();
  }
});

test('links leave the app only for the browser or mail program, the window stays on the app; a document opens under its own name', async () => {
  const app = await tauri.openApp();
  const opened = () => (existsSync(openerLog) ? readFileSync(openerLog, 'utf8') : '');
  try {
    await waitFor(() => app.run(`return !!document.querySelector('[data-testid=nav-dokumente]')`), 'the navigation');
    await app.click('[data-testid=nav-dokumente]');
    const where = await waitFor(async () => {
      const found = await app.run(`return document.querySelector('[data-testid=document] a[href^="https:"]') ? location.href : null`);
      return found;
    }, 'the Methodik document with its link');

    // A link in the published text: the system's browser is asked, the window stays.
    await app.click('[data-testid=document] a[href^="https:"]');
    await waitFor(() => opened().includes('url https://www.statistik-nord.de/'), 'the content link handed to the browser');
    await app.click('[data-testid=document] a[href^="mailto:"]');
    await waitFor(() => opened().includes('url mailto:sozialplanung@example.org'), 'the mail link handed to the mail program');
    // The licence link in the footer.
    await app.click('footer a[rel=license]');
    await waitFor(() => opened().includes('url https://www.govdata.de/dl-de/by-2-0'), 'the licence link handed to the browser');
    // Anything else goes nowhere: not in the window, not to another program.
    await app.run(`location.href = 'http://example.org/'; return null`);
    await app.run(`window.open('file:///etc/passwd'); return null`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(await app.run('return location.href'), where, 'the window never left the app');
    // The page may call the app's own commands and listen to its events, nothing else.
    const refused = await app.runAsync(`
      const done = arguments[arguments.length - 1];
      const invoke = window.__TAURI__.core.invoke;
      const calls = [
        ['plugin:opener|open_url', { url: 'https://evil.example/' }],
        ['plugin:opener|open_path', { path: '/etc/passwd' }],
        ['plugin:window|set_title', { label: 'main', value: 'x' }],
        ['plugin:notification|notify', { options: { title: 'x' } }],
        ['plugin:dialog|open', { options: {} }],
      ];
      Promise.all(calls.map(([name, args]) => invoke(name, args).then(() => name + ': allowed', () => null)))
        .then((results) => done(results.filter(Boolean)));`);
    assert.deepEqual(refused, [], 'plugins and window APIs are closed to the page');
    assert.ok(!opened().includes('http://example.org') && !opened().includes('file:'), `nothing else was opened: ${opened()}`);

    // The document is copied into the user's own folder beside the cache, named by its type.
    await app.click('[data-testid=document]:has(a[href^="https:"]) [data-testid=document-file]');
    const line = await waitFor(() => opened().split('\n').find((entry) => entry.startsWith('path ')), 'the document handed to its viewer');
    const path = line.slice('path '.length);
    assert.ok(path.startsWith(join(cacheDir, 'dokumente')), `a private folder, not /tmp: ${path}`);
    assert.ok(path.endsWith('/methodik.pdf'), `its name and the extension of its type: ${path}`);
    assert.ok(readFileSync(path).subarray(0, 5).toString() === '%PDF-', 'the document itself');
    assert.equal(statSync(join(cacheDir, 'dokumente')).mode & 0o077, 0, 'readable by this user only');
  } finally {
    await app.close();
  }
});

test('the server address is set in the settings: only https for another machine, tested before it is used', async () => {
  const app = await tauri.openApp();
  const type = (value) => app.run(`
    const input = document.querySelector('[data-testid=setting-server]');
    input.value = arguments[0];
    input.dispatchEvent(new Event('input', { bubbles: true }));
    return null;`, [value]);
  const text = (selector) => app.run(`return document.querySelector(arguments[0])?.textContent ?? ''`, [selector]);
  try {
    await waitFor(() => app.run(`return !!document.querySelector('[data-testid=nav-einstellungen]')`), 'the navigation');
    await app.click('[data-testid=nav-einstellungen]');
    await waitFor(() => app.run(`return !!document.querySelector('[data-testid=setting-server]')`), 'the server field');

    await type('http://fokus.kreis-pinneberg.de');
    await app.click('[data-testid=server-save]');
    await waitFor(async () => /https:\/\/fokus\.kreis-pinneberg\.de/.test(await text('[role=alert]')), 'the refusal of an unencrypted address');
    await app.click('[data-testid=server-test]');
    await waitFor(async () => /nur mit einem Server auf diesem Gerät/.test(await text('[data-testid=server-test-result]')), 'the test refuses it too');

    await type(server.url);
    await app.click('[data-testid=server-test]');
    await waitFor(async () => /Verbindung steht: .* antwortet \(Revision \d+/.test(await text('[data-testid=server-test-result]')), 'the connection test');
    await app.screenshot('app-settings-server.png');
    await app.click('[data-testid=server-save]');
    await waitFor(async () => /Gespeichert/.test(await text('[data-testid=settings-saved]')), 'the saved address');
    assert.equal(await app.run(`return document.querySelector('[data-testid=setting-server]').value`), server.url, 'the saved address stays in the field');
    assert.match(await text('[data-testid=server-test-result]'), /Verbindung steht/, 'and the test result beside it');
    // Back to the installation's server, so the tests after this one are not tied to it.
    await type('');
    await app.click('[data-testid=server-save]');
    await waitFor(async () => /Gespeichert/.test(await text('[data-testid=settings-saved]')), 'the address cleared');
  } finally {
    await app.close();
  }
});

test('on a 768 × 1024 tablet window a tap on the map answers in view: the value card on screen, the page not moved', async () => {
  const app = await tauri.openApp({ args: ['fokus://sozialbericht?kennzahl=sgb2_quote'] });
  try {
    await app.resize(768, 1024);
    await waitFor(async () => (await app.run(mapState))?.indicator === 'sgb2_quote', 'the map of the SGB-II-Quote');
    await waitFor(() => app.run('return innerWidth <= 800'), 'the tablet width');
    const mapTop = await app.run(`return document.querySelector('[data-testid=map]').getBoundingClientRect().top`);
    const height = await app.run('return innerHeight');
    assert.ok(mapTop < height / 2, `the map starts in the upper half: ${mapTop} of ${height}`);
    await app.run('scrollBy(0, 80); return null;');
    const before = await app.run('return scrollY');
    const labelPoint = (area) => app.run(`
      const path = document.querySelector('[data-testid=area-' + arguments[0] + ']');
      const [x, y] = path.dataset.label.split(',').map(Number);
      const ctm = path.ownerSVGElement.getScreenCTM();
      return { x: ctm.a * x + ctm.e, y: ctm.d * y + ctm.f };`, [area]);
    let pointer;
    for (const [area, name] of [['010560015', 'Elmshorn'], ['010560043', 'Rellingen']]) {
      const point = await labelPoint(area);
      pointer = await app.tap(point.x, point.y);
      await waitFor(async () => (await app.run(`return document.querySelector('[data-testid=card-title]')?.textContent`)) === name, `${name} chosen by a ${pointer} tap`);
      assert.equal(await app.run('return scrollY'), before, `the tap on ${name} does not move the page`);
      const card = await app.run(`return document.querySelector('[data-testid=card-value]').getBoundingClientRect().toJSON()`);
      assert.ok(card.top >= 0 && card.bottom <= height, `the value of ${name} is on screen: ${JSON.stringify(card)}`);
    }
    console.log(`the app's taps were ${pointer} events`);
    await app.screenshot('app-tablet-tap.png');
    await app.click('[data-testid=nav-demografie]');
    await waitFor(() => app.run(`return !!document.querySelector('[data-testid=population-chart]')`), 'Demografie through the menu');
  } finally {
    await app.close();
  }
});

test('a note survives a full resync and is flagged once an import changes its data; a Sitzungsmappe exported and imported is equal (1024 × 768)', async () => {
  const personalFile = join(cacheDir, 'persoenlich.json');
  const personal = () => (existsSync(personalFile) ? JSON.parse(readFileSync(personalFile, 'utf8')) : null);
  const text = (selector) => app.run(`return document.querySelector(arguments[0])?.textContent ?? ''`, [selector]);
  const type = (selector, value) => app.run(`
    const field = document.querySelector(arguments[0]);
    field.value = arguments[1];
    field.dispatchEvent(new Event('input', { bubbles: true }));
    return null;`, [selector, value]);
  const app = await tauri.openApp({ args: ['fokus://sozialbericht?kennzahl=betreuungsquote_u3&jahr=2025'] });
  const second = await startServer();
  try {
    await app.resize(1024, 768);
    await waitFor(async () => (await app.run(mapState))?.indicator === 'betreuungsquote_u3', 'the map of the Betreuungsquote');
    await app.click('[data-testid=merken]');
    await waitFor(() => app.run(`return !!document.querySelector('[data-testid=note-text]')`), 'the note panel');
    await type('[data-testid=note-text]', 'Kita-Ausbau im Ausschuss ansprechen.');
    await app.click('[data-testid=note-save]');
    await type('[data-testid=folder-new-name]', 'Jugendhilfeausschuss');
    await app.click('[data-testid=folder-add]');
    const saved = await waitFor(() => personal()?.folders?.length === 1 && personal().notes.length === 1 ? personal() : null, 'note and folder in the file beside the cache');
    assert.equal(saved.notes[0].subject.id, 'betreuungsquote_u3');
    assert.equal(statSync(personalFile).mode & 0o077, 0, 'readable by this user only');
    await app.screenshot('app-merken-tablet.png');

    // Another server instance: the cache is replaced in full. The note stays, and its data (the
    // same demo values) did not change, so it is not flagged.
    await app.click('[data-testid=nav-einstellungen]');
    await waitFor(() => app.run(`return !!document.querySelector('[data-testid=setting-server]')`), 'the server field');
    await type('[data-testid=setting-server]', second.url);
    await app.click('[data-testid=server-save]');
    const secondRevision = (await (await fetch(`${second.url}/api/v1/status`)).json()).revision;
    await app.click('[data-testid=nav-sozialbericht]');
    await waitFor(async () => {
      const years = await app.run(`
        const select = document.querySelector('[data-testid=indicator-select]');
        if (select && select.value !== 'sgb2_quote') { select.value = 'sgb2_quote'; select.dispatchEvent(new Event('change', { bubbles: true })); }
        return [...document.querySelectorAll('[data-testid=year-select] option')].map((o) => o.value)`);
      return years.length > 0 && !years.includes('2026');
    }, 'the cache replaced by the second server (no 2026 values there)');
    assert.ok(secondRevision > 0);
    await app.click('[data-testid=nav-mappen]');
    await waitFor(async () => /Kita-Ausbau im Ausschuss ansprechen/.test(await text('[data-testid=note]')), 'the note after the full resync');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(await app.run(`return document.querySelectorAll('[data-testid=note-updated]').length`), 0, 'same data, no flag');

    // An import that changes the noted indicator: flagged.
    importCsv(second.dataDir, 'kennzahl;gebiet;jahr;wert\nbetreuungsquote_u3;010560015;2025;61,5\n', 'kita.csv');
    // The push of the new revision normally starts the sync at once; right after a change of
    // server it was missed in 2 of 5 runs (cause not found; target/screenshots/app.log has the
    // sync log), so the button is pressed as a person would, every 10 s.
    let pressed = 0;
    await waitFor(async () => {
      if (/Daten seit Ihrer Notiz aktualisiert/.test(await text('[data-testid=note]'))) return true;
      if (++pressed % 50 === 1) await app.click('[data-testid=sync-now]');
      return false;
    }, 'the note flagged after the import', 75_000).catch(async (error) => {
      console.log('at failure:', await app.run(`return [location.href, document.querySelector('[data-testid=sync-status]')?.textContent, document.querySelector('main')?.innerText.slice(0, 300)]`));
      console.log('the cache answers:', await app.runAsync(`const done = arguments[arguments.length - 1]; window.__TAURI__.core.invoke('read', { args: { name: 'subject_digests', args: { subjects: 'kennzahl:betreuungsquote_u3' } } }).then(done, (e) => done(JSON.stringify(e)));`));
      console.log('the note:', personal().notes[0], 'sync:', await app.runAsync(`const done = arguments[arguments.length - 1]; window.__TAURI__.core.invoke('sync_status', { args: {} }).then(done, () => done(null));`), 'server:', (await (await fetch(`${second.url}/api/v1/status`)).json()).revision);
      throw error;
    });
    await app.screenshot('app-mappen-tablet.png');

    // The folder as Markdown: exported, deleted, imported again, equal.
    const folder = personal().folders[0];
    await app.click('[data-testid=folder-export]');
    const exported = join(exportDir, `sitzungsmappe-${folder.id}.md`);
    await waitFor(() => existsSync(exported), 'the exported Markdown');
    const markdown = readFileSync(exported, 'utf8');
    assert.match(markdown, /^# Sitzungsmappe: Jugendhilfeausschuss\n/, markdown);
    await app.run('window.confirm = () => true; return null');
    await app.click('[data-testid=folder-delete]');
    await waitFor(() => personal()?.folders?.length === 0, 'the folder deleted');
    await app.run(`
      const input = document.querySelector('[data-testid=personal-import]');
      const transfer = new DataTransfer();
      transfer.items.add(new File([arguments[0]], 'mappe.md', { type: 'text/markdown' }));
      input.files = transfer.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
      return null;`, [markdown]);
    await waitFor(() => personal()?.folders?.length === 1, 'the folder imported');
    assert.deepEqual(personal().folders[0], folder, 'exported and imported again: equal');

    // "Cache leeren": data and files go, notes and folders stay, the data come back.
    await app.click('[data-testid=nav-einstellungen]');
    await waitFor(async () => /Daten: .* · Dateien: .* · Notizen und Mappen: /.test(await text('[data-testid=storage]')), 'the storage used');
    await app.run('window.confirm = () => true; return null');
    await app.click('[data-testid=cache-clear]');
    await waitFor(async () => /Geleert/.test(await text('[data-testid=cache-clear-status]')), 'the cache cleared');
    assert.equal(personal().notes.length, 1, 'the note stays');
    assert.deepEqual(personal().folders[0], folder, 'the folder stays');
    await app.click('[data-testid=nav-mappen]');
    await waitFor(async () => /Daten seit Ihrer Notiz aktualisiert/.test(await text('[data-testid=note]')), 'the note, flagged again once the data are back');

    // Presented on the projector.
    await app.click('[data-testid=folder-present]');
    await waitFor(async () => /Ansicht 1 von 1/.test(await text('[data-testid=presentation-place]')), 'the presentation');
    await waitFor(async () => (await app.run(mapState))?.count === 18, 'its map');
    await app.screenshot('app-praesentation-tablet.png');
    await app.run(`document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })); return null`);
    await waitFor(async () => (await app.run('return location.pathname')) === '/mappen', 'Esc ends it');

    await app.click('[data-testid=nav-uebersicht]');
    await waitFor(async () => (await app.run(`return document.querySelectorAll('[data-testid=headline]').length`)) >= 3, 'the start page');
    await app.screenshot('app-start-tablet.png');

    // Back to the installation's server for the tests after this one.
    await app.click('[data-testid=nav-einstellungen]');
    await waitFor(() => app.run(`return !!document.querySelector('[data-testid=setting-server]')`), 'the server field');
    await type('[data-testid=setting-server]', '');
    await app.click('[data-testid=server-save]');
    await waitFor(async () => /Gespeichert/.test(await text('[data-testid=settings-saved]')), 'the address cleared');
    // Let the full replacement from the first server finish before the app is closed, so the
    // next test does not meet an app still busy ending.
    const firstRevision = (await (await fetch(`${server.url}/api/v1/status`)).json()).revision;
    await waitFor(async () => {
      const state = await app.runAsync(`const done = arguments[arguments.length - 1]; window.__TAURI__.core.invoke('sync_status', { args: {} }).then(done, () => done(null));`);
      return state && !state.syncing && state.revision === firstRevision;
    }, 'the cache back at the first server');
  } finally {
    await app.close();
    await second.stop();
  }
});

test('a fokus:// link opens the app at its view, at start and while it runs; a CSV is saved', async () => {
  const app = await tauri.openApp({ args: ['fokus://gebiet?gebiet=010560015&jahr=2024'] });
  try {
    await waitFor(
      async () => /Gebietsprofil Elmshorn/.test(await app.run(`return document.querySelector('[data-testid=profile-title]')?.textContent ?? ''`)),
      'the Gebietsprofil the link names',
    );
    assert.equal(await app.run('return location.pathname + location.search'), '/gebiet?gebiet=010560015&jahr=2024');
    await app.screenshot('app-deep-link.png');

    // A link clicked while the app runs starts a second process, which hands it over and ends.
    const second = spawnSync(APP_BIN, ['fokus://sozialbericht?kennzahl=arbeitslosenquote&jahr=2020&ansicht=tabelle'], {
      env: { ...process.env, FOKUS_SERVER_URL: server.url, FOKUS_CACHE_DIR: cacheDir },
      timeout: 60_000,
    });
    assert.equal(second.status, 0, `the second start ends by itself: ${second.stderr}`);
    await waitFor(
      async () => /Arbeitslosenquote/.test(await app.run(`return document.querySelector('[data-testid=table-title]')?.textContent ?? ''`)),
      'the running app shows the table the second link names',
    ).catch(async (error) => {
      console.log('at failure:', await app.run(`return [location.href, document.querySelector('main')?.innerText.slice(0, 400)]`));
      throw error;
    });
    assert.equal(await app.run(`return document.querySelector('[data-testid=year-select]').value`), '2020');

    await app.click('[data-testid=copy-link]');
    const link = await waitFor(() => app.run(`return document.querySelector('[data-testid=share-link]')?.value`), 'the shared link');
    assert.equal(link, 'fokus://sozialbericht?kennzahl=arbeitslosenquote&jahr=2020&ansicht=tabelle', 'the app shares its own link');

    // The export goes through the save command; FOKUS_EXPORT_DIR stands in for the dialog.
    await app.click('[data-testid=export-csv]');
    const saved = join(exportDir, 'arbeitslosenquote-gebiete.csv');
    await waitFor(() => existsSync(saved), 'the saved CSV');
    const csv = readFileSync(saved, 'utf8');
    assert.ok(csv.startsWith('\ufeffKennzahl;Arbeitslosenquote\r\n'), 'BOM and the metadata header');
    assert.ok(csv.includes(`Link;${link}`), 'with the link of the view');
    // The file is written before the command answers; the status follows the answer.
    await waitFor(async () => /Gespeichert: .*arbeitslosenquote-gebiete\.csv/.test(await app.run(`return document.querySelector('[data-testid=share-status]').textContent`)), 'the saved file named');
  } finally {
    await app.close();
  }
});

test('the report draws live figures from the cache, the recommendations show their Ampel, and 48 hostile payloads stay inert in the app', async () => {
  const printed = publishContent(server.dataDir, { 'newsletter/2026-2.md': hostileNewsletter(2) });
  assert.match(printed, /Veröffentlicht/, printed);
  const app = await tauri.openApp({ args: ['fokus://fokusbericht'] });
  try {
    await waitFor(async () => (await app.run(`return document.querySelectorAll('[data-testid=live-chart] canvas, [data-testid=live-chart] svg').length`)) > 0, 'the live chart in the app');
    const values = await waitFor(async () => {
      const found = await app.run(`return [...document.querySelectorAll('[data-testid=chapter] a[data-fokus=wert]')].map((a) => [a.textContent, a.title])`);
      return found.length === 2 && found.every(([, title]) => title) ? found : null;
    }, 'the inline values from the cache');
    assert.match(values[0][0], /^\d+,\d %$/, `a value: ${values}`);
    // Without a year in the text, the value is the indicator's latest year: the one the chart
    // beside it ends with (the earlier tests imported 2026 and 2027).
    const chartEnd = await app.run(`return String(window.echarts.getInstanceByDom(document.querySelector('[data-testid=live-chart] .chart')).getOption().xAxis[0].data.at(-1))`);
    assert.equal(values[0][1], `SGB-II-Quote, Kreis Pinneberg ${chartEnd}`, 'the text and the chart name the same latest year');
    assert.equal(chartEnd, '2027', 'the latest imported year');
    await app.run(`document.querySelector('[data-testid=live-chart]').scrollIntoView()`);
    await app.screenshot('app-report-live-chart.png');

    await app.click('[data-testid=nav-empfehlungen]');
    await waitFor(async () => (await app.run(`return document.querySelector('[data-testid=recommendations-count]')?.textContent`)) === '4 von 4 Empfehlungen', 'the recommendations');
    await app.click('[data-testid=view-table]');
    await waitFor(async () => (await app.run(`return document.querySelectorAll('[data-testid=ampel-row]').length`)) === 4, 'the Ampel table');
    await app.click('[data-testid=recommendations-csv]');
    const saved = await waitFor(() => readdirSync(exportDir).find((name) => /^handlungsempfehlungen-\d{4}-\d\d-\d\d\.csv$/.test(name)), 'the CSV saved through the save command');
    assert.match(readFileSync(join(exportDir, saved), 'utf8'), /Sprachförderung vor der Einschulung stärken;.*;ja;/, 'the overdue one, marked');
    await app.screenshot('app-empfehlungen-ampel.png');

    // The hostile newsletter, synced into the cache and shown by the real app's WebKit.
    await app.click('[data-testid=nav-newsletter]');
    const selector = '#newsletter-2026-2 .prose';
    await waitFor(() => app.run(`return !!document.querySelector(${JSON.stringify(selector)})`), 'the hostile newsletter from the cache');
    await app.run(`const details = document.querySelector('#newsletter-2026-2 details'); if (!details.open) details.querySelector('summary').click();`);
    await app.run(`for (const link of document.querySelectorAll(${JSON.stringify(`${selector} a`)})) { if (!link.getAttribute('href')) link.click(); }
      for (const element of document.querySelectorAll(${JSON.stringify(`${selector} div, ${selector} details`)})) {
        element.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
      }`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const problems = await app.run(`return (${inspect})(arguments[0])`, [[selector, PAYLOADS.length]]);
    assert.deepEqual(problems, [], problems.join('\n'));
    assert.equal(await app.run('return location.pathname'), '/newsletter', 'nothing navigated');
    await app.screenshot('app-hostile-newsletter.png');

    // The next test restarts the app offline and offers to go on where it was left.
    await app.click('[data-testid=nav-sozialbericht]');
    await app.run(`history.pushState(null, '', '/sozialbericht?kennzahl=arbeitslosenquote&jahr=2020&ansicht=tabelle'); dispatchEvent(new PopStateEvent('popstate'));`);
    await waitFor(() => app.run(`return !!document.querySelector('[data-testid=data-table]')`), 'back at the table the next test resumes');
  } finally {
    await app.close();
  }
});

test('with the server gone, a restarted app offers to go on where it was left, from the cache, and says it is offline', async () => {
  await server.stop();
  const app = await tauri.openApp();
  try {
    // The previous test left the app at the table of the Arbeitslosenquote 2020.
    await waitFor(
      async () => /Arbeitslosenquote 2020, Tabelle/.test(await app.run(`return document.querySelector('[data-testid=resume]')?.textContent ?? ''`)),
      'the start page offers the view the app was left at',
    );
    await app.click('[data-testid=resume]');
    await waitFor(
      async () => (await app.run('return location.pathname + location.search')) === '/sozialbericht?kennzahl=arbeitslosenquote&jahr=2020&ansicht=tabelle',
      'the view the app was left at',
    );
    await waitFor(() => app.run(`return !!document.querySelector('[data-testid=data-table]')`), 'its table');
    await app.click('[data-testid=tab-karte]');
    const state = await waitFor(async () => {
      const current = await app.run(mapState);
      return current && current.count === 18 && /offline/.test(current.status) ? current : null;
    }, 'the cached map while offline');
    assert.match(state.status, /offline · abgeglichen \d\d\.\d\d\.\d{4}/, 'offline with the time of the last sync');
    await app.screenshot('app-offline.png');
    assert.ok(!state.fills.split(',').every((fill) => fill === '#d9d9d9'), `the map is coloured from the cache: ${JSON.stringify(state)}`);
    await app.screenshot('app-offline.png');

    // The search answers offline, from the cache's index.
    await app.run(`const field = document.querySelector('[data-testid=header-search]');
      field.value = 'Pflegeheime'; field.dispatchEvent(new Event('input', { bubbles: true }));
      document.querySelector('[data-testid=header-search-submit]').click();`);
    const groups = await waitFor(async () => {
      const found = await app.run(`return [...document.querySelectorAll('[data-testid=search-group]')].map((group) => group.dataset.kind)`);
      return found.length ? found : null;
    }, 'search results offline');
    assert.deepEqual(groups, ['kennzahl', 'kapitel'], 'the indicator and the chapter, from the cache');
    assert.ok((await app.run(`return [...document.querySelectorAll('[data-testid=search-hit] mark')].map((mark) => mark.textContent)`)).includes('Pflegeheimen'));
    await app.screenshot('app-search-offline.png');
  } finally {
    await app.close();
  }
});

test('a fresh install without any network shows the data it shipped with', async () => {
  tauri.kill();
  // A port nobody listens on, and a cache folder never used: the very first start, offline.
  tauri = await startDriver({ FOKUS_SERVER_URL: `http://127.0.0.1:${await freePort()}`, FOKUS_CACHE_DIR: tempDir('fresh-cache') });
  const app = await tauri.openApp({ args: ['fokus://sozialbericht'] });
  try {
    const state = await waitFor(async () => {
      const current = await app.run(mapState);
      return current && current.count === 18 && /offline/.test(current.status) ? current : null;
    }, 'the bundled map on a first offline start');
    assert.match(state.status, /offline · mitgelieferter Datenstand/, 'says the data came with the app');
    assert.ok(!state.fills.split(',').every((fill) => fill === '#d9d9d9'), 'the map is coloured from the bundled data');
    const indicators = await app.run(`return document.querySelectorAll('[data-testid=indicator-select] option').length`);
    assert.equal(indicators, 73, 'the whole catalogue shipped with the app');
    await app.screenshot('app-first-start-offline.png');
  } finally {
    await app.close();
  }
});

test('a broken cache is moved aside and the app starts from its bundled data, saying so', async () => {
  tauri.kill();
  const brokenDir = tempDir('broken-cache');
  writeFileSync(join(brokenDir, 'fokus-cache.sqlite3'), 'Dies ist keine SQLite-Datei. '.repeat(500));
  writeFileSync(join(brokenDir, 'fokus-cache.sqlite3-wal'), 'kaputt');
  tauri = await startDriver({ FOKUS_SERVER_URL: `http://127.0.0.1:${await freePort()}`, FOKUS_CACHE_DIR: brokenDir });
  const app = await tauri.openApp({ args: ['fokus://sozialbericht'] });
  try {
    const state = await waitFor(async () => {
      const current = await app.run(mapState);
      return current && current.count === 18 && /offline/.test(current.status) ? current : null;
    }, 'the bundled map');
    assert.match(await app.run(`return document.querySelector('[data-testid=sync-problem]')?.textContent ?? ''`), /Der lokale Speicher war beschädigt und wurde neu angelegt/, 'the user is told');
    assert.ok(!state.fills.split(',').every((fill) => fill === '#d9d9d9'), 'the map is coloured from the bundled data');
    const broken = () => readdirSync(brokenDir).filter((name) => /^fokus-cache\.sqlite3\.broken-\d+$/.test(name));
    assert.equal(broken().length, 1, `the broken file is kept for a look: ${readdirSync(brokenDir)}`);
    await app.screenshot('app-broken-cache.png');

    // Broken while the app runs: the next sync finds it, moves it aside and starts afresh.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    writeFileSync(join(brokenDir, 'fokus-cache.sqlite3'), 'Plötzlich kaputt. '.repeat(2000));
    await app.click('[data-testid=sync-now]');
    await waitFor(() => broken().length === 2, 'the file broken at run time moved aside too');
    const after = await waitFor(async () => {
      const current = await app.run(mapState);
      return current && current.count === 18 && !current.fills.split(',').every((fill) => fill === '#d9d9d9') ? current : null;
    }, 'the map from the fresh cache');
    assert.ok(after, 'the app goes on');
    assert.match(await app.run(`return document.querySelector('[data-testid=sync-problem]')?.textContent ?? ''`), /beschädigt/, 'and says so');
  } finally {
    await app.close();
  }
});

test('the same app build, pointed at a Land set up from files, shows that Land', async () => {
  tauri.kill();
  const land = await startConfiguredServer(SH_EXAMPLE, [join(SH_EXAMPLE, 'werte.csv'), join(SH_EXAMPLE, 'werte-mit-fallzahl.csv')]);
  // A new install: it starts from the Pinneberg data it ships with, then meets another server
  // and replaces its cache with that server's deployment in one transaction.
  tauri = await startDriver({ FOKUS_SERVER_URL: land.url, FOKUS_CACHE_DIR: tempDir('land-cache') });
  const app = await tauri.openApp({ args: ['fokus://sozialbericht'] });
  try {
    const state = await waitFor(async () => {
      const current = await app.run(mapState);
      return current && current.count === 15 && /abgeglichen/.test(current.status) ? current : null;
    }, "the Land's map after the first sync");
    assert.equal(state.indicator, 'sgb2_quote', 'opens on the configured Leitkennzahl');
    await waitFor(async () => (await app.run(`return document.querySelector('[data-testid=app-title]')?.textContent`)) === 'FOKUS SH', 'the configured title');
    const indicators = await app.run(`return document.querySelectorAll('[data-testid=indicator-select] option').length`);
    assert.equal(indicators, 6, "the Land's six indicators, none of Pinneberg's 73");
    // The window (taskbar, window switcher) is named after the deployment too.
    await waitFor(async () => /"FOKUS SH/.test(execFileSync('xwininfo', ['-root', '-tree'], { encoding: 'utf8' })), 'the window titled FOKUS SH');
    await app.screenshot('app-schleswig-holstein.png');
  } finally {
    await app.close();
    await land.stop();
  }
});
