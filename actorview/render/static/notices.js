/*
 * Notices: the server's notice frames, and the page's own (a frame too large to send, a
 * socket that cannot come back), shown to the person at the page.
 *
 * {"t":"notice","kind","text"}: what happened to the view, for the person at the page.
 * Shown in one #av-notice element outside the view's markup (patches never touch it):
 * "restarted" (dismissable, hides itself), "waiting" (until the view renders again),
 * "failed" (the view stopped for good: "Try again" reloads the page, which mounts a
 * fresh view) and "error" (something failed on the server; the view goes on).
 */
var NOTICE_HIDE_MS = { restarted: 10000, error: 10000 };

function noticeElement() {
  var notice = document.getElementById("av-notice");
  if (notice) return notice;
  notice = document.createElement("div");
  notice.id = "av-notice";
  notice.hidden = true;
  var text = document.createElement("span");
  text.className = "av-notice-text";
  var action = document.createElement("button");
  action.type = "button";
  action.className = "av-notice-action";
  notice.append(text, action);
  document.body.appendChild(notice);
  return notice;
}

export function showNotice(kind, text) {
  var notice = noticeElement();
  clearTimeout(notice.avHideTimer);
  notice.setAttribute("data-kind", kind);
  notice.setAttribute("role", kind === "failed" || kind === "error" ? "alert" : "status");
  notice.querySelector(".av-notice-text").textContent = text;
  var action = notice.querySelector(".av-notice-action");
  action.textContent = kind === "failed" ? "Try again" : "Dismiss";
  action.onclick = kind === "failed"
    ? function () { window.location.reload(); }
    : function () { hideNotice(); };
  notice.hidden = false;
  if (NOTICE_HIDE_MS[kind]) notice.avHideTimer = setTimeout(hideNotice, NOTICE_HIDE_MS[kind]);
}

export function hideNotice(kind) {
  var notice = document.getElementById("av-notice");
  if (notice && (kind === undefined || notice.getAttribute("data-kind") === kind)) {
    notice.hidden = true;
  }
}
