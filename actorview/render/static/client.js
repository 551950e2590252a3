/*
 * actorview browser client, the entry module: wires the modules below into
 * window.ActorView and starts every view in the page.
 *
 * Native ES modules, no build step, no framework, nothing evaluated from strings (the
 * page's CSP is script-src 'self'). docs/PROTOCOL.md describes the ops and frames;
 * actorview/render/_document.py is the Python applier patch.js must agree with. Every
 * module is served flat under /_av/ (actorview.optimistic.client_modules), so an import
 * names a sibling by its served name:
 *
 *   render/static/  wire.js     the op codes (OP), the one table the browser reads
 *                   nodes.js    node addressing and DOM identity (paths, keyed items)
 *                   patch.js    one frame of ops applied, focus and scroll kept, hooks run
 *                   focus.js    focus, caret and scroll across a frame
 *                   pages.js    paged streams: ask for a page at an edge, keep the reader
 *                   hooks.js    av-hook lifecycles (ActorView.hooks)
 *                   events.js   DOM events -> event and input frames (av-*, debounce)
 *                   forms.js    av-form forms -> av:form events; refused checkboxes back
 *                   notices.js  #av-notice
 *                   toasts.js   the #av-toasts region: flashes, and the notice's toast
 *                   uploads.js  files from inputs and drops, sent in binary chunks
 *                   navigation.js  av-patch / av-navigate links, back and forward,
 *                               the url / load frames (docs/NAVIGATION.md)
 *                   socket.js   the WebSocket: join, rejoin, frame counting, acks,
 *                               backoff, close codes, the frame limit
 *   optimistic/     bindings.js the browser's client fields, calcs and bindings
 *                   predict.js  optimistic actions, settled or taken back by the reply
 *
 * Data flows one way: socket.js hands each server frame to receive below, which gives
 * it to its owner (patch.js, predict.js, pages.js, notices.js); events.js hands each
 * DOM event to socket.js, which asks predict.js first.
 *
 * A page mounts a view like this (the root element directly inside, no whitespace):
 *
 *   <div id="av-root" data-av-socket="/_av/live" data-av-token="..."><div>...</div></div>
 *   <script type="module" src="/_av/client.js"></script>
 *
 * Public API (window.ActorView):
 *   apply(container, ops)      apply one frame of ops to the view inside container
 *   connect(container, opts)   open the socket, join, follow frames, reconnect with backoff
 *   hooks                      { Name: { mounted(), updated(), destroyed() } } for av-hook="Name"
 *                              (hooks.js: this.pushEvent, this.handleEvent)
 *   toasts                     { FLASH_HIDE_MS }: how long each kind of flash stays
 *   start()                    connect every [data-av-socket] container (done once the
 *                              document is parsed and every deferred and module script,
 *                              the application's too, has run: their hooks are there)
 */
import { applyBindings, clientInput, restoreServerText } from "./bindings.js";
import { delegate } from "./events.js";
import { scrollLogsToEnd } from "./focus.js";
import { deliverEvent, hooks, mountHooks } from "./hooks.js";
import { rootOf } from "./nodes.js";
import { arrived, loadPage, navigated, navigationJoined, watchNavigation } from "./navigation.js";
import { hideNotice, showNotice } from "./notices.js";
import { pageReplied, pagesAfterFrame, watchPages } from "./pages.js";
import { apply as applyFrame } from "./patch.js";
import { afterFrame, forgetLost, predict, settle } from "./predict.js";
import { connect as connectSocket } from "./socket.js";
import { FLASH_HIDE_MS, showFlash } from "./toasts.js";
import { uploadAnswered, uploadsRejoined, watchUploads } from "./uploads.js";
import { FRAME, OP } from "./wire.js";

var views = new WeakMap();

/** Apply one frame (an array of ops) to the view inside `container`. */
function apply(container, ops) {
  return applyFrame(views.get(container) || { container: container }, ops);
}

