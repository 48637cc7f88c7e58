// The phone's outbox: visit writes (check-in, saves, check-out) made without a network, kept in IndexedDB until
// the server has them. One implementation for both sides: the pages load it (queue.js shows it, visit.js sends
// through it) and the service worker imports it (templates/pwa/sw.js) to keep a form posted offline and to
// upload in the background (Background Sync) when the page is closed.
//
// A write is {key, url, body, files, at, kind, visit, title, page}: `key` is its Idempotency-Key, `body` the form
// as sent (application/x-www-form-urlencoded), `files` a photo's [{name, blob, filename}] (then sent as multipart),
// `kind` check_in | save | photo | check_out, `visit` the visit's client uuid.
// Writes go oldest first with `X-Queue: 1`, so the server answers in JSON (visits/views.py), and with their key: a
// write sent twice (its answer lost, the page reloaded while it was uploading) is recorded once and answered as the
// first time (ka_portal/pages.py once_per_key). A newer save of a visit replaces an older one still waiting when it
// carries every input the older one changed (a save names the inputs the rep changed, `changed`: the server records
// those alone). Per answer:
//   2xx: sent, forgotten;
//   400/409/422 in JSON: refused, moved to the "refused" store with the server's reasons (the page lists them;
//     the typed values stay in the visit's draft, drafts.js);
//   404/410, in JSON or a whole page (the visit deleted): refused the same way, the page saying why from the status
//     (queue.js) when the answer gives no reason, and the upload goes on;
//   403 in our JSON with its code (ka_portal/pages.py: the store no longer the rep's, `permission_denied`): refused
//     the same way; a 403 that is a whole page or another's JSON (a captive portal's, a proxy's: the server never
//     saw the write) is kept like no network;
//   409 idempotency.in_flight (the same write still being recorded, sent from elsewhere), 403 csrf_failed (a
//     rotated CSRF token, ka_portal/pages.py csrf_failure), and anything else (no network, the server failing,
//     the session ended): kept, and the upload stops there so that a check-in never arrives after its own saves.
// A write sent from here after it waited carries `X-Queue-Replay: 1` (ka_portal/pages.py replayed): only then is
// its time (a check-in's, a check-out's `at`) the phone's; one sent as it is made (`send` from the page) is timed by
// the server. A visit whose check-in the server refused (its time, the phone's clock set wrong) holds its other
// writes on the phone (`held`): sent, each would only find no visit; they go once a check-in of that visit is taken
// (the rep checks in again on the store's page), or are dropped with the refusal (queue.js).
(function (scope) {
  "use strict";
  var DB = "ka-offline";
  var VERSION = 2;
  var LOCK = "ka-outbox";
  var REFUSED = { 400: 1, 404: 1, 409: 1, 422: 1 };
  // not found, gone: refused whatever the body (a whole page from Django's 404 handler), never asked again — kept,
  // one such write would hold every write after it on the phone for good
  var REFUSED_ANY_BODY = { 404: 1, 410: 1 };
  // forbidden: refused only when the server says so in its JSON, with a code (a rotated token's csrf_failed is kept,
  // above); a page or another's answer with this status comes from whatever stands between the phone and the server
  function forbiddenByUs(status, json, answer) {
    return status === 403 && json && typeof answer.code === "string" && answer.code !== "csrf_failed";
  }

  function open() {
    return new Promise(function (resolve, reject) {
      var opening = indexedDB.open(DB, VERSION);
      opening.onupgradeneeded = function () {
        var db = opening.result;
        if (!db.objectStoreNames.contains("writes")) db.createObjectStore("writes", { keyPath: "key" });
        if (!db.objectStoreNames.contains("refused")) db.createObjectStore("refused", { keyPath: "key" });
      };
      opening.onsuccess = function () {
        resolve(opening.result);
      };
      opening.onerror = function () {
        reject(opening.error);
      };
    });
  }

  // One transaction over `names`; `work(stores)` queues its requests; resolves with work's result's .result.
  function transact(names, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(names, mode);
        var stores = names.map(function (name) {
          return transaction.objectStore(name);
        });
        var answer = work.apply(null, stores);
        transaction.oncomplete = function () {
          db.close();
          resolve(answer && answer.result);
        };
        transaction.onerror = transaction.onabort = function () {
          db.close();
          reject(transaction.error || new Error("outbox"));
        };
      });
    });
  }

  function list(name) {
    return transact([name], "readonly", function (store) {
      return store.getAll();
    }).then(function (rows) {
      return (rows || []).sort(function (a, b) {
        return a.at - b.at;
      });
    });
  }

  function newKey() {
    if (scope.crypto && scope.crypto.randomUUID) return scope.crypto.randomUUID();
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }

  // The inputs a save says the rep changed (its `changed` field), or null for a form posted whole (no list).
  function changedIn(write) {
    var named = new URLSearchParams(write.body || "").get("changed");
    return named === null ? null : named.split(/\s+/).filter(Boolean);
  }

  // Whether a newer save makes an older one of the same visit needless: it sends every input the older one changed
  // (with the values the page has now), or both were posted whole.
  function covers(newer, older) {
    var mine = changedIn(newer);
    var theirs = changedIn(older);
    if (mine === null || theirs === null) return mine === null && theirs === null;
    return theirs.every(function (name) { return mine.indexOf(name) !== -1; });
  }

  // Keep a write; a save replaces the same visit's older saves still waiting that it covers. Read and write in one
  // transaction: two saves kept at once (the page and the service worker) cannot both stay.
  function put(write) {
    write.key = write.key || newKey();
    write.at = write.at || Date.now();
    return transact(["writes"], "readwrite", function (store) {
      var waiting = store.getAll();
      waiting.onsuccess = function () {
        (waiting.result || []).forEach(function (old) {
          if (write.kind === "save" && old.kind === "save" && old.url === write.url && covers(write, old)) store.delete(old.key);
        });
        store.put(write);
      };
    }).then(function () {
      return write;
    });
  }

  function remove(name, key) {
    return transact([name], "readwrite", function (store) {
      store.delete(key);
    });
  }

  function fields(write, token) {
    var form = new URLSearchParams(write.body);
    if (token) form.set("csrfmiddlewaretoken", token); // the page's own: the session may have rotated it
    return form;
  }

  // The body as sent: the form's fields, and a photo's files (kept as Blobs) as multipart.
  function body(form, write) {
    if (!write.files || !write.files.length) return form;
    var data = new FormData();
    form.forEach(function (value, name) {
      data.append(name, value);
    });
    write.files.forEach(function (file) {
      data.append(file.name, file.blob, file.filename);
    });
    return data;
  }

  // Send one write; resolves {state: "sent" | "refused" | "kept", answer, status}. A write sent straight from the
  // page gets its key here, and keeps it if it then waits in the outbox (its answer lost: sent again, counted once).
  // `replay`: the write waited on the phone (drain), its time is the phone's.
  function send(write, token, replay) {
    write.key = write.key || newKey();
    var form = fields(write, token);
    var headers = { "X-Queue": "1", "Idempotency-Key": write.key, Accept: "application/json" };
    if (replay) headers["X-Queue-Replay"] = "1";
    var csrf = form.get("csrfmiddlewaretoken");
    if (csrf) headers["X-CSRFToken"] = csrf;
    var sent = body(form, write);
    return fetch(write.url, { method: "POST", body: sent, credentials: "same-origin", headers: headers, redirect: "manual" })
      .then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("json") !== -1;
        var read = json ? response.json().catch(function () { return {}; }) : Promise.resolve({});
        return read.then(function (answer) {
          if (response.ok && json) return { state: "sent", answer: answer, status: response.status };
          // the same write still being recorded (sent from another page or the service worker): asked again later
          if (answer.code === "idempotency.in_flight") return { state: "kept", answer: answer, status: response.status };
          if (answer.code === "csrf_failed") return { state: "kept", answer: answer, status: response.status };
          if ((REFUSED[response.status] && json) || REFUSED_ANY_BODY[response.status] || forbiddenByUs(response.status, json, answer)) {
            return { state: "refused", answer: answer, status: response.status };
          }
          // a redirect (to the sign-in page), a rotated CSRF token, 5xx: try again later
          return { state: "kept", answer: answer, status: response.status || 0 };
        });
      })
      .catch(function () {
        return { state: "kept", answer: {}, status: 0 }; // no network
      });
  }

  function refuse(write, result) {
    var answer = result.answer || {};
    var reasons = [];
    var said = [];
    if (answer.message) reasons.push(answer.message);
    var labels = answer.labels || {};
    if (answer.said) {
      // which field, then why, joined by the server in the rep's language ("原因：…")
      answer.said.forEach(function (line) { if (reasons.indexOf(line) === -1) said.push(line); });
    } else {
      Object.keys(answer.errors || {}).forEach(function (name) {
        (answer.errors[name] || []).forEach(function (text) {
          var line = labels[name] ? labels[name] + ": " + text : text; // an answer from before `said`
          if (reasons.indexOf(line) === -1 && said.indexOf(line) === -1) said.push(line);
        });
      });
    }
    reasons = reasons.concat(said);
    var kept = {
      key: write.key,
      at: write.at,
      kind: write.kind,
      visit: write.visit,
      title: write.title || "",
      page: write.page || write.url,
      status: result.status,
      reasons: reasons,
      message: answer.message || "", // the refusal's own sentence, and per field (`said`) what is wrong there
      said: said,
      code: typeof answer.code === "string" ? answer.code : "", // a service's refusal (visit.time_ahead…)
      errors: answer.errors || {},
      parts: answer.parts || {}, // which input of a two-field count was refused (ka_portal/pages.py queued_refusal)
    };
    // A save refused replaces the same page's older refused saves (each carried the whole form): the page lists a
    // visit's latest refusal once, even when a second save was kept while the first was on its way.
    return transact(["writes", "refused"], "readwrite", function (writes, refused) {
      writes.delete(write.key);
      var older = refused.getAll();
      older.onsuccess = function () {
        (older.result || []).forEach(function (old) {
          if (kept.kind === "save" && old.kind === "save" && old.page === kept.page && old.at <= kept.at) refused.delete(old.key);
        });
        refused.put(kept);
      };
    });
  }

  // Whether a waiting write is held: its visit's check-in was refused (`refusedCheckIns`: visit → true).
  function isHeld(write, refusedCheckIns) {
    return write.kind !== "check_in" && !!write.visit && !!refusedCheckIns[write.visit];
  }

  function refusedCheckIns(refused) {
    var visits = {};
    (refused || []).forEach(function (item) {
      if (item.kind === "check_in" && item.visit) visits[item.visit] = true;
    });
    return visits;
  }

  // A check-in of a visit taken by the server: its earlier refusals are done with (the rep checked in again), and
  // the writes it held go.
  function forgetRefusedCheckIn(visit) {
    return transact(["refused"], "readwrite", function (refused) {
      var all = refused.getAll();
      all.onsuccess = function () {
        (all.result || []).forEach(function (item) {
          if (item.kind === "check_in" && item.visit === visit) refused.delete(item.key);
        });
      };
    });
  }

  // Send what waits, oldest first, until one must be kept. Resolves {sent, refused, left, stopped, held, moved,
  // pages}: `pages`, the pages whose writes reached the server (their copies kept on the phone are older than the
  // server now); `held`, the writes waiting for their visit's check-in; `moved`, whether a check-in or check-out
  // reached the server (the stops' pages say which visit is open: kept anew, sw.js).
  function drainNow(token, outcome) {
    outcome = outcome || { sent: 0, refused: 0, left: 0, stopped: 0, held: 0, moved: false, pages: [] };
    outcome.held = 0;
    var released = false; // a visit's check-in taken after its writes were held in this pass: another pass sends them
    return Promise.all([list("writes"), list("refused")]).then(function (both) {
      var writes = both[0];
      var holding = refusedCheckIns(both[1]);
      var next = function (index) {
        if (index >= writes.length) return Promise.resolve();
        var write = writes[index];
        if (isHeld(write, holding)) {
          outcome.held += 1;
          return next(index + 1);
        }
        return send(write, token, true).then(function (result) {
          if (result.state === "kept") {
            outcome.stopped = result.status;
            outcome.left = writes.length - index;
            return null;
          }
          var done = result.state === "sent" ? remove("writes", write.key) : refuse(write, result);
          outcome[result.state] += 1;
          if (result.state === "sent") {
            if (write.kind === "check_in" || write.kind === "check_out") outcome.moved = true;
            if (write.kind === "check_in" && holding[write.visit]) {
              delete holding[write.visit];
              released = outcome.held > 0;
              done = done.then(function () { return forgetRefusedCheckIn(write.visit); });
            }
            [result.answer && result.answer.url, write.page].forEach(function (page) {
              if (typeof page === "string" && page && outcome.pages.indexOf(page) === -1) outcome.pages.push(page);
            });
          } else if (write.kind === "check_in" && write.visit) {
            holding[write.visit] = true; // what follows of this visit waits for a check-in taken
          }
          return done.then(function () {
            return next(index + 1);
          });
        });
      };
      return next(0).then(function () {
        return released && !outcome.stopped ? drainNow(token, outcome) : outcome;
      });
    });
  }

  // One upload at a time across the pages and the service worker (Web Locks where the browser has them).
  function drain(token) {
    var locks = scope.navigator && scope.navigator.locks;
    if (locks && locks.request) {
      return locks.request(LOCK, function () {
        return drainNow(token);
      });
    }
    return drainNow(token);
  }

  scope.KaOutbox = {
    newKey: newKey,
    open: open,
    put: put,
    list: list,
    remove: remove,
    send: send,
    drain: drain,
    isHeld: isHeld,
    refusedCheckIns: refusedCheckIns,
    forgetRefusedCheckIn: forgetRefusedCheckIn,
  };
})(typeof self !== "undefined" ? self : window);
