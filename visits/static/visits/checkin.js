// Check-in: add the phone's position when the rep allows it, and the phone's time of the tap, then send. The server
// takes that time only from a check-in kept offline and uploaded later from the outbox (outbox.js: `X-Queue-Replay`,
// ka_portal/pages.py replayed); one sent at once is timed by its own clock, whatever the phone's says. Never wait
// long: a refused or slow position still checks in (without coordinates). On a stop's own page (data-in-place) the
// check-in goes through the outbox (queue.js): with a network the visit page opens; without one the check-in waits on
// the phone and the visit is recorded on this page (visit.js unlocks it).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches("form.check-in-form") || form.dataset.located) return;
  event.preventDefault();
  var buttons = form.querySelectorAll("button[type=submit]");
  buttons.forEach(function (b) { b.disabled = true; });
  var sent = false;
  function inPlace() {
    var error = document.querySelector("[data-check-in-error]");
    var body = new URLSearchParams(new FormData(form)).toString();
    var named = form.querySelector("input[name=title]"); // the store's name, as the outbox lists it
    window.KaQueue.write({
      url: new URL(form.action).pathname, body: body, kind: "check_in", visit: form.dataset.visit,
      title: (named && named.value) || document.title, page: window.location.pathname,
    }).then(function (result) {
      if (result.state === "sent") return window.location.replace(result.answer.url);
      if (result.state === "queued") return document.dispatchEvent(new CustomEvent("ka:checked-in"));
      buttons.forEach(function (b) { b.disabled = false; });
      delete form.dataset.located;
      if (error) {
        error.textContent = result.answer.message || error.dataset.full || "";
        error.hidden = false;
      }
    });
  }
  function send() {
    if (sent) return;
    sent = true;
    form.dataset.located = "1";
    var at = form.querySelector("[data-client-time]");
    if (at) at.value = new Date().toISOString();
    // the store chosen from a list ("Visit another of my stores"): named in the outbox if the check-in waits there
    var title = form.querySelector("[data-title-from-store]");
    var chosen = form.querySelector("select[name=store]");
    if (title && chosen && chosen.selectedOptions[0]) title.value = chosen.selectedOptions[0].dataset.name || "";
    if (form.hasAttribute("data-in-place") && window.KaQueue) return inPlace();
    form.submit();
  }
  if (!navigator.geolocation) return send();
  setTimeout(send, 6000);
  navigator.geolocation.getCurrentPosition(function (position) {
    form.querySelector("[name=latitude]").value = position.coords.latitude.toFixed(6);
    form.querySelector("[name=longitude]").value = position.coords.longitude.toFixed(6);
    send();
  }, send, { enableHighAccuracy: true, timeout: 5000, maximumAge: 60000 });
});
// (Today and My day, restored by Back from the back-forward cache, ask the server again: js/fresh-on-back.js.)
