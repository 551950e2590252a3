/*
 * Notices: the server's notice frames, and the page's own (a frame too large to send, a
 * socket that cannot come back), shown to the person at the page.
 *
 * {"t":"notice","kind","text"}: what happened to the view, for the person at the page.
 * Shown in one #av-notice toast (toasts.js: in the #av-toasts region, beside the flashes,
 * outside the view's markup, which patches never touch):
 * "restarted" (dismissable, hides itself), "waiting" (until the view renders again),
 * "failed" (the view stopped for good: "Try again" reloads the page, which mounts a
 * fresh view) and "error" (something failed on the server; the view goes on).
 */
import { fillToast, makeToast } from "./toasts.js";

var NOTICE_HIDE_MS = { restarted: 10000, error: 10000 };

function noticeElement() {
  var notice = document.getElementById("av-notice");
  if (notice) return notice;
  notice = makeToast({ toast: "av-notice", text: "av-notice-text", action: "av-notice-action" });
  notice.id = "av-notice";
  notice.hidden = true;
  return notice;
}

export function showNotice(kind, text) {
  var notice = noticeElement();
  clearTimeout(notice.avHideTimer);
  fillToast(
    notice,
    kind,
    kind === "failed" || kind === "error" ? "alert" : "status",
    text,
    kind === "failed" ? "Try again" : "Dismiss",
    kind === "failed"
      ? function () { window.location.reload(); }
      : function () { hideNotice(); }
  );
  notice.hidden = false;
  if (NOTICE_HIDE_MS[kind]) notice.avHideTimer = setTimeout(hideNotice, NOTICE_HIDE_MS[kind]);
}

export function hideNotice(kind) {
  var notice = document.getElementById("av-notice");
  if (notice && (kind === undefined || notice.getAttribute("data-kind") === kind)) {
    notice.hidden = true;
  }
}
