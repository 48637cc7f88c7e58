// A promoter's sell-out form (promoters/includes/sell_out_row.html). "As last" fills a product's price seen with the
// last price seen at this store. On sending, the products not sold lately (folded behind one line) open when one of
// them holds something typed, before the visit page's checks (visits/static/visits/visit.js) mark a field there:
// so a marked field is never inside a closed fold.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-price-last]");
  if (!button) return;
  var input = button.parentElement.querySelector("input");
  input.value = button.dataset.priceLast;
  input.classList.remove("is-invalid");
  input.removeAttribute("aria-invalid");
});
// Without this script "As last" would do nothing: it is drawn hidden (sell_out_row.html) and shown here.
document.querySelectorAll("[data-price-last]").forEach(function (button) { button.hidden = false; });
// (On the window, capturing: before visit.js's own capturing check on the document.)
window.addEventListener("submit", function (event) {
  var others = event.target.querySelector("[data-sell-out-others]");
  if (!others || others.open) return;
  var inputs = others.querySelectorAll("input:not([type=hidden])");
  if (Array.prototype.some.call(inputs, function (input) { return input.value.trim() !== ""; })) others.open = true;
}, true);
// The phone's time of the report, as it is sent. The server takes it only from a report kept offline by the service
// worker and uploaded later from the outbox (outbox.js: `X-Queue-Replay`, ka_portal/pages.py replayed), held to the
// check-in's window (promoters/phone_services.py); one sent at once is timed by the server's clock.
window.addEventListener("submit", function (event) {
  if (!event.target.matches("form[data-stock-form]")) return;
  var at = event.target.querySelector("[data-client-time]");
  if (at) at.value = new Date().toISOString();
}, true);
// Values the phone kept and put back (drafts.js: after a reload, or My day opened from the phone after a save kept
// offline) are shown: each product holding one opens, and the fold of the products not sold lately around it.
document.addEventListener("ka:drafts-restored", function () {
  document.querySelectorAll("form[data-stock-form] details").forEach(function (fold) {
    var inputs = fold.querySelectorAll("input:not([type=hidden])");
    if (Array.prototype.some.call(inputs, function (input) { return input.value !== input.defaultValue; })) fold.open = true;
  });
});
