// The outbox on the page (outbox.js keeps it): "N waiting to upload", the reasons of writes the server refused,
// and the upload itself — when the network returns (the `online` event), at every page load, from the button,
// and in the background through the service worker (Background Sync) where the browser has it.
// `KaQueue.write(write)` is how visit.js sends: straight to the server when nothing waits, else (or with no
// network) into the outbox, after what waits, so a check-in always arrives before its visit's saves.
(function () {
  "use strict";
  var box = document.querySelector("[data-queue]");
  if (!window.indexedDB || !window.KaOutbox) return;
  var outbox = window.KaOutbox;
  var sending = false;
  var listeners = [];
  var RETRY_MS = 15000;

  function token() {
    var field = document.querySelector("[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function text(element, count) {
    return count === 1 ? element.dataset.one : element.dataset.many.replace("{n}", String(count));
  }

  // Why a write was refused, in a sentence or two: the server's own sentence, and what it says of each field only
  // when that is short (a check-out refused for 22 products is one sentence; the visit page marks each field).
  function reasonsOf(write, part) {
    // no reason in the answer (a whole page from Django's 403/404): why, from its status, in the rep's language
    var byStatus = { 403: part.dataset.forbidden, 404: part.dataset.gone, 410: part.dataset.gone }[write.status];
    var unsaid = [byStatus || part.dataset.other + " (" + write.status + ")"];
    // kept by an older page: its reasons only
    if (write.message === undefined) return write.reasons && write.reasons.length ? write.reasons : unsaid;
    var reasons = write.message ? [write.message] : [];
    var said = write.said || [];
    if (!write.code && said.length <= 3) reasons = reasons.concat(said);
    if (!reasons.length) reasons = said.length ? said.slice(0, 3) : unsaid;
    return reasons;
  }

  // What to do next, for the kind of refusal: a check-in to make again (after setting the phone's clock, which its
  // refusal asks), a visit to complete before checking out again, values to correct; nothing for a visit gone, no
  // longer the rep's or closed meanwhile, nor for a time too old to be recorded at all. A rep's visit and a
  // promoter's shift alike (the service worker files a shift's check-in and check-out by their kind, sw.js; their
  // time's refusals are visit.time_… and shift.time_…), each page wording the step for its own (upload_queue.html).
  function nextStep(write, part) {
    var texts = part.dataset;
    var time = /\.(time_ahead|time_too_old)$/.exec(write.code || "");
    if (time && time[1] === "time_too_old") return "";
    if (write.kind === "check_in" && write.status === 400) return texts.checkInAgain || "";
    if (time && write.kind === "check_out") return texts.checkOutAgain || "";
    if (write.code === "visit.incomplete") return texts.completeVisit || "";
    return write.status === 400 && texts.fix ? texts.fix : "";
  }

  function showRefused(refused, waiting) {
    var part = box.querySelector("[data-queue-refused]");
    var items = part.querySelector("ul");
    items.textContent = "";
    var holding = outbox.refusedCheckIns ? outbox.refusedCheckIns(refused) : {};
    refused.forEach(function (write) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = write.page;
      link.textContent = write.title || write.page;
      item.appendChild(link);
      // the page's title, then why, joined as the rep's language writes it ("{name}：{message}" in Chinese)
      var said = part.dataset.said || "{name}: {message}";
      var colon = said.slice(said.indexOf("{name}") + 6, said.indexOf("{message}"));
      var next = nextStep(write, part);
      item.appendChild(document.createTextNode(colon + reasonsOf(write, part).join(" ") + (next ? " " + next : "")));
      // a refused check-in holds its visit's other writes on the phone: how many, and that "Got it" drops them
      var held = write.kind === "check_in" && holding[write.visit] ? waiting.filter(function (other) {
        return outbox.isHeld(other, holding) && other.visit === write.visit;
      }) : [];
      var heldText = held.length === 1 ? part.dataset.heldOne : part.dataset.heldMany;
      if (held.length && heldText) {
        var wait = document.createElement("span");
        wait.className = "d-block";
        wait.dataset.testid = "upload-held";
        wait.textContent = heldText.replace("{n}", String(held.length));
        item.appendChild(wait);
      }
      var dismiss = document.createElement("button");
      dismiss.type = "button";
      dismiss.className = "btn btn-link btn-sm p-0 ms-2 align-baseline";
      dismiss.textContent = part.dataset.dismiss;
      dismiss.addEventListener("click", function () {
        Promise.all(held.map(function (other) { return outbox.remove("writes", other.key); }))
          .then(function () { return outbox.remove("refused", write.key); })
          .then(refresh);
      });
      item.appendChild(dismiss);
      items.appendChild(item);
    });
    part.hidden = refused.length === 0;
  }

  // Redraw from the outbox: the badge, the refusals, and each listener (the visit page, Today's stops).
  var drawn = 0; // the latest redraw asked: an older one that answers later draws nothing (no doubled lines)
  function refresh() {
    var mine = (drawn += 1);
    return Promise.all([outbox.list("writes"), outbox.list("refused")])
      .then(function (both) {
        var waiting = both[0];
        if (mine !== drawn) return waiting;
        if (box) {
          box.querySelector("[data-queue-text]").textContent = text(box.querySelector("[data-queue-text]"), waiting.length);
          box.querySelector("[data-queue-waiting]").hidden = waiting.length === 0;
          showRefused(both[1], waiting);
          box.hidden = waiting.length === 0 && both[1].length === 0;
        }
        listeners.forEach(function (listener) {
          listener(waiting, both[1]);
        });
        return waiting;
      })
      .catch(function () {
        return []; // IndexedDB refused (private mode): nothing was kept on this phone
      });
  }

  function backgroundSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready
      .then(function (registration) {
        if (registration.sync) return registration.sync.register("ka-outbox");
      })
      .catch(function () {
        // no Background Sync (Safari, Firefox): the next page load or the `online` event uploads
      });
  }

  // The pages whose writes reached the server, and Today, fetched again into the service worker's cache: a page
  // opened later without a network is the server's latest, not the copy from before the upload. After a check-in or
  // check-out (`moved`) the stops' pages kept on the phone too: each says which visit is still open.
  function refreshKept(pages, moved) {
    if (!("serviceWorker" in navigator)) return;
    var today = box ? box.dataset.today : null;
    navigator.serviceWorker.ready
      .then(function (registration) {
        if (!registration.active) return;
        registration.active.postMessage({ refresh: pages.concat(today ? [today] : []), stops: !!moved });
      })
      .catch(function () {});
  }

  function upload() {
    if (sending) return Promise.resolve(null);
    sending = true;
    return outbox
      .drain(token())
      .catch(function () {
        return null;
      })
      .then(function (outcome) {
        sending = false;
        if (outcome && outcome.sent) refreshKept(outcome.pages || [], outcome.moved);
        return refresh().then(function (waiting) {
          // a write kept while this upload ran (it listed the outbox before): send it too (not those held for
          // their visit's check-in, which wait for the rep)
          if (outcome && !outcome.stopped && waiting.length > (outcome.held || 0)) upload();
          return outcome;
        });
      });
  }

  // Send one write from the page: resolves {state: "sent" | "refused" | "queued", answer}. Straight to the server
  // (timed by its clock) when nothing waits before it; writes held for their visit's check-in do not stand in the
  // way of another check-in of that visit (the rep checking in again), which goes first and lets them go.
  // `options.refuseKept(waiting)`: what the server would refuse, known on the phone (an incomplete check-out): an
  // answer as the server's, refused here rather than kept to be refused after the rep left the store.
  function write(item, options) {
    return Promise.all([outbox.list("writes"), outbox.list("refused")]).then(function (both) {
      var waiting = both[0];
      var holding = outbox.refusedCheckIns(both[1]);
      var before = waiting.filter(function (other) { return !outbox.isHeld(other, holding); });
      var direct = before.length === 0 && navigator.onLine !== false && !sending;
      var sent = direct ? outbox.send(item, token()) : Promise.resolve({ state: "kept" });
      return sent.then(function (result) {
        if (result.state === "sent") {
          var moved = item.kind === "check_in" || item.kind === "check_out";
          if (moved) refreshKept([], true);
          if (item.kind === "check_in" && holding[item.visit]) {
            // checked in again: the refusal is done with, and what it held goes up behind it
            outbox.forgetRefusedCheckIn(item.visit).then(upload, refresh);
          }
        }
        if (result.state !== "kept") return result; // the page shows the answer itself
        var refusal = options && options.refuseKept ? options.refuseKept(waiting) : null;
        if (refusal) return { state: "refused", answer: refusal, status: 400, here: true };
        return outbox
          .put(item)
          .then(function () {
            backgroundSync();
            return refresh();
          })
          .then(function () {
            // the network may be back already (no `online` event to come): try at once, then on the timer
            if (navigator.onLine !== false) upload();
            return { state: "queued", answer: {} };
          })
          .catch(function () {
            return { state: "full", answer: {} }; // storage refused: said by the caller, never silently dropped
          });
      });
    });
  }

  window.KaQueue = {
    write: write,
    upload: upload,
    refresh: refresh,
    onChange: function (listener) {
      listeners.push(listener);
    },
  };

  if (box) box.querySelector("[data-queue-send]").addEventListener("click", upload);
  window.addEventListener("online", upload);
  if ("serviceWorker" in navigator) {
    // the service worker uploaded in the background, or kept a form posted with no network
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.outbox) refresh();
    });
  }

  // Today: a stop checked in on this phone whose check-in waits says so; a check-in at a store without a card (one
  // not on the route, "Visit another of my stores") is listed above the stops. Once writes have gone up (from
  // here or the service worker), Today is drawn again by the server: the stops as they now stand. The service worker
  // may upload before this page hears the network is back (its `online` event comes later): the redraw then waits
  // for that event rather than being forgotten (the stops kept saying "in progress" after the check-out went up).
  var lastWaiting = null;
  var redrawDue = false;
  function redrawToday() {
    // not while this page uploads (a write cut off mid-way): its end redraws from the outbox and comes back here
    if (!redrawDue || sending || navigator.onLine === false) return false;
    if (!document.querySelector("[data-reload-after-upload]")) return false;
    window.location.reload();
    return true;
  }
  window.addEventListener("online", redrawToday);
  listeners.push(function (waiting) {
    if (lastWaiting !== null && waiting.length < lastWaiting) redrawDue = true;
    lastWaiting = waiting.length;
    if (redrawToday()) return;
    var pending = {};
    waiting.forEach(function (item) {
      pending[item.visit] = true;
    });
    var elsewhere = document.querySelector("[data-queued-check-ins]");
    if (elsewhere) {
      var list = elsewhere.querySelector("ul");
      list.textContent = "";
      waiting.forEach(function (item) {
        if (item.kind !== "check_in" || document.querySelector("[data-stop-visit='" + item.visit + "']")) return;
        var line = document.createElement("li");
        line.textContent = elsewhere.dataset.text.replace("{store}", item.title || "");
        list.appendChild(line);
      });
      elsewhere.hidden = !list.children.length;
    }
    // "You are still checked in at …": not for a visit whose check-out waits on this phone (a copy of the page kept
    // from before it, opened without a network)
    document.querySelectorAll("[data-still-open-visit]").forEach(function (line) {
      line.hidden = waiting.some(function (item) {
        return item.kind === "check_out" && item.visit === line.dataset.stillOpenVisit;
      });
    });
    document.querySelectorAll("[data-testid=still-open-visits]").forEach(function (reminder) {
      reminder.hidden = !reminder.querySelector("[data-still-open-visit]:not([hidden])");
    });
    document.querySelectorAll("[data-stop-visit]").forEach(function (card) {
      var waits = !!pending[card.dataset.stopVisit];
      var mark = card.querySelector("[data-stop-waiting]");
      if (mark) mark.hidden = !waits;
      var checkIn = card.querySelector("form.check-in-form");
      var carryOn = card.querySelector("[data-stop-continue]");
      if (checkIn && carryOn) {
        checkIn.hidden = waits;
        carryOn.hidden = !waits;
      }
    });
  });

  function start() {
    refresh().then(function (waiting) {
      if (waiting.length && navigator.onLine !== false) upload();
    });
    // a network that comes back without an `online` event (a flaky cell, a captive portal let go) is tried
    // every 15 s while something waits
    window.setInterval(function () {
      if (navigator.onLine === false || sending) return;
      outbox.list("writes").then(function (waiting) {
        if (waiting.length) upload();
      }, function () {});
    }, RETRY_MS);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
