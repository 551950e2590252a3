/*
 * Patch application: one frame of the server's ops applied to the DOM, as
 * actorview/render/_document.py (the Python applier this must agree with) does.
 */
import { captureFocus, captureScroll, restoreFocus, restoreScroll } from "./focus.js";
import { runHooks } from "./hooks.js";
import {
  fail,
  fragment,
  isFocused,
  KEY_ATTR,
  nodeFrom,
  parseOne,
  PROVISIONAL_ATTR,
  rootOf,
  streamItem,
  streamTail,
  syncProperty,
  TAIL_ATTR,
} from "./nodes.js";
import { captureAnchors, restoreAnchors } from "./pages.js";
import { OP } from "./wire.js";

function syncTextarea(textNode) {
  var parent = textNode.parentNode;
  if (parent && parent.tagName === "TEXTAREA" && !isFocused(parent)) {
    parent.value = parent.textContent;
  }
}

// Returns the new node (the new root, when `path` is empty).
function replaceNode(root, path, html, ctx) {
  var old = nodeFrom(root, path);
  var node = parseOne(html);
  old.parentNode.replaceChild(node, old);
  ctx.removed.push(old);
  ctx.added.push(node);
  return node;
}

function setInnerHtml(el, html, ctx) {
  Array.prototype.push.apply(ctx.removed, el.childNodes);
  var content = fragment(html);
  Array.prototype.push.apply(ctx.added, content.childNodes);
  el.replaceChildren(content);
}

// ["c", path, removes, moves, inserts]: see UpdateChildren in patches.py.
function updateChildren(el, removes, moves, inserts, ctx) {
  var old = Array.prototype.slice.call(el.childNodes);
  var size = old.length - removes.length + inserts.length / 2;
  var final = new Array(size);
  var taken = new Set(removes);
  var placed = new Set();
  var i, node;
  for (i = 0; i < moves.length; i += 2) {
    node = old[moves[i]] || fail("move from missing child " + moves[i]);
    final[moves[i + 1]] = node;
    taken.add(moves[i]);
    placed.add(node);
  }
  for (i = 0; i < inserts.length; i += 2) {
    node = parseOne(inserts[i + 1]);
    final[inserts[i]] = node;
    placed.add(node);
    ctx.added.push(node);
  }
  var stay = 0;
  for (i = 0; i < size; i++) {
    if (final[i]) continue;
    while (stay < old.length && taken.has(stay)) stay++;
    final[i] = old[stay++] || fail("children op does not fit " + old.length + " children");
  }
  for (i = 0; i < removes.length; i++) {
    node = old[removes[i]] || fail("remove of missing child " + removes[i]);
    el.removeChild(node);
    ctx.removed.push(node);
  }
  // Right to left: each moved or new node goes just before its successor; the
  // children that stay (a longest increasing run) are never touched.
  var anchor = null;
  for (i = size - 1; i >= 0; i--) {
    if (placed.has(final[i])) el.insertBefore(final[i], anchor);
    anchor = final[i];
  }
}

function streamInsert(el, key, html, at, limit, ctx) {
  var node = parseOne(html);
  ctx.added.push(node);
  var existing = streamItem(el, key);
  if (existing && existing.hasAttribute(PROVISIONAL_ATTR)) {
    // The server's item for a key the client proposed: it takes the server's place
    // (where the provisional item was, unless the server put others before it).
    el.removeChild(existing);
    ctx.removed.push(existing);
    existing = null;
  }
  if (existing) {
    el.replaceChild(node, existing);
    ctx.removed.push(existing);
    return;
  }
  var tail = streamTail(el);
  var count = el.childNodes.length - (tail ? 1 : 0);
  var appended = at < 0 || at >= count;
  el.insertBefore(node, appended ? tail : el.childNodes[at]);
  if (limit === null || limit === undefined) return;
  while (el.childNodes.length - (tail ? 1 : 0) > Math.max(limit, 0)) {
    var trimmed = appended ? el.firstChild : tail ? tail.previousSibling : el.lastChild;
    el.removeChild(trimmed);
    ctx.removed.push(trimmed);
  }
}

