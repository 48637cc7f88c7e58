// The visit page: "All OK" answers every unanswered checklist item "pass" in one tap (the rep then marks the
// exceptions); a stock count and its "not counted" box exclude each other. Without JavaScript the "All OK"
// button is a plain submit that the server answers the same way.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-all-ok]");
  if (!button) return;
  event.preventDefault();
  document.querySelectorAll("fieldset[data-testid^='choice-check_']").forEach(function (fieldset) {
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
// never overwrites what the rep typed. Before sending, an obviously bad value (negative, not a whole number, loose
// packs of a case or more: SPEC §4) is marked and focused here, and neither sent nor kept on the phone without a
// network; the server stays the judge. After a refused save the page lands on the first field marked, with how
// many need fixing. A promoter's sell-out form (promoters/includes/shift_card.html, marked
// data-stock-form) uses the same two-field entry and gets the same checks on its own rows.
(function () {
  function stockRows(form) {
    if (form && form.hasAttribute("data-stock-form")) return form.querySelectorAll(".stock-row");
    return document.querySelectorAll("#stock .stock-row");
  }
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

  // Without this script the buttons would do nothing: they are drawn hidden (stock_entry.html) and shown here.
  document.querySelectorAll("[data-same-as-last], [data-same-as-last-all]").forEach(function (button) { button.hidden = false; });

  // What is wrong with one typed part, read as the server reads it (ka_portal/formatting.py `_count_text`,
  // `combine_packs`): full-width digits and minus count as plain, spaces are dropped; "" when nothing is.
  function plain(text) {
    return text.replace(/[\uFF10-\uFF19\uFF0D]/g, function (ch) { return String.fromCharCode(ch.charCodeAt(0) - 0xFEE0); })
      .replace(/\u2212/g, "-").replace(/\s/g, "");
  }
  function problem(input) {
    var value = plain(input.value);
    if (value === "") return "";
    if (/^[0-9]+$/.test(value)) return loosePacks(input, value);
    var texts = document.querySelector("[data-stock-messages]").dataset;
    if (/^-[0-9]+$/.test(value)) return texts.negative;
    return input.dataset.part === "cases" ? texts.cases : texts.packs;
  }
  // Loose packs of a case or more (ka_portal/formatting.py `loose_packs_refusal`: the server refuses them whatever the
  // cases beside them), in the row's words with its case size (stock_entry.html `data-loose-packs`). A promoter's
  // sell-out row does not carry them: its packs are left to the server.
  function loosePacks(input, digits) {
    if (input.dataset.part !== "packs") return "";
    var row = input.closest(".stock-row");
    var perCase = row ? parseInt(row.dataset.packsPerCase, 10) : NaN;
    if (!row || !row.dataset.loosePacks || isNaN(perCase)) return "";
    return Number(digits) >= Math.max(perCase, 1) ? row.dataset.loosePacks : "";
  }
  window.KaStockCount = { problem: problem };
  function unmark(input) {
    input.classList.remove("is-invalid");
    input.removeAttribute("aria-invalid");
  }
  function fixMessage(count) {
    var holder = document.getElementById("stock-fix-messages");
    if (!holder) return "";
    var messages = JSON.parse(holder.textContent);
    return messages[count] || messages[Object.keys(messages).length];
  }
  function land(field, banner, text) {
    if (banner && text) {
      banner.textContent = text;
      banner.classList.remove("d-none");
    }
    // a folded product of the sell-out form opens to show its field
    var folded = field.closest("details");
    if (folded) folded.open = true;
    // a checklist answer's radio is drawn as a button: show its whole question
    (field.closest("fieldset") || field).scrollIntoView({ block: "center", behavior: "instant" });
    field.focus({ preventScroll: true });
  }

  // What a refusal marked before (a save, a check-out) goes when it no longer holds: a stock row as soon as it
  // holds a plausible count or is ticked "not counted"; everything when a new check finds something else wrong,
  // so the marks on screen are the ones the banner counts.
  function clearRow(row) {
    row.querySelectorAll("input[data-part]").forEach(unmark);
    var feedback = row.querySelector("[data-testid=stock-error]");
    if (feedback) {
      feedback.textContent = "";
      feedback.classList.remove("d-block");
      feedback.removeAttribute("data-typed");
    }
  }
  function clearMarks(scope) {
    scope.querySelectorAll(".is-invalid").forEach(unmark);
    scope.querySelectorAll("[data-queued-error]").forEach(function (note) { note.remove(); });
    scope.querySelectorAll(".invalid-feedback.d-block").forEach(function (note) {
      if (note.matches("[data-testid=stock-error], [data-error-for]")) note.textContent = "";
      note.classList.remove("d-block");
    });
  }
  // As the rep types, a part the server would refuse (a minus, a letter, a case or more of loose packs) is marked with
  // the rule's words beside it at once, not first at the save; the marks of a row go as soon as it holds a plausible
  // count.
  function showProblems(row, parts) {
    var texts = [];
    parts.forEach(function (input) {
      var text = problem(input);
      if (!text) return unmark(input);
      input.classList.add("is-invalid");
      input.setAttribute("aria-invalid", "true");
      if (texts.indexOf(text) < 0) texts.push(text);
    });
    var feedback = row.querySelector("[data-testid=stock-error]");
    if (!texts.length || !feedback) return false;
    feedback.textContent = texts.join(" ");
    feedback.classList.add("d-block");
    feedback.dataset.typed = "";  // the page's own message: it goes when the value is taken back
    parts.forEach(function (input) {
      if (input.classList.contains("is-invalid")) input.setAttribute("aria-describedby", feedback.id);
    });
    return true;
  }
  function settled(event) {
    var row = event.target.closest && event.target.closest(".stock-row");
    if (!row) return;
    var parts = Array.prototype.slice.call(row.querySelectorAll("input[data-part]"));
    var notCounted = row.querySelector("input[type=checkbox]");
    if (event.target.dataset.part && showProblems(row, parts)) return;
    var feedback = row.querySelector("[data-testid=stock-error]");
    if (feedback && feedback.hasAttribute("data-typed")) {
      feedback.removeAttribute("data-typed");
      return clearRow(row);
    }
    var counted = parts.some(function (input) { return input.value.trim() !== ""; }) &&
      parts.every(function (input) { return !problem(input); });
    if (counted || (notCounted && notCounted.checked)) clearRow(row);
    else if (event.target.dataset.part) unmark(event.target);
  }
  document.addEventListener("input", settled);
  document.addEventListener("change", settled);

  // Capture: runs before any other submit handler on the form (drafts, queue), which a bad value must not reach.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "visit-form" && !form.hasAttribute("data-stock-form")) return;
    var bad = [];
    var rows = stockRows(form);
    var found = Array.prototype.some.call(rows, function (row) {
      return Array.prototype.some.call(row.querySelectorAll("input[data-part]"), function (input) { return problem(input); });
    });
    if (found) clearMarks(form.hasAttribute("data-stock-form") ? form : document.querySelector("[data-visit-sections]") || form);
    rows.forEach(function (row) {
      if (showProblems(row, Array.prototype.slice.call(row.querySelectorAll("input[data-part]")))) {
        bad.push(row.querySelector("input[data-part].is-invalid"));
      }
    });
    if (!bad.length) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    land(bad[0], form.querySelector("[data-fix-count]"), fixMessage(bad.length));
  }, true);

  // After a refused save the server drew the marks: land on the first one (a field, or a checklist item).
  var form = document.querySelector("[data-testid=visit-form], form[data-stock-form]");
  var banner = form && form.querySelector("[data-fix-count]");
  if (banner && !banner.classList.contains("d-none")) {
    var scope = form.hasAttribute("data-stock-form") ? "form[data-stock-form]" : "[data-visit-sections]";
    var marked = document.querySelector(scope + " .is-invalid, " + scope + " .invalid-feedback.d-block");
    if (marked && !marked.matches("input, textarea, select")) {
      var holder = marked.closest("fieldset, .stock-row, section") || form;
      marked = holder.querySelector("input:not([type=hidden]), textarea, select") || marked;
    }
    if (marked) land(marked, null, "");
  }
})();

