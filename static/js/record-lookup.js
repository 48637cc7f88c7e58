// A box that stands for a long choice of records (ka_portal.lists.RecordChoice past 500 stores): as the user types,
// the records their words find in the API's list of that kind (their own scope, by code or name) are offered in the
// box's datalist, "code name"; choosing one puts its code in the box. Without this script the box takes a code typed.
(function () {
  "use strict";

  function attach(box) {
    var list = document.getElementById(box.getAttribute("list"));
    if (!list || box.dataset.lookupReady) return;
    box.dataset.lookupReady = "1";
    var timer = null;
    var asked = "";
    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      var words = box.value.trim();
      if (!words || words === asked) return;
      timer = window.setTimeout(function () {
        asked = words;
        var url = box.dataset.lookup + "?q=" + encodeURIComponent(words) + "&page_size=20";
        window
          .fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (answer) {
            return answer.ok ? answer.json() : { results: [] };
          })
          .then(function (page) {
            if (box.value.trim() !== words) return; // typed on since: a later answer fills the list
            var options = (page.results || []).map(function (record) {
              var option = document.createElement("option");
              option.value = record.code;
              option.textContent = record.code + " " + record.name;
              return option;
            });
            list.replaceChildren.apply(list, options);
          })
          .catch(function () {
            // offline or refused: the box still takes a code typed
          });
      }, 250);
    });
  }

  document.querySelectorAll("input[data-lookup][list]").forEach(attach);
})();
