// The payment form on an account's receivables screen: choosing "By hand" opens the amounts by invoice, where a
// hand allocation is typed (the form refuses one without an amount). The page opens them itself when it comes back
// with that choice.
document.querySelectorAll("[data-payment-form]").forEach((form) => {
  const amounts = form.querySelector("[data-amounts-by-invoice]");
  if (!amounts) return;
  form.addEventListener("change", (event) => {
    const radio = event.target;
    if (radio.type === "radio" && radio.checked && radio.closest("[data-by-hand-choice]")) {
      amounts.open = true;
    }
  });
});