// One frame from the server; returns whether it counts among the session's frames.
function receive(view, frame) {
  if (Array.isArray(frame)) {
    restoreServerText(view);
    var ctx = applyFrame(view, frame);
    afterFrame(view, false);
    pagesAfterFrame(view, ctx, false);
    return true;
  }
  switch (frame.t) {
    case "render":
      if (frame.nav) arrived(view, frame.nav, function () { applyBindings(view); });
      if (view.optimistic) view.optimistic.serverText.clear();
      var rendered = applyFrame(view, [[OP.REPLACE_NODE, [], frame.html]]);
      afterFrame(view, true);
      pagesAfterFrame(view, rendered, true);
      hideNotice("waiting"); // the view is up again
      view.container.removeAttribute("data-av-state");
      view.container.inert = false;
      return true;
    case "notice":
      showNotice(String(frame.kind), String(frame.text));
      // A view that stopped for good, or waits for a dependency, leaves its last render
      // on the page: mark it (actorview.css greys it out) and, once failed, make it
      // inert, so it does not pass for a live page. The next render frame clears it.
      if (frame.kind === "failed" || frame.kind === "waiting") {
        view.container.setAttribute("data-av-state", String(frame.kind));
        view.container.inert = frame.kind === "failed";
      }
      break;
    case "url":
      navigated(view, frame);
      break;
    case "load":
      loadPage(frame);
      break;
    case "reply":
      settle(view, frame);
      pageReplied(view, frame);
      break;
    case "joined":
      // socket.js has taken the token, the limits and the frame count from it.
      if (typeof frame.ref === "number") forgetLost(view, frame.ref, view.sentBeforeJoin);
      view.pageAsked = {}; // a page asked for on the last socket may never have arrived
      watchPages(view);
      uploadsRejoined(view);
      navigationJoined(view);
      return false;
    case FRAME.EVENT: // after the frames before it are drawn (ops.push_event)
      deliverEvent(view, String(frame.name), frame.payload);
      break;
    case FRAME.FLASH:
      showFlash(String(frame.kind), String(frame.text));
      break;
    case FRAME.TITLE:
      document.title = String(frame.text);
      break;
    case "upload":
      uploadAnswered(view, frame);
      break;
    case "error":
      console.warn("actorview: " + frame.error);
      // An event refused before the view saw it (rate limit, restart) gets no reply.
      if (typeof frame.ref === "number") settle(view, { ref: frame.ref, outcome: "error" });
      break;
  }
  var name = "av:" + frame.t;
  view.container.dispatchEvent(new CustomEvent(name, { detail: frame }));
  return true;
}

// What the rest of the client does with a view socket.js follows.
var page = {
  mount: function (view) {
    views.set(view.container, view);
    delegate(view, clientInput);
    watchNavigation(view);
    watchUploads(view);
    mountHooks(view, rootOf(view.container));
    applyBindings(view);
    scrollLogsToEnd(view.container);
  },
  receive: receive,
  sending: predict,
  refused: function (view, ref) {
    settle(view, { ref: ref, outcome: "error" });
  },
};

/**
 * Follow the view in `container` (socket URL from data-av-socket, join from
 * data-av-token or data-av-join). Reconnects with exponential backoff and rejoins;
 * the server answers a join with the whole view. Returns {close()}.
 */
function connect(container, options) {
  return connectSocket(container, options, page);
}

function start() {
  var containers = document.querySelectorAll("[data-av-socket], [data-av-url]");
  for (var i = 0; i < containers.length; i++) connect(containers[i]);
}

var started = false;
function startOnce() {
  if (started) return;
  started = true;
  start();
}

window.ActorView = {
  apply: apply,
  connect: connect,
  hooks: hooks,
  toasts: { FLASH_HIDE_MS: FLASH_HIDE_MS },
  start: start,
};
// A page's module and deferred scripts run in order before DOMContentLoaded: starting
// then, not when this module runs, lets the application's scripts after it register
// their hooks first. `load` covers a client loaded later than that.
if (document.readyState === "complete") startOnce();
else {
  document.addEventListener("DOMContentLoaded", startOnce);
  window.addEventListener("load", startOnce);
}
