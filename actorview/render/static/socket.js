/*
 * The transport: one WebSocket per view, its join and rejoin, event and input frames
 * (never one past the limit the server gave), the count of the session's frames and
 * their acks, pings, reconnection with backoff, and the close codes that end it.
 *
 * The page: <div data-av-socket="/_av/live" data-av-token="..."><root/></div>.
 * Browser -> server: {"t":"join","token","path","seen"} first, then {"t":"event","ref",
 * "name","params"}, {"t":"input","ref","field","value"}, {"t":"ack","n"}, {"t":"ping"}.
 * Server -> browser: a JSON array is a patch frame; objects carry "t": "joined" (a fresh
 * token for the next rejoin, "seq" the count the session's frames go on from, "ref" the
 * last event received), "render" (the whole view), "notice" (shown in #av-notice,
 * notices.js), "reply" and "error" (each also dispatched as a DOM event, av:reply,
 * av:error, av:notice, on the container; client.js's receive). The page counts the
 * session's frames ("seen"), acknowledges them about once a second, and rejoins saying
 * how many it has: the server sends the rest again, so a dropped socket loses no frame.
 */
import { showNotice } from "./notices.js";
import { connectionBack, connectionLost } from "./toasts.js";

var PING_MS = 30000;
var ACK_MS = 1000;

function socketUrl(raw) {
  var url = new URL(raw, window.location.href);
  if (url.protocol === "http:") url.protocol = "ws:";
  if (url.protocol === "https:") url.protocol = "wss:";
  return url.href;
}

// The joined frame: a fresh token for the next rejoin, the frame limit, and the count
// the session's frames go on from (the frame itself is not one of them).
function joined(view, frame) {
  if (typeof frame.token === "string") view.join.token = frame.token;
  if (frame.limits && typeof frame.limits.max_frame_bytes === "number") {
    view.maxFrameBytes = frame.limits.max_frame_bytes;
  }
  if (typeof frame.seq === "number") view.seen = frame.seq;
}

// Close codes the page acts on (docs/PROTOCOL.md, "Closing").
var CLOSE = { JOIN_REFUSED: 4001, REPLACED: 4009 };

// Why the page stops reconnecting after a close, or null to reconnect. A refused join
// (a token from before a server restart with a new secret, or one past its lifetime)
// is tried once more, then the page asks its user to reload: retrying for ever would
// only load the server. A socket replaced by a newer one of the session (the page open
// in another tab) must not take it back.
function stopReason(event, refusals) {
  if (event.code === CLOSE.REPLACED) {
    return "This page was opened elsewhere (another tab or window). Reload it to carry on here.";
  }
  if (event.code === CLOSE.JOIN_REFUSED && refusals > 1) {
    var why = event.reason ? " (" + event.reason + ")" : "";
    return "This page can no longer reach its session" + why + ". Reload it to carry on.";
  }
  return null;
}

// The UTF-8 size of a frame past the limit the server gave at join, else 0.
function tooLarge(view, frame) {
  if (!view.maxFrameBytes || frame.length <= view.maxFrameBytes / 3) return 0;
  var size = new TextEncoder().encode(frame).length;
  return size > view.maxFrameBytes ? size : 0;
}

function tooLargeText(size, limit) {
  var kb = function (n) { return (n < 10240 ? (n / 1024).toFixed(1) : Math.round(n / 1024)) + " KB"; };
  return "That is too large to send (" + kb(size) + "; the limit is " + kb(limit) + "). " +
    "Nothing was sent; shorten it and try again.";
}

function backoff(attempt, opts) {
  var delay = Math.min(opts.maxDelay, opts.minDelay * Math.pow(2, attempt));
  return delay * (0.5 + Math.random() / 2);
}

function joinFrame(container) {
  var extra = container.getAttribute("data-av-join");
  var frame = Object.assign({ t: "join" }, extra ? JSON.parse(extra) : {});
  var token = container.getAttribute("data-av-token");
  if (token !== null) {
    frame.token = token;
    frame.path = window.location.pathname;
  }
  return frame;
}

/**
 * Follow the view in `container` (socket URL from data-av-socket, join from
 * data-av-token or data-av-join). Reconnects with exponential backoff and rejoins;
 * the server answers a join with the whole view. Returns {close()}.
 *
 * `page` is what the rest of the client does with the view (client.js wires it):
 *   mount(view)                     once, before the first socket opens
 *   receive(view, frame)            a frame from the server (or the page's own notice);
 *                                   returns whether it counts among the session's frames
 *   sending(view, name, params, ref) an event about to leave; returns the params to send
 *   refused(view, ref)              an event that could not be sent: take it back
 */
