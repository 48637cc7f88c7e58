// Saves made without a network (kept in IndexedDB by the service worker, templates/pwa/sw.js): "N waiting to
// upload", sent oldest first when the network returns (the `online` event, the next page load, or the button),
// each with its Idempotency-Key. A save the server refuses (400: a rule, a bad value) or that finds the visit
// closed elsewhere is taken out of the queue and its reasons shown; the values stay in the visit's draft
// (drafts.js) for the rep to fix and save again. Background Sync is not used: the page sends.
(function () {
  "use strict";
  var box = document.querySelector("[data-queue]");
  if (!box || !window.indexedDB) return;
  var text = box.querySelector("[data-queue-text]");
  var refusals = box.querySelector("[data-queue-refused]");
  var sending = false;

  function openQueue() {
    return new Promise(function (resolve, reject) {
      var opening = indexedDB.open("ka-offline", 1);
      opening.onupgradeneeded = function () {
        opening.result.createObjectStore("writes", { keyPath: "key" });
      };
      opening.onsuccess = function () {
        resolve(opening.result);
      };
      opening.onerror = function () {
        reject(opening.error);
      };
    });
  }

  function request(db, mode, work) {
    return new Promise(function (resolve, reject) {
      var transaction = db.transaction("writes", mode);
      var answer = work(transaction.objectStore("writes"));
      transaction.oncomplete = function () {
        resolve(answer && answer.result);
      };
      transaction.onerror = function () {
        reject(transaction.error);
      };
    });
  }

  function waiting(db) {
    return request(db, "readonly", function (store) {
      return store.getAll();
    }).then(function (writes) {
      return (writes || []).sort(function (a, b) {
        return a.at - b.at;
      });
    });
  }

  function forget(db, key) {
    return request(db, "readwrite", function (store) {
      store.delete(key);
    });
  }

  function show(count) {
    text.textContent = count === 1 ? text.dataset.one : text.dataset.many.replace("{n}", String(count));
    box.querySelector("[data-queue-waiting]").hidden = count === 0;
    box.hidden = count === 0 && refusals.hidden;
  }

  function refused(write, html, otherwise) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var reasons = [];
    page.querySelectorAll(".alert-danger, .invalid-feedback").forEach(function (element) {
      var said = element.textContent.trim();
      if (said && reasons.indexOf(said) === -1) reasons.push(said);
    });
    if (!reasons.length) reasons.push(otherwise);
    var item = document.createElement("li");
    var link = document.createElement("a");
    var title = page.querySelector("h1");
    link.href = write.url;
    link.textContent = title ? title.textContent.trim() : write.url;
    item.appendChild(link);
    item.appendChild(document.createTextNode(": " + reasons.join(" ")));
    refusals.querySelector("ul").appendChild(item);
    refusals.hidden = false;
  }

  function token() {
    var field = document.querySelector("[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // One write: true when the server answered (accepted or refused: out of the queue), false to keep it.
  function sendOne(db, write) {
    var body = new URLSearchParams(write.body);
    if (token()) body.set("csrfmiddlewaretoken", token()); // this page's: the session may have rotated it
    return fetch(write.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Idempotency-Key": write.key },
    }).then(function (response) {
      if (response.status >= 500) return false; // the server failed: try again later
      var landed = new URL(response.url).pathname;
      var checkOut = body.get("action") === "check_out";
      return response.text().then(function (html) {
        var form = html.indexOf('data-testid="visit-form"') !== -1;
        if (response.ok) {
          if (landed === write.url && !form && !checkOut) {
            refused(write, html, refusals.dataset.closed); // the visit was closed elsewhere before it arrived
          } else if (!(landed === write.url || (checkOut && landed === box.dataset.today))) {
            return false; // somewhere else (the sign-in page: the session ended): keep it until signed in again
          }
        } else {
          refused(write, html, refusals.dataset.other + " (" + response.status + ")");
        }
        return forget(db, write.key).then(function () {
          return true;
        });
      });
    });
  }

  function sendAll() {
    if (sending || !navigator.onLine) return;
    sending = true;
    var sent = 0;
    openQueue()
      .then(function (db) {
        return waiting(db).then(function (writes) {
          var next = function (index) {
            if (index >= writes.length) return null;
            return sendOne(db, writes[index]).then(function (done) {
              if (!done) return null;
              sent += 1;
              return next(index + 1);
            });
          };
          return next(0).then(function () {
            return waiting(db);
          });
        });
      })
      .then(function (left) {
        show(left.length);
        // everything went and nothing was refused: show the server's values (the drafts then clear themselves)
        if (sent && !left.length && refusals.hidden) window.location.reload();
      })
      .catch(function () {
        // no network after all: the writes stay queued
      })
      .then(function () {
        sending = false;
      });
  }

  box.querySelector("[data-queue-send]").addEventListener("click", sendAll);
  window.addEventListener("online", sendAll);
  openQueue()
    .then(waiting)
    .then(function (writes) {
      show(writes.length);
      if (writes.length) sendAll();
    })
    .catch(function () {
      // IndexedDB refused (private mode): nothing was queued on this phone
    });
})();
