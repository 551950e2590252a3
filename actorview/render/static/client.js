/*
 * actorview browser client: applies the server's patch ops to the DOM, delegates events,
 * keeps focus/caret/scroll, runs element hooks, and (last section) holds the WebSocket.
 *
 * One plain file, no build step, no framework. docs/PROTOCOL.md describes the ops and
 * frames; actorview/render/document.py is the Python applier this file must agree with.
 *
 * A page mounts a view like this (the root element directly inside, no whitespace):
 *
 *   <div id="av-root" data-av-socket="/_av/live" data-av-token="..."><div>...</div></div>
 *   <script src="/_av/client.js" defer></script>
 *
 * Public API (window.ActorView):
 *   apply(container, ops)      apply one frame of ops to the view inside container
 *   connect(container, opts)   open the socket, join, follow frames, reconnect with backoff
 *   hooks                      { Name: { mounted(), updated(), destroyed() } } for av-hook="Name"
 */
(function (global) {
  "use strict";

  var KEY_ATTR = "av-key";

  // The op codes, the first item of every patch op: the same table as OP_CODES in
  // actorview/render/wire.py (a test holds the two together); docs/PROTOCOL.md lists them.
  var OP = Object.freeze({
    APPEND_TEXT: "a",
    SET_TEXT: "t",
    SET_ATTR: "s",
    REMOVE_ATTR: "r",
    REPLACE_NODE: "R",
    SET_INNER_HTML: "h",
    UPDATE_CHILDREN: "c",
    STREAM_INSERT_ITEM: "i",
    STREAM_DELETE_ITEM: "d",
    STREAM_RESET_ITEMS: "x",
  });

  // ------------------------------------------------------------------ patch ops

  function fail(message) {
    throw new Error("actorview: " + message);
  }

  function rootOf(container) {
    return container.firstElementChild || fail("the view container is empty");
  }

  function nodeAt(container, path) {
    var node = rootOf(container);
    for (var depth = 0; depth < path.length; depth++) {
      var next = node.childNodes[path[depth]];
      if (!next) fail("path " + JSON.stringify(path) + " not found at depth " + depth);
      node = next;
    }
    return node;
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  function parseOne(html) {
    var content = fragment(html);
    if (content.childNodes.length !== 1) fail("expected one node in " + html.slice(0, 80));
    return content.firstChild;
  }

  function isFocused(el) {
    return el === document.activeElement;
  }

  // Attributes that only set the initial state of a form control: keep the live property
  // in step, except in the control the user is typing in.
  function syncProperty(el, name, value) {
    if (isFocused(el)) return;
    if (name === "value" && "value" in el) el.value = value === null ? "" : value;
    else if (name === "checked" && "checked" in el) el.checked = value !== null;
    else if (name === "selected" && "selected" in el) el.selected = value !== null;
  }

  function syncTextarea(textNode) {
    var parent = textNode.parentNode;
    if (parent && parent.tagName === "TEXTAREA" && !isFocused(parent)) {
      parent.value = parent.textContent;
    }
  }

  function replaceNode(container, path, html, ctx) {
    var old = nodeAt(container, path);
    var node = parseOne(html);
    old.parentNode.replaceChild(node, old);
    ctx.removed.push(old);
    ctx.added.push(node);
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

  function streamItem(el, key) {
    for (var child = el.firstElementChild; child; child = child.nextElementSibling) {
      if (child.getAttribute(KEY_ATTR) === key) return child;
    }
    return null;
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
    var count = el.childNodes.length;
    var appended = at < 0 || at >= count;
    el.insertBefore(node, appended ? null : el.childNodes[at]);
    if (limit === null || limit === undefined) return;
    while (el.childNodes.length > Math.max(limit, 0)) {
      var trimmed = appended ? el.firstChild : el.lastChild;
      el.removeChild(trimmed);
      ctx.removed.push(trimmed);
    }
  }

  function removeAll(el, ctx) {
    Array.prototype.push.apply(ctx.removed, el.childNodes);
    el.replaceChildren();
  }

  function applyOp(container, op, ctx) {
    var code = op[0];
    var path = op[1];
    if (code === OP.REPLACE_NODE) return replaceNode(container, path, op[2], ctx);
    var node = nodeAt(container, path);
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
      default:
        fail("unknown op " + JSON.stringify(code));
    }
  }

  // ------------------------------------------------------------------ focus and scroll

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

  function captureFocus(container) {
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

  function restoreFocus(container, saved) {
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
  function captureScroll(container) {
    var logs = [];
    var marked = container.querySelectorAll("[av-autoscroll]");
    for (var i = 0; i < marked.length; i++) logs.push([marked[i], atBottom(marked[i])]);
    return { logs: logs, x: global.scrollX, y: global.scrollY };
  }

  function restoreScroll(container, saved) {
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
    if (global.scrollX !== saved.x || global.scrollY !== saved.y) global.scrollTo(saved.x, saved.y);
  }

  // ------------------------------------------------------------------ paged streams
  //
  // A paged stream's container carries av-viewport-top="<stream>" while items older than
  // the ones shown exist (av-viewport-bottom while newer ones do). When its first (last)
  // item comes into view, the client sends the event "av:page" {stream, edge} once, and
  // nothing more for that edge until a frame changes the container or the reply says
  // nothing came. The frame that brings a page keeps the item the user was reading where
  // it was on screen (the items above it move it down; the scroll follows).

  var PAGE_EVENT = "av:page";
  var EDGES = [["av-viewport-top", "top"], ["av-viewport-bottom", "bottom"]];
  var PAGED = "[av-viewport-top], [av-viewport-bottom]";

  function scrollRoot(el) {
    for (var node = el; node && node.nodeType === 1; node = node.parentElement) {
      var overflow = global.getComputedStyle(node).overflowY;
      if (overflow === "auto" || overflow === "scroll") return node;
    }
    return null; // the window scrolls
  }

  function rootTop(root) {
    return root ? root.getBoundingClientRect().top : 0;
  }

  // Before a frame: in each paged container, the first item the user can see, and where.
  function captureAnchors(container) {
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
  function restoreAnchors(anchors, scroll) {
    anchors.forEach(function (anchor) {
      if (!anchor.item.isConnected) return;
      var stuck = scroll.logs.some(function (pair) { return pair[0] === anchor.root && pair[1]; });
      if (stuck) return;
      var moved = anchor.item.getBoundingClientRect().top - rootTop(anchor.root) - anchor.offset;
      if (Math.abs(moved) < 0.5) return;
      if (anchor.root) anchor.root.scrollTop += moved;
      else global.scrollBy(0, moved);
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
  function watchPages(view) {
    if (!global.IntersectionObserver) return;
    view.pageAsked = view.pageAsked || {};
    (view.pageObservers || []).forEach(function (observer) { observer.disconnect(); });
    view.pageObservers = [];
    EDGES.forEach(function (pair) {
      var marked = view.container.querySelectorAll("[" + pair[0] + "]");
      Array.prototype.forEach.call(marked, function (el) {
        var item = pair[1] === "top" ? el.firstElementChild : el.lastElementChild;
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
  function pagesAfterFrame(view, ctx, rendered) {
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
  function pageReplied(view, frame) {
    var asked = view.pageAsked || {};
    if (frame.outcome === "applied") return;
    Object.keys(asked).forEach(function (key) {
      if (asked[key].ref === frame.ref) {
        delete asked[key];
        watchPages(view);
      }
    });
  }

  // ------------------------------------------------------------------ hooks

  var hooks = {};
  var mountedHooks = new WeakMap();

  function eachHooked(node, visit) {
    if (node.nodeType !== 1) return;
    if (node.hasAttribute("av-hook")) visit(node);
    var inner = node.querySelectorAll("[av-hook]");
    for (var i = 0; i < inner.length; i++) visit(inner[i]);
  }

  function callHook(instance, name) {
    var fn = instance.spec[name];
    if (typeof fn !== "function") return;
    try {
      fn.call(instance);
    } catch (e) {
      console.error("actorview: hook " + instance.name + "." + name + " failed", e);
    }
  }

  // `fresh`, if given, collects every hooked element under `node` (mounted before or not).
  function mountHooks(view, node, fresh) {
    eachHooked(node, function (el) {
      if (fresh) fresh.add(el);
      if (mountedHooks.has(el)) return;
      var name = el.getAttribute("av-hook");
      var spec = hooks[name];
      if (!spec) return console.warn("actorview: no hook named " + name + " in ActorView.hooks");
      var instance = Object.create(spec);
      instance.el = el;
      instance.name = name;
      instance.spec = spec;
      instance.pushEvent = function (event, params) {
        if (view.event) view.event(event, params || {});
      };
      mountedHooks.set(el, instance);
      callHook(instance, "mounted");
    });
  }

  function destroyHooks(node) {
    eachHooked(node, function (el) {
      var instance = mountedHooks.get(el);
      if (!instance || el.isConnected) return;
      mountedHooks.delete(el);
      callHook(instance, "destroyed");
    });
  }

  function runHooks(view, container, ctx) {
    var i;
    for (i = 0; i < ctx.removed.length; i++) destroyHooks(ctx.removed[i]);
    var fresh = new Set();
    for (i = 0; i < ctx.added.length; i++) {
      if (ctx.added[i].isConnected) {
        mountHooks(view, ctx.added[i], fresh);
      }
    }
    var updated = new Set();
    for (i = 0; i < ctx.touched.length; i++) {
      var el = ctx.touched[i].nodeType === 1 ? ctx.touched[i] : ctx.touched[i].parentElement;
      var hooked = el && el.closest("[av-hook]");
      if (hooked && container.contains(hooked) && !fresh.has(hooked)) updated.add(hooked);
    }
    updated.forEach(function (hookedEl) {
      var instance = mountedHooks.get(hookedEl);
      if (instance) callHook(instance, "updated");
    });
  }

  // ------------------------------------------------------------------ apply

  var views = new WeakMap();

  /** Apply one frame (an array of ops) to the view inside `container`. */
  function apply(container, ops) {
    var view = views.get(container) || { container: container };
    var ctx = { added: [], removed: [], touched: [] };
    var focus = captureFocus(container);
    var scroll = captureScroll(container);
    var anchors = captureAnchors(container);
    try {
      for (var i = 0; i < ops.length; i++) applyOp(container, ops[i], ctx);
    } finally {
      restoreFocus(container, focus);
      restoreScroll(container, scroll);
      restoreAnchors(anchors, scroll);
      runHooks(view, container, ctx);
    }
    return ctx;
  }

  // ------------------------------------------------------------------ events

  function paramsOf(el) {
    var params = {};
    for (var i = 0; i < el.attributes.length; i++) {
      var attr = el.attributes[i];
      if (attr.name.indexOf("av-value-") === 0) {
        params[attr.name.slice(9).replace(/-/g, "_")] = attr.value;
      }
    }
    return params;
  }

  function formFields(form) {
    var fields = {};
    new FormData(form).forEach(function (value, name) {
      if (typeof value !== "string") return; // files are not sent over the socket
      if (!(name in fields)) fields[name] = value;
      else if (Array.isArray(fields[name])) fields[name].push(value);
      else fields[name] = [fields[name], value];
    });
    return fields;
  }

  function controlValue(target) {
    if (target.type === "checkbox" || target.type === "radio") {
      return target.checked ? target.value : null;
    }
    return "value" in target ? target.value : null;
  }

  var timers = new WeakMap();

  // av-debounce="ms": send once the events stop for ms; av-throttle="ms": at most once
  // per ms, the last value always sent.
  function rateLimited(el, type, send) {
    var debounce = parseInt(el.getAttribute("av-debounce"), 10);
    var throttle = parseInt(el.getAttribute("av-throttle"), 10);
    if (!(debounce > 0) && !(throttle > 0)) return send();
    var state = timers.get(el) || {};
    timers.set(el, state);
    var slot = state[type] || (state[type] = { timer: null, last: 0, pending: null });
    if (debounce > 0) {
      clearTimeout(slot.timer);
      slot.timer = setTimeout(send, debounce);
      return;
    }
    var now = Date.now();
    if (now - slot.last >= throttle && !slot.timer) {
      slot.last = now;
      return send();
    }
    slot.pending = send;
    if (!slot.timer) {
      slot.timer = setTimeout(function () {
        slot.timer = null;
        slot.last = Date.now();
        var pending = slot.pending;
        slot.pending = null;
        if (pending) pending();
      }, Math.max(throttle - (now - slot.last), 0));
    }
  }

  function closestIn(container, target, selector) {
    var el = target.nodeType === 1 ? target : target.parentElement;
    el = el && el.closest(selector);
    return el && container.contains(el) ? el : null;
  }

  function keyMatches(el, key) {
    var filter = el.getAttribute("av-key-filter");
    if (!filter) return true;
    return filter.split(",").some(function (want) { return want.trim() === key; });
  }

  // Events become frames through view.event(name, params) and view.input(field, value)
  // (see the transport below); nothing is sent while disconnected.
  function delegate(view) {
    var c = view.container;
    c.addEventListener("click", function (e) {
      var el = closestIn(c, e.target, "[av-click]");
      if (!el) return;
      e.preventDefault();
      view.event(el.getAttribute("av-click"), paramsOf(el));
    });
    c.addEventListener("submit", function (e) {
      var form = closestIn(c, e.target, "[av-submit]");
      if (!form) return;
      e.preventDefault();
      view.event(form.getAttribute("av-submit"), Object.assign(paramsOf(form), formFields(form)));
      if (form.hasAttribute("av-reset")) form.reset();
    });
    c.addEventListener("input", function (e) {
      var el = closestIn(c, e.target, "[av-input]");
      if (!el) return;
      var target = e.target;
      clientInput(view, el.getAttribute("av-input"), controlValue(target));
      rateLimited(el, "input", function () {
        view.input(el.getAttribute("av-input"), controlValue(target));
      });
    });
    c.addEventListener("change", function (e) {
      var el = closestIn(c, e.target, "[av-change]");
      if (!el) return;
      var target = e.target;
      rateLimited(el, "change", function () {
        var params = paramsOf(el);
        if (el.tagName === "FORM") Object.assign(params, formFields(el));
        params.name = target.name || null;
        params.value = controlValue(target);
        view.event(el.getAttribute("av-change"), params);
      });
    });
    // av-enter-submits on a form: Enter in one of its text inputs submits the form even
    // while its submit button is disabled (a chat's "send while a reply streams").
    c.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" || e.isComposing || e.target.tagName !== "INPUT") return;
      var form = closestIn(c, e.target, "form[av-enter-submits]");
      if (!form) return;
      e.preventDefault();
      form.requestSubmit();
    });
    c.addEventListener("keydown", function (e) {
      var el = closestIn(c, e.target, "[av-keydown]");
      if (!el || !keyMatches(el, e.key)) return;
      var params = paramsOf(el);
      params.key = e.key;
      if ("value" in e.target) params.value = e.target.value;
      rateLimited(el, "keydown", function () {
        view.event(el.getAttribute("av-keydown"), params);
      });
    });
  }

  // ------------------------------------------------------------------ optimistic
  //
  // A view class's client program (actorview.optimistic.program, served as a script:
  // the page's CSP forbids evaluating strings) registers itself in
  // globalThis.ActorViewPrograms under the id the container names in data-av-program
  // (with one program in the page, the attribute may be left out). With it, and the
  // runtime (global AV) loaded, the client keeps its own copy of the view's client fields,
  // recomputes the optimistic calcs as the user types, keeps the bindings in step, and
  // applies optimistic actions before the server answers. docs/OPTIMISTIC.md is the guide.
  //
  // Bindings (while a value is not known, or the runtime refuses it, the server's
  // rendering is left alone). Inferred from the view's render (actorview.optimistic.bindings):
  //   av-bind="0 3"              indexes into the program's bindings: an expression over
  //                              client fields, optimistic calcs and server inputs, for
  //                              disabled / hidden / checked (the builder's True / False /
  //                              None), class (the builder's str / list / dict rules) or
  //                              the text (the element's only child)
  //   av-bind-env='{"streaming":false}'   the server inputs' values, as JSON
  // Written by hand (each names a client field or an optimistic calc; an inferred binding
  // of the same attribute on the same element gives way to them):
  //   av-disable-unless="calc"   disabled while calc is false, or while the server
  //                              marks av-disable-also (its own reasons)
  //   av-show-if / av-hide-if    the hidden attribute
  //   av-class-if="cls: calc; other: calc2"   toggles classes
  //   av-text="name"             the element's text
  // A control with av-input="field" holds a str client field: the client reads the field
  // from it, and writes it there when an optimistic action or a rollback changes it.

  var PROVISIONAL_ATTR = "av-provisional";
  var UNKNOWN = { unknown: true };
  var BINDINGS =
    "[av-bind],[av-disable-unless],[av-show-if],[av-hide-if],[av-class-if],[av-text]";
  var HAND_BOUND = {
    disabled: ["av-disable-unless"],
    hidden: ["av-show-if", "av-hide-if"],
    "class": ["av-class-if"],
    text: ["av-text"],
  };
  var serverInputCache = new WeakMap();
  var pageId = Math.random().toString(36).slice(2, 10) || "0";
  var keyCounter = 0;

  function programOf(container) {
    var programs = global.ActorViewPrograms || {};
    var id = container.getAttribute("data-av-program");
    if (id) return programs[id] || null;
    var ids = Object.keys(programs);
    return ids.length === 1 ? programs[ids[0]] : null;
  }

  // The view's optimistic state, made the first time both its program and AV are there.
  function optimisticOf(view) {
    if (view.optimistic) return view.optimistic;
    if (!global.AV) return null;
    var program = programOf(view.container);
    if (!program) return null;
    // serverText: the children the server rendered in each element whose text the
    // browser has written since the last frame (restored before the next one).
    var opt = { program: program, values: {}, calcs: {}, pending: [], serverText: new Map() };
    Object.keys(program.fields).forEach(function (name) {
      opt.values[name] = JSON.parse(JSON.stringify(program.fields[name]));
    });
    view.optimistic = opt;
    readBound(view, opt);
    opt.calcs = computeCalcs(program, opt.values);
    return opt;
  }

  function isUnpredictable(e) {
    return global.AV && (e instanceof global.AV.Unpredictable || e instanceof global.AV.PyError);
  }

  function lookup(scope, name) {
    var value = UNKNOWN;
    if (scope.params && Object.prototype.hasOwnProperty.call(scope.params, name)) {
      value = scope.params[name];
    } else if (Object.prototype.hasOwnProperty.call(scope.values, name)) {
      value = scope.values[name];
    } else if (Object.prototype.hasOwnProperty.call(scope.calcs, name)) {
      value = scope.calcs[name];
    }
    if (value === UNKNOWN) throw new global.AV.Unpredictable("the value of " + name);
    return value;
  }

  function call(fn, scope) {
    return fn.fn.apply(null, fn.names.map(function (name) { return lookup(scope, name); }));
  }

  // Every optimistic calc, in dependency order; one the browser cannot compute is UNKNOWN.
  function computeCalcs(program, values) {
    var scope = { params: null, values: values, calcs: {} };
    program.calcs.forEach(function (calc) {
      try {
        scope.calcs[calc.name] = call(calc, scope);
      } catch (e) {
        if (!isUnpredictable(e)) console.warn("actorview: calc " + calc.name + " failed", e);
        scope.calcs[calc.name] = UNKNOWN;
      }
    });
    return scope.calcs;
  }

  function boundControls(view, field) {
    var found = view.container.querySelectorAll(
      field === undefined ? "[av-input]" : '[av-input="' + CSS.escape(field) + '"]'
    );
    return Array.prototype.filter.call(found, function (el) {
      return el.tagName !== "FORM" && "value" in el;
    });
  }

  // The str client fields bound to controls live in the controls.
  function readBound(view, opt) {
    boundControls(view).forEach(function (el) {
      var field = el.getAttribute("av-input");
      var value = controlValue(el);
      if (typeof opt.program.fields[field] === "string" && typeof value === "string") {
        opt.values[field] = value;
      }
    });
  }

  function writeBound(view, field, value) {
    if (typeof value !== "string") return;
    boundControls(view, field).forEach(function (el) {
      if (el.value !== value) el.value = value;
    });
  }

  function bindingValue(opt, name) {
    name = name.trim();
    if (Object.prototype.hasOwnProperty.call(opt.values, name)) return opt.values[name];
    if (Object.prototype.hasOwnProperty.call(opt.calcs, name)) return opt.calcs[name];
    return UNKNOWN;
  }

  // Write a bound element's text, first keeping what the server rendered there: the
  // server's patches are relative to its own text (an append adds to it, paths count its
  // nodes), so restoreServerText puts it back before each frame and the bindings write
  // again after it. A binding that turns unknown thus shows the server's text, never a
  // stale prediction with the server's append on top.
  function setText(opt, el, text) {
    var only = el.childNodes.length === 1 && el.firstChild.nodeType === 3 ? el.firstChild : null;
    if (!opt.serverText.has(el)) {
      opt.serverText.set(el, { nodes: Array.from(el.childNodes), data: only && only.data });
    }
    if (only) {
      if (only.data !== text) only.data = text; // an empty text node keeps the server's paths
    } else if (el.childNodes.length || text !== "") {
      el.replaceChildren(document.createTextNode(text));
    }
  }

  // The server inputs an element carries (parsed once per value of the attribute).
  function serverInputs(el) {
    var text = el.getAttribute("av-bind-env") || "{}";
    var cached = serverInputCache.get(el);
    if (cached && cached.text === text) return cached.values;
    var values;
    try {
      values = JSON.parse(text);
    } catch (e) {
      values = {};
    }
    if (values === null || typeof values !== "object" || Array.isArray(values)) values = {};
    serverInputCache.set(el, { text: text, values: values });
    return values;
  }

  // The class attribute the builder writes for a class_ value (builder._class_text and
  // attr_text): a str as is; a list's entries that are truthy and not True, a dict's keys
  // whose values are truthy, joined by spaces, or no attribute when none; None and False
  // leave it out, True writes it empty. Entries that are not str would need str() of a
  // number or a repr: refused.
  function classText(value) {
    var AV = global.AV;
    var names;
    if (value === null || value === false) return null;
    if (value === true) return "";
    if (typeof value === "string") return value;
    if (Array.isArray(value)) {
      names = value.filter(function (item) { return AV.truthy(item) && item !== true; });
    } else if (AV.typeName(value) === "dict") {
      names = Object.keys(value);
      if (names.some(function (name) { return /^[0-9]+$/.test(name); })) {
        throw new AV.Unpredictable("a dict with integer-like keys (JavaScript reorders them)");
      }
      names = names.filter(function (name) { return AV.truthy(value[name]); });
    } else {
      throw new AV.Unpredictable("a class of type " + AV.typeName(value));
    }
    names.forEach(function (name) {
      if (typeof name !== "string") throw new AV.Unpredictable("a class that is not a str");
    });
    return names.length ? names.join(" ") : null;
  }

  function applyInferred(opt, el, binding, value, scope) {
    var AV = global.AV;
    if (binding.attr === "text") {
      if (value === null || typeof value === "boolean") setText(opt, el, "");
      else if (typeof value === "string") setText(opt, el, value);
      else if (typeof value === "number") setText(opt, el, call(binding.text, scope));
      else throw new AV.Unpredictable("text from a " + AV.typeName(value)); // lists splice
      return;
    }
    if (binding.attr === "class") {
      var text = classText(value);
      if (text === null) {
        if (el.hasAttribute("class")) el.removeAttribute("class");
      } else if (el.getAttribute("class") !== text) {
        el.setAttribute("class", text);
      }
      return;
    }
    // disabled, hidden, checked: True writes the attribute, False and None leave it out
    // (other values would write their text: left to the server).
    if (value !== null && typeof value !== "boolean") {
      throw new AV.Unpredictable(binding.attr + " from a " + AV.typeName(value));
    }
    var on = value === true;
    if (on !== el.hasAttribute(binding.attr)) el.toggleAttribute(binding.attr, on);
    if (binding.attr === "checked") syncProperty(el, "checked", on ? "" : null);
  }

  // av-bind: each inferred binding of the element, unless a hand-written attribute binds
  // the same thing (the author's binding wins).
  function bindInferred(opt, el) {
    var bindings = opt.program.bindings || [];
    var scope = null;
    el.getAttribute("av-bind").split(" ").forEach(function (index) {
      var binding = index === "" ? null : bindings[Number(index)];
      if (!binding) return;
      var hand = HAND_BOUND[binding.attr] || [];
      if (hand.some(function (attr) { return el.hasAttribute(attr); })) return;
      scope = scope || { params: serverInputs(el), values: opt.values, calcs: opt.calcs };
      try {
        applyInferred(opt, el, binding, call(binding, scope), scope);
      } catch (e) {
        if (!isUnpredictable(e)) console.warn("actorview: binding " + index + " failed", e);
        if (binding.attr === "text") restoreText(opt, el);
      }
    });
  }

  function bind(opt, el) {
    var value, on;
    var AV = global.AV;
    if (el.hasAttribute("av-disable-unless")) {
      value = bindingValue(opt, el.getAttribute("av-disable-unless"));
      if (value !== UNKNOWN) {
        on = !AV.truthy(value) || el.hasAttribute("av-disable-also");
        if (on !== el.hasAttribute("disabled")) el.toggleAttribute("disabled", on);
      }
    }
    ["av-show-if", "av-hide-if"].forEach(function (attr) {
      if (!el.hasAttribute(attr)) return;
      value = bindingValue(opt, el.getAttribute(attr));
      if (value === UNKNOWN) return;
      on = AV.truthy(value) === (attr === "av-hide-if");
      if (on !== el.hasAttribute("hidden")) el.toggleAttribute("hidden", on);
    });
    if (el.hasAttribute("av-class-if")) {
      el.getAttribute("av-class-if").split(";").forEach(function (pair) {
        var at = pair.indexOf(":");
        if (at < 0) return;
        value = bindingValue(opt, pair.slice(at + 1));
        if (value !== UNKNOWN) el.classList.toggle(pair.slice(0, at).trim(), AV.truthy(value));
      });
    }
    if (el.hasAttribute("av-bind")) bindInferred(opt, el);
    if (el.hasAttribute("av-text")) {
      value = bindingValue(opt, el.getAttribute("av-text"));
      try {
        if (value === UNKNOWN) throw new AV.Unpredictable("the value of the text");
        setText(opt, el, AV.str(value));
      } catch (e) {
        if (!isUnpredictable(e)) throw e; // e.g. int or float not known: the server's text
        restoreText(opt, el);
      }
    }
  }

  // Put back the server's text of one element (its binding is unknown now), or of all.
  function restoreText(opt, el) {
    var saved = opt.serverText.get(el);
    if (!saved) return;
    el.replaceChildren.apply(el, saved.nodes);
    if (saved.data !== null) saved.nodes[0].data = saved.data;
    opt.serverText.delete(el);
  }

  function restoreServerText(view) {
    var opt = view.optimistic;
    if (opt) opt.serverText.forEach(function (saved, el) { restoreText(opt, el); });
  }

  function applyBindings(view) {
    var opt = optimisticOf(view);
    if (!opt) return;
    var found = view.container.querySelectorAll(BINDINGS);
    for (var i = 0; i < found.length; i++) bind(opt, found[i]);
  }

  // The client fields changed: the calcs follow them, and the bindings follow both.
  function refresh(view, opt) {
    opt.calcs = computeCalcs(opt.program, opt.values);
    applyBindings(view);
  }

  // The user typed into a control bound to a client field: no round trip.
  function clientInput(view, field, value) {
    var opt = optimisticOf(view);
    if (!opt || typeof opt.program.fields[field] !== "string" || typeof value !== "string") return;
    opt.values[field] = value;
    refresh(view, opt);
  }

  function escapeText(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function escapeAttr(s) {
    return escapeText(s).replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }

  function fillTemplate(template, record, key) {
    var AV = global.AV;
    if (!(record instanceof AV.Record)) throw new AV.Unpredictable("the item is not a record");
    var values = { $key: key };
    template.fields.forEach(function (name) {
      var value = record.fields[name];
      if (typeof value !== "string") throw new AV.Unpredictable(name + " is not a str");
      if (template.nonempty && value === "") throw new AV.Unpredictable(name + " is empty");
      values[name] = value;
    });
    var out = template.parts[0];
    for (var i = 0; i < template.holes.length; i++) {
      var value = values[template.holes[i][0]];
      out += (template.holes[i][1] === "attr" ? escapeAttr(value) : escapeText(value));
      out += template.parts[i + 1];
    }
    return out;
  }

  function streamContainer(view, field) {
    var el = view.container.querySelector('[av-stream="' + CSS.escape(field) + '"]');
    if (!el) throw new global.AV.Unpredictable("no container for the stream " + field);
    return el;
  }

  // The key a pushed item gets: for a stream keyed with key=, the text the server will
  // compute (str(key(item))), which must not be shown already (the server would replace
  // that item in place: the browser does not predict replacements); otherwise a proposal.
  function itemKey(op, step, taken) {
    var AV = global.AV;
    if (!op.key) return "c:" + pageId + "-" + ++keyCounter;
    var key = AV.str(op.key.fn(step.value), op.key.hint);
    if (taken[key] || streamItem(step.container, key)) {
      throw new AV.Unpredictable("an item keyed " + key + " is shown: the server replaces it");
    }
    taken[key] = true;
    return key;
  }

  // Compute every op of an optimistic action against the state as the event leaves (all
  // expressions first, as the server does); null when the browser cannot predict it all.
  function plan(view, opt, action, params) {
    var values = Object.assign({}, opt.values);
    var given = {}; // the names the event itself brings: they do not depend on the state
    Object.keys(params).forEach(function (name) {
      var isField = typeof opt.program.fields[name] === "string";
      if (isField && action.params.indexOf(name) < 0 && typeof params[name] === "string") {
        values[name] = params[name]; // a form's client fields arrive with its submit
        given[name] = true;
      }
    });
    var own = {};
    action.params.forEach(function (name) {
      given[name] = true;
      if (typeof params[name] === "string") own[name] = params[name];
    });
    var scope = { params: own, values: values, calcs: computeCalcs(opt.program, values) };
    if (action.when && !global.AV.truthy(call(action.when, scope))) return null;
    var steps = [];
    var fieldSteps = [];
    var lists = {};
    var taken = {};
    action.ops.forEach(function (op) {
      if (op.when && !global.AV.truthy(call(op.when, scope))) return;
      var step = { op: op, value: op.value ? call(op.value, scope) : null };
      if (op.template) {
        step.container = streamContainer(view, op.field);
        step.key = itemKey(op, step, taken);
        step.html = fillTemplate(op.template, step.value, step.key);
        steps.push(step);
        return;
      }
      if (op.list) (lists[op.field] || (lists[op.field] = [])).push(fieldSteps.length);
      fieldSteps.push({
        kind: op.kind,
        field: op.field,
        value: step.value,
        index: op.at ? call(op.at, scope) : undefined,
        check: op.check,
        valueHint: op.valueHint, // null, as undefined: the kind is not known
        indexHint: op.atHint,
      });
      steps.push(step);
    });
    // Client fields change as on the server: items checked, indexes bounds-checked, all
    // or nothing (a PyError here means the server refuses the whole action).
    var after = global.AV.applyOps(values, fieldSteps);
    Object.keys(lists).forEach(function (field) {
      lists[field] = lists[field].map(function (i) { return fieldSteps[i]; });
    });
    var reads = readsOf(opt.program, action, given);
    return { before: values, after: after, steps: steps, lists: lists, reads: reads };
  }

  // The state names an action's expressions read (through its calcs), less those the
  // event brings itself (a form's fields, the action's params).
  function readsOf(program, action, given) {
    var reads = {};
    var add = function (fn) {
      if (fn) fn.names.forEach(function (name) { reads[name] = true; });
    };
    add(action.when);
    action.ops.forEach(function (op) {
      add(op.when);
      add(op.value);
      add(op.at);
    });
    for (var i = program.calcs.length - 1; i >= 0; i--) {
      if (reads[program.calcs[i].name]) add(program.calcs[i]);
    }
    Object.keys(given).forEach(function (name) { delete reads[name]; });
    return reads;
  }

  // The list ops of the events still waiting for their reply, in order, for each client
  // list field: what the browser replays when one of them is taken back.
  function logLists(opt, pending, planned) {
    var log = opt.listLog || (opt.listLog = []);
    while (log.length && (log[0].pending.replied || opt.pending.indexOf(log[0].pending) < 0)) {
      log.shift(); // settled: the server holds it, and the next entry starts from it
    }
    Object.keys(planned.lists).forEach(function (field) {
      log.push({
        pending: pending,
        field: field,
        steps: planned.lists[field],
        reads: planned.reads,
        before: planned.before[field],
        after: planned.after[field],
      });
    });
  }

  // An event is taken back: the server never applied it, but it did apply (or will) the
  // later events. Each client list field it changed becomes its value before the event
  // with the later events' list ops replayed on it, as the server applies them. That is
  // exact unless a later event read something this one changed (its values would differ
  // on the server): then the list is no longer known. Returns the fields it handled.
  function replayLists(opt, pending) {
    var handled = {};
    var log = opt.listLog || [];
    var mine = log.filter(function (entry) { return entry.pending === pending; });
    var touched = Object.assign({}, pending.changed);
    mine.forEach(function (entry) { touched[entry.field] = true; });
    mine.forEach(function (entry) {
      var field = entry.field;
      var chain = log.filter(function (e) { return e.field === field; });
      var value = chain[0].before;
      var past = false;
      chain.forEach(function (e) {
        if (e === entry) {
          past = true; // the server never applied it
          return;
        }
        var before = value;
        if (!past) {
          value = e.after; // an earlier event: as predicted
        } else if (e.opaque) {
          value = UNKNOWN; // an event the browser could not predict: the server's answer
        } else {
          try {
            if (Object.keys(touched).some(function (name) { return e.reads[name]; })) {
              throw new global.AV.Unpredictable("a later event read what the event changed");
            }
            var replayed = {};
            replayed[field] = value;
            value = global.AV.applyOps(replayed, e.steps)[field];
          } catch (err) {
            if (!isUnpredictable(err)) throw err;
            value = UNKNOWN;
          }
        }
        e.before = before;
        e.after = value;
        if (past) e.pending.changed[field] = [before, value];
      });
      opt.values[field] = value;
      handled[field] = true;
    });
    opt.listLog = log.filter(function (entry) { return entry.pending !== pending; });
    return handled;
  }

  // The action could not be predicted although the server may apply it: the client list
  // fields it writes are no longer known (a list, unlike a str, is never written whole
  // again by the next prediction), so whatever reads them leaves the server's rendering
  // alone until a set writes them again.
  function forgetLists(view, opt, action, ref) {
    var forgot = {};
    var log = opt.listLog || (opt.listLog = []);
    var unpredicted = { ref: ref, items: [], changed: {}, replied: true };
    action.ops.forEach(function (op) {
      if (!op.list || forgot[op.field]) return;
      forgot[op.field] = true;
      // Kept in the log so that a replay after a rollback does not skip it.
      log.push({
        pending: unpredicted, field: op.field, opaque: true, before: opt.values[op.field],
        after: UNKNOWN,
      });
      opt.values[op.field] = UNKNOWN;
    });
    if (!Object.keys(forgot).length) return;
    refresh(view, opt);
  }

  // Apply an optimistic action's predictions at once; returns the params to send (with
  // the keys proposed for the pushed items).
  function predict(view, name, params, ref) {
    var opt = optimisticOf(view);
    var action = opt && opt.program.actions[name];
    if (!action) return params;
    var planned;
    try {
      planned = plan(view, opt, action, params);
    } catch (e) {
      if (!isUnpredictable(e)) console.warn("actorview: no prediction for " + name, e);
      // A PyError: the server raises too and changes nothing.
      if (!(e instanceof global.AV.PyError)) forgetLists(view, opt, action, ref);
      return params;
    }
    if (!planned || !planned.steps.length) return params;
    var pending = { ref: ref, items: [], changed: {}, replied: false };
    var keys = {};
    var after = planned.after;
    var scroll = captureScroll(view.container);
    planned.steps.forEach(function (step) {
      var op = step.op;
      if (!op.template) return; // client fields: planned.after
      var node = parseOne(step.html);
      node.setAttribute(PROVISIONAL_ATTR, "");
      step.container.insertBefore(node, op.kind === "unshift" ? step.container.firstChild : null);
      pending.items.push({ key: step.key, el: node });
      if (!op.key) keys[String(op.index)] = step.key; // a key= stream keys it itself
    });
    restoreScroll(view.container, scroll);
    Object.keys(after).forEach(function (field) {
      if (after[field] === planned.before[field]) return;
      pending.changed[field] = [planned.before[field], after[field]];
      writeBound(view, field, after[field]);
    });
    opt.values = after;
    opt.pending.push(pending);
    logLists(opt, pending, planned);
    refresh(view, opt);
    if (!Object.keys(keys).length) return params;
    var sent = Object.assign({}, params);
    sent._av_keys = keys;
    return sent;
  }

  function provisional(item) {
    return item.el.isConnected && item.el.hasAttribute(PROVISIONAL_ATTR);
  }

  // The server said no (rejected, ignored, or no answer): remove what the event showed and
  // give back the client fields it changed, unless the user has changed them since.
  function rollback(view, opt, pending) {
    pending.items.forEach(function (item) {
      if (provisional(item)) item.el.remove();
    });
    var lists = replayLists(opt, pending); // client list fields: later events replayed
    Object.keys(pending.changed).forEach(function (field) {
      var pair = pending.changed[field];
      if (lists[field] || !global.AV.eq(opt.values[field], pair[1])) return;
      opt.values[field] = pair[0];
      writeBound(view, field, pair[0]);
    });
    refresh(view, opt);
  }

  function settle(view, frame) {
    var opt = view.optimistic;
    if (!opt) return;
    for (var i = 0; i < opt.pending.length; i++) {
      var pending = opt.pending[i];
      if (pending.ref !== frame.ref) continue;
      if (frame.outcome === "applied") {
        pending.replied = true;
        if (!pending.items.some(provisional)) opt.pending.splice(i, 1);
      } else {
        opt.pending.splice(i, 1);
        rollback(view, opt, pending);
      }
      return;
    }
  }

  // After every frame: the server's insert under a proposed key has taken the provisional
  // item's place (streamInsert); an applied event's items that the server keyed itself
  // go now, its own items being in this frame. Then the bindings follow the new page.
  function afterFrame(view, rendered) {
    var opt = optimisticOf(view);
    if (!opt) return;
    if (rendered) {
      opt.pending = []; // the whole view was replaced: nothing provisional is left
      keepTyped(view, opt);
    }
    opt.pending = opt.pending.filter(function (pending) {
      if (!pending.replied) return true;
      pending.items.forEach(function (item) {
        if (provisional(item)) item.el.remove();
      });
      return false;
    });
    readBound(view, opt);
    refresh(view, opt);
  }

  // A whole render (a fresh view after a restart or a long absence) rebuilds the
  // controls, empty unless the server gives them a value: what the user typed is the
  // browser's, so it goes back in.
  function keepTyped(view, opt) {
    boundControls(view).forEach(function (el) {
      var typed = opt.values[el.getAttribute("av-input")];
      if (typeof typed === "string" && el.value === "" && !el.hasAttribute("value")) {
        el.value = typed;
      }
    });
  }

  // The server's joined frame says the last event ref it received: the events sent after
  // it went down with the old socket and will never be answered, so their predictions
  // are taken back (the user's text returns to the input, to send again).
  function forgetLost(view, receivedRef) {
    var opt = view.optimistic;
    if (!opt) return;
    var lost = opt.pending.filter(function (pending) { return pending.ref > receivedRef; });
    opt.pending = opt.pending.filter(function (pending) { return pending.ref <= receivedRef; });
    lost.forEach(function (pending) { rollback(view, opt, pending); });
  }

  // ------------------------------------------------------------------ transport
  //
  // The page: <div data-av-socket="/_av/live" data-av-token="..."><root/></div>.
  // Browser -> server: {"t":"join","token","path","seen"} first, then {"t":"event","ref",
  // "name","params"}, {"t":"input","ref","field","value"}, {"t":"ack","n"}, {"t":"ping"}.
  // Server -> browser: a JSON array is a patch frame; objects carry "t": "joined" (a fresh
  // token for the next rejoin, "seq" the count the session's frames go on from, "ref" the
  // last event received), "render" (the whole view), "notice" (shown in #av-notice, see
  // above), "reply" and "error" (each also dispatched as a DOM event, av:reply, av:error,
  // av:notice, on the container). The page counts the session's
  // frames ("seen"), acknowledges them about once a second, and rejoins saying how many it
  // has: the server sends the rest again, so a dropped socket loses no frame.

  var PING_MS = 30000;
  var ACK_MS = 1000;

  function socketUrl(raw) {
    var url = new URL(raw, global.location.href);
    if (url.protocol === "http:") url.protocol = "ws:";
    if (url.protocol === "https:") url.protocol = "wss:";
    return url.href;
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
      frame.path = global.location.pathname;
    }
    return frame;
  }

  // ------------------------------------------------------------------ notices
  //
  // {"t":"notice","kind","text"}: what happened to the view, for the person at the page.
  // Shown in one #av-notice element outside the view's markup (patches never touch it):
  // "restarted" (dismissable, hides itself), "waiting" (until the view renders again),
  // "failed" (the view stopped for good: "Try again" reloads the page, which mounts a
  // fresh view) and "error" (something failed on the server; the view goes on).

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

  function showNotice(kind, text) {
    var notice = noticeElement();
    clearTimeout(notice.avHideTimer);
    notice.setAttribute("data-kind", kind);
    notice.setAttribute("role", kind === "failed" || kind === "error" ? "alert" : "status");
    notice.querySelector(".av-notice-text").textContent = text;
    var action = notice.querySelector(".av-notice-action");
    action.textContent = kind === "failed" ? "Try again" : "Dismiss";
    action.onclick = kind === "failed"
      ? function () { global.location.reload(); }
      : function () { hideNotice(); };
    notice.hidden = false;
    if (NOTICE_HIDE_MS[kind]) notice.avHideTimer = setTimeout(hideNotice, NOTICE_HIDE_MS[kind]);
  }

  function hideNotice(kind) {
    var notice = document.getElementById("av-notice");
    if (notice && (kind === undefined || notice.getAttribute("data-kind") === kind)) {
      notice.hidden = true;
    }
  }

  // One frame from the server; returns whether it counts among the session's frames.
  function receive(view, frame) {
    if (Array.isArray(frame)) {
      restoreServerText(view);
      var ctx = apply(view.container, frame);
      afterFrame(view, false);
      pagesAfterFrame(view, ctx, false);
      return true;
    }
    switch (frame.t) {
      case "render":
        if (view.optimistic) view.optimistic.serverText.clear();
        var rendered = apply(view.container, [[OP.REPLACE_NODE, [], frame.html]]);
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
      case "reply":
        settle(view, frame);
        pageReplied(view, frame);
        break;
      case "joined":
        if (typeof frame.token === "string") view.join.token = frame.token;
        if (frame.limits && typeof frame.limits.max_frame_bytes === "number") {
          view.maxFrameBytes = frame.limits.max_frame_bytes;
        }
        if (typeof frame.seq === "number") view.seen = frame.seq;
        if (typeof frame.ref === "number") forgetLost(view, frame.ref);
        view.pageAsked = {}; // a page asked for on the last socket may never have arrived
        watchPages(view);
        return false;
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

  /**
   * Follow the view in `container` (socket URL from data-av-socket, join from
   * data-av-token or data-av-join). Reconnects with exponential backoff and rejoins;
   * the server answers a join with the whole view. Returns {close()}.
   */
  function connect(container, options) {
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
      params = predict(view, name, params || {}, eventRef);
      var frame = JSON.stringify({ t: "event", ref: eventRef, name: name, params: params });
      var size = tooLarge(view, frame);
      if (size) {
        // The server would refuse it: take the prediction back as its refusal would (the
        // text the user typed returns, after the submit's form reset) and say why,
        // instead of sending what cannot arrive.
        setTimeout(function () { settle(view, { ref: eventRef, outcome: "error" }); }, 0);
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
    views.set(container, view);

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
        socket.send(JSON.stringify(join));
        view.sendText = function (text) {
          if (socket.readyState === 1) socket.send(text);
        };
        view.send = function (frame) {
          view.sendText(JSON.stringify(frame));
        };
        pinger = setInterval(function () { if (view.send) view.send({ t: "ping" }); }, opts.pingMs);
        setState(true);
      };
      socket.onmessage = function (message) {
        try {
          var frame = JSON.parse(message.data);
          if (frame.t === "joined") attempt = refusals = 0;
          if (receive(view, frame) && view.seen !== null) {
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
          view.closed = true;
          receive(view, { t: "notice", kind: "failed", text: stop });
          return;
        }
        setTimeout(open, backoff(attempt++, opts));
      };
      socket.onerror = function () {
        socket.close();
      };
    }

    delegate(view);
    mountHooks(view, rootOf(container));
    applyBindings(view);
    open();
    return {
      close: function () {
        view.closed = true;
        if (view.socket) view.socket.close();
      },
    };
  }

  function start() {
    var containers = document.querySelectorAll("[data-av-socket], [data-av-url]");
    for (var i = 0; i < containers.length; i++) connect(containers[i]);
  }

  global.ActorView = { apply: apply, connect: connect, hooks: hooks, start: start };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(window);
