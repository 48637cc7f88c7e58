// Check-in: add the phone's position when the rep allows it, then send the form. Never wait long:
// a refused or slow position still checks in (without coordinates).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches("form.check-in-form") || form.dataset.located) return;
  event.preventDefault();
  var buttons = form.querySelectorAll("button[type=submit]");
  buttons.forEach(function (b) { b.disabled = true; });
  var sent = false;
  function send() {
    if (sent) return;
    sent = true;
    form.dataset.located = "1";
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
