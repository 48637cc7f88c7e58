// The plan form (promotions/plan_form.html): once an account is chosen, only its stores and the products listed at
// it are offered. The server narrows both lists the same way once the account is sent, so the form works without
// this file; a product already picked stays shown (the rules panel then says it is not listed there).
(function () {
  var form = document.getElementById("plan-form");
  var account = form && form.querySelector("select[name=account]");
  if (!account) return;
  function narrow() {
    var code = account.value;
    form.querySelectorAll("[data-store-account]").forEach(function (choice) {
      var other = code !== "" && choice.dataset.storeAccount !== code;
      var box = choice.querySelector("input");
      if (other && box.checked) box.checked = false;  // another chain's store: the save would refuse it
      choice.hidden = other;
    });
    form.querySelectorAll("option[data-accounts]").forEach(function (option) {
      var listed = code === "" || option.dataset.accounts.split(" ").indexOf(code) >= 0;
      option.hidden = !listed && !option.selected;
      option.disabled = !listed && !option.selected;
    });
  }
  account.addEventListener("change", narrow);
  narrow();
})();
