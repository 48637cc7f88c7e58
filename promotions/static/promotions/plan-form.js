// The plan form (promotions/plan_form.html): once an account is chosen, only the products listed at it are offered
// (its stores come from the server with the rules check, promotions/_store_choices.html). The server narrows the
// products the same way once the account is sent, so the form works without this file; a product already picked
// stays shown (the rules panel then says it is not listed there).
//
// A new plan's form keeps what it sent in its own history entry (history.state): the browser's Back to it after the
// save draws the page anew with a new key and, for the boxes that take no autofill (prices, volumes, fees), empty.
// This puts back what was sent and the key it was sent with, so the form shows what was saved, the rules check says
// which plan it saved (views._saved_with), and sending it again is answered as the first send, not made a second plan.
(function () {
  var form = document.getElementById("plan-form");
  var account = form && form.querySelector("select[name=account]");
  if (!account) return;
  function narrow() {
    var code = account.value;
    form.querySelectorAll("option[data-accounts]").forEach(function (option) {
      var listed = code === "" || option.dataset.accounts.split(" ").indexOf(code) >= 0;
      option.hidden = !listed && !option.selected;
      option.disabled = !listed && !option.selected;
    });
  }
  account.addEventListener("change", narrow);

  var KEPT = "promotionPlanForm";
  // stores_for says which account's stores the page lists: left as the server drew it, so the check lists them again
  var NOT_KEPT = ["csrfmiddlewaretoken", "stores_for"];
  function named() {
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name && NOT_KEPT.indexOf(field.name) < 0 && field.type !== "submit" && field.type !== "button";
    });
  }
  function keep() {
    var values = {};
    named().forEach(function (field) {
      if (field.type === "checkbox" || field.type === "radio") {
        values[field.name] = values[field.name] || [];
        if (field.checked) values[field.name].push(field.value);
      } else {
        values[field.name] = field.value;
      }
    });
    var state = Object.assign({}, history.state || {});
    state[KEPT] = values;
    history.replaceState(state, "");
  }
  function restore(values, only) {
    named().forEach(function (field) {
      if (!(field.name in values) || (only && field.name !== only)) return;
      var value = values[field.name];
      if (field.type === "checkbox" || field.type === "radio") field.checked = value.indexOf(field.value) >= 0;
      else field.value = value;
    });
  }

  var creating = !form.querySelector("input[name=plan_id]");
  var kept = creating && history.state && history.state[KEPT];
  if (creating) form.addEventListener("submit", keep);
  if (kept) {
    restore(kept);
    // The account's stores come with the first check (out of band): tick the ones sent, then check again with them.
    var storesPending = (kept.stores || []).length > 0;
    document.body.addEventListener("htmx:oobAfterSwap", function (event) {
      if (!storesPending || !event.detail.target || event.detail.target.id !== "store-choices") return;
      storesPending = false;
      restore(kept, "stores");
      form.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }
  narrow();
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    // Back to the page as it was kept whole (bfcache): its key is the one sent; the check says which plan it saved.
    narrow();
    form.dispatchEvent(new Event("change", { bubbles: true }));
  });
})();
