// The display agreement form (evidence/agreements/form.html): once a chain is chosen, the store select offers only
// that chain's stores (each option's data-account), and a store box (past 500 stores) offers, as the user types, only
// the chain's (its lookup narrowed by ?account=<code>, static/js/record-lookup.js). A store of another chain chosen
// before the chain changed is let go, and the page says so beside the store, rather than becoming "every store" in
// silence. The server refuses a store of another chain beside the store either way, so the form works without this.
(function () {
  "use strict";
  var form = document.querySelector("[data-testid=agreement-form]");
  var store = form && form.querySelector("[data-follows]");
  var chain = store && form.querySelector("select[name='" + store.dataset.follows + "']");
  if (!chain) return;
  var lookup = store.dataset.lookup; // a box for the code, past 500 stores
  var note = null;

  function say(text) {
    if (!note) {
      note = document.createElement("div");
      note.className = "form-text text-warning-emphasis";
      note.dataset.testid = "store-let-go";
      note.setAttribute("role", "status");
      store.insertAdjacentElement("afterend", note);
    }
    note.textContent = text;
    note.hidden = !text;
  }

  function narrow(changed) {
    var value = chain.value;
    if (store.tagName === "SELECT") {
      var letGo = false;
      Array.prototype.forEach.call(store.options, function (option) {
        if (!option.dataset.account) return; // every store of the chain
        var other = value !== "" && option.dataset.account !== value;
        if (other && option.selected && !changed) other = false; // as the server drew it: its error says why
        if (other && option.selected) letGo = true;
        option.hidden = other;
        option.disabled = other;
      });
      if (letGo) store.value = "";
      if (changed) say(letGo ? store.dataset.letGo : "");
    } else if (lookup) {
      var chosen = chain.options[chain.selectedIndex];
      var code = chosen && chosen.dataset.code;
      store.dataset.lookup = code
        ? lookup + (lookup.indexOf("?") < 0 ? "?" : "&") + "account=" + encodeURIComponent(code)
        : lookup;
    }
  }

  chain.addEventListener("change", function () {
    narrow(true);
  });
  narrow(false);
})();
