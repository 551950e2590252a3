/*
 * Uploads: files chosen in <input type="file" av-upload="name"> or dropped on an element
 * with av-upload-drop="name", sent over the live socket in binary chunks.
 *
 * Choosing files sends {"t":"upload","upload":name,"files":[{id,name,size,type}]}; no
 * byte of a file leaves before the server accepted it (its refusals, by type, size or
 * count, come back in its render, beside the file). The server's answer,
 * {"t":"upload","files":[{id,state,received}],"chunk":C,"window":W}, says how large a
 * chunk is and how many bytes may be unacknowledged; each chunk is answered the same
 * way, and the page sends on only while fewer than W bytes wait for an answer (so one
 * upload never floods the socket nor holds up the page's events). A chunk frame is a
 * 13-byte header (1, the file's id as u32, its offset as u64, big-endian) then the
 * bytes. A file whose state is no longer "uploading" is forgotten. A button with
 * av-upload-cancel="<id>" sends {"t":"upload_cancel","id"}. A new socket forgets every
 * file (the server failed them when the old one closed). The progress the page shows is
 * the server's render, not a count kept here.
 */
var TAG = 1;
var HEADER = 13;

var nextId = 0;

function filesOf(view) {
  if (!view.uploads) view.uploads = {};
  return view.uploads;
}

function closestIn(container, target, selector) {
  var el = target.nodeType === 1 ? target : target.parentElement;
  el = el && el.closest(selector);
  return el && container.contains(el) ? el : null;
}

// Returns whether the files were offered (not while disconnected: nothing is queued).
function start(view, upload, list) {
  if (!view.send || !list || !list.length) return false;
  var files = filesOf(view);
  var described = [];
  for (var i = 0; i < list.length; i++) {
    var id = ++nextId;
    files[id] = { file: list[i], sent: 0, acked: 0, chunk: 0, window: 0, reading: false };
    described.push({ id: id, name: list[i].name, size: list[i].size, type: list[i].type || "" });
  }
  view.send({ t: "upload", upload: upload, files: described });
  return true;
}

function chunkFrame(id, offset, bytes) {
  var frame = new Uint8Array(HEADER + bytes.byteLength);
  var header = new DataView(frame.buffer);
  header.setUint8(0, TAG);
  header.setUint32(1, id);
  header.setUint32(5, Math.floor(offset / 4294967296));
  header.setUint32(9, offset % 4294967296);
  frame.set(new Uint8Array(bytes), HEADER);
  return frame.buffer;
}

// Send the next chunks of file `id` while the window allows, one read at a time.
function pump(view, id) {
  var f = filesOf(view)[id];
  if (!f || f.reading || !f.chunk || !view.sendBinary) return;
  if (f.sent >= f.file.size || f.sent - f.acked >= f.window) return;
  var offset = f.sent;
  var end = Math.min(offset + f.chunk, f.file.size);
  f.reading = true;
  f.file.slice(offset, end).arrayBuffer().then(function (bytes) {
    f.reading = false;
    if (filesOf(view)[id] !== f) return; // cancelled or finished meanwhile
    view.sendBinary(chunkFrame(id, offset, bytes));
    f.sent = end;
    pump(view, id);
  }, function (error) {
    f.reading = false;
    console.warn("actorview: could not read " + f.file.name, error);
    cancel(view, id);
  });
}

function cancel(view, id) {
  delete filesOf(view)[id];
  if (view.send) view.send({ t: "upload_cancel", id: id });
}

/** The server answered for some files (a start, a chunk, a cancel): go on or forget. */
export function uploadAnswered(view, frame) {
  if (frame.error) console.warn("actorview: " + frame.error);
  var files = filesOf(view);
  var answers = Array.isArray(frame.files) ? frame.files : [];
  for (var i = 0; i < answers.length; i++) {
    var answer = answers[i];
    var f = files[answer.id];
    if (!f) continue;
    if (answer.state !== "uploading") {
      delete files[answer.id];
      continue;
    }
    if (typeof frame.chunk === "number") {
      f.chunk = frame.chunk;
      f.window = frame.window;
    }
    f.acked = Math.max(f.acked, answer.received || 0);
    pump(view, answer.id);
  }
}

/** A new socket joined: the server failed what was arriving on the old one. */
export function uploadsRejoined(view) {
  view.uploads = {};
}

/** Choosing files, dropping them, and cancel buttons, delegated to the container. */
export function watchUploads(view) {
  var c = view.container;
  c.addEventListener("change", function (e) {
    var input = closestIn(c, e.target, "input[type=file][av-upload]");
    if (!input) return;
    // Once offered, the input is cleared so that the same file may be chosen again.
    if (start(view, input.getAttribute("av-upload"), input.files)) input.value = "";
  });
  c.addEventListener("dragover", function (e) {
    var zone = closestIn(c, e.target, "[av-upload-drop]");
    if (!zone) return;
    e.preventDefault();
    zone.classList.add("av-drop-over");
  });
  c.addEventListener("dragleave", function (e) {
    var zone = closestIn(c, e.target, "[av-upload-drop]");
    if (zone) zone.classList.remove("av-drop-over");
  });
  c.addEventListener("drop", function (e) {
    var zone = closestIn(c, e.target, "[av-upload-drop]");
    if (!zone) return;
    e.preventDefault();
    zone.classList.remove("av-drop-over");
    start(view, zone.getAttribute("av-upload-drop"), e.dataTransfer && e.dataTransfer.files);
  });
  c.addEventListener("click", function (e) {
    var button = closestIn(c, e.target, "[av-upload-cancel]");
    if (!button) return;
    e.preventDefault();
    var id = parseInt(button.getAttribute("av-upload-cancel"), 10);
    if (id >= 0) cancel(view, id);
  });
}
