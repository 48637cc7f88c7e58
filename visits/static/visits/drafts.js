// Drafts of a visit: every value the rep types in a form marked data-draft="<visit uuid>" is kept on this phone
// (localStorage), as it is typed, until a page shows the server has it — so a reload, a crash, the back button or
// an old copy of the page opened without a network loses nothing.
//
// Each kept value remembers the values it replaced (its "bases": what pages showed before it: the page as drawn,
// then each value the server took from this page since). When a page loads, per field:
//   - the page shows the kept value → the server has it: the kept value is forgotten;
//   - the page shows one of the bases → the page is older than the kept value: the kept value is put back. One the
//     server already took (saved in place, "saved") is put back as the page's own value (the copy catches up), and
//     is not counted as unsaved;
//   - the page shows something else → it was saved from elsewhere since: the server's value wins.
// A value the server took stays kept (marked saved) until the copy of the page the phone opens without a network
// is known to hold it (visit.js asks the service worker to fetch it again, then calls `settle`), or a page shows it.
// A page answering a refused save (data-draft-bound) shows what was posted, not what the server has: nothing is
// restored or forgotten there, and a value first changed on it is kept whatever the server shows later.
// A visit shown as done (data-draft-done="<uuid>", on Today and the closed visit page) drops its drafts.
// The form's fields are read generically (every named input, select and textarea), whatever the sections hold.
// Several forms of one visit each name their part (data-draft-part); forms htmx swaps in are kept as they come.
// A form that adds a record each time it is sent (data-draft-add: a competitor sighting) is drawn empty again once
// the server took it: drawn so by the server's answer (data-draft-taken), its draft is done; sent from the outbox
// later (the form's write handed over to it, `handOver`), its draft is done once the write left the outbox without
// a refusal, and the form is emptied.
// Each form's write carries one Idempotency-Key for its values (`sendKey`): sent again (its answer lost, then kept
// in the outbox; the form sent again after a reload) it is recorded once; a value changed makes a new one.
// A value a write waiting in the phone's outbox carries (outbox.js: a save made with no network, a form posted offline)
// is not "unsaved": the banner says it waits to upload, and "Discard" leaves it (the upload would send it anyway);
// once that write has left the outbox without a refusal the server has it (marked saved, as above), and the banner
// no longer counts it.
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
    // name → {value, bases, saved, savedAt}: bases null: not known (first changed on a refused save's page);
    // saved: the server took it (savedAt, when), kept for an older copy of the page
    this.values = {};
    this.restored = [];
    this.queued = {}; // name → the value the outbox's latest waiting write of this form carries
    this.queuedWrites = null; // key → {name: value}: the waiting writes of this form, as last seen
    this.timer = null;
    this.sending = null; // {key, handed}: the key of the values as sent; handed: that write waits in the outbox
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }

  // An entry as kept; one kept before bases were a list had a single base.
  function entryOf(kept) {
    if (!kept || typeof kept.value !== "string") return null;
    var bases = Array.isArray(kept.bases) ? kept.bases : typeof kept.base === "string" ? [kept.base] : null;
    var entry = { value: kept.value, bases: bases };
    if (kept.saved) {
      entry.saved = true;
      entry.savedAt = kept.savedAt || 0;
    }
    return entry;
  }

  function adding(list, value) {
    return list.indexOf(value) === -1 ? list.concat([value]) : list;
  }

  // The fields' values as the page's own (as if the page had been drawn with them).
  function makeDefault(elements) {
    elements.forEach(function (element) {
      if (element.type === "radio" || element.type === "checkbox") element.defaultChecked = element.checked;
      else if (element.tagName === "SELECT") {
        Array.prototype.forEach.call(element.options, function (option) {
          option.defaultSelected = option.selected;
        });
      } else element.defaultValue = element.value;
    });
  }

  // Put back what this page lacks; forget what it has (see the rule at the top).
  Draft.prototype.restore = function () {
    var draft = read(this.store, this.key);
    if (!draft) return;
    if (draft.sending && typeof draft.sending.key === "string") this.sending = draft.sending;
    var byName = groups(this.form);
    var self = this;
    Object.keys(draft.values).forEach(function (name) {
      var entry = entryOf(draft.values[name]);
      var elements = byName[name];
      if (!elements || !entry) return;
      if (self.bound) {
        self.values[name] = entry; // the page shows the posted values: keep the draft as it was
        return;
      }
      var shown = valueOf(elements, true);
      if (shown === entry.value) return; // the page has it
      if (entry.bases === null || entry.bases.indexOf(shown) !== -1) {
        apply(elements, entry.value);
        self.values[name] = entry;
        // a value the server took: this copy is older than the server, and catches up (not a change to send)
        if (entry.saved) makeDefault(elements);
        else self.restored.push(name);
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
      var shown = valueOf(elements, true); // the page's own value: the server's, as far as this page knows
      var entry = self.values[name];
      if (entry && now === entry.value) return; // as kept
      if (!entry && now === shown) return; // untouched
      var bases = entry ? entry.bases : self.bound ? null : [];
      if (bases === null) {
        self.values[name] = { value: now, bases: null };
        return;
      }
      bases = adding(bases, shown);
      if (now !== shown) {
        self.values[name] = { value: now, bases: bases };
        return;
      }
      // back to the page's own value, which the server has: kept only for a copy older than this page
      var older = bases.filter(function (base) { return base !== now; });
      if (older.length) self.values[name] = { value: now, bases: older, saved: true, savedAt: (entry && entry.savedAt) || Date.now() };
      else delete self.values[name];
    });
    this.write();
  };

  // The values the server took before `since` (a time): the copy of the page kept on the phone was fetched again
  // after it, and holds them. They are forgotten.
  Draft.prototype.settle = function (since) {
    var self = this;
    Object.keys(this.values).forEach(function (name) {
      var entry = self.values[name];
      if (entry.saved && entry.savedAt <= since) delete self.values[name];
    });
    this.write();
  };

  // Values not saved yet (the banner counts them; "saved" ones only wait for the page's copy to catch up).
  Draft.prototype.unsaved = function () {
    var self = this;
    return Object.keys(this.values).filter(function (name) { return !self.values[name].saved; }).length;
  };

  Draft.prototype.write = function () {
    try {
      if (Object.keys(this.values).length || (this.sending && this.sending.handed)) {
        this.store.setItem(this.key, JSON.stringify({ savedAt: Date.now(), values: this.values, sending: this.sending }));
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
  // sent becomes the page's own value (as if the page had been drawn with it), written as the server writes it
  // (`shown`: input name → value, a count's 36 packs as 3 cases 0 packs). Its draft entry stays, marked saved, for
  // an older copy of the page (the one the phone opens without a network) until `settle`. Returns the time of the
  // commit (for `settle`).
  Draft.prototype.committed = function (sent, shown) {
    var byName = groups(this.form);
    var self = this;
    var at = Date.now();
    shown = shown || {};
    Object.keys(byName).forEach(function (name) {
      var elements = byName[name];
      var before = valueOf(elements, true); // the page's own value until now: what older copies show
      var raw = valueOf(elements, false);
      if (raw !== JSON.stringify(sent.getAll(name))) return; // changed since it was sent
      var single = elements.length === 1 && elements[0].tagName !== "SELECT" && !/^(radio|checkbox)$/.test(elements[0].type);
      // (not under the rep's finger: a box being typed in keeps what it shows)
      if (single && typeof shown[name] === "string" && shown[name] !== elements[0].value && document.activeElement !== elements[0]) {
        elements[0].value = shown[name];
        raw = valueOf(elements, false);
      }
      makeDefault(elements);
      var entry = self.values[name];
      if (!entry && before === raw) return; // not changed on this page
      var bases = entry ? entry.bases : [];
      if (bases !== null) {
        bases = adding(bases, before).filter(function (base) { return base !== raw; });
        if (!bases.length) {
          delete self.values[name];
          return;
        }
      }
      self.values[name] = { value: raw, bases: bases, saved: true, savedAt: at };
    });
    this.write();
    if (this.banner) this.banner.recount(); // what was restored and is now saved is no longer counted
    return at;
  };

  // The key to send the form's values with: the same until one of them changes.
  Draft.prototype.sendKey = function () {
    if (!this.sending) {
      this.sending = { key: newKey(), handed: false };
      this.write();
    }
    return this.sending.key;
  };

  // The write sent with `key` waits in the outbox: once it leaves it (not refused), the server has these values.
  Draft.prototype.handOver = function (key) {
    if (!this.sending || this.sending.key !== key) this.sending = { key: key, handed: false };
    this.sending.handed = true;
    this.write();
  };

  // The outbox as it stands (queue.js): a handed-over write gone from it and not refused reached the server. A form
  // that adds a record is emptied (back to the page's own values) and its draft is done; another keeps its draft
  // until a page shows the server has the values (the rule at the top).
  Draft.prototype.outboxChanged = function (waiting, refused) {
    var sending = this.sending;
    if (!sending || !sending.handed || !this.form.isConnected) return; // (a form htmx swapped out: its successor's)
    var key = sending.key;
    var has = function (item) { return item.key === key; };
    if (waiting.some(has) || refused.some(has)) return;
    this.sending = null;
    if (this.form.hasAttribute("data-draft-add")) {
      var byName = groups(this.form);
      var self = this;
      Object.keys(this.values).forEach(function (name) {
        if (byName[name]) apply(byName[name], valueOf(byName[name], true));
        delete self.values[name];
      });
      this.restored = [];
      this.form.dispatchEvent(new CustomEvent("ka:draft-taken", { bubbles: true }));
    }
    this.write();
    if (this.banner) this.banner.recount();
  };

  // The waiting writes of this form: those posted to its address, and a visit's saves and check-out (posted to its
  // number, or by its client uuid before the phone knew it).
  Draft.prototype.writesOf = function (waiting) {
    var url = new URL(this.form.getAttribute("action") || window.location.href, window.location.href).pathname;
    var visit = this.form.dataset.visit;
    return waiting.filter(function (item) {
      var visitsOwn = !!visit && item.visit === visit && (item.kind === "save" || item.kind === "check_out");
      return item.url === url || visitsOwn;
    });
  };

  // What a waiting write will record of this form, name → value as valueOf writes it: the inputs it names as
  // changed (the server records those alone), or every one for a form posted whole.
  Draft.prototype.carried = function (item) {
    var body = new URLSearchParams(item.body || "");
    var changed = body.get("changed");
    var names = changed === null ? null : changed.split(/\s+/).filter(Boolean);
    var carried = {};
    Object.keys(groups(this.form)).forEach(function (name) {
      if (names && names.indexOf(name) === -1) return;
      carried[name] = JSON.stringify(body.getAll(name));
    });
    return carried;
  };

  // The outbox as it stands: which values wait to upload, and which reached the server since it was last seen (a
  // write gone from it and not refused: those values are saved, as after a save sent from the page).
  Draft.prototype.queueChanged = function (waiting, refused) {
    if (!this.form.isConnected) return;
    var self = this;
    var mine = this.writesOf(waiting).sort(function (a, b) { return a.at - b.at; });
    var now = {};
    var queued = {};
    mine.forEach(function (item) {
      now[item.key] = self.carried(item);
      Object.keys(now[item.key]).forEach(function (name) { queued[name] = now[item.key][name]; });
    });
    var before = this.queuedWrites || {};
    var sentAt = Date.now();
    var changed = false;
    Object.keys(before).forEach(function (key) {
      if (now[key] || (refused || []).some(function (item) { return item.key === key; })) return;
      Object.keys(before[key]).forEach(function (name) {
        var entry = self.values[name];
        if (entry && !entry.saved && entry.value === before[key][name] && queued[name] === undefined) {
          entry.saved = true;
          entry.savedAt = sentAt;
          changed = true;
        }
      });
    });
    this.queuedWrites = now;
    this.queued = queued;
    if (changed) this.write();
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

  // Back to the page's (server's) values and forget what was not saved (a value the server took stays kept for
  // an older copy of the page). A value waiting in the outbox stays (it uploads whatever this page shows); one typed
  // over it goes back to it, the value that will upload.
  Draft.prototype.discard = function () {
    var byName = groups(this.form);
    var self = this;
    Object.keys(this.values).forEach(function (name) {
      var entry = self.values[name];
      if (entry.saved) return;
      var queued = self.queued[name];
      if (queued !== undefined) {
        if (queued !== entry.value && byName[name]) apply(byName[name], queued);
        entry.value = queued;
        return;
      }
      if (byName[name]) apply(byName[name], valueOf(byName[name], true));
      delete self.values[name];
    });
    this.restored = this.restored.filter(function (name) {
      return self.values[name] && self.queued[name] !== undefined; // put back, and waiting to upload
    });
    this.sending = null; // other values: another write
    this.write();
  };

  Draft.prototype.listen = function () {
    var self = this;
    var later = function () {
      self.later();
    };
    // a form's fields may stand outside it on the page (form="…"): listen on the page, for this form's fields
    var mine = function (event) {
      if (event.target.form !== self.form) return;
      // other values (a photo chosen too, which is not kept here): another write, under a key of its own
      if (self.sending) {
        self.sending = null;
        self.write();
      }
      later();
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
        self.recount();
      });
    }
  }

  // The banner's lines, from the drafts as they stand: the values put back on this page that are not saved and not
  // waiting to upload ("unsaved", with Discard), and those waiting in the outbox (said, nothing to discard).
  Banner.prototype.recount = function () {
    if (!this.element) return;
    var unsaved = 0;
    var waiting = 0;
    this.drafts.forEach(function (draft) {
      draft.restored.forEach(function (name) {
        var entry = draft.values[name];
        if (!entry || entry.saved) return;
        if (draft.queued[name] === entry.value) waiting += 1;
        else unsaved += 1;
      });
    });
    var say = function (line, count) {
      if (!line) return;
      var text = line.querySelector("[data-draft-text]");
      if (count) text.textContent = count === 1 ? text.dataset.one : text.dataset.many.replace("{n}", String(count));
      line.hidden = !count;
    };
    say(this.element.querySelector("[data-draft-restored]"), unsaved);
    say(this.element.querySelector("[data-draft-queued]"), waiting);
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
    var shown = this.element.querySelectorAll(
      "[data-draft-restored]:not([hidden]), [data-draft-queued]:not([hidden]), [data-draft-full]:not([hidden])"
    );
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
    function track(root) {
      var forms = root.matches && root.matches("form[data-draft]") ? [root] : [];
      Array.prototype.push.apply(forms, root.querySelectorAll ? root.querySelectorAll("form[data-draft]") : []);
      forms.forEach(function (form) {
        if (form.kaDraft) return;
        var draft = (form.kaDraft = new Draft(form, store, banner));
        if (form.hasAttribute("data-draft-taken")) {
          try {
            store.removeItem(draft.key); // the server took what this form's draft held: drawn empty again
          } catch (error) {
            // storage refused: nothing to forget
          }
        }
        draft.restore();
        // values put back in a folded part of the page (a competitor sighting's form): shown
        var folded = draft.restored.length && form.closest("details");
        if (folded) folded.open = true;
        draft.listen();
        drafts.push(draft);
        if (outboxSeen) draft.queueChanged(outboxSeen.waiting, outboxSeen.refused);
      });
    }
    // the outbox as last seen (null: not read yet): what waits to upload is not counted as unsaved
    var outboxSeen = null;
    function outboxChanged(waiting, refused) {
      outboxSeen = { waiting: waiting, refused: refused };
      drafts.forEach(function (draft) {
        draft.queueChanged(waiting, refused);
        draft.outboxChanged(waiting, refused);
      });
      banner.recount();
    }
    track(document);
    window.kaDrafts = drafts; // for the page's other scripts (and tests): kaDrafts[0].now() keeps at once
    // the page's other scripts count what the fields now hold (visit.js: the bar's progress)
    document.dispatchEvent(new CustomEvent("ka:drafts-restored"));
    // a section htmx swapped in (saved or refused on its own) brings new forms: keep theirs too
    document.addEventListener("htmx:load", function (event) {
      track(event.detail.elt);
      banner.recount();
    });
    if (window.KaQueue) window.KaQueue.onChange(outboxChanged);
    // the banner once the outbox is read (the values waiting in it are not "unsaved"); at once without one
    if (window.KaOutbox) {
      Promise.all([window.KaOutbox.list("writes"), window.KaOutbox.list("refused")])
        .then(function (both) {
          if (!outboxSeen) outboxChanged(both[0], both[1]);
        })
        .catch(function () {
          banner.recount();
        });
    } else {
      banner.recount();
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