export function connect(container, options, page) {
  var opts = Object.assign(
    { minDelay: 250, maxDelay: 10000, pingMs: PING_MS, ackMs: ACK_MS },
    options || {}
  );
  var url = socketUrl(
    container.getAttribute("data-av-socket") || container.getAttribute("data-av-url")
  );
  var view = {
    container: container,
    join: joinFrame(container),
    seen: null, // the session's frames received, once a joined frame said where they start
    socket: null,
    closed: false,
  };
  var ref = 0;
  var attempt = 0;
  var refusals = 0; // joins refused in a row (close 4001)
  var pinger = null;
  var acker = null;
  view.send = null;
  view.event = function (name, params) {
    if (!view.send) return 0;
    var eventRef = ++ref;
    params = page.sending(view, name, params || {}, eventRef);
    var frame = JSON.stringify({ t: "event", ref: eventRef, name: name, params: params });
    var size = tooLarge(view, frame);
    if (size) {
      // The server would refuse it: take the prediction back as its refusal would (the
      // text the user typed returns, after the submit's form reset) and say why,
      // instead of sending what cannot arrive.
      setTimeout(function () { page.refused(view, eventRef); }, 0);
      showNotice("error", tooLargeText(size, view.maxFrameBytes));
      return eventRef;
    }
    view.sendText(frame);
    return eventRef;
  };
  view.input = function (field, value) {
    if (!view.send) return;
    var frame = JSON.stringify({ t: "input", ref: ++ref, field: field, value: value });
    if (!tooLarge(view, frame)) view.sendText(frame); // the submit then says why
  };
  function setState(connected) {
    container.classList.toggle("av-connected", connected);
    container.classList.toggle("av-disconnected", !connected);
  }

  function ack() {
    acker = null;
    if (view.send) view.send({ t: "ack", n: view.seen });
  }

  function open() {
    var socket = new WebSocket(url);
    view.socket = socket;
    socket.onopen = function () {
      // The backoff is reset by the server's joined frame, not by the open: a server
      // that accepts sockets but refuses joins is not retried faster and faster.
      var join = view.seen === null ? view.join : Object.assign({ seen: view.seen }, view.join);
      // Events up to this ref went on earlier sockets; the ones after it go on this one,
      // after the join, and will be answered even when sent before the joined frame.
      view.sentBeforeJoin = ref;
      socket.send(JSON.stringify(join));
      view.sendText = function (text) {
        if (socket.readyState === 1) socket.send(text);
      };
      view.send = function (frame) {
        view.sendText(JSON.stringify(frame));
      };
      view.sendBinary = function (bytes) { // upload chunks (uploads.js)
        if (socket.readyState === 1) socket.send(bytes);
      };
      pinger = setInterval(function () { if (view.send) view.send({ t: "ping" }); }, opts.pingMs);
    };
    socket.onmessage = function (message) {
      try {
        var frame = JSON.parse(message.data);
        if (frame.t === "joined") {
          // Connected once the server took the join (as LiveView sets phx-connected on
          // its join reply), not when the socket opened: a refused join never was.
          attempt = refusals = 0;
          connectionBack();
          joined(view, frame);
          setState(true);
        }
        if (page.receive(view, frame) && view.seen !== null) {
          view.seen++;
          if (!acker) acker = setTimeout(ack, opts.ackMs);
        }
      } catch (e) {
        console.error("actorview: could not apply a frame, rejoining", e);
        socket.close(); // the rejoin brings the whole view back
      }
    };
    socket.onclose = function (event) {
      if (view.socket !== socket) return;
      view.send = null;
      clearInterval(pinger);
      clearTimeout(acker);
      acker = null;
      setState(false);
      if (view.closed) return;
      var stop = stopReason(event, ++refusals);
      if (event.code !== CLOSE.JOIN_REFUSED) refusals = 0;
      if (stop) {
        // Retrying cannot help: say so once, and leave the page as it is.
        connectionBack();
        view.closed = true;
        page.receive(view, { t: "notice", kind: "failed", text: stop });
        return;
      }
      connectionLost(); // a toast if the rejoin takes a while
      setTimeout(open, backoff(attempt++, opts));
    };
    socket.onerror = function () {
      socket.close();
    };
  }

  page.mount(view);
  open();
  return {
    close: function () {
      view.closed = true;
      if (view.socket) view.socket.close();
    },
  };
}
