// The server behind Debian's nginx, configured by the file the deployment guide ships
// (docs/nginx-fokus.conf): syncs go through TLS with a certificate from a test CA the client is
// told to trust, many clients' first syncs are answered from nginx's cache (the server sees one
// request per snapshot and per feed page), and a new revision is seen at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request as httpsRequest } from 'node:https';
import { ROOT, SERVER_BIN, SYNC_BIN, startServer, serveDataDir, importCsv, NEW_YEAR_CSV, tempDir, waitFor } from './support.mjs';
import { freePort } from './driver.mjs';

const dir = tempDir('proxy');
let server;
let nginx;
let proxyUrl;
const accessLog = join(dir, 'access.log');
const caFile = join(dir, 'ca.pem');

/** A CA and a certificate for 127.0.0.1 signed by it, made with openssl. */
function makeCertificates() {
  const run = (args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=FOKUS Test-CA',
    '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'privkey.pem', '-out', 'server.csr']);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial',
    '-days', '2', '-extfile', 'san.ext', '-out', 'fullchain.pem']);
}

/** docs/nginx-fokus.conf with this test's addresses and paths, inside a minimal main config. */
function nginxConfig(serverPort, proxyPort) {
  const site = readFileSync(join(ROOT, 'docs/nginx-fokus.conf'), 'utf8')
    .replace('/var/cache/nginx/fokus', join(dir, 'cache'))
    .replace('server 127.0.0.1:8787;', `server 127.0.0.1:${serverPort};`)
    .replace('listen 443 ssl;', `listen 127.0.0.1:${proxyPort} ssl;`)
    .replace('/etc/ssl/fokus/fullchain.pem', join(dir, 'fullchain.pem'))
    .replace('/etc/ssl/fokus/privkey.pem', join(dir, 'privkey.pem'));
  assert.ok(!/8787|\/etc\/ssl|\/var\/cache/.test(site), 'every deployment path was replaced');
  writeFileSync(join(dir, 'fokus-site.conf'), site);
  // Run as root (CI), the workers would otherwise be `nobody` and could not use the test's
  // private folder.
  const user = process.getuid?.() === 0 ? 'user root;' : '';
  return `
${user}
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 256; }
http {
  log_format fokus '$request_uri $upstream_cache_status $status';
  access_log ${accessLog} fokus;
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy-temp')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  include ${join(dir, 'fokus-site.conf')};
}
`;
}

/** The access log as [uri, cache status, http status] for the feed and snapshot requests. */
function feedLog() {
  if (!existsSync(accessLog)) return [];
  return readFileSync(accessLog, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('/api/v1/feed') || line.startsWith('/api/v1/snapshot'))
    .map((line) => line.split(' '));
}

/** The log once nginx has written it: it logs a request after answering it, so the line of a
 *  sync that just ended may still be on its way. Read until it stays the same for 300 ms. */
async function settledFeedLog() {
  let last = feedLog();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const now = feedLog();
    if (now.length === last.length) return now;
    last = now;
  }
}

