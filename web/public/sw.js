/* global self, caches */
// The web app's service worker: it makes the app installable and lets the shell (the page,
// its hashed scripts and styles, the icon) open without a network. It caches the shell
// only, never an API answer: /v1 requests are not touched, so balances and payments always
// come from the server (offline, the page shows its "could not reach the server" state).

const CACHE = 'vaultwire-shell-v1';
const SHELL = ['/app/', '/app/manifest.webmanifest', '/app/icon.svg'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith('/app/')) return;

  // Hashed files never change under their name: the cached copy is the file.
  if (url.pathname.startsWith('/app/assets/')) {
    event.respondWith(
      caches.match(request).then(
        (hit) =>
          hit ??
          fetch(request).then((response) => {
            if (response.ok) {
              const copy = response.clone();
              void caches.open(CACHE).then((cache) => cache.put(request, copy));
            }
            return response;
          }),
      ),
    );
    return;
  }

  // A page of the app: the network's index.html when online (a new build shows at once),
  // the cached one offline. Every page path answers the same index.html.
  if (request.mode === 'navigate') {
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            void caches.open(CACHE).then((cache) => cache.put('/app/', copy));
          }
          return response;
        })
        .catch(() =>
          caches
            .match('/app/')
            .then((hit) => hit ?? new Response('Offline', { status: 503, statusText: 'Offline' })),
        ),
    );
  }
});
