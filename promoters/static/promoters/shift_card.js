// A shift's card on the promoter's phone (promoters/includes/shift_card.html): what the phone does by itself, so a
// day worked without a network goes up whole when the network is back (the outbox: visits/static/visits/outbox.js,
// queue.js; the service worker keeps a step posted offline there, after those waiting, and shows My day as kept).
//   - A check-in waiting on the phone: said in place of its button, with the phone's time, and the day's sell-out
//     and the check-out (drawn hidden before the check-in) open beside it: each is kept after the check-in and goes
//     up after it. A check-out waiting: said in place of its button.
//   - An early check-out (more than KA.promoter_early_before_minutes before the shift's end, by the phone's clock,
//     as the server counts it: promoters/phone_rules.py check_check_out) is asked here before anything is sent, in
//     the server's words, and only the answer ("Check out early": leave_early) is sent: kept offline without it, the
//     check-out was refused when it went up, with a question no one could answer any more.
//   - A kept check-in the server refused holds the shift's later writes on the phone until the shift is checked in
//     again (below), as a rep's refused visit check-in holds the visit's.
// Loaded after queue.js (both deferred).
(function () {
  "use strict";

  function path(url) {
    return new URL(url, window.location.href).pathname;
  }
  // 24-hour in either language, as the portal writes times ("16:36", not "04:36 PM"; visit.js alike)
  function clock(date) {
    return date.toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  }
  // the phone's time a step was made at: its form's `at` (checkin.js fills it as it is sent), else when it was kept
  function madeAt(write) {
    var sent = new URLSearchParams(write.body || "").get("at");
    var date = sent ? new Date(sent) : new Date(write.at);
    return isNaN(date.getTime()) ? new Date(write.at) : date;
  }
  function say(note, date) {
    if (!note) return;
    note.textContent = note.dataset.text.replace("{time}", clock(date));
    note.hidden = false;
  }

  // ---- the early check-out's question, asked on the phone
  function howEarly(text, minutes) {
    if (minutes >= parseInt(text.dataset.hoursFrom, 10)) {
      return text.dataset.hours.replace("{h}", String(Math.floor(minutes / 60))).replace("{m}", String(minutes % 60));
    }
    return (minutes === 1 ? text.dataset.minute : text.dataset.minutes).replace("{m}", String(minutes));
  }

  function ask(card, form, now, minutes) {
    var question = card.querySelector("[data-early-question]");
    var text = question.querySelector("[data-early-text]");
    text.textContent = text.dataset.question.replace("{at}", clock(now)).replace("{time}", howEarly(text, minutes));
    form.hidden = true;
    card.dataset.asking = "1";
    question.hidden = false;
    question.scrollIntoView({ block: "nearest" });
  }

  // (On the window, capturing: before checkin.js sends the form with the phone's position.)
  window.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!form.matches || !form.matches("form[data-check-out]")) return;
      var card = form.closest("[data-testid=shift-card]");
      var ends = new Date(form.dataset.earlyEnds);
      var after = parseInt(form.dataset.earlyAfter, 10);
      if (!card || !card.querySelector("[data-early-question]") || isNaN(ends.getTime()) || isNaN(after)) return;
      var now = new Date();
      // whole minutes as the two times are shown, each to its minute (promoters/attendance.py whole_minutes)
      var early = Math.floor(ends.getTime() / 60000) - Math.floor(now.getTime() / 60000);
      if (early <= after) return; // at the end, or near enough: one tap
      event.preventDefault();
      event.stopPropagation();
      ask(card, form, now, early);
    },
    true
  );

  // "Keep working" on a question the phone asked: the check-out button again, nothing sent (on the question the
  // server asked it is a link back to the card).
  document.addEventListener("click", function (event) {
    var stay = event.target.closest("[data-keep-working]");
    var card = stay && stay.closest("[data-testid=shift-card]");
    var form = card && card.querySelector("form[data-check-out]");
    if (!form || !card.dataset.asking) return;
    event.preventDefault();
    delete card.dataset.asking;
    card.querySelector("[data-early-question]").hidden = true;
    form.hidden = false;
  });

  // ---- steps waiting in the outbox
  function waitingFor(waiting, form) {
    if (!form) return null;
    var url = path(form.action);
    var mine = waiting.filter(function (write) {
      return write.url === url;
    });
    return mine.length ? mine[mine.length - 1] : null;
  }

  function showWaiting(waiting) {
    document.querySelectorAll("[data-testid=shift-card]").forEach(function (card) {
      var checkIn = waitingFor(waiting, card.querySelector("form[data-check-in]"));
      var checkOutForm = card.querySelector("form[data-check-out]");
      var checkOut = waitingFor(waiting, checkOutForm || card.querySelector("[data-early-question] form"));
      if (checkIn) {
        card.querySelector("form[data-check-in]").hidden = true;
        say(card.querySelector("[data-checked-in-here]"), madeAt(checkIn));
        card.querySelectorAll("[data-after-check-in]").forEach(function (step) {
          if (step !== checkOutForm || !card.dataset.asking) step.hidden = false;
        });
      }
      if (checkOut) {
        if (checkOutForm) checkOutForm.hidden = true;
        var question = card.querySelector("[data-early-question]");
        if (question) question.hidden = true;
        delete card.dataset.asking;
        say(card.querySelector("[data-checked-out-here]"), madeAt(checkOut));
      }
    });
  }

  // ---- a kept check-in the server refused (its time, the phone's clock set wrong; too early): the shift's later
  // writes (its sell-out, its check-out) wait on the phone (outbox.js isHeld: the forms name the shift, `shift_key`),
  // rather than going up to find no check-in. The card says to check in again first; once it shows the shift checked
  // in (drawn by the server after the new check-in: data-checked-in), the refusal is done with and they go up.
  function refusedCheckIn(refused, key) {
    return refused.some(function (item) { return item.kind === "check_in" && item.visit === key; });
  }

  function showRefused(waiting, refused) {
    var outbox = window.KaOutbox;
    var holding = outbox.refusedCheckIns(refused);
    var released = [];
    document.querySelectorAll("[data-testid=shift-card][data-shift-key]").forEach(function (card) {
      var key = card.dataset.shiftKey;
      var refusedHere = refusedCheckIn(refused, key);
      if (refusedHere && card.hasAttribute("data-checked-in")) released.push(key);
      var note = card.querySelector("[data-check-in-refused]");
      if (!note) return;
      note.hidden = !refusedHere || card.hasAttribute("data-checked-in");
      note.querySelector("[data-held-here]").hidden = !waiting.some(function (write) {
        return write.visit === key && outbox.isHeld(write, holding);
      });
    });
    if (!released.length) return;
    Promise.all(released.map(function (key) { return outbox.forgetRefusedCheckIn(key); }))
      .then(function () { return window.KaQueue.upload(); })
      .catch(function () {});
  }

  if (window.KaQueue) {
    window.KaQueue.onChange(function (waiting, refused) {
      showWaiting(waiting);
      showRefused(waiting, refused || []);
    });
  }
})();
