/*
 * Live navigation: av-patch / av-navigate links, the back and forward buttons, and the
 * server's url / load frames and a render frame's nav (docs/NAVIGATION.md).
 *
 * A click on <a href="/?page=2" av-patch> (or av-navigate) sends {"t":"nav","href",
 * "kind":"patch"|"navigate"} instead of loading the page; a click with a modifier key,
 * another button, a target other than _self, a download link or a link to another origin
 * is left to the browser, as is any click while the socket is down (a whole page load).
 * A back/forward move (popstate) to a URL other than the view's sends kind "pop". The
 * browser's URL changes only when the server says so:
 *   {"t":"url","href","history","token"}    the view took the patch: push or replace the
 *                                          history entry ("none": the browser is there)
 *   {"t":"render","html","nav":{...}}       a navigation mounted another view: the same
 *                                          fields, plus its client program (id, script)
 *   {"t":"load","href"}                     no live route serves it: a whole page load
 * The token (and the join's path) follow, so a rejoin mounts the view at the URL shown.
 */
var LINKS = "a[av-patch], a[av-navigate]";

function here() {
  return window.location.pathname + window.location.search;
}

// The view's URL (as the server last confirmed it) starts as the page's own.
export function watchNavigation(view) {
  view.url = here();
  view.container.addEventListener("click", function (e) {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) {
      return;
    }
    var el = e.target.nodeType === 1 ? e.target : e.target.parentElement;
    var link = el && el.closest(LINKS);
    if (!link || !view.container.contains(link) || link.hasAttribute("download")) return;
    var target = link.getAttribute("target");
    if (target && target !== "_self") return;
    var url = new URL(link.getAttribute("href") || "", window.location.href);
    if (url.origin !== window.location.origin || !view.send) return; // the browser goes
    e.preventDefault();
    var kind = link.hasAttribute("av-navigate") ? "navigate" : "patch";
    view.send({ t: "nav", href: url.pathname + url.search, kind: kind });
  });
  window.addEventListener("popstate", function () {
    if (here() === view.url) return; // a fragment moved
    if (view.send) view.send({ t: "nav", href: here(), kind: "pop" });
    // else the rejoin brings it (navigationJoined)
  });
}

// After a joined frame: the user moved back or forward while the socket was down.
export function navigationJoined(view) {
  if (view.url !== undefined && here() !== view.url && view.send) {
    view.send({ t: "nav", href: here(), kind: "pop" });
  }
}

// A url frame, or the nav of a render frame: take the URL, its history and the token.
export function navigated(view, nav) {
  var url = new URL(String(nav.href), window.location.href);
  if (url.origin !== window.location.origin) return;
  var href = url.pathname + url.search;
  if (nav.history === "push" && href !== here()) window.history.pushState({ av: true }, "", href);
  else if (nav.history !== "none") window.history.replaceState({ av: true }, "", href);
  view.url = href;
  view.join.path = url.pathname;
  if (typeof nav.token === "string") view.join.token = nav.token;
}

// A render frame's nav (another view mounted): its URL, and its client program; the
// render is applied at once, and `rebind` runs once a program new to the page has
// loaded (its script is served by the same origin, so the CSP holds).
export function arrived(view, nav, rebind) {
  navigated(view, nav);
  if (nav.history === "push") window.scrollTo(0, 0); // a new page, read from its top
  if (nav.program === undefined) return;
  view.container.setAttribute("data-av-program", String(nav.program));
  view.optimistic = null; // made again from the new program (bindings.js)
  var programs = window.ActorViewPrograms || {};
  if (programs[nav.program] || typeof nav.script !== "string") return;
  var script = document.createElement("script");
  script.src = nav.script;
  script.onload = rebind;
  document.head.appendChild(script);
}

export function loadPage(frame) {
  var url = new URL(String(frame.href), window.location.href);
  if (url.origin === window.location.origin) window.location.assign(url.href);
}
