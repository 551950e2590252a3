/*
 * Node addressing and DOM identity: the view's root inside its container, a node by its
 * path of child indexes, a keyed stream item by its av-key, parsing one node from the
 * server's HTML, and the live properties (value, checked, selected) kept in step with
 * their attributes. Every other module finds nodes through these.
 */
export var KEY_ATTR = "av-key";

// A stream item the browser showed before the server (an optimistic push): the server's
// item under its key takes its place.
export var PROVISIONAL_ATTR = "av-provisional";

// A stream container's tail: one live element after its items (the server addresses it
// as the last child, path step -1); inserts go before it and a reset keeps it.
export var TAIL_ATTR = "av-tail";

export function streamTail(el) {
  var last = el.lastElementChild;
  return last && last.hasAttribute(TAIL_ATTR) && last === el.lastChild ? last : null;
}

export function fail(message) {
  throw new Error("actorview: " + message);
}

export function rootOf(container) {
  return container.firstElementChild || fail("the view container is empty");
}

export function nodeAt(container, path) {
  return nodeFrom(rootOf(container), path);
}

// The node at `path` below `node` (a promoted tail's ops are addressed from the tail).
export function nodeFrom(node, path) {
  for (var depth = 0; depth < path.length; depth++) {
    var index = path[depth];
    var next = node.childNodes[index < 0 ? node.childNodes.length + index : index];
    if (!next) fail("path " + JSON.stringify(path) + " not found at depth " + depth);
    // A negative step addresses a stream's tail: the last child must be one, else the
    // page is not what the server diffed, and the frame is refused (the view rejoins)
    // rather than applied to an item.
    if (index < 0 && !(next.nodeType === 1 && next.hasAttribute(TAIL_ATTR))) {
      fail("path " + JSON.stringify(path) + ": the last child at depth " + depth + " is not a stream tail");
    }
    node = next;
  }
  return node;
}

export function fragment(html) {
  var template = document.createElement("template");
  template.innerHTML = html;
  return template.content;
}

export function parseOne(html) {
  var content = fragment(html);
  if (content.childNodes.length !== 1) fail("expected one node in " + html.slice(0, 80));
  return content.firstChild;
}

export function isFocused(el) {
  return el === document.activeElement;
}

// Attributes that only set the initial state of a form control: keep the live property
// in step. A value is kept in the control the user is typing in; checked and selected
// follow the server even in a focused control (a checkbox just clicked has focus, and
// shows what the state says, not what the click did).
export function syncProperty(el, name, value) {
  if (name === "value" && "value" in el) {
    if (!isFocused(el)) el.value = value === null ? "" : value;
  } else if (name === "checked" && "checked" in el) el.checked = value !== null;
  else if (name === "selected" && "selected" in el) el.selected = value !== null;
}

export function streamItem(el, key) {
  for (var child = el.firstElementChild; child; child = child.nextElementSibling) {
    if (child.getAttribute(KEY_ATTR) === key) return child;
  }
  return null;
}