// ["p", path, key, ops, tail, limit?]: see StreamPromoteTail in _patches.py. The tail
// element itself becomes the item (ops addressed from it), so the nodes it built stay.
function promoteTail(el, key, ops, tailHtml, limit, ctx) {
  var item = streamTail(el) || fail("no stream tail to promote in " + el.tagName);
  for (var i = 0; i < ops.length; i++) item = applyOp(item, ops[i], ctx);
  if (item.nodeType !== 1) fail("a promoted tail must stay an element");
  item.removeAttribute(TAIL_ATTR);
  item.setAttribute(KEY_ATTR, key);
  ctx.touched.push(item);
  var existing = null;
  for (var child = el.firstElementChild; child && child !== item; child = child.nextElementSibling) {
    if (child.getAttribute(KEY_ATTR) === key) existing = child;
  }
  if (existing && existing.hasAttribute(PROVISIONAL_ATTR)) {
    el.removeChild(existing); // the client's guess: the promoted item is the server's
    ctx.removed.push(existing);
    existing = null;
  }
  if (existing) {
    el.replaceChild(item, existing);
    ctx.removed.push(existing);
  } else if (limit !== null && limit !== undefined) {
    while (el.childNodes.length > Math.max(limit, 0)) {
      var trimmed = el.firstChild;
      el.removeChild(trimmed);
      ctx.removed.push(trimmed);
    }
  }
  var tail = parseOne(tailHtml);
  el.appendChild(tail);
  ctx.added.push(tail);
}

function removeAll(el, ctx) {
  var tail = streamTail(el);
  Array.prototype.forEach.call(el.childNodes, function (child) {
    if (child !== tail) ctx.removed.push(child);
  });
  if (tail) el.replaceChildren(tail);
  else el.replaceChildren();
}

// One op, its path read from `root`; returns the root as it is after the op (a
// replaced root is a new node).
function applyOp(root, op, ctx) {
  var code = op[0];
  var path = op[1];
  if (code === OP.REPLACE_NODE) {
    var node = replaceNode(root, path, op[2], ctx);
    return path.length ? root : node;
  }
  applyAt(nodeFrom(root, path), op, ctx);
  return root;
}

function applyAt(node, op, ctx) {
  var code = op[0];
  ctx.touched.push(node);
  switch (code) {
    case OP.APPEND_TEXT:
      node.appendData(op[2]);
      return syncTextarea(node);
    case OP.SET_TEXT:
      node.data = op[2];
      return syncTextarea(node);
    case OP.SET_ATTR:
      node.setAttribute(op[2], op[3]);
      return syncProperty(node, op[2], op[3]);
    case OP.REMOVE_ATTR:
      node.removeAttribute(op[2]);
      return syncProperty(node, op[2], null);
    case OP.SET_INNER_HTML:
      return setInnerHtml(node, op[2], ctx);
    case OP.UPDATE_CHILDREN:
      return updateChildren(node, op[2], op[3], op[4], ctx);
    case OP.STREAM_INSERT_ITEM:
      return streamInsert(node, op[2], op[3], op.length > 4 ? op[4] : -1, op[5], ctx);
    case OP.STREAM_DELETE_ITEM:
      var item = streamItem(node, op[2]);
      if (item) {
        node.removeChild(item);
        ctx.removed.push(item);
      }
      return;
    case OP.STREAM_RESET_ITEMS:
      return removeAll(node, ctx);
    case OP.STREAM_PROMOTE_TAIL:
      return promoteTail(node, op[2], op[3], op[4], op.length > 5 ? op[5] : null, ctx);
    default:
      fail("unknown op " + JSON.stringify(code));
  }
}

/**
 * Apply one frame (an array of ops) to `view.container`, keeping focus, caret and scroll,
 * and running the hooks of what it added, touched and removed. Returns what it touched.
 */
export function apply(view, ops) {
  var container = view.container;
  var ctx = { added: [], removed: [], touched: [] };
  var focus = captureFocus(container);
  var scroll = captureScroll(container);
  var anchors = captureAnchors(container);
  try {
    for (var i = 0; i < ops.length; i++) applyOp(rootOf(container), ops[i], ctx);
  } finally {
    restoreFocus(container, focus);
    restoreScroll(container, scroll);
    restoreAnchors(anchors, scroll);
    runHooks(view, container, ctx);
  }
  return ctx;
}
