/*
 * What the user is at, kept across a frame: the focused control (found again by id or
 * path if it was replaced), its value and caret, the window's scroll, and av-autoscroll
 * logs stuck to their bottom.
 */
import { isFocused, nodeAt, rootOf } from "./nodes.js";

function pathFrom(container, el) {
  var path = [];
  var root = rootOf(container);
  while (el && el !== root) {
    var parent = el.parentNode;
    if (!parent) return null;
    path.unshift(Array.prototype.indexOf.call(parent.childNodes, el));
    el = parent;
  }
  return el === root ? path : null;
}

export function captureFocus(container) {
  var el = document.activeElement;
  if (!el || el === document.body || !container.contains(el)) return null;
  var saved = { el: el, id: el.id, tag: el.tagName, path: pathFrom(container, el) };
  if ("value" in el) saved.value = el.value;
  try {
    saved.start = el.selectionStart;
    saved.end = el.selectionEnd;
    saved.direction = el.selectionDirection;
  } catch (e) {
    saved.start = null; // inputs without a caret (checkbox, number...) throw
  }
  return saved;
}

function findAgain(container, saved) {
  if (saved.el.isConnected && container.contains(saved.el)) return saved.el;
  var el = saved.id ? document.getElementById(saved.id) : null;
  if (!el && saved.path) {
    try {
      el = nodeAt(container, saved.path);
    } catch (e) {
      el = null;
    }
  }
  if (!el || el.tagName !== saved.tag) return null;
  if (saved.value !== undefined && el.value !== saved.value) el.value = saved.value;
  return el;
}

export function restoreFocus(container, saved) {
  if (!saved) return;
  var el = findAgain(container, saved);
  if (!el) return;
  if (!isFocused(el)) el.focus({ preventScroll: true });
  if (saved.start !== null && saved.start !== undefined && el.setSelectionRange) {
    try {
      el.setSelectionRange(saved.start, saved.end, saved.direction || "none");
    } catch (e) {
      /* the control lost its caret (type changed): nothing to restore */
    }
  }
}

function atBottom(el) {
  return el.scrollHeight - el.scrollTop - el.clientHeight <= 4;
}

// Elements marked av-autoscroll stick to the bottom while the user is at the bottom.
export function captureScroll(container) {
  var logs = [];
  var marked = container.querySelectorAll("[av-autoscroll]");
  for (var i = 0; i < marked.length; i++) logs.push([marked[i], atBottom(marked[i])]);
  return { logs: logs, x: window.scrollX, y: window.scrollY };
}

export function restoreScroll(container, saved) {
  for (var i = 0; i < saved.logs.length; i++) {
    var el = saved.logs[i][0];
    if (saved.logs[i][1] && el.isConnected) el.scrollTop = el.scrollHeight;
  }
  var fresh = container.querySelectorAll("[av-autoscroll]");
  for (var j = 0; j < fresh.length; j++) {
    if (!saved.logs.some(function (pair) { return pair[0] === fresh[j]; })) {
      fresh[j].scrollTop = fresh[j].scrollHeight; // a new log starts at its end
    }
  }
  if (window.scrollX !== saved.x || window.scrollY !== saved.y) window.scrollTo(saved.x, saved.y);
}
