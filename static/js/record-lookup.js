// A box that stands for a long choice of records (ka_portal.lists.RecordChoice past 500: a store, an open invoice): as
// the user types, the records their words find in the API's list of that kind (their own scope, narrowed by the
// list's filters the box's address names) are offered in the box's datalist, the record's key (data-lookup-key: a
// store's code, an invoice's number) and what data-lookup-show names; choosing one puts its key in the box. Without
// this script the box takes a key typed.
(function () {
  "use strict";

  function attach(box) {
    var list = document.getElementById(box.getAttribute("list"));
    if (!list || box.dataset.lookupReady) return;
    box.dataset.lookupReady = "1";
    var key = box.dataset.lookupKey || "code";
    var shown = (box.dataset.lookupShow || "name").split(" ");
    var timer = null;
    var asked = "";
    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      var words = box.value.trim();
      if (!words || words === asked) return;
      timer = window.setTimeout(function () {
        asked = words;
        var address = box.dataset.lookup;
        var url =
          address + (address.indexOf("?") < 0 ? "?" : "&") + "search=" + encodeURIComponent(words) + "&page_size=20";
        window
          .fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (answer) {
            return answer.ok ? answer.json() : { results: [] };
          })
          .then(function (page) {
            if (box.value.trim() !== words) return; // typed on since: a later answer fills the list
            var options = (page.results || []).map(function (record) {
              var option = document.createElement("option");
              option.value = record[key];
              option.textContent = [record[key]]
                .concat(
                  shown.map(function (field) {
                    return record[field];
                  })
                )
                .join(" ");
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