function sync(cache, extra = []) {
  return new Promise((resolve) => {
    const child = spawn(SYNC_BIN, ['--server', proxyUrl, '--cache', cache, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => { out += chunk; });
    child.stderr.on('data', (chunk) => { out += chunk; });
    child.on('exit', (code) => resolve({ code, out }));
  });
}

before(async () => {
  makeCertificates();
  server = await startServer(undefined, ['--feed-redirect']);
  const serverPort = new URL(server.url).port;
  const proxyPort = await freePort();
  mkdirSync(join(dir, 'cache'), { recursive: true });
  writeFileSync(join(dir, 'nginx.conf'), nginxConfig(serverPort, proxyPort));
  execFileSync('/usr/sbin/nginx', ['-t', '-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'pipe' });
  nginx = spawn('/usr/sbin/nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'inherit' });
  proxyUrl = `https://127.0.0.1:${proxyPort}`;
  await waitFor(async () => (await sync(join(dir, 'probe.sqlite3'), ['--ca-file', caFile])).code === 0, 'nginx up');
});

after(async () => {
  nginx?.kill('SIGTERM');
  await server?.stop();
});

test('without the CA a client refuses the proxy; with it, every sync goes through TLS', async () => {
  const refused = await sync(join(dir, 'untrusting.sqlite3'));
  assert.notEqual(refused.code, 0, `an unknown CA is refused: ${refused.out}`);
  assert.match(refused.out, /UnknownIssuer/, `and the reason is the certificate: ${refused.out}`);
  const trusting = await sync(join(dir, 'trusting.sqlite3'), ['--ca-file', caFile]);
  assert.equal(trusting.code, 0, trusting.out);
  assert.match(trusting.out, /^Revision \d+/, 'the sync reached a revision');
});

test('many clients are answered from the cache; the server sees one request per snapshot', async () => {
  const before = (await settledFeedLog()).length;
  const clients = 12;
  const results = await Promise.all(
    Array.from({ length: clients }, (_, idx) => sync(join(dir, `client-${idx}.sqlite3`), ['--ca-file', caFile])),
  );
  for (const result of results) assert.equal(result.code, 0, result.out);
  const revisions = new Set(results.map((result) => result.out.match(/^Revision (\d+)/)[1]));
  assert.equal(revisions.size, 1, 'every client reached the same revision');
  // An empty cache starts from the snapshot: redirected to its immutable address, which nginx
  // keeps.
  const log = (await settledFeedLog()).slice(before);
  const redirects = log.filter(([uri]) => uri === '/api/v1/snapshot');
  assert.ok(redirects.every(([, , status]) => status === '303'), `the current snapshot is a redirect: ${JSON.stringify(redirects)}`);
  const snapshots = log.filter(([uri]) => uri.startsWith('/api/v1/snapshot/'));
  assert.equal(snapshots.length, clients, `each client fetched the snapshot through nginx: ${JSON.stringify(log)}`);
  const fromServer = snapshots.filter(([, cache]) => cache !== 'HIT');
  assert.equal(fromServer.length, 0, `all ${clients} answered from nginx's cache (the probes filled it): ${JSON.stringify(fromServer)}`);
});

test('a new revision is seen at once and its page is fetched from the server once', async () => {
  const cache = join(dir, 'client-0.sqlite3');
  const current = Number((await sync(cache, ['--ca-file', caFile])).out.match(/^Revision (\d+)/)[1]);
  importCsv(server.dataDir, NEW_YEAR_CSV);
  // The running server notices the import within its watch interval.
  await waitFor(async () => {
    const status = await (await fetch(`${server.url}/api/v1/status`)).json();
    return status.revision === current + 1;
  }, 'the server at the new revision');
  const before = (await settledFeedLog()).length;
  const first = await sync(cache, ['--ca-file', caFile]);
  assert.match(first.out, new RegExp(`^Revision ${current + 1}\\b`), `the very next sync sees the import: ${first.out}`);
  const second = await sync(join(dir, 'client-1.sqlite3'), ['--ca-file', caFile]);
  assert.match(second.out, new RegExp(`^Revision ${current + 1}\\b`), second.out);
  const pages = (await settledFeedLog()).slice(before).filter(([uri]) => uri.startsWith(`/api/v1/feed/${current}/${current + 1}/`));
  assert.deepEqual(pages.map(([, cache]) => cache), ['MISS', 'HIT'], 'fetched once, then served from the cache');
});

/** The server's current revision, asked of the server itself. */
async function serverRevision() {
  return (await (await fetch(`${server.url}/api/v1/status`)).json()).revision;
}

test('a server restored from a backup behind the proxy: apps end on the restored data, with a bounded number of requests', async () => {
  const ca = ['--ca-file', caFile];
  const port = Number(new URL(server.url).port);
  const backup = join(tempDir('proxy-backup'), 'data');
  execFileSync(SERVER_BIN, ['--data-dir', server.dataDir, 'backup', backup], { encoding: 'utf8' });
  const backedUp = await serverRevision();
  // Two imports the restore will lose; an app syncs them through nginx, which now keeps the
  // snapshot and pages of that timeline.
  importCsv(server.dataDir, NEW_YEAR_CSV.replace('9,9', '9,1'), 'verloren-1.csv');
  importCsv(server.dataDir, NEW_YEAR_CSV.replace('7,1', '7,3'), 'verloren-2.csv');
  await waitFor(async () => (await serverRevision()) === backedUp + 2, 'the server at the imports to be lost');
  const lost = join(dir, 'lost-timeline.sqlite3');
  const first = await sync(lost, ca);
  assert.match(first.out, new RegExp(`^Revision ${backedUp + 2}\\b`), first.out);
  // The county restores the backup on the same address and imports again: the same revision
  // numbers as the lost ones, other data.
  await server.stop();
  server = await serveDataDir(backup, port, ['--feed-redirect']);
  importCsv(backup, NEW_YEAR_CSV.replace('9,9', '8,8'), 'erneut-1.csv');
  importCsv(backup, NEW_YEAR_CSV.replace('7,1', '6,6'), 'erneut-2.csv');
  await waitFor(async () => (await serverRevision()) === backedUp + 2, 'the restored server at the same revision number');

  const before = (await settledFeedLog()).length;
  const resynced = await sync(lost, ca);
  assert.equal(resynced.code, 0, resynced.out);
  assert.match(resynced.out, new RegExp(`^Revision ${backedUp + 2}\\b`), resynced.out);
  const fresh = join(dir, 'after-restore.sqlite3');
  const started = await sync(fresh, ca);
  assert.equal(started.code, 0, started.out);
  const requests = (await settledFeedLog()).slice(before);
  // The app of the lost timeline: the feed (409), the snapshot's redirect, the snapshot; a new
  // app: the redirect and the snapshot. Nothing of the lost timeline is served from the cache.
  assert.ok(requests.length <= 6, `a bounded number of requests: ${JSON.stringify(requests)}`);
  const snapshots = requests.filter(([uri]) => uri.startsWith('/api/v1/snapshot/'));
  assert.equal(snapshots[0]?.[1], 'MISS', `the restored timeline's snapshot has an address of its own: ${JSON.stringify(requests)}`);
  // Both hold the restored server's timeline: it takes their revision's fingerprint as its own,
  // so the next sync of each is one 304, not another resync.
  const beforeCheck = (await settledFeedLog()).length;
  for (const cache of [lost, fresh]) {
    const again = await sync(cache, ca);
    assert.match(again.out, new RegExp(`^Revision ${backedUp + 2}\\b`), again.out);
  }
  const checks = (await settledFeedLog()).slice(beforeCheck);
  assert.deepEqual(checks.map(([, , status]) => status), ['304', '304'], `each app is current: ${JSON.stringify(checks)}`);
});

/** One request through nginx with the test CA; resolves to [status, headers] as soon as the
 * answer's head arrives (nginx may refuse a body before it has all been sent). */
function proxyRequest(path, { method = 'GET', body, agent } = {}) {
  return new Promise((resolve, reject) => {
    let answered = false;
    const request = httpsRequest(`${proxyUrl}${path}`, { method, ca: readFileSync(caFile), agent: agent ?? false }, (response) => {
      answered = true;
      response.resume();
      response.on('end', () => resolve([response.statusCode, response.headers]));
    });
    request.on('error', (error) => { if (!answered) reject(error); });
    request.end(body);
  });
}

test('the proxy takes large bodies on the admin route only, keys immutable pages without the query, and tells a flood 429', async () => {
  const mebibyte = Buffer.alloc(1024 * 1024, 'x');
  const [elsewhere] = await proxyRequest('/api/v1/status', { method: 'POST', body: mebibyte });
  assert.equal(elsewhere, 413, 'a body of 1 MiB anywhere but the admin import is refused by nginx');
  const [admin] = await proxyRequest('/api/v1/admin/import', { method: 'POST', body: mebibyte });
  // The server (no token configured here) refuses before reading the body and closes; nginx,
  // passing the body on unbuffered, may report that as 502 instead of the server's 503.
  assert.ok([502, 503].includes(admin), `the admin import takes the body past nginx's limit to the server: ${admin}`);

  const [redirect, headers] = await proxyRequest('/api/v1/feed?since=0');
  assert.equal(redirect, 303, 'the feed redirects to its immutable page');
  const page = headers.location;
  await proxyRequest(page);
  const [, cached] = await proxyRequest(page);
  assert.equal(cached['x-cache-status'], 'HIT', 'the page is in the cache');
  const [status, busted] = await proxyRequest(`${page}?${Date.now()}`);
  assert.equal(status, 200);
  assert.equal(busted['x-cache-status'], 'HIT', 'a query string does not make another copy (nor a request to the server)');

  const agent = new Agent({ keepAlive: true, maxSockets: 20, ca: readFileSync(caFile) });
  const statuses = await Promise.all(Array.from({ length: 400 }, () => proxyRequest('/api/v1/status', { agent }).then(([code]) => code)));
  agent.destroy();
  const limited = statuses.filter((code) => code === 429).length;
  const answered = statuses.filter((code) => code === 200).length;
  assert.ok(answered >= 200, `a burst of one client's requests is answered: ${answered}`);
  assert.ok(limited > 0, `beyond it, the client is told to slow down: ${limited} of 400`);
});
