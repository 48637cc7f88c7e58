// The plan form (promotions/plan_form.html): once an account is chosen, only the products listed at it are offered
// (its stores come from the server with the rules check, promotions/_store_choices.html). The server narrows the
// products the same way once the account is sent, so the form works without this file; a product already picked
// stays shown (the rules panel then says it is not listed there).
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
  narrow();
})();
