/*
 * Toasts: short messages for the person at the page, stacked in one #av-toasts region
 * outside every view's markup (patches never touch it). Two kinds of toast live there:
 *
 *   flashes  ops.flash / View.flash ({"t":"flash","kind","text"}): one .av-toast.av-flash
 *            per flash, data-kind info | success | warning | error, role=status (info,
 *            success) or role=alert (warning, error), a Dismiss button, gone by itself
 *            after FLASH_HIDE_MS[kind]; at most MAX_FLASHES at once (the oldest goes).
 *   notices  the runtime's own (notices.js): the one #av-notice toast, shown again for
 *            each notice, in the same region and look; and #av-reconnecting
 *            (role=status), shown while a socket that dropped has not joined again for
 *            RECONNECTING_AFTER_MS (socket.js: connectionLost, connectionBack).
 *
 * Text is always set as text, never as markup. window.ActorView.toasts exposes
 * FLASH_HIDE_MS, so a page (or a test) may change how long flashes stay.
 */
export var FLASH_HIDE_MS = { info: 5000, success: 5000, warning: 8000, error: 8000 };
var MAX_FLASHES = 5;

/** The page's toast region, made on first use at the end of <body>. */
export function toastRegion() {
  var region = document.getElementById("av-toasts");
  if (region) return region;
  region = document.createElement("div");
  region.id = "av-toasts";
  region.className = "av-toasts";
  document.body.appendChild(region);
  return region;
}

/**
 * A toast element: text, then an action button. `classes` name its parts, e.g.
 * {toast: "av-notice", text: "av-notice-text", action: "av-notice-action"}; every toast
 * also has av-toast, av-toast-text and av-toast-action.
 */
export function makeToast(classes) {
  var toast = document.createElement("div");
  toast.className = "av-toast " + (classes.toast || "");
  var text = document.createElement("span");
  text.className = "av-toast-text " + (classes.text || "");
  var action = document.createElement("button");
  action.type = "button";
  action.className = "av-toast-action " + (classes.action || "");
  toast.append(text, action);
  toastRegion().appendChild(toast);
  return toast;
}

/** Fill `toast` in: kind, role, text, the action's label and what it does. */
export function fillToast(toast, kind, role, text, label, onAction) {
  toast.setAttribute("data-kind", kind);
  toast.setAttribute("role", role);
  toast.querySelector(".av-toast-text").textContent = text;
  var action = toast.querySelector(".av-toast-action");
  action.textContent = label;
  action.onclick = onAction;
}

/** Show a flash of `kind` (an unknown kind shows as info) with `text`. */
export function showFlash(kind, text) {
  if (!Object.prototype.hasOwnProperty.call(FLASH_HIDE_MS, kind)) kind = "info";
  var region = toastRegion();
  var shown = region.querySelectorAll(".av-flash");
  for (var i = 0; i <= shown.length - MAX_FLASHES; i++) removeFlash(shown[i]);
  var toast = makeToast({ toast: "av-flash" });
  var alert = kind === "warning" || kind === "error";
  fillToast(toast, kind, alert ? "alert" : "status", text, "Dismiss", function () {
    removeFlash(toast);
  });
  toast.querySelector(".av-toast-action").setAttribute("aria-label", "Dismiss: " + text);
  toast.avHideTimer = setTimeout(function () { removeFlash(toast); }, FLASH_HIDE_MS[kind]);
  return toast;
}

function removeFlash(toast) {
  clearTimeout(toast.avHideTimer);
  toast.remove();
}

var RECONNECTING_AFTER_MS = 1500;
var RECONNECTING_TEXT = "The connection was lost. Reconnecting…";
var lostTimer = null;

/** A socket dropped and will reconnect: say so if it is not back within a moment. */
export function connectionLost() {
  if (lostTimer) return;
  lostTimer = setTimeout(function () {
    lostTimer = null;
    var toast = document.getElementById("av-reconnecting");
    if (!toast) {
      toast = makeToast({ toast: "av-reconnecting" });
      toast.id = "av-reconnecting";
    }
    fillToast(toast, "reconnecting", "status", RECONNECTING_TEXT, "Dismiss", function () {
      toast.hidden = true;
    });
    toast.hidden = false;
  }, RECONNECTING_AFTER_MS);
}

/** The socket joined again (or gave up, with a notice of its own): take that back. */
export function connectionBack() {
  clearTimeout(lostTimer);
  lostTimer = null;
  var toast = document.getElementById("av-reconnecting");
  if (toast) toast.hidden = true;
}
