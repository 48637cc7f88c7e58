// The visit page's photos: a chosen or taken photo waits until the rep taps "Add photo" (so it goes with the
// checklist item and caption given below it, in the form's own order), then is resized in the browser (longest
// side 1600 px, a JPEG near 300 KB, the right way up) and uploaded in the background one after another, with a
// progress bar per photo and a Retry for a refused or failed one. A photo chosen and not added goes up with the
// check-out, and leaving the page asks first. Nothing else on the page is touched: the visit's typed values
// stay. Re-encoding drops EXIF, so the original's camera time (DateTimeOriginal) and the phone's position go
// along as form fields; the server keeps the file's own time first and decides what it refuses.
(function () {
  "use strict";
  var MAX_SIDE = 1600;
  var TARGET_BYTES = 300 * 1024;
  var QUALITIES = [0.85, 0.78, 0.7, 0.62, 0.54, 0.46];
  var queue = [];
  var busy = false;
  var position = null; // a promise of {latitude, longitude} or null, asked once per page

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }

  function text(form, name) {
    var node = form.querySelector("[data-text-" + name + "]");
    return node ? node.textContent : name;
  }

  // --- EXIF: DateTimeOriginal (else DateTime) and OffsetTimeOriginal from a JPEG's APP1 segment ---------------
  function readAscii(view, tiff, entry, little) {
    var count = view.getUint32(entry + 4, little);
    var at = count <= 4 ? entry + 8 : tiff + view.getUint32(entry + 8, little);
    var out = "";
    for (var i = 0; i < count && at + i < view.byteLength; i++) {
      var code = view.getUint8(at + i);
      if (code === 0) break;
      out += String.fromCharCode(code);
    }
    return out.trim();
  }

  function readIfd(view, tiff, offset, little, wanted) {
    var found = {};
    var start = tiff + offset;
    if (start + 2 > view.byteLength) return found;
    var count = view.getUint16(start, little);
    for (var i = 0; i < count; i++) {
      var entry = start + 2 + i * 12;
      if (entry + 12 > view.byteLength) break;
      var tag = view.getUint16(entry, little);
      if (!(tag in wanted)) continue;
      found[wanted[tag]] = wanted[tag] === "exif" ? view.getUint32(entry + 8, little) : readAscii(view, tiff, entry, little);
    }
    return found;
  }

  function exifTime(buffer) {
    var view = new DataView(buffer);
    if (view.byteLength < 4 || view.getUint16(0) !== 0xffd8) return null; // not a JPEG
    var at = 2;
    while (at + 4 <= view.byteLength) {
      var marker = view.getUint16(at);
      var length = view.getUint16(at + 2);
      if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) return null; // start of scan: no EXIF before it
      if (marker === 0xffe1 && view.getUint32(at + 4) === 0x45786966) { // "Exif"
        var tiff = at + 10;
        var little = view.getUint16(tiff) === 0x4949;
        var ifd0 = readIfd(view, tiff, view.getUint32(tiff + 4, little), little, { 0x0132: "time", 0x8769: "exif" });
        var sub = ifd0.exif ? readIfd(view, tiff, ifd0.exif, little, { 0x9003: "original", 0x9011: "offset" }) : {};
        var raw = sub.original || ifd0.time;
        var match = /^(\d{4}):(\d\d):(\d\d) (\d\d):(\d\d):(\d\d)/.exec(raw || "");
        if (!match || match[1] === "0000") return null;
        var value = match[1] + "-" + match[2] + "-" + match[3] + "T" + match[4] + ":" + match[5] + ":" + match[6];
        return /^[+-]\d\d:\d\d$/.test(sub.offset || "") ? value + sub.offset : value;
      }
      at += 2 + length;
    }
    return null;
  }

  function readTakenAt(file) {
    return file.slice(0, 256 * 1024).arrayBuffer().then(exifTime).catch(function () { return null; });
  }

  // --- the phone's position: optional, never waited for long --------------------------------------------------
  function phonePosition() {
    if (position) return position;
    position = new Promise(function (resolve) {
      if (!navigator.geolocation) return resolve(null);
      var timer = setTimeout(function () { resolve(null); }, 4000);
      navigator.geolocation.getCurrentPosition(
        function (where) {
          clearTimeout(timer);
          resolve({ latitude: where.coords.latitude.toFixed(6), longitude: where.coords.longitude.toFixed(6) });
        },
        function () { clearTimeout(timer); resolve(null); },
        { enableHighAccuracy: true, timeout: 4000, maximumAge: 60000 }
      );
    });
    return position;
  }

  // --- resizing: createImageBitmap honours the EXIF orientation; a file it cannot read goes as it is ----------
  function toBlob(canvas, quality) {
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); });
  }

  function resize(file) {
    if (!window.createImageBitmap) return Promise.resolve(file);
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var longest = Math.max(bitmap.width, bitmap.height);
      if (longest <= MAX_SIDE && file.type === "image/jpeg" && file.size <= TARGET_BYTES) {
        bitmap.close && bitmap.close();
        return file; // already small: the original goes, EXIF and all
      }
      var scale = Math.min(1, MAX_SIDE / longest);
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff"; // a transparent PNG becomes white, not black
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close && bitmap.close();
      var step = 0;
      function attempt() {
        return toBlob(canvas, QUALITIES[step]).then(function (blob) {
          if (blob && blob.size > TARGET_BYTES * 1.1 && step < QUALITIES.length - 1) {
            step += 1;
            return attempt();
          }
          return blob || file;
        });
      }
      return attempt();
    }, function () { return file; }); // not an image the browser can read: the server says why
  }

  // --- the queue ----------------------------------------------------------------------------------------------
  function setStatus(job, status, percent) {
    job.row.querySelector("[data-status]").textContent = status;
    if (percent !== undefined) {
      var bar = job.row.querySelector(".progress-bar");
      bar.style.width = percent + "%";
      job.row.querySelector(".progress").setAttribute("aria-valuenow", String(percent));
    }
  }

  function fail(job, message) {
    job.row.querySelector(".progress-bar").classList.add("bg-danger");
    setStatus(job, text(job.form, "failed"));
    var error = job.row.querySelector("[data-error]");
    error.textContent = message;
    error.hidden = false;
    job.row.querySelector("[data-retry]").hidden = false;
    job.row.dataset.state = "failed";
  }

  // No network (or the visit's check-in still waiting on the phone): the resized photo goes into the outbox with
  // the visit's other writes (queue.js, outbox.js) and uploads after them.
  function keep(job, fields) {
    var visitForm = document.querySelector("[data-testid=visit-form]");
    var body = new URLSearchParams();
    fields.forEach(function (value, name) { if (name !== "image") body.append(name, value); });
    return window.KaQueue.write({
      key: job.key, // the key it was sent with: one that reached the server before its answer was lost counts once
      url: job.form.getAttribute("action"), body: body.toString(), kind: "photo",
      files: [{ name: "image", blob: job.blob, filename: job.blob === job.file ? job.file.name : "photo.jpg" }],
      visit: visitForm ? visitForm.dataset.visit : "", title: document.title, page: window.location.pathname,
    }).then(function (result) {
      if (result.state === "queued") {
        setStatus(job, text(job.form, "kept"), 100);
        job.row.querySelector(".progress-bar").classList.add("bg-warning");
        job.row.dataset.state = "queued";
        document.dispatchEvent(new CustomEvent("ka:photos-changed"));
      } else if (result.state === "sent") {
        var gallery = document.getElementById("photo-gallery");
        if (gallery && result.answer.gallery) gallery.innerHTML = result.answer.gallery;
        setStatus(job, text(job.form, "done"), 100);
        job.row.dataset.state = "done";
        document.dispatchEvent(new CustomEvent("ka:photos-changed"));
        document.dispatchEvent(new CustomEvent("ka:photo-added"));
      } else {
        fail(job, reasons(result.answer) || text(job.form, "network"));
      }
    });
  }

  function waitingOnPhone() {
    if (!window.KaQueue || !window.KaOutbox) return Promise.resolve(false);
    return window.KaOutbox.list("writes").then(function (writes) { return writes.length > 0; }, function () { return false; });
  }

  function upload(job) {
    return waitingOnPhone().then(function (waiting) {
      if (!waiting) return send(job);
      return keep(job, formData(job));
    });
  }

  function formData(job) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", job.form.querySelector("[name=csrfmiddlewaretoken]").value);
    data.append("image", job.blob, job.blob === job.file ? job.file.name : "photo.jpg");
    data.append("caption", job.caption);
    data.append("checklist_item", job.checklistItem);
    data.append("taken_at", job.takenAt || "");
    data.append("latitude", job.where ? job.where.latitude : "");
    data.append("longitude", job.where ? job.where.longitude : "");
    return data;
  }

  // Why the server refused a photo (its JSON answer: ka_portal/pages.py queued_refusal), or "" when it did not say.
  function reasons(answer) {
    if (!answer) return "";
    if (answer.said && answer.said.length) return answer.said.join(" ");
    var errors = answer.errors || {};
    var texts = Array.isArray(errors) ? errors : Object.keys(errors).map(function (name) { return [].concat(errors[name]).join(" "); });
    return texts.join(" ") || answer.message || "";
  }

  function send(job) {
    return new Promise(function (resolve) {
      var data = formData(job);
      var request = new XMLHttpRequest();
      request.open("POST", job.form.getAttribute("action"));
      request.setRequestHeader("X-Photo-Upload", "1");
      // answered in JSON like the outbox's uploads, and with the photo's key: sent again (the answer lost, then kept
      // in the outbox with the same key) it is added once
      request.setRequestHeader("X-Queue", "1");
      request.setRequestHeader("Idempotency-Key", job.key);
      request.setRequestHeader("Accept", "application/json");
      request.upload.onprogress = function (event) {
        if (event.lengthComputable) {
          var percent = Math.min(99, Math.round((event.loaded / event.total) * 100));
          setStatus(job, text(job.form, "uploading") + " " + percent + "%", percent);
        }
      };
      request.onload = function () {
        var answer = null;
        try {
          answer = JSON.parse(request.responseText);
        } catch (ignored) { /* not the view's JSON: a proxy's or the server's error page */ }
        // 201: added; 200: the same file was on the visit already (nothing added), its gallery as it is
        if ((request.status === 201 || request.status === 200) && answer) {
          var gallery = document.getElementById("photo-gallery");
          if (gallery && answer.gallery) gallery.innerHTML = answer.gallery;
          document.dispatchEvent(new CustomEvent("ka:photos-changed")); // the visit bar counts them
          setStatus(job, text(job.form, "done"), 100);
          job.row.querySelector(".progress-bar").classList.add("bg-success");
          job.row.dataset.state = "done";
          document.dispatchEvent(new CustomEvent("ka:photo-added"));
        } else if (answer && answer.code === "idempotency.in_flight" && window.KaQueue) {
          return keep(job, formData(job)).then(resolve); // still being recorded from elsewhere: asked again later
        } else {
          fail(job, reasons(answer) || text(job.form, "network"));
        }
        resolve();
      };
      request.onerror = request.ontimeout = function () {
        if (!window.KaQueue) {
          fail(job, text(job.form, "network"));
          return resolve();
        }
        keep(job, formData(job)).then(resolve); // no network: kept on the phone, uploaded with the visit
      };
      job.row.dataset.state = "uploading";
      request.send(data);
    });
  }

  function prepare(job) {
    setStatus(job, text(job.form, "resizing"), 0);
    return Promise.all([resize(job.file), readTakenAt(job.file), phonePosition()]).then(function (found) {
      job.blob = found[0];
      job.takenAt = found[1];
      job.where = found[2];
    });
  }

  function next() {
    if (busy || !queue.length) return;
    busy = true;
    var job = queue.shift();
    var ready = job.blob ? Promise.resolve() : prepare(job);
    ready.then(function () { return upload(job); }, function () { fail(job, text(job.form, "network")); })
      .then(function () { busy = false; next(); settle(); });
  }

  function enqueue(form, files) {
    var list = form.querySelector("[data-photo-queue]");
    var template = form.querySelector("template[data-photo-item]");
    var caption = form.querySelector("[name=caption]");
    var item = form.querySelector("[name=checklist_item]");
    Array.prototype.forEach.call(files, function (file) {
      var row = template.content.firstElementChild.cloneNode(true);
      row.querySelector("[data-name]").textContent = file.name;
      var job = { form: form, file: file, row: row, caption: caption.value, checklistItem: item.value, key: newKey() };
      row.dataset.key = job.key;
      row.querySelector("[data-retry]").addEventListener("click", function () {
        row.querySelector("[data-retry]").hidden = true;
        row.querySelector("[data-error]").hidden = true;
        row.querySelector(".progress-bar").classList.remove("bg-danger");
        setStatus(job, text(form, "waiting"), 0);
        queue.push(job);
        next();
      });
      list.appendChild(row);
      setStatus(job, text(form, "waiting"), 0);
      queue.push(job);
    });
    caption.value = "";
    form.querySelector("[data-photo-input]").value = "";
    chosen(form, false);
    next();
  }

  // A photo chosen: the "Add photo" button stands out until it is tapped (the item and caption are read then).
  function chosen(form, on) {
    var button = form.querySelector("[type=submit]");
    button.classList.toggle("btn-primary", on);
    button.classList.toggle("btn-outline-primary", !on);
  }

  function waitingToAdd() {
    return Array.prototype.filter.call(document.querySelectorAll("[data-photo-input]"), function (input) {
      return input.files && input.files.length && !input.disabled;
    });
  }

  document.addEventListener("change", function (event) {
    var input = event.target.closest("[data-photo-input]");
    if (!input) return;
    input.setCustomValidity("");
    chosen(input.form, input.files.length > 0);
    if (input.files.length) phonePosition(); // asked now: the upload after the tap need not wait for it
  });

  // Capture phase: the form's own htmx handler (the no-script way) never sees the submit.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-photo-form]");
    if (!form) return;
    event.preventDefault();
    event.stopPropagation();
    var input = form.querySelector("[data-photo-input]");
    if (input.files.length) return enqueue(form, input.files);
    input.setCustomValidity(text(form, "choose"));
    input.reportValidity();
  }, true);

  // "Save and check out" waits for the photos still going up (visit.js): one arriving after the check-out would
  // find the visit closed.
  var waiters = [];
  function settle() {
    if (busy || queue.length) return;
    waiters.splice(0).forEach(function (resolve) { resolve(); });
  }
  window.KaPhotos = {
    // "Save and check out" with a photo chosen and "Add photo" not tapped: it goes up with what the form says.
    addChosen: function () {
      waitingToAdd().forEach(function (input) { enqueue(input.form, input.files); });
    },
    pending: function () {
      return busy || queue.length > 0;
    },
    idle: function () {
      return new Promise(function (resolve) {
        waiters.push(resolve);
        settle();
      });
    },
  };

  // ---- photos waiting in the outbox (taken without a network, on this page or an earlier one since closed): shown
  // as waiting to upload beside the gallery, and counted in the bar (visit.js), so none is taken again for want of
  // seeing it. Once one has gone up, its row here says so and the gallery is drawn again from the server.
  var keptBefore = null; // keys of this visit's photos waiting at the last look
  function shownKept(waiting, refused) {
    var refusedKeys = (refused || []).map(function (item) { return item.key; });
    var visitForm = document.querySelector("[data-testid=visit-form]");
    var list = document.querySelector("[data-photos-kept]");
    var photoForm = document.querySelector("[data-photo-form]");
    if (!visitForm || !list || !photoForm) return;
    var mine = waiting.filter(function (item) { return item.kind === "photo" && item.visit === visitForm.dataset.visit; });
    var keys = mine.map(function (item) { return item.key; });
    var onPage = {};
    document.querySelectorAll("[data-photo-queue] [data-key]").forEach(function (row) {
      onPage[row.dataset.key] = row;
      var key = row.dataset.key;
      if (keptBefore && keptBefore.indexOf(key) !== -1 && keys.indexOf(key) === -1 && refusedKeys.indexOf(key) === -1 && row.dataset.state === "queued") {
        setStatus({ row: row }, text(photoForm, "done"), 100); // uploaded from the outbox
        row.querySelector(".progress-bar").classList.replace("bg-warning", "bg-success");
        row.dataset.state = "done";
      }
    });
    var gone = keptBefore !== null && keptBefore.some(function (key) { return keys.indexOf(key) === -1; });
    keptBefore = keys;
    list.textContent = "";
    mine.forEach(function (item) {
      if (onPage[item.key]) return; // this page's own upload row says it already
      var row = document.createElement("li");
      row.className = "d-flex gap-2 align-items-center small";
      row.dataset.testid = "photo-kept";
      var file = item.files && item.files[0];
      if (file && file.blob && window.URL && URL.createObjectURL) {
        var image = document.createElement("img");
        image.src = URL.createObjectURL(file.blob);
        image.width = image.height = 72;
        image.className = "rounded object-fit-cover flex-shrink-0";
        image.alt = "";
        row.appendChild(image);
      }
      var words = document.createElement("div");
      words.className = "min-w-0 text-break";
      var caption = new URLSearchParams(item.body || "").get("caption");
      if (caption) {
        var said = document.createElement("div");
        said.textContent = caption;
        words.appendChild(said);
      }
      var state = document.createElement("div");
      state.className = "text-warning-emphasis";
      state.textContent = text(photoForm, "kept");
      words.appendChild(state);
      row.appendChild(words);
      list.appendChild(row);
    });
    list.hidden = !list.children.length;
    var none = document.querySelector("#photo-gallery [data-photos-none]");
    if (none) none.hidden = list.children.length > 0;
    document.dispatchEvent(new CustomEvent("ka:photos-changed"));
    if (gone && navigator.onLine !== false) redrawGallery();
  }

  // The gallery as the server now has it (after photos went up from the outbox), from the visit's page.
  function redrawGallery() {
    var visitForm = document.querySelector("[data-testid=visit-form]");
    if (!visitForm || visitForm.hasAttribute("data-start") || !window.DOMParser) return;
    fetch(window.location.pathname, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("photo-gallery");
        var gallery = document.getElementById("photo-gallery");
        if (fresh && gallery) {
          gallery.innerHTML = fresh.innerHTML;
          if (window.htmx) window.htmx.process(gallery); // its Remove forms post in place, asking first
          document.dispatchEvent(new CustomEvent("ka:photos-changed"));
        }
      })
      .catch(function () {});
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (window.KaQueue) window.KaQueue.onChange(shownKept);
  });

  // Removing a photo is online only (visits.views.visit_photo_remove; nothing of it waits on the phone): a Remove that
  // cannot reach the server (htmx: no network) says so beside the photo, in the gallery's words (`data-needs-network`
  // on its form), and the photo stays as it is. The next try takes the note away; a removal done redraws the gallery.
  function removeForm(event) {
    var source = event.detail && event.detail.elt;
    return source && source.closest ? source.closest("#photo-gallery form[data-photo-remove]") : null;
  }
  function removeNote(remove) {
    var row = remove.closest("[data-testid=photo]") || remove.parentNode;
    return row.querySelector("[data-photo-remove-note]");
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var remove = removeForm(event);
    var note = remove && removeNote(remove);
    if (note) note.remove();
  });
  document.addEventListener("htmx:sendError", function (event) {
    var remove = removeForm(event);
    if (!remove || !remove.dataset.needsNetwork) return;
    var note = removeNote(remove);
    if (!note) {
      note = document.createElement("div");
      note.className = "text-danger fw-semibold mt-1";
      note.dataset.photoRemoveNote = "";
      note.dataset.testid = "photo-remove-offline";
      note.setAttribute("role", "alert");
      // under the caption, beside the button: that column wraps at 390 px, the button's does not
      var column = remove.previousElementSibling;
      (column && column.tagName === "DIV" ? column : remove.parentNode).appendChild(note);
    }
    note.textContent = remove.dataset.needsNetwork;
  });

  // Leaving the page with photos still uploading, or chosen and not added, asks first.
  window.addEventListener("beforeunload", function (event) {
    if (busy || queue.length || waitingToAdd().length) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
