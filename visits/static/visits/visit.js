// The visit page: "All OK" answers every unanswered checklist item "pass" in one tap (the rep then marks the
// exceptions); a stock count and its "not counted" box exclude each other. Without JavaScript the "All OK"
// button is a plain submit that the server answers the same way.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-all-ok]");
  if (!button) return;
  event.preventDefault();
  button.form.querySelectorAll("fieldset[data-testid^='choice-check_']").forEach(function (fieldset) {
    if (fieldset.querySelector("input[type=radio]:checked")) return;
    var pass = fieldset.querySelector("input[type=radio][value=pass]");
    if (pass) pass.checked = true;
  });
});

function exclusive(event) {
  var row = event.target.closest(".stock-row");
  if (!row) return;
  var parts = row.querySelectorAll("input[data-part]");
  var notCounted = row.querySelector("input[type=checkbox]");
  if (!parts.length || !notCounted) return;
  if (event.target.dataset.part && event.target.value.trim() !== "") notCounted.checked = false;
  if (event.target === notCounted && notCounted.checked) parts.forEach(function (input) { input.value = ""; });
}
document.addEventListener("input", exclusive);
document.addEventListener("change", exclusive);

// ---- Stock count (visits/includes/stock_entry.html) -------------------------------------------------------
// "Same as last count": a product's button copies its last count into its two fields; the button for all
// fills only products with a last count whose fields are both empty and not ticked "not counted", so it
// never overwrites what the rep typed. Before sending, an obviously bad value (negative, not a whole number)
// is marked and focused here; the server stays the judge. After a refused save the page lands on the first
// field marked, with how many need fixing.
(function () {
  function stockRows() { return document.querySelectorAll("#stock .stock-row"); }
  function part(row, name) { return row.querySelector("input[data-part=" + name + "]"); }
  function isEmpty(row) { return part(row, "cases").value.trim() === "" && part(row, "packs").value.trim() === ""; }
  function fillFromLast(row) {
    part(row, "cases").value = row.dataset.lastCases;
    part(row, "packs").value = row.dataset.lastPacks;
    var notCounted = row.querySelector("input[type=checkbox]");
    if (notCounted) notCounted.checked = false;
    row.querySelectorAll("input[data-part]").forEach(unmark);
  }

  document.addEventListener("click", function (event) {
    var one = event.target.closest("[data-same-as-last]");
    if (one) {
      fillFromLast(one.closest(".stock-row"));
      return;
    }
    if (!event.target.closest("[data-same-as-last-all]")) return;
    stockRows().forEach(function (row) {
      var notCounted = row.querySelector("input[type=checkbox]");
      if (row.dataset.lastCases === undefined || !isEmpty(row) || (notCounted && notCounted.checked)) return;
      fillFromLast(row);
    });
  });

  function digits(text) {  // full-width digits (a Chinese keyboard) count as digits, as on the server
    return text.trim().replace(/[\uFF10-\uFF19]/g, function (ch) { return String.fromCharCode(ch.charCodeAt(0) - 0xFEE0); });
  }
  function problem(input) {
    var value = digits(input.value).replace(/\s/g, "");
    if (value === "" || /^[0-9]+$/.test(value)) return "";
    var texts = document.querySelector("[data-stock-messages]").dataset;
    if (/^[-\u2212\uFF0D][0-9]+$/.test(value)) return texts.negative;
    return input.dataset.part === "cases" ? texts.cases : texts.packs;
  }
  function unmark(input) {
    input.classList.remove("is-invalid");
    input.removeAttribute("aria-invalid");
  }
  function fixMessage(count) {
    var messages = JSON.parse(document.getElementById("stock-fix-messages").textContent);
    return messages[count] || messages[Object.keys(messages).length];
  }
  function land(field, banner, text) {
    if (banner && text) {
      banner.textContent = text;
      banner.classList.remove("d-none");
    }
    // a checklist answer's radio is drawn as a button: show its whole question
    (field.closest("fieldset") || field).scrollIntoView({ block: "center", behavior: "instant" });
    field.focus({ preventScroll: true });
  }

  document.addEventListener("input", function (event) {
    if (event.target.dataset && event.target.dataset.part) unmark(event.target);
  });

  // Capture: runs before any other submit handler on the form (drafts, queue), which a bad value must not reach.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.querySelector || !form.querySelector("#stock")) return;
    var bad = [];
    stockRows().forEach(function (row) {
      var first = null;
      var texts = [];
      row.querySelectorAll("input[data-part]").forEach(function (input) {
        var text = problem(input);
        if (!text) return;
        input.classList.add("is-invalid");
        input.setAttribute("aria-invalid", "true");
        texts.push(text);
        first = first || input;
      });
      if (!first) return;
      var feedback = row.querySelector("[data-testid=stock-error]");
      feedback.textContent = texts.join(" ");
      feedback.classList.add("d-block");
      bad.push(first);
    });
    if (!bad.length) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    land(bad[0], form.querySelector("[data-fix-count]"), fixMessage(bad.length));
  }, true);

  // After a refused save the server drew the marks: land on the first one (a field, or a checklist item).
  var form = document.querySelector("[data-testid=visit-form]");
  var banner = form && form.querySelector("[data-fix-count]");
  if (banner && !banner.classList.contains("d-none")) {
    var marked = form.querySelector(".is-invalid, .invalid-feedback.d-block");
    if (marked && !marked.matches("input, textarea, select")) {
      var holder = marked.closest("fieldset, .stock-row, section") || form;
      marked = holder.querySelector("input:not([type=hidden]), textarea, select") || marked;
    }
    if (marked) land(marked, null, "");
  }
})();
