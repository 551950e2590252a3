/*
 * Paged streams: ask for the next page when a paged container's edge item comes into
 * view, and keep the item being read in place when the page arrives.
 *
 * A paged stream's container carries av-viewport-top="<stream>" while items older than
 * the ones shown exist (av-viewport-bottom while newer ones do). When its first (last)
 * item comes into view, the client sends the event "av:page" {stream, edge} once, and
 * nothing more for that edge until a frame changes the container or the reply says
 * nothing came. The frame that brings a page keeps the item the user was reading where
 * it was on screen (the items above it move it down; the scroll follows).
 */
import { streamTail, TAIL_ATTR } from "./nodes.js";

var PAGE_EVENT = "av:page";
var EDGES = [["av-viewport-top", "top"], ["av-viewport-bottom", "bottom"]];
var PAGED = "[av-viewport-top], [av-viewport-bottom]";

function scrollRoot(el) {
  for (var node = el; node && node.nodeType === 1; node = node.parentElement) {
    var overflow = window.getComputedStyle(node).overflowY;
    if (overflow === "auto" || overflow === "scroll") return node;
  }
  return null; // the window scrolls
}

function rootTop(root) {
  return root ? root.getBoundingClientRect().top : 0;
}

// Before a frame: in each paged container, the first item the user can see, and where.
export function captureAnchors(container) {
  var anchors = [];
  var marked = container.querySelectorAll(PAGED);
  for (var i = 0; i < marked.length; i++) {
    var root = scrollRoot(marked[i]);
    var top = rootTop(root);
    for (var item = marked[i].firstElementChild; item; item = item.nextElementSibling) {
      var box = item.getBoundingClientRect();
      if (box.bottom > top) {
        anchors.push({ root: root, item: item, offset: box.top - top });
        break;
      }
    }
  }
  return anchors;
}

// After it: scroll each by as much as its anchor moved (a log kept at its bottom by
// av-autoscroll stays there instead).
export function restoreAnchors(anchors, scroll) {
  anchors.forEach(function (anchor) {
    if (!anchor.item.isConnected) return;
    var stuck = scroll.logs.some(function (pair) { return pair[0] === anchor.root && pair[1]; });
    if (stuck) return;
    var moved = anchor.item.getBoundingClientRect().top - rootTop(anchor.root) - anchor.offset;
    if (Math.abs(moved) < 0.5) return;
    if (anchor.root) anchor.root.scrollTop += moved;
    else window.scrollBy(0, moved);
  });
}

function askPage(view, el, attr, edge) {
  var stream = el.getAttribute(attr);
  var key = stream + " " + edge;
  if (view.pageAsked[key] || !view.event || el.getAttribute(attr) !== stream) return;
  var ref = view.event(PAGE_EVENT, { stream: stream, edge: edge });
  if (ref) view.pageAsked[key] = { ref: ref, el: el };
}

// Watch the edge items of every paged container (again after each frame that changed one).
export function watchPages(view) {
  if (!window.IntersectionObserver) return;
  view.pageAsked = view.pageAsked || {};
  (view.pageObservers || []).forEach(function (observer) { observer.disconnect(); });
  view.pageObservers = [];
  EDGES.forEach(function (pair) {
    var marked = view.container.querySelectorAll("[" + pair[0] + "]");
    Array.prototype.forEach.call(marked, function (el) {
      var last = streamTail(el) ? el.lastElementChild.previousElementSibling : el.lastElementChild;
      var item = pair[1] === "top" ? el.firstElementChild : last;
      if (item && item.hasAttribute(TAIL_ATTR)) item = null;
      if (!item) return askPage(view, el, pair[0], pair[1]); // nothing shown: ask now
      var observer = new IntersectionObserver(function (entries) {
        if (entries.some(function (entry) { return entry.isIntersecting; })) {
          askPage(view, el, pair[0], pair[1]);
        }
      }, { root: scrollRoot(el) });
      observer.observe(item);
      view.pageObservers.push(observer);
    });
  });
}

// After a frame: asks whose container it changed are answered; watch again if it
// changed a paged container (or made one).
export function pagesAfterFrame(view, ctx, rendered) {
  var asked = view.pageAsked || {};
  var changed = rendered;
  var touched = new Set(ctx.touched);
  Object.keys(asked).forEach(function (key) {
    if (rendered || touched.has(asked[key].el) || !asked[key].el.isConnected) {
      delete asked[key];
      changed = true;
    }
  });
  changed = changed || ctx.touched.some(function (node) {
    return node.nodeType === 1 && (node.matches(PAGED) || node.querySelector(PAGED));
  }) || ctx.added.some(function (node) {
    return node.nodeType === 1 && (node.matches(PAGED) || node.querySelector(PAGED));
  });
  if (changed) watchPages(view);
}

// The reply to a page request that brought nothing: the edge may be asked again.
export function pageReplied(view, frame) {
  var asked = view.pageAsked || {};
  if (frame.outcome === "applied") return;
  Object.keys(asked).forEach(function (key) {
    if (asked[key].ref === frame.ref) {
      delete asked[key];
      watchPages(view);
    }
  });
}
