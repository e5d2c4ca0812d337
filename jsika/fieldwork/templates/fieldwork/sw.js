/* e-JSiKa Lapangan service worker, version {{ version }}.
 * Caches the app shell (field pages, styles, scripts) and the caseload JSON so a pendamping can open the
 * field app with no signal. Pages and the caseload are network-first (fresh when online), static files
 * cache-first. Writes never go through here: the page queues them in IndexedDB and syncs itself. */
"use strict";
var CACHE = "jsika-lapangan-{{ version|escapejs }}";
var SCOPE = "{{ scope|escapejs }}";
var CASELOAD = "{{ caseload_url|escapejs }}";
var LOGIN = "{{ login_url|escapejs }}";
var SHELL = [{% for url in shell %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
var ASSETS = [{% for url in assets %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
var OFFLINE_PAGE = "<!doctype html><html lang=id><meta charset=utf-8><meta name=viewport content='width=device-width,initial-scale=1'>" +
  "<title>Luring</title><body style='font-family:sans-serif;padding:2rem;color:#0b3d6e'><h1>Anda sedang luring</h1>" +
  "<p>Halaman ini belum tersimpan di perangkat. Buka <a href='" + SCOPE + "'>Hari ini</a> atau formulir kunjungan; " +
  "catatan tetap tersimpan dan dikirim saat ada sinyal.</p></body></html>";

function put(cache, url, response) {
  if (response && response.ok && !response.redirected && response.type === "basic") {
    return cache.put(url, response);
  }
  return Promise.resolve();
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(ASSETS.concat(SHELL).map(function (url) {
      return fetch(url, { credentials: "same-origin" }).then(function (r) { return put(cache, url, r); })
        .catch(function () { /* cached on the next visit */ });
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("jsika-lapangan-") === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function networkFirst(request, fallbackUrl) {
  return caches.open(CACHE).then(function (cache) {
    return fetch(request).then(function (response) {
      // Sent elsewhere (a navigation's redirect is opaque; for field pages it means the login page: the session
      // ended or someone else logs in) — forget the cached pages of the previous session.
      if (response.type === "opaqueredirect" || (response.redirected && new URL(response.url).pathname.indexOf(LOGIN) === 0)) {
        return caches.delete(CACHE).then(function () { return response; });
      }
      // A page opened with a query (?keluarga=…) is not the shell: keep only the plain address.
      if (!new URL(request.url).search) { put(cache, request, response.clone()); }
      return response;
    }).catch(function () {
      return cache.match(request, { ignoreSearch: true }).then(function (hit) {
        if (hit) { return hit; }
        return (fallbackUrl ? cache.match(fallbackUrl) : Promise.resolve(null)).then(function (page) {
          return page || new Response(OFFLINE_PAGE, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
        });
      });
    });
  });
}

function cacheFirst(request) {
  return caches.open(CACHE).then(function (cache) {
    // Stylesheets ask for fonts with a version query (bootstrap-icons.woff2?abc…): same file.
    return cache.match(request, { ignoreSearch: true }).then(function (hit) {
      return hit || fetch(request).then(function (response) { put(cache, request, response.clone()); return response; });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (ASSETS.indexOf(url.pathname) >= 0) { event.respondWith(cacheFirst(request)); return; }
  if (url.pathname === CASELOAD) { event.respondWith(networkFirst(request, null)); return; }
  if (request.mode === "navigate" && url.pathname.indexOf(SCOPE) === 0) {
    event.respondWith(networkFirst(request, SCOPE));
  }
});
