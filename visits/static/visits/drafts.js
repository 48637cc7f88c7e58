// Drafts of a visit: every value the rep types in a form marked data-draft="<visit uuid>" is kept on this phone
// (localStorage), as it is typed, until the server has it — so a reload, a crash or the back button loses nothing.
//
// Each kept value remembers the server's value it replaced (its "base": what the page showed when it loaded).
// When the page loads again, per field:
//   - the page now shows the kept value → the server has it (saved): the kept value is forgotten;
//   - the page still shows the base → nothing newer reached the server: the kept value is put back;
//   - the page shows something else → it was saved from elsewhere since: the server's value wins.
// A page answering a refused save (data-draft-bound) shows what was posted, not what the server has: nothing is
// restored or forgotten there, and a value first changed on it is kept whatever the server shows later.
// A visit shown as done (data-draft-done="<uuid>", on Today and the closed visit page) drops its drafts.
// The form's fields are read generically (every named input, select and textarea), whatever the sections hold.
// Several forms of one visit each name their part (data-draft-part); forms htmx swaps in are kept as they come.
(function () {
  "use strict";
  var PREFIX = "ka-draft:";
  var MAX_AGE_MS = 14 * 24 * 3600 * 1000; // a draft nobody came back to in two weeks is not coming back
  var SKIPPED_TYPES = { hidden: 1, file: 1, submit: 1, button: 1, reset: 1, image: 1, password: 1 };

  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null; // storage switched off (private mode on some phones): no drafts, the page still works
    }
  }

  function draftKey(form) {
    return PREFIX + form.dataset.draft + (form.dataset.draftPart ? ":" + form.dataset.draftPart : "");
  }

  // name → the form's elements of that name (a radio group, a single input, a select)
  function groups(form) {
    var byName = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.name === "csrfmiddlewaretoken" || SKIPPED_TYPES[element.type]) return;
      if (element.tagName === "FIELDSET" || element.tagName === "BUTTON" || element.tagName === "OUTPUT") return;
      (byName[element.name] = byName[element.name] || []).push(element);
    });
    return byName;
  }

  function valueOf(elements, initial) {
    var values = [];
    elements.forEach(function (element) {
      if (element.type === "radio" || element.type === "checkbox") {
        if (initial ? element.defaultChecked : element.checked) values.push(element.value);
      } else if (element.tagName === "SELECT") {
        Array.prototype.forEach.call(element.options, function (option) {
          if (initial ? option.defaultSelected : option.selected) values.push(option.value);
        });
      } else {
        values.push(initial ? element.defaultValue : element.value);
      }
    });
    return JSON.stringify(values);
  }

  function apply(elements, json) {
    var values = JSON.parse(json);
    var index = 0;
    elements.forEach(function (element) {
      if (element.type === "radio" || element.type === "checkbox") {
        element.checked = values.indexOf(element.value) !== -1;
      } else if (element.tagName === "SELECT") {
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = values.indexOf(option.value) !== -1;
        });
      } else {
        element.value = index < values.length ? values[index] : "";
        index += 1;
      }
    });
  }

  function read(store, key) {
    try {
      var draft = JSON.parse(store.getItem(key) || "null");
      return draft && typeof draft.values === "object" ? draft : null;
    } catch (error) {
      return null;
    }
  }

  function forgetOld(store) {
    var now = Date.now();
    for (var i = store.length - 1; i >= 0; i -= 1) {
      var key = store.key(i);
      if (!key || key.indexOf(PREFIX) !== 0) continue;
      var draft = read(store, key);
      if (!draft || !(now - draft.savedAt < MAX_AGE_MS)) store.removeItem(key);
    }
  }

  function forgetVisit(store, uuid) {
    for (var i = store.length - 1; i >= 0; i -= 1) {
      var key = store.key(i);
      if (key && (key === PREFIX + uuid || key.indexOf(PREFIX + uuid + ":") === 0)) store.removeItem(key);
    }
  }

  function Draft(form, store, banner) {
    this.form = form;
    this.store = store;
    this.banner = banner;
    this.key = draftKey(form);
    this.bound = form.hasAttribute("data-draft-bound");
    this.values = {}; // name → {value, base}; base null: not known (first changed on a refused save's page)
    this.restored = [];
    this.timer = null;
  }

  // Put back what the server does not have yet; forget what it has (see the rule at the top).
  Draft.prototype.restore = function () {
    var draft = read(this.store, this.key);
    if (!draft) return;
    var byName = groups(this.form);
    var self = this;
    Object.keys(draft.values).forEach(function (name) {
      var entry = draft.values[name];
      var elements = byName[name];
      if (!elements || !entry || typeof entry.value !== "string") return;
      if (self.bound) {
        self.values[name] = entry; // the page shows the posted values: keep the draft as it was
        return;
      }
      var shown = valueOf(elements, true);
      if (shown === entry.value) return; // saved
      if (entry.base === null || shown === entry.base) {
        apply(elements, entry.value);
        self.values[name] = entry;
        self.restored.push(name);
      } // else: saved from elsewhere since; the server's value stays
    });
    this.write();
  };

  Draft.prototype.snapshot = function () {
    if (!this.form.isConnected) return; // swapped out by htmx: the form that replaced it keeps the draft now
    var byName = groups(this.form);
    var self = this;
    Object.keys(byName).forEach(function (name) {
      var elements = byName[name];
      var now = valueOf(elements, false);
      var entry = self.values[name];
      var base = entry ? entry.base : self.bound ? null : valueOf(elements, true);
      if (base !== null && now === base) delete self.values[name];
      else if (!entry && self.bound && now === valueOf(elements, true)) return; // untouched on this page
      else self.values[name] = { value: now, base: base };
    });
    this.write();
  };

  Draft.prototype.write = function () {
    try {
      if (Object.keys(this.values).length) {
        this.store.setItem(this.key, JSON.stringify({ savedAt: Date.now(), values: this.values }));
      } else {
        this.store.removeItem(this.key);
      }
      if (this.banner) this.banner.storageFull(false);
    } catch (error) {
      // the phone's storage is full: say so rather than pretend the values are kept
      if (this.banner) this.banner.storageFull(true);
    }
  };

  // The server accepted the form as posted (`sent`: its URLSearchParams body): each field still showing what was
  // sent becomes the page's own value (as if the page had been drawn with it), and its draft entry is forgotten.
  Draft.prototype.committed = function (sent) {
    var byName = groups(this.form);
    var self = this;
    Object.keys(byName).forEach(function (name) {
      var elements = byName[name];
      var now = JSON.parse(valueOf(elements, false));
      if (JSON.stringify(now) !== JSON.stringify(sent.getAll(name))) return; // changed since it was sent
      elements.forEach(function (element) {
        if (element.type === "radio" || element.type === "checkbox") element.defaultChecked = element.checked;
        else if (element.tagName === "SELECT") {
          Array.prototype.forEach.call(element.options, function (option) {
            option.defaultSelected = option.selected;
          });
        } else element.defaultValue = element.value;
      });
      delete self.values[name];
    });
    this.write();
    if (this.banner && this.banner.element && !Object.keys(this.values).length) {
      this.banner.element.querySelector("[data-draft-restored]").hidden = true; // nothing restored is unsaved now
      this.banner.update();
    }
  };

  Draft.prototype.later = function () {
    var self = this;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () {
      self.snapshot();
    }, 250);
  };

  Draft.prototype.now = function () {
    window.clearTimeout(this.timer);
    this.snapshot();
  };

  // Back to the page's (server's) values and forget the draft.
  Draft.prototype.discard = function () {
    var byName = groups(this.form);
    var self = this;
    Object.keys(this.values).forEach(function (name) {
      if (byName[name]) apply(byName[name], valueOf(byName[name], true));
    });
    this.values = {};
    this.restored = [];
    this.write();
  };

  Draft.prototype.listen = function () {
    var self = this;
    var later = function () {
      self.later();
    };
    // a form's fields may stand outside it on the page (form="…"): listen on the page, for this form's fields
    var mine = function (event) {
      if (event.target.form === self.form) later();
    };
    document.addEventListener("input", mine);
    document.addEventListener("change", mine);
    // "All OK" and the stock row's "not counted" change other fields from script, without an input event
    document.addEventListener("click", later);
    this.form.addEventListener("submit", function () {
      self.now(); // kept until a page shows the server has it: a failed send loses nothing
    });
    window.addEventListener("pagehide", function () {
      self.now();
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") self.now();
    });
  };

  function Banner(element, drafts) {
    this.element = element;
    this.drafts = drafts;
    if (!element) return;
    var self = this;
    var discard = element.querySelector("[data-draft-discard]");
    if (discard) {
      discard.addEventListener("click", function () {
        self.drafts.forEach(function (draft) {
          draft.discard();
        });
        self.element.querySelector("[data-draft-restored]").hidden = true;
        self.update();
      });
    }
  }

  Banner.prototype.show = function (count) {
    if (!this.element || !count) return;
    var text = this.element.querySelector("[data-draft-text]");
    text.textContent = count === 1 ? text.dataset.one : text.dataset.many.replace("{n}", String(count));
    this.element.querySelector("[data-draft-restored]").hidden = false;
    this.update();
  };

  Banner.prototype.storageFull = function (full) {
    if (!this.element) return;
    var warning = this.element.querySelector("[data-draft-full]");
    if (warning) warning.hidden = !full;
    this.update();
  };

  Banner.prototype.update = function () {
    if (!this.element) return;
    var shown = this.element.querySelectorAll("[data-draft-restored]:not([hidden]), [data-draft-full]:not([hidden])");
    this.element.hidden = shown.length === 0;
  };

  function start() {
    var store = storage();
    if (!store) return;
    try {
      forgetOld(store);
      document.querySelectorAll("[data-draft-done]").forEach(function (element) {
        forgetVisit(store, element.dataset.draftDone);
      });
    } catch (error) {
      // reading storage failed: nothing to forget
    }
    var drafts = [];
    var banner = new Banner(document.querySelector("[data-draft-banner]"), drafts);
    var restored = 0;
    function track(root) {
      var forms = root.matches && root.matches("form[data-draft]") ? [root] : [];
      Array.prototype.push.apply(forms, root.querySelectorAll ? root.querySelectorAll("form[data-draft]") : []);
      forms.forEach(function (form) {
        if (form.kaDraft) return;
        var draft = (form.kaDraft = new Draft(form, store, banner));
        draft.restore();
        draft.listen();
        drafts.push(draft);
        restored += draft.restored.length;
      });
    }
    track(document);
    banner.show(restored);
    // a section htmx swapped in (saved or refused on its own) brings new forms: keep theirs too
    document.addEventListener("htmx:load", function (event) {
      var before = restored;
      track(event.detail.elt);
      if (restored > before) banner.show(restored);
    });
    window.kaDrafts = drafts; // for the page's other scripts (and tests): kaDrafts[0].now() keeps at once
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
