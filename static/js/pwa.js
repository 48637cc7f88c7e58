// Registers the service worker (ka_portal/pwa.py, templates/pwa/sw.js) that keeps the app shell and the rep's last
// pages on the phone; the page that was open before it took over asks it to keep that page too.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  var script = document.currentScript;
  var url = script && script.dataset.serviceWorker;
  if (!url) return;
  url += "?lang=" + encodeURIComponent(document.documentElement.lang); // its offline page in the page's language
  function keepThisPage(registration) {
    if (registration.active) registration.active.postMessage({ keep: window.location.href });
  }
  window.addEventListener("load", function () {
    navigator.serviceWorker
      .register(url, { scope: "/" })
      .then(function () {
        if (!navigator.serviceWorker.controller) return navigator.serviceWorker.ready.then(keepThisPage);
      })
      .catch(function () {
        // no worker (an old browser, storage refused): the site works online as before
      });
  });
})();
