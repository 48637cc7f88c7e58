{% autoescape off %}// KA Portal's service worker (ka_portal/pwa.py renders it): the app shell from the cache, pages from the network
// with the last copy kept for when there is none. Version {{ version }}.
"use strict";
const SETTINGS = {{ settings }};
const SHELL_CACHE = "ka-shell-{{ version }}";
const PAGES_CACHE = "ka-pages"; // the rep's last views: kept across versions, dropped at sign-out
const PAGES = SETTINGS.pages.map((source) => new RegExp(source));

function isPage(url) {
  return url.origin === self.location.origin && PAGES.some((pattern) => pattern.test(url.pathname));
}

self.addEventListener("install", (event) => {
  // one by one: a file that fails to load must not stop the worker from installing
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => Promise.all(SETTINGS.shell.map((url) => cache.add(url).catch(() => null))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(keys.filter((key) => key.startsWith("ka-shell-") && key !== SHELL_CACHE).map((key) => caches.delete(key)))
      )
      .then(() => self.clients.claim())
  );
});

// Where the offline page leads, and what it says is kept: a promoter's My day where the phone keeps it (this
// user's pages only: they are dropped at sign-out, and a rep's Today is 403 to a promoter, never kept), else a rep's
// Today. Read from what the phone keeps, not built into this script: the browser fetches the script anew only some
// pages after a sign-in, and the first offline page after it must already lead to the user's own day.
function landing() {
  const first = SETTINGS.landings[0];
  return caches
    .open(PAGES_CACHE)
    .then((cache) => Promise.all(SETTINGS.landings.map((one) => cache.match(one.home, { ignoreVary: true }))))
    .then((kept) => SETTINGS.landings.find((one, n) => kept[n]) || first)
    .catch(() => first);
}

function offlinePage(text) {
  return landing().then((where) => {
    const html =
      `<!doctype html><html lang="${SETTINGS.lang}"><head><meta charset="utf-8">` +
      `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${SETTINGS.offline_title}</title></head>` +
      `<body style="font-family: system-ui, sans-serif; padding: 1rem"><h1>${SETTINGS.offline_title}</h1>` +
      `<p>${text || where.text}</p><p><a href="${where.home}">${where.link}</a></p></body></html>`;
    return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
  });
}

// Sign-outs since the worker started: a page asked for before one is not kept after it (the next user of the phone
// would find it). Today's load asks for its visits in progress; signed out right after, their answers came back
// after the pages were dropped and put them back.
let signOuts = 0;

