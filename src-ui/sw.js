// FOKUS service worker (written into dist by `cargo xtask`, which fills in the shell's files and
// their version). It keeps the versioned shell (HTML, wasm, JS, CSS, fonts, ECharts, the store
// worker) for reading without network, and media files once fetched. Data never pass through
// here: the store worker keeps them in SQLite in the Origin Private File System.
//
// A new version installs beside the running one and waits: the page shows "Neue Version
// verfügbar" and swaps only when the reader says so (message "skip-waiting").

const VERSION = '__VERSION__';
const SHELL = __SHELL__;
const SHELL_CACHE = 'fokus-shell-' + VERSION;
const MEDIA_CACHE = 'fokus-media';
const BLOBS = '/api/v1/blobs/';

// Files named by their content (trunk's `name-<16 hex>`, and the store worker's, which xtask names
// the same way) never change: the install may take them from the HTTP cache the page just filled
// (the server marks them immutable). Every other file is fetched anew, so a version never mixes
// in a stale copy.
const BY_CONTENT = /-[0-9a-f]{16}(_bg)?\.(js|wasm|css)$/;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL.map((url) =>
      new Request(url, { cache: BY_CONTENT.test(url) ? 'default' : 'reload' }))))
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith('fokus-shell-') && name !== SHELL_CACHE).map((name) => caches.delete(name))
      ))
      .then(() => self.clients.claim())
  );
});

self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') {
    self.skipWaiting();
  }
});

// Media are content-addressed (the URL names the file's SHA-256): once stored, never stale.
async function media(request) {
  const cache = await caches.open(MEDIA_CACHE);
  const stored = await cache.match(request, { ignoreVary: true });
  if (stored) {
    return stored;
  }
  const response = await fetch(request);
  // A whole answer only: a range (206) would store a part as the file.
  if (response.status === 200) {
    await cache.put(request, response.clone());
  }
  return response;
}

async function shell(request, navigation) {
  const cache = await caches.open(SHELL_CACHE);
  // Every page of the app is index.html (the router draws the view).
  const stored = await cache.match(navigation ? '/index.html' : request, { ignoreSearch: navigation });
  if (stored) {
    return stored;
  }
  return fetch(request);
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) {
    return;
  }
  if (url.pathname.startsWith(BLOBS) && !request.headers.has('range')) {
    event.respondWith(media(request));
    return;
  }
  if (url.pathname.startsWith('/api/')) {
    return;
  }
  event.respondWith(shell(request, request.mode === 'navigate'));
});
