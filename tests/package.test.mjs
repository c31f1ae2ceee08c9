// The installable package: `cargo xtask test` builds the .deb with the Tauri bundler and
// installs it with `apt-get install ./….deb` as a county's IT would; this test checks what the
// package put on the system and starts the installed app (not the build tree's) through
// WebDriver: a first start without network shows the data the package shipped with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tempDir, waitFor } from './support.mjs';
import { freePort, mapState, startDriver } from './driver.mjs';

const files = execFileSync('dpkg', ['-L', 'fokus-pi'], { encoding: 'utf8' }).split('\n');

test('the package installs the app, its desktop entry and its icons', () => {
  const info = execFileSync('dpkg-deb', ['--field', process.env.FOKUS_DEB, 'Package', 'Version', 'Depends'], { encoding: 'utf8' });
  assert.match(info, /Package: fokus-pi/, info);
  assert.match(info, /libwebkit2gtk-4\.1/, `it depends on the WebKitGTK it needs: ${info}`);
  assert.ok(files.includes('/usr/bin/fokus-app'), `the binary: ${files.join(' ')}`);
  const desktop = files.find((path) => path.endsWith('.desktop'));
  assert.ok(desktop, 'a desktop entry');
  const entry = readFileSync(desktop, 'utf8');
  assert.match(entry, /^Name=FOKUS PI$/m, entry);
  assert.match(entry, /^Exec=fokus-app %u$/m, `the link reaches the app as its argument: ${entry}`);
  assert.match(entry, /^MimeType=.*x-scheme-handler\/fokus;/m, `the desktop opens fokus:// links with the app: ${entry}`);
  assert.ok(files.some((path) => /\/icons\/hicolor\/\d+x\d+\/apps\//.test(path)), 'icons in the hicolor theme');
});

test('the installed app starts offline with the data it shipped with', async () => {
  const tauri = await startDriver(
    { FOKUS_SERVER_URL: `http://127.0.0.1:${await freePort()}`, FOKUS_CACHE_DIR: tempDir('installed-cache') },
    '/usr/bin/fokus-app',
  );
  const app = await tauri.openApp({ args: ['fokus://sozialbericht'] });
  try {
    assert.ok(existsSync('/usr/bin/fokus-app'));
    const state = await waitFor(async () => {
      const current = await app.run(mapState);
      return current && current.count === 18 && /offline/.test(current.status) ? current : null;
    }, 'the bundled map in the installed app');
    assert.match(state.status, /offline · mitgelieferter Datenstand/, 'the packaged snapshot');
    await app.screenshot('package-installed-app.png');
  } finally {
    await app.close();
    tauri.kill();
  }
});
