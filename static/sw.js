// Siheyuan service worker (a module worker). Served at /sw.js by the app, which fills in the
// version and the precache list (content-hashed URLs), so a new deployment installs a new shell.
import { flush } from "/static/js/sync.js";

const VERSION = "__VERSION__";
const PRECACHE = __PRECACHE__;
const SHELL_CACHE = `shell-${VERSION}`;
const PAGE_CACHE = "pages-v1";
const STATIC_CACHE = "static-v1";
const OFFLINE_URL = "/offline";
const HOME_PAGES = __HOME_PAGES__; // the home page, and the care home page / leads care-mode residents to
const OFFLINE_PAGES = __OFFLINE_PAGES__; // where people go when offline (the sync page): kept even if never opened

// The offline page is the same for everyone, so it is fetched without cookies: it neither shows
// whoever was signed in when the worker installed, nor — its answer arriving just after a sign-in
// on the page — replaces the new session cookie with the one the request carried.
const precacheRequest = (url) => new Request(url, url === OFFLINE_URL ? { credentials: "omit" } : {});

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then((cache) => cache.addAll(PRECACHE.map(precacheRequest)))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((k) => k.startsWith("shell-") && k !== SHELL_CACHE).map((k) => caches.delete(k))
      ))
      .then(() => self.clients.claim())
  );
});

// The pages a signed-in person needs offline though they may never have opened them: fetched with
// their session and kept like any page they opened (signing out clears them with the rest).
async function keepPages() {
  const cache = await caches.open(PAGE_CACHE);
  await Promise.all(OFFLINE_PAGES.map(async (url) => {
    if (await cache.match(url)) return;
    const response = await fetch(url, { credentials: "same-origin" });
    // signed out meanwhile (a redirect to the login page): keep nothing
    if (response.ok && !response.redirected) await cache.put(url, response);
  }));
}

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "clear-pages") {
    event.waitUntil(caches.delete(PAGE_CACHE));
  } else if (event.data && event.data.type === "keep-pages") {
    event.waitUntil(keepPages().catch(() => {}));
  }
});

// Background Sync: send the outbox when the network is back, even with no page open.
self.addEventListener("sync", (event) => {
  if (event.tag === "outbox") event.waitUntil(flush());
});

// Static files carry their content hash in the URL (?v=…), so a cached copy is never stale. Only
// the app shell is precached: every other page's scripts and pictures are kept here the first time
// a page uses them, so a page opened once with signal looks and works the same offline. `keep`
// holds the worker alive until the copy is stored (the response itself does not wait for it).
async function cacheFirst(request, keep) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const copy = response.clone();
    keep(caches.open(STATIC_CACHE).then((cache) => cache.put(request, copy)));
  }
  return response;
}

// Modules imported by other modules have no hash in their URL. Those in the shell are covered by
// the shell's version (a changed module is a new worker with a new shell), so the precached copy is
// the current one: no request on every page load. Any other file without a hash (a feature's module
// such as recorder.js): fresh when online, the copy kept on its last fetch when offline.
async function shellFirst(request, keep) {
  const shell = await caches.open(SHELL_CACHE);
  return (await shell.match(request)) || networkFirst(request, keep, STATIC_CACHE);
}

// Pages: the network first (fresh data), the last copy seen when offline, else the offline page.
async function networkFirst(request, keep, cacheName = PAGE_CACHE) {
  try {
    const response = await fetch(request);
    // no-store pages (a printed login card, a card's sign-in page) are never kept on the phone
    const storable = !/no-store/.test(response.headers.get("Cache-Control") || "");
    if (response.ok && response.type === "basic" && !response.redirected && storable) {
      const copy = response.clone();
      keep(caches.open(cacheName).then((cache) => cache.put(request, copy)));
    }
    return response;
  } catch (err) {
    const cached = await caches.match(request, { ignoreVary: true });
    if (cached) return cached;
    if (cacheName !== PAGE_CACHE) return Response.error();
    const url = new URL(request.url);
    if (url.pathname === "/" || url.pathname === "") {
      // The app opens on / (its start address), which sends a care-mode resident on to the care home
      // page — and a redirect is never kept. So offline, / is this person's newest home page kept.
      const homes = (await Promise.all(HOME_PAGES.map((path) => caches.match(path, { ignoreSearch: true }))))
        .filter(Boolean)
        .sort((a, b) => (Date.parse(b.headers.get("Date")) || 0) - (Date.parse(a.headers.get("Date")) || 0));
      if (homes.length) return homes[0];
    }
    return (await caches.match(OFFLINE_URL)) || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/")) return; // data goes through IndexedDB, not the HTTP cache
  // Keep the worker alive until a copy is stored; a full disk only loses the copy, not the response.
  const keep = (promise) => {
    try {
      event.waitUntil(promise.catch(() => {}));
    } catch (err) { /* the event is over: the copy is still stored, just not waited for */ }
  };
  if (url.pathname.startsWith("/static/") && url.searchParams.has("v")) {
    event.respondWith(cacheFirst(request, keep));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(shellFirst(request, keep));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirst(request, keep));
  }
});

// == push (notices): show a pushed notice, open it when tapped ==
// The payload is the JSON the push worker encrypts: {title, body, url, urgent, tag}.
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (err) {
    data = { title: event.data ? event.data.text() : "" };
  }
  const title = data.title || "掌上四合院";
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || "",
    icon: "/static/icons/icon-192.png",
    badge: "/static/icons/icon-192.png",
    tag: data.tag || undefined,
    requireInteraction: Boolean(data.urgent),
    data: { url: data.url || "/notices/" },
  }));
});

async function openNotice(url) {
  const target = new URL(url || "/notices/", self.location.origin);
  if (target.origin !== self.location.origin) return null; // only ever open our own pages
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const same = windows.find((client) => new URL(client.url).pathname === target.pathname);
  if (same) return same.focus().catch(() => same);
  for (const client of windows) {
    if ("navigate" in client) {
      const opened = await client.navigate(target.href).catch(() => null);
      if (opened) return opened.focus().catch(() => opened);
    }
  }
  return self.clients.openWindow(target.href);
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const opening = openNotice(event.notification.data && event.notification.data.url);
  try {
    event.waitUntil(opening);
  } catch (err) {
    // only a synthetic event (as dispatched in tests) cannot be extended; the page still opens
  }
});
