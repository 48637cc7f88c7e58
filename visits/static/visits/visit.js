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
  var count = row.querySelector("input[type=text]");
  var notCounted = row.querySelector("input[type=checkbox]");
  if (!count || !notCounted) return;
  if (event.target === count && count.value.trim() !== "") notCounted.checked = false;
  if (event.target === notCounted && notCounted.checked) count.value = "";
}
document.addEventListener("input", exclusive);
document.addEventListener("change", exclusive);