function keepPage(request, response, since) {
  // only a page really shown to the signed-in user (not a redirect to the sign-in page, not an error)
  if (since === signOuts && response.ok && !response.redirected && response.type === "basic") {
    const copy = response.clone();
    caches.open(PAGES_CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

function networkFirst(request) {
  const since = signOuts;
  return fetch(request)
    .then((response) => keepPage(request, response, since))
    .catch(() =>
      caches.match(request, { cacheName: PAGES_CACHE, ignoreVary: true }).then((cached) => cached || offlinePage(null))
    );
}

function staleWhileRevalidate(event) {
  const request = event.request;
  return caches.match(request, { ignoreVary: true }).then((cached) => {
    const fresh = fetch(request).then((response) => {
      if (response.ok) {
        const copy = response.clone();
        caches.open(SHELL_CACHE).then((cache) => cache.put(request, copy));
      }
      return response;
    });
    if (cached) {
      event.waitUntil(fresh.catch(() => null));
      return cached;
    }
    return fresh;
  });
}

// Visit writes that could not be sent wait in the outbox (visits/static/visits/outbox.js, shared with the pages).
importScripts(SETTINGS.outbox);

function tellPages() {
  return self.clients.matchAll({ type: "window" }).then((pages) => pages.forEach((page) => page.postMessage({ outbox: true })));
}

// A visit form posted (navigated) without a network: keep the post in the outbox and show the page to carry on
// with (kept in the cache: the visit page, the stop's page for a check-in, Today after a check-out), where
// drafts.js puts the typed values back and queue.js says how many wait.
// The post goes with an Idempotency-Key from its first send, and waits under that key: a post that reached the
// server but whose answer was lost is then answered as the first when it goes up (pages.once_per_key), never
// recorded twice.
function sendOrQueue(request, url) {
  const key = self.KaOutbox.newKey();
  return request.blob().then((posted) => {
    // a navigation's request cannot be given a header: the same post, made again with the key (the server's
    // redirect handed back to the browser as it is, to follow)
    const headers = { "Idempotency-Key": key };
    if (request.headers.get("Content-Type")) headers["Content-Type"] = request.headers.get("Content-Type");
    const first = { method: "POST", body: posted, headers: headers, credentials: "same-origin", redirect: "manual" };
    return fetch(url.href, first).then(
      (answer) => {
        // a check-in (Today's, posted as a form) reached the server: the stops' pages kept say so, once the visit's
        // page it leads to has loaded
        if (url.pathname === SETTINGS.check_in) setTimeout(refreshStops, 3000);
        return answer;
      },
      () => queue(posted, url, key)
    );
  });
}

function queue(posted, url, key) {
  return posted
    .text()
    .then((body) => {
      const form = new URLSearchParams(body);
      const checkIn = url.pathname === SETTINGS.check_in;
      // a rep's visit check-out (the visit page's form, Today after it) and a promoter's shift check-out (its card)
      const visitCheckOut = form.get("action") === "check_out";
      // the kind by the step posted, a rep's or a promoter's (ka_portal/pwa.py step_kinds): the outbox's page says
      // what to do next for a refused check-in or check-out by it (queue.js nextStep), not "correct the values"
      const kind = SETTINGS.check_ins.some((p) => new RegExp(p).test(url.pathname))
        ? "check_in"
        : visitCheckOut || SETTINGS.check_outs.some((p) => new RegExp(p).test(url.pathname))
          ? "check_out"
          : "save";
      const next = visitCheckOut ? SETTINGS.today : form.get("offline_next") || url.pathname;
      return self.KaOutbox.put({
        key: key,
        url: url.pathname,
        body: body,
        kind: kind,
        // what a check-in opens, whose other writes its refusal holds (outbox.js isHeld): a rep's visit, or a
        // promoter's shift (its card's forms name it, `shift_key`: promoters/includes/shift_card.html)
        visit: checkIn ? form.get("uuid") : form.get("visit") || form.get("shift_key"),
        title: form.get("title") || "",
        page: form.get("offline_next") || url.pathname,
      }).then(() => {
        tellPages();
        if (self.registration.sync) self.registration.sync.register("ka-outbox").catch(() => null);
        return Response.redirect(new URL(next, self.location.origin).href, 303);
      });
    })
    .catch(() => offlinePage(SETTINGS.queue_full)); // storage refused (full): said, not silently dropped
}

// A page kept on the phone fetched again, now (the server has moved on: a save, an upload): resolves whether the
// fresh copy is kept. The copy a phone opens without a network is then the server's latest, not the one from
// before what the rep saved since.
function refreshPage(path) {
  const url = new URL(path, self.location.origin);
  if (!isPage(url)) return Promise.resolve(false);
  url.hash = "";
  const request = new Request(url.href, { credentials: "same-origin" });
  const since = signOuts;
  return fetch(request)
    .then((response) => {
      keepPage(request, response, since);
      return since === signOuts && response.ok && !response.redirected;
    })
    .catch(() => false);
}

function refreshPages(pages) {
  return Promise.all([...new Set(pages || [])].map(refreshPage));
}

// The stops' pages kept on the phone, fetched again after a check-in or check-out reached the server: each says
// which visit is still open ("You are still checked in at …"), and one of a store checked in at today now leads to
// that visit (the server redirects there: kept as that redirect, with the visit's page under its own address), so
// opened without a network none shows the day as it was before.
const STOP_PAGE = new RegExp(SETTINGS.stop_page);

function refreshStop(address) {
  const request = new Request(address, { credentials: "same-origin" });
  const since = signOuts;
  return fetch(request)
    .then((response) => {
      if (since !== signOuts || !response.ok || response.type !== "basic") return null;
      if (!response.redirected) return keepPage(request, response, since);
      const landed = new URL(response.url);
      if (!isPage(landed) || STOP_PAGE.test(landed.pathname)) return null;
      // a redirected answer cannot answer a page's address itself: the redirect, and the page it led to as its own
      const headers = new Headers(response.headers);
      ["Content-Encoding", "Content-Length"].forEach((name) => headers.delete(name)); // the body as read: plain
      return response.blob().then((body) =>
        caches.open(PAGES_CACHE).then((cache) =>
          Promise.all([
            cache.put(request, Response.redirect(landed.href, 302)),
            cache.put(new Request(landed.href), new Response(body, { status: 200, headers: headers })),
          ])
        )
      );
    })
    .catch(() => null);
}

function refreshStops() {
  // (looked up without opening the cache when there is none: opening it would make it again after a sign-out)
  return caches
    .has(PAGES_CACHE)
    .then((kept) => (kept ? caches.open(PAGES_CACHE).then((cache) => cache.keys()) : []))
    .then((requests) =>
      Promise.all(
        requests.filter((one) => STOP_PAGE.test(new URL(one.url).pathname)).map((one) => refreshStop(one.url))
      )
    )
    .catch(() => null);
}

// Background Sync: the browser wakes the worker when the network is back, even with every page closed.
self.addEventListener("sync", (event) => {
  if (event.tag !== "ka-outbox") return;
  event.waitUntil(
    self.KaOutbox.drain(null).then((outcome) =>
      // the pages whose writes reached the server, and Today (its stops' states), kept anew
      (outcome.sent ? landing().then((where) => refreshPages([...outcome.pages, where.home])) : Promise.resolve())
        .then(() => (outcome.moved ? refreshStops() : null))
        .then(tellPages)
        .then(() => {
          if (outcome.left) throw new Error("not all uploaded: the browser tries again later");
        })
    )
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && request.mode === "navigate" && SETTINGS.queued.some((p) => new RegExp(p).test(url.pathname))) {
    event.respondWith(sendOrQueue(request, url));
    return;
  }
  if (request.method === "POST" && url.pathname === SETTINGS.logout) {
    // signed out: the pages kept on this phone are the user's, not the next one's
    signOuts += 1;
    event.respondWith(caches.delete(PAGES_CACHE).then(() => fetch(request)));
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname.startsWith(SETTINGS.static_prefix)) {
    event.respondWith(staleWhileRevalidate(event));
  } else if (request.mode === "navigate") {
    event.respondWith(isPage(url) ? networkFirst(request) : fetch(request).catch(() => offlinePage(null)));
  }
});

// A page opened before the worker took over asks to be kept (the first visit page of a new phone), and Today
// asks for its visits in progress. A page whose writes reached the server asks for its copy to be fetched again
// (`refresh`: the visit page after a save in place, the pages of an upload): the answer, on the message's port,
// says whether the fresh copy is kept (drafts.js then forgets the values the old copy lacked).
self.addEventListener("message", (event) => {
  const data = event.data || {};
  const port = event.ports && event.ports[0];
  if (data.refresh) {
    event.waitUntil(
      refreshPages(data.refresh).then((kept) => {
        if (port) port.postMessage({ kept: kept.length > 0 && kept[0] === true });
        if (data.stops) return refreshStops(); // a check-in or check-out reached the server
      })
    );
    return;
  }
  const url = data.keep ? new URL(data.keep, self.location.origin) : null;
  if (!url || !isPage(url)) return;
  url.hash = "";
  const request = new Request(url.href, { credentials: "same-origin" });
  // only a page not kept yet, or kept in another language than the asking page's (the rep switched language; the
  // server names a page's language in Content-Language): opening it refreshes it (network first), so Today's loads
  // stay light
  const lang = event.data.lang;
  const current = (kept) => kept && (!lang || kept.headers.get("Content-Language") === lang);
  // (looked up without opening the cache: opening it would make it again after a sign-out)
  const since = signOuts;
  event.waitUntil(
    caches
      .match(request, { cacheName: PAGES_CACHE, ignoreVary: true })
      .then((kept) => (current(kept) ? kept : fetch(request).then((response) => keepPage(request, response, since))))
      .catch(() => null)
  );
});
{% endautoescape %}
