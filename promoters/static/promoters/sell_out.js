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