// ---- Saving without leaving the page (issue 14 items 1 and 4) ---------------------------------------------
// The sections save themselves as they change (a second after the last change, the whole form, through the
// outbox: queue.js, outbox.js); "Save" and "Save and check out" in the bar do the same at once. With a network
// the server's answer shows in the bar (saved, or the fields it refused, marked here); without one the write
// waits on the phone and says so. The bar counts the visit's progress. On a stop's page before check-in
// (data-start) the form opens once the check-in is made, here or waiting in the outbox.
(function () {
  var form = document.querySelector("[data-testid=visit-form]");
  if (!form) return;
  // The page restored whole from the back-forward cache (Back after a check-out shows the visit as it was left,
  // still open): with a network it asks again, the server's page says how the visit now stands and the draft
  // puts back what was typed; without one the copy stays.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && navigator.onLine) window.location.reload();
  });
  var bar = document.querySelector("[data-visit-bar]");
  var sections = document.querySelector("[data-visit-sections]") || form;
  var state = bar && bar.querySelector("[data-save-state]");
  var timer = null;
  var closed = false;

  function path(url) { return new URL(url, window.location.href).pathname; }
  // 24-hour in either language, as the portal writes times everywhere else ("16:36", not "04:36 PM")
  function clock(date) { return date.toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }); }
  function say(kind, when) {
    if (!state) return;
    state.textContent = state.dataset[kind] + (when ? " " + clock(when) : "");
    state.dataset.state = kind;
  }

  // ---- progress: checklist answered, products counted (or marked not counted), photos taken. A count the server
  // refused (too large) or the page marks as wrong (a minus, a letter, a case of loose packs) is not counted: it was
  // not recorded. Its mark goes, and the row counts, once it holds a plausible count again (or is ticked "not
  // counted").
  function rowCounted(row) {
    var box = row.querySelector("input[type=checkbox]");
    if (box && box.checked) return true;
    var parts = row.querySelectorAll("input[data-part]");
    return Array.prototype.some.call(parts, function (i) { return i.value.trim() !== ""; }) &&
      !Array.prototype.some.call(parts, function (i) { return i.classList.contains("is-invalid") || window.KaStockCount.problem(i); });
  }
  // What the fields leave undone, by the names the server's refusal marks: checklist items unanswered (check_<item>),
  // products neither counted nor ticked "not counted" (stock_<product>), as the bar counts them.
  function gaps() {
    var items = sections.querySelectorAll("fieldset[data-testid^='choice-check_']");
    var rows = sections.querySelectorAll(".stock-row");
    var checklist = [];
    var products = [];
    Array.prototype.forEach.call(items, function (item) {
      var radio = item.querySelector("input[type=radio]");
      if (radio && !item.querySelector("input:checked")) checklist.push(radio.name);
    });
    Array.prototype.forEach.call(rows, function (row) {
      var part = row.querySelector("input[data-part]");
      if (part && !rowCounted(row)) products.push(part.name.replace(/_(cases|packs)$/, ""));
    });
    return { items: items.length, rows: rows.length, checklist: checklist, products: products };
  }
  function progress() {
    if (!bar) return;
    var found = gaps();
    // on the server, waiting on the phone (taken here, or on an earlier page and kept in the outbox: photos.js)
    var photos = document.querySelectorAll("#photo-gallery [data-testid=photo], [data-testid=photo-upload][data-state=queued], [data-testid=photo-kept]").length;
    var show = function (name, text) {
      var part = bar.querySelector("[data-progress=" + name + "] [data-progress-value]");
      if (part) part.textContent = text;
    };
    show("checklist", found.items - found.checklist.length + "/" + found.items);
    show("stock", found.rows - found.products.length + "/" + found.rows);
    show("photos", String(photos));
  }

  // ---- what the rep changed on this page: the server records those inputs alone (visits/forms.py VisitForm._read),
  // so a save or check-out from an old copy of the page (kept on the phone, opened without a network) never undoes
  // what the server took since with the blanks or old values that copy shows. An input once sent changed stays
  // named in this page's later writes (a value taken back to the page's own must be sent too).
  // A page drawn again from a refused post shows what was typed, not what the visit holds: those inputs count as
  // changed from the start (data-changed, VisitForm.shown_unsaved).
  var touched = {};
  (form.dataset.changed || "").split(/\s+/).forEach(function (name) { if (name) touched[name] = true; });
  var NOT_FINDINGS = { csrfmiddlewaretoken: 1, action: 1, at: 1, visit: 1, title: 1, offline_next: 1, revision: 1 };
  function changedNames() {
    var now = {};
    var drawn = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      var name = element.name;
      if (!name || NOT_FINDINGS[name] || element.disabled) return;
      if (/^(hidden|file|submit|button|reset|image)$/.test(element.type) || element.tagName === "BUTTON" || element.tagName === "FIELDSET") return;
      now[name] = now[name] || [];
      drawn[name] = drawn[name] || [];
      if (element.type === "radio" || element.type === "checkbox") {
        if (element.checked) now[name].push(element.value);
        if (element.defaultChecked) drawn[name].push(element.value);
      } else if (element.tagName === "SELECT") {
        Array.prototype.forEach.call(element.options, function (option) {
          if (option.selected) now[name].push(option.value);
          if (option.defaultSelected) drawn[name].push(option.value);
        });
      } else {
        now[name].push(element.value);
        drawn[name].push(element.defaultValue);
      }
    });
    Object.keys(now).forEach(function (name) {
      if (JSON.stringify(now[name]) !== JSON.stringify(drawn[name])) touched[name] = true;
    });
    return Object.keys(touched).sort();
  }

  function body(action) {
    var data = new FormData(form);
    data.set("action", action);
    var at = form.querySelector("[data-client-time]");
    if (at) data.set("at", new Date().toISOString());
    data.set("changed", changedNames().join(" "));
    return new URLSearchParams(data);
  }

  // ---- after a save the server took: the copy of this page the phone opens without a network is fetched again
  // (templates/pwa/sw.js), and once it holds the values just saved the drafts stop keeping them for it (drafts.js).
  // Saves come in bursts (a second after each change): the copy is fetched once they pause, one fetch at a time.
  var refreshing = false;
  var wanted = null; // {draft, since}: the latest commit to settle once a copy fetched after it is kept
  var refreshTimer = null;
  function refreshKeptCopy(draft, since) {
    wanted = { draft: draft || (wanted && wanted.draft), since: Math.max(since || 0, wanted ? wanted.since : 0) };
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(fetchKeptCopy, 2000);
  }
  function fetchKeptCopy() {
    if (refreshing) {
      refreshTimer = setTimeout(fetchKeptCopy, 1000);
      return;
    }
    var job = wanted;
    wanted = null;
    if (!job) return;
    var settle = function () { if (job.draft) job.draft.settle(job.since); };
    if (!("serviceWorker" in navigator)) return settle(); // nothing kept on the phone
    refreshing = true;
    var done = function () { refreshing = false; };
    navigator.serviceWorker.getRegistration().then(function (registration) {
      var worker = registration && (registration.active || registration.waiting || registration.installing);
      if (!worker) {
        done();
        return settle();
      }
      if (!window.MessageChannel) return done();
      var channel = new MessageChannel();
      channel.port1.onmessage = function (event) {
        done();
        if (event.data && event.data.kept) settle();
      };
      worker.postMessage({ refresh: [window.location.pathname] }, [channel.port2]);
      setTimeout(done, 30000); // a worker that never answers does not hold the next fetch for ever
    }).catch(done);
  }

  // ---- a refusal: the reason at the top, each refused field marked, the first one shown (for a button press)
  function unmarkAll() {
    sections.querySelectorAll(".is-invalid").forEach(function (element) { element.classList.remove("is-invalid"); });
    sections.querySelectorAll("[data-queued-error]").forEach(function (element) { element.remove(); });
    sections.querySelectorAll("[data-testid=stock-error], [data-error-for]").forEach(function (element) {
      element.textContent = "";
      element.classList.remove("d-block");
    });
    progress();
  }
  function mark(answer, land) {
    unmarkAll();
    var banner = form.querySelector("[data-fix-count]");
    var first = null;
    Object.keys(answer.errors || {}).forEach(function (name) {
      var texts = answer.errors[name].join(" ");
      var inputs = sections.querySelectorAll("[name='" + name + "'], [name='" + name + "_cases'], [name='" + name + "_packs']");
      if (!inputs.length) return;
      var holder = inputs[0].closest("fieldset, .stock-row") || inputs[0].parentNode;
      // a count refused for one of its two parts (cases or packs): only that input is marked, as without JavaScript
      var part = answer.parts && answer.parts[name];
      var wrong = part ? sections.querySelectorAll("[name='" + name + "_" + part + "']") : inputs;
      if (!wrong.length) wrong = inputs;
      wrong.forEach(function (input) { if (input.type !== "radio") input.classList.add("is-invalid"); });
      var note = sections.querySelector("[data-error-for='" + name + "']") || holder.querySelector("[data-testid=stock-error]");
      if (!note) {
        note = document.createElement("div");
        note.className = "invalid-feedback";
        note.dataset.queuedError = "";
        holder.appendChild(note);
      }
      note.textContent = texts;
      note.classList.add("d-block");
      note.removeAttribute("data-typed");  // the server's refusal: it stays until the row holds a count
      first = first || wrong[0];
    });
    if (banner) {
      banner.textContent = answer.message || "";
      banner.classList.toggle("d-none", !answer.message);
    }
    progress(); // a refused count no longer counts
    if (!land) return;
    var target = first || banner;
    if (target) {
      (target.closest("fieldset") || target).scrollIntoView({ block: "center", behavior: "instant" });
      if (target.focus) target.focus({ preventScroll: true });
    }
  }

  // The bar once checked out: "done" (the server has it), "queued" (no network: it waits on the phone) or
  // "uploading" (photos still going up, the check-out sent right after them: the rep may move on).
  function checkedOut(state) {
    closed = true;
    clearTimeout(timer);
    var done = bar.querySelector("[data-checked-out]");
    var text = done.querySelector("[data-checked-out-text]");
    text.textContent = text.dataset[state];
    done.dataset.state = state;
    bar.querySelector("[data-bar-buttons]").hidden = true;
    done.hidden = false;
    Array.prototype.forEach.call(form.elements, function (input) {
      if (input.type !== "hidden") input.disabled = true;
    });
    readOnly(true);
    if (state === "done") {
      // the server has every value: this visit's drafts are done
      try {
        for (var i = localStorage.length - 1; i >= 0; i -= 1) {
          var key = localStorage.key(i);
          if (key && key.indexOf("ka-draft:" + form.dataset.visit) === 0) localStorage.removeItem(key);
        }
      } catch (error) { /* no storage: nothing kept */ }
      (window.kaDrafts || []).forEach(function (draft) { if (draft.form === form) draft.values = {}; });
    }
  }

  // A checked-out visit is read-only, as its page is drawn after a reload: the sections with forms of their own
  // (promotions and displays, photos, competitors) lose their buttons too, and each photo its Remove (the page drawn
  // again has none: _photo_gallery.html); the server refuses them anyway (visit.closed). Photos already on their way
  // keep going (their retry stays).
  var OWN_FORMS = "#promotions form, #photos form[data-photo-form], #photos form[data-photo-remove], #competitors form";
  var HIDDEN_PARTS = "#promotions form [type=submit], #competitors details, #competitors form[hx-confirm], " +
    "#photos form[data-photo-remove]";
  function readOnly(on) {
    document.querySelectorAll(OWN_FORMS).forEach(function (own) {
      Array.prototype.forEach.call(own.elements, function (input) {
        if (input.type !== "hidden" && !input.hasAttribute("data-retry")) input.disabled = on;
      });
    });
    // nothing left to check out: its instructions and reason go, as on the page drawn again
    var checkOut = document.getElementById("check-out");
    if (checkOut) checkOut.hidden = on;
    // "same as last" would still write into the count's (disabled) fields
    document.querySelectorAll("[data-same-as-last], [data-same-as-last-all]").forEach(function (button) { button.disabled = on; });
    // the photo form stays in sight: its queue shows the uploads still going
    document.querySelectorAll(HIDDEN_PARTS).forEach(function (part) { part.hidden = on; });
  }
  // a gallery drawn again (htmx, or photos.js after photos went up from the outbox) comes with its Remove buttons
  document.addEventListener("htmx:afterSwap", function () { if (closed) readOnly(true); });
  document.addEventListener("ka:photos-changed", function () { if (closed) readOnly(true); });

  // A check-out shown early ("uploading") that the server then refused: the visit is open again, to fix.
  function reopen() {
    closed = false;
    bar.querySelector("[data-checked-out]").hidden = true;
    bar.querySelector("[data-bar-buttons]").hidden = false;
    Array.prototype.forEach.call(form.elements, function (input) { input.disabled = false; });
    readOnly(false);
  }

  function send(action, land) {
    if (closed || sections.hasAttribute("inert") || !window.KaQueue) return Promise.resolve(null);
    clearTimeout(timer);
    var sent = body(action); // the form as it is now (the bar below disables its fields)
    if (action === "check_out" && window.KaPhotos) window.KaPhotos.addChosen(); // chosen, "Add photo" not tapped
    if (action === "check_out" && window.KaPhotos && window.KaPhotos.pending()) {
      // photos still going up: the rep is done here; the check-out follows them (one arriving after the
      // check-out would find the visit closed), and the page keeps uploading (leaving it asks first)
      checkedOut("uploading");
      return window.KaPhotos.idle().then(function () { return write(action, land, sent); });
    }
    return write(action, land, sent);
  }

  function write(action, land, sent) {
    say("saving");
    return window.KaQueue.write({
      url: path(form.getAttribute("action")), body: sent.toString(), kind: action === "check_out" ? "check_out" : "save",
      visit: form.dataset.visit, title: (document.querySelector("h1") || {}).textContent || "", page: window.location.pathname,
    }, action === "check_out" ? { refuseKept: incompleteCheckOut } : null).then(function (result) {
      if (result.state === "sent") {
        unmarkAll();
        var banner = form.querySelector("[data-fix-count]");
        if (banner) banner.classList.add("d-none");
        var revision = form.querySelector("[data-revision]");
        if (revision && result.answer.revision) revision.value = revision.defaultValue = result.answer.revision;
        var mine = (window.kaDrafts || []).filter(function (draft) { return draft.form === form; })[0];
        // a check-out's copy too: it shows the visit closed
        refreshKeptCopy(mine, mine ? mine.committed(sent, result.answer.shown) : 0);
        say("saved", new Date());
        forgetRefused();
        Object.keys(result.answer.sections || {}).forEach(function (id) {
          var old = document.getElementById(id);
          if (old) old.outerHTML = result.answer.sections[id];
        });
        if (result.answer.checked_out) checkedOut("done");
      } else if (result.state === "queued") {
        say("queued", new Date());
        if (action === "check_out") checkedOut("queued");
      } else if (result.state === "refused") {
        if (closed && action === "check_out") reopen();
        state.textContent = "";
        mark(result.answer, land);
      } else {
        say("full");
      }
      return result;
    });
  }

  // ---- a check-out kept on the phone (no network) of a visit not done, with no reason given: refused here, with the
  // same sentence at the top and the same gaps marked as the server's answer online, not accepted now to be refused
  // after the rep has left the store. The words are the service's (services.check_out_refusal_words, put in the page:
  // #check-out-offline); the page counts the gaps in its fields as its bar does; what the fields cannot show comes
  // from the server's page: a check-in without a position (on a stop's page, the check-in waiting on this phone), the
  // running promotions not checked when it was drawn (less those saved from this page since, or waiting to upload:
  // the server judges their answers when they arrive). The server stays the judge of what arrives.
  var offlineHolder = document.getElementById("check-out-offline");
  var offline = offlineHolder ? JSON.parse(offlineHolder.textContent) : null;
  var plansSaved = {};
  function planForm(plan) { return document.querySelector("#promotion-" + plan + " form[action]"); }
  document.addEventListener("htmx:afterRequest", function (event) {
    var source = event.detail && event.detail.elt;
    var box = source && source.closest && source.closest("[id^='promotion-']");
    var xhr = event.detail && event.detail.xhr;
    if (!box || !event.detail.successful || (xhr && xhr.getResponseHeader("X-Ka-Refused"))) return;
    plansSaved[box.id.slice("promotion-".length)] = true;
  });
  function counted(pair, count) { return (count === 1 ? pair[0] : pair[1]).replace("{n}", String(count)); }
  function incompleteCheckOut(waiting) {
    if (!offline) return null;
    var reason = form.elements.namedItem("checkout_reason");
    if (reason && reason.value && reason.value.trim()) return null;
    var found = gaps();
    var mine = waiting.filter(function (item) { return item.visit === form.dataset.visit; });
    var noPosition = offline.no_position_now;
    if (noPosition === null) {
      var checkIn = mine.filter(function (item) { return item.kind === "check_in"; })[0];
      noPosition = !!checkIn && !new URLSearchParams(checkIn.body).get("latitude");
    }
    var plans = (offline.promotions_unchecked || []).filter(function (plan) {
      var own = planForm(plan);
      var url = own ? path(own.getAttribute("action")) : null;
      return !plansSaved[plan] && !mine.some(function (item) { return url && item.url === url; });
    });
    var parts = [];
    if (found.checklist.length) parts.push(counted(offline.checklist, found.checklist.length));
    if (found.products.length) parts.push(counted(offline.products, found.products.length));
    if (noPosition) parts.push(offline.no_position);
    if (plans.length) parts.push(counted(offline.promotions, plans.length));
    if (!parts.length) return null;
    var message = offline.message.replace("{missing}", parts.join(offline.separator));
    // in the order of the server's answer: the reason's field, then each gap
    var errors = { checkout_reason: [message] };
    found.checklist.forEach(function (name) { errors[name] = [offline.item]; });
    found.products.forEach(function (name) { errors[name] = [offline.product]; });
    return { message: message, errors: errors, code: "visit.incomplete" };
  }

  // The bar's buttons (after the stock check in the capture phase, which stops a bad value first).
  form.addEventListener("submit", function (event) {
    if (!window.KaQueue || !event.submitter || form.hasAttribute("data-plain-post")) return;
    var action = event.submitter.value;
    if (action !== "save" && action !== "check_out") return;
    event.preventDefault();
    send(action, true);
  });

  function later(event) {
    progress();
    if (event && event.target && !event.target.name) return;
    clearTimeout(timer);
    timer = setTimeout(function () {
      // a value the browser already knows is wrong waits for the rep (the buttons mark it)
      var bad = Array.prototype.some.call(sections.querySelectorAll("input[data-part]"), function (input) {
        return window.KaStockCount.problem(input);
      });
      if (!bad) send("save", false);
    }, 1000);
  }
  document.addEventListener("change", function (event) { if (event.target.form === form) later(event); });
  document.addEventListener("input", function () { progress(); });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-all-ok], [data-same-as-last], [data-same-as-last-all]")) setTimeout(function () { later(null); }, 0);
  });
  // A promotion, display or competitor form is sent (htmx) with an Idempotency-Key, the same for the same values
  // (drafts.js `sendKey`): its answer lost on the way, the write kept in the outbox below carries that key and the
  // server answers it as the first (ka_portal/pages.py once_per_key): one sighting, one check, not two.
  var SECTION_FORMS = "#promotions form[enctype], #competitors form[enctype]";
  function sectionKey(sectionForm) {
    if (sectionForm.kaDraft) return sectionForm.kaDraft.sendKey();
    if (!sectionForm.dataset.sendKey) {
      sectionForm.dataset.sendKey = window.crypto && window.crypto.randomUUID ? window.crypto.randomUUID() : String(Date.now()) + "-" + Math.random().toString(16).slice(2);
    }
    return sectionForm.dataset.sendKey;
  }
  document.addEventListener("htmx:configRequest", function (event) {
    var source = event.detail.elt;
    var sectionForm = source && source.closest && source.closest(SECTION_FORMS);
    if (sectionForm && event.detail.verb === "post") event.detail.headers["Idempotency-Key"] = sectionKey(sectionForm);
  });
  // A section form that could not reach the server (htmx: no network, or the answer lost) goes into the outbox with
  // the visit's other writes, its photos as files, under the key it was sent with; the section says it is kept on
  // the phone (and saved, once the outbox sent it: drafts.js empties a sighting's form then).
  document.addEventListener("htmx:sendError", function (event) {
    var source = event.detail.elt;
    var sectionForm = source && source.closest && source.closest(SECTION_FORMS);
    if (!sectionForm || !window.KaQueue) return;
    var config = event.detail.requestConfig || {};
    var key = (config.headers && config.headers["Idempotency-Key"]) || sectionKey(sectionForm);
    var fields = new URLSearchParams();
    var files = [];
    new FormData(sectionForm).forEach(function (value, name) {
      if (typeof value === "string") fields.append(name, value);
      else if (value.size) files.push({ name: name, blob: value, filename: value.name || "photo.jpg" });
    });
    window.KaQueue.write({
      key: key, url: path(sectionForm.getAttribute("action")), body: fields.toString(), files: files, kind: "check",
      visit: form.dataset.visit, title: (document.querySelector("h1") || {}).textContent || "", page: window.location.pathname,
    }).then(function (result) {
      keptNote(sectionForm, result);
      if ((result.state === "queued" || result.state === "sent") && sectionForm.kaDraft) {
        sectionForm.kaDraft.handOver(key);
        if (result.state === "sent") sectionForm.kaDraft.outboxChanged([], []); // the server has it already
      }
    });
  });
  function keptNote(sectionForm, result) {
    var note = sectionForm.querySelector("[data-kept-note]");
    if (!note) {
      note = document.createElement("p");
      note.className = "small fw-semibold mt-2 mb-0";
      note.dataset.keptNote = "";
      note.dataset.testid = "kept-note";
      sectionForm.appendChild(note);
    }
    var texts = bar ? bar.querySelector("[data-save-state]").dataset : {};
    note.classList.toggle("text-warning", result.state === "queued");
    note.classList.toggle("text-danger", result.state !== "queued" && result.state !== "sent");
    if (result.state === "queued") note.textContent = texts.queued || "";
    else if (result.state === "sent") note.textContent = texts.saved || "";
    else note.textContent = result.answer.message || texts.full || "";
  }
  // a sighting kept on the phone reached the server from the outbox: its form is empty again, the note says saved
  document.addEventListener("ka:draft-taken", function (event) {
    if (event.target.matches && event.target.matches(SECTION_FORMS)) keptNote(event.target, { state: "sent", answer: {} });
  });

  // A section saved on its own (a promotion, a display, a sighting: htmx) or a photo added: the copy of the page
  // kept on the phone is fetched again too, so that reopened without a network it shows them.
  document.addEventListener("htmx:afterRequest", function (event) {
    var source = event.detail && event.detail.elt;
    if (event.detail.successful && source && source.closest && source.closest("#promotions, #competitors, #photos")) {
      refreshKeptCopy(null, 0);
    }
  });
  document.addEventListener("ka:photo-added", function () { refreshKeptCopy(null, 0); });
  document.addEventListener("htmx:afterSwap", progress);
  document.addEventListener("ka:photos-changed", progress);
  document.addEventListener("ka:drafts-restored", progress); // a reopened page: what the drafts put back counts
  progress();

  // A save of this visit the server refused after it waited on the phone: its fields marked again on the page
  // (the values are the draft's); the next save the server takes clears it.
  function refusedHere(refused) {
    return (refused || []).filter(function (item) {
      return item.visit === form.dataset.visit && (item.kind === "save" || item.kind === "check_out");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.KaQueue) return;
    window.KaQueue.onChange(function (waiting, refused) {
      var mine = refusedHere(refused);
      var last = mine[mine.length - 1];
      // `parts`: a count refused for its cases (or packs) marks that input only, as when sent from the page; the
      // refusal's sentence at the top (each field's own reason is beside it), as the server's answer is shown
      var message = last ? last.message || last.reasons.join(" ") : "";
      if (mine.length && !closed) mark({ message: message, errors: last.errors, parts: last.parts }, false);
    });
  });
  // A visit's own page (not a stop's before check-in): the visit is on the server, so a check-in of it refused earlier
  // on this phone (then made again, from Today) no longer holds its writes: they go up.
  document.addEventListener("DOMContentLoaded", function () {
    if (form.hasAttribute("data-start") || !window.KaOutbox || !window.KaQueue) return;
    var visit = form.dataset.visit;
    window.KaOutbox.list("refused").then(function (refused) {
      if (!refused.some(function (item) { return item.kind === "check_in" && item.visit === visit; })) return;
      return window.KaOutbox.forgetRefusedCheckIn(visit).then(function () { return window.KaQueue.upload(); });
    }).catch(function () {});
  });
  function forgetRefused() {
    if (!window.KaOutbox) return;
    window.KaOutbox.list("refused").then(function (refused) {
      var mine = refusedHere(refused);
      if (!mine.length) return;
      return Promise.all(mine.map(function (item) { return window.KaOutbox.remove("refused", item.key); })).then(window.KaQueue.refresh);
    });
  }

  // ---- a stop's page before check-in: opens once the check-in is made (here, or waiting in the outbox)
  if (!form.hasAttribute("data-start")) return;
  var card = document.querySelector("[data-testid=start-check-in]");
  var seen = false;
  function open(at) {
    sections.removeAttribute("inert");
    var notYet = document.querySelector("[data-testid=visit-times]");
    if (notYet) notYet.hidden = true; // "not checked in yet" no longer holds: the note below says when
    if (!card) return;
    card.querySelector("form").hidden = true;
    var note = card.querySelector("[data-checked-in-here]");
    note.textContent = note.dataset.text.replace("{time}", clock(at));
    note.hidden = false;
  }
  // The check-in made here was refused when it went up (its time: the phone's clock set wrong): the page is again
  // before check-in, saying why, its Check in button ready to check in again (with a network the server's time) —
  // not led on to a visit that does not exist. What was recorded stays in the fields (drafts.js) and the writes that
  // wait for the check-in go up after the new one (outbox.js).
  function notCheckedIn(refusal) {
    sections.setAttribute("inert", "");
    var notYet = document.querySelector("[data-testid=visit-times]");
    if (notYet) notYet.hidden = false;
    if (!card) return;
    var checkInForm = card.querySelector("form");
    checkInForm.hidden = false;
    delete checkInForm.dataset.located;
    checkInForm.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = false; });
    card.querySelector("[data-checked-in-here]").hidden = true;
    var error = card.querySelector("[data-check-in-error]");
    if (error) {
      error.textContent = refusal.message || (refusal.reasons || []).join(" ");
      error.hidden = false;
    }
  }
  document.addEventListener("ka:checked-in", function () { open(new Date()); });
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.KaQueue) return;
    window.KaQueue.onChange(function (waiting, refused) {
      var mine = waiting.filter(function (item) { return item.visit === form.dataset.visit; });
      var checkIn = mine.filter(function (item) { return item.kind === "check_in"; })[0];
      var refusedCheckIn = (refused || []).filter(function (item) {
        return item.visit === form.dataset.visit && item.kind === "check_in";
      }).pop();
      if (checkIn) {
        seen = true;
        var sentAt = new URLSearchParams(checkIn.body).get("at");
        open(sentAt ? new Date(sentAt) : new Date(checkIn.at));
        if (mine.some(function (item) { return item.kind === "check_out"; })) checkedOut("queued");
      } else if (refusedCheckIn) {
        if (closed) reopen();
        notCheckedIn(refusedCheckIn);
      } else if (seen && !mine.length && navigator.onLine) {
        // everything of this visit reached the server: on to its page, with the promotions and photos
        window.location.replace(form.getAttribute("action"));
      }
    });
  });
})();
