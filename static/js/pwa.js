// Registers the service worker (ka_portal/pwa.py, templates/pwa/sw.js) that keeps the app shell and the rep's last
// pages on the phone; each page asks it to keep that page too.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  var script = document.currentScript;
  var url = script && script.dataset.serviceWorker;
  if (!url) return;
  url += "?lang=" + encodeURIComponent(document.documentElement.lang); // its offline page in the page's language
  function keep(registration, urls) {
    if (!registration.active) return;
    urls.forEach(function (page) {
      // with the page's language: a page kept in another language (the rep switched) is fetched again
      registration.active.postMessage({ keep: page, lang: document.documentElement.lang });
    });
  }
  window.addEventListener("load", function () {
    // pages linked with data-offline-keep (Today's visits in progress) are kept before the rep opens them
    var linked = Array.prototype.map.call(document.querySelectorAll("a[data-offline-keep]"), function (link) {
      return link.href;
    });
    navigator.serviceWorker
      .register(url, { scope: "/" })
      .then(function () {
        // The page itself too: one that came before the worker took over, or through it as the end of a redirect (a
        // sign-in lands on Today that way, and a redirected answer is not kept) is not held yet; the worker fetches
        // only what it does not hold (in the page's language), so asking costs nothing otherwise.
        var pages = [window.location.href].concat(linked);
        return navigator.serviceWorker.ready.then(function (registration) {
          keep(registration, pages);
        });
      })
      .catch(function () {
        // no worker (an old browser, storage refused): the site works online as before
      });
  });
})();
