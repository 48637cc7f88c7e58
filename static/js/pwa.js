// Registers the service worker (ka_portal/pwa.py, templates/pwa/sw.js) that keeps the app shell and the rep's last
// pages on the phone; the page that was open before it took over asks it to keep that page too.
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
        var controlled = !!navigator.serviceWorker.controller;
        var pages = controlled ? linked : [window.location.href].concat(linked);
        if (pages.length) {
          return navigator.serviceWorker.ready.then(function (registration) {
            keep(registration, pages);
          });
        }
      })
      .catch(function () {
        // no worker (an old browser, storage refused): the site works online as before
      });
  });
})();
