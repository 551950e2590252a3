/*
 * The browser's copy of a view's client state: its client fields, the optimistic calcs
 * recomputed from them, and the bindings that show them in the page before the server
 * answers. predict.js changes the fields; this module keeps the page in step with them.
 *
 * A view class's client program (actorview.optimistic._program, served as a script:
 * the page's CSP forbids evaluating strings) registers itself in
 * globalThis.ActorViewPrograms under the id the container names in data-av-program
 * (with one program in the page, the attribute may be left out). With it, and the
 * runtime (global AV) loaded, the client keeps its own copy of the view's client fields,
 * recomputes the optimistic calcs as the user types, keeps the bindings in step, and
 * applies optimistic actions before the server answers. docs/OPTIMISTIC.md is the guide.
 *
 * Bindings (while a value is not known, or the runtime refuses it, the server's
 * rendering is left alone). Inferred from the view's render (actorview.optimistic._bindings):
 *   av-bind="0 3"              indexes into the program's bindings: an expression over
 *                              client fields, optimistic calcs and server inputs, for
 *                              disabled / hidden / checked (the builder's True / False /
 *                              None), class (the builder's str / list / dict rules),
 *                              the text (the element's only child) or the items (the
 *                              children, one per item of a client list[str] field, each
 *                              drawn from a template of render's element)
 *   av-bind-env='{"streaming":false}'   the server inputs' values, as JSON
 * Written by hand (each names a client field or an optimistic calc; an inferred binding
 * of the same attribute on the same element gives way to them):
 *   av-disable-unless="calc"   disabled while calc is false, or while the server
 *                              marks av-disable-also (its own reasons)
 *   av-show-if / av-hide-if    the hidden attribute
 *   av-class-if="cls: calc; other: calc2"   toggles classes
 *   av-text="name"             the element's text
 * A control with av-input="field" holds a str client field: the client reads the field
 * from it, and writes it there when an optimistic action or a rollback changes it.
 */
import { controlValue } from "./events.js";
import { syncProperty } from "./nodes.js";

export var UNKNOWN = { unknown: true };
var BINDINGS =
  "[av-bind],[av-disable-unless],[av-show-if],[av-hide-if],[av-class-if],[av-text]";
var HAND_BOUND = {
  disabled: ["av-disable-unless"],
  hidden: ["av-show-if", "av-hide-if"],
  "class": ["av-class-if"],
  text: ["av-text"],
};
var serverInputCache = new WeakMap();

function programOf(container) {
  var programs = window.ActorViewPrograms || {};
  var id = container.getAttribute("data-av-program");
  if (id) return programs[id] || null;
  var ids = Object.keys(programs);
  return ids.length === 1 ? programs[ids[0]] : null;
}

// The view's optimistic state, made the first time both its program and AV are there.
export function optimisticOf(view) {
  if (view.optimistic) return view.optimistic;
  if (!window.AV) return null;
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

export function isUnpredictable(e) {
  return window.AV && (e instanceof window.AV.Unpredictable || e instanceof window.AV.PyError);
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
  if (value === UNKNOWN) throw new window.AV.Unpredictable("the value of " + name);
  return value;
}

export function call(fn, scope) {
  return fn.fn.apply(null, fn.names.map(function (name) { return lookup(scope, name); }));
}

// Every optimistic calc, in dependency order; one the browser cannot compute is UNKNOWN.
export function computeCalcs(program, values) {
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

export function boundControls(view, field) {
  var found = view.container.querySelectorAll(
    field === undefined ? "[av-input]" : '[av-input="' + CSS.escape(field) + '"]'
  );
  return Array.prototype.filter.call(found, function (el) {
    return el.tagName !== "FORM" && "value" in el;
  });
}

// The str client fields bound to controls live in the controls.
export function readBound(view, opt) {
  boundControls(view).forEach(function (el) {
    var field = el.getAttribute("av-input");
    var value = controlValue(el);
    if (typeof opt.program.fields[field] === "string" && typeof value === "string") {
      opt.values[field] = value;
    }
  });
}

export function writeBound(view, field, value) {
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
  var AV = window.AV;
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

function escapeText(s) {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function escapeAttr(s) {
  return escapeText(s).replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
}

// The markup of a client list[str] field's items, each from the element's template.
function itemsHtml(template, value) {
  var AV = window.AV;
  if (!Array.isArray(value)) throw new AV.Unpredictable("items from a " + AV.typeName(value));
  return value.map(function (item) {
    if (typeof item !== "string") throw new AV.Unpredictable("an item that is not a str");
    if (template.nonempty && item === "") throw new AV.Unpredictable("an empty item");
    var out = template.parts[0];
    for (var i = 0; i < template.holes.length; i++) {
      out += template.holes[i][1] === "attr" ? escapeAttr(item) : escapeText(item);
      out += template.parts[i + 1];
    }
    return out;
  }).join("");
}

// Draw a bound element's children from a list, keeping what the server rendered there
// (restoreServerText puts it back before each frame, as for text). Children that are
// already that markup (the server's, once it agrees) are left as they are.
function setItems(opt, el, html) {
  var saved = opt.serverText.get(el);
  var nodes = saved ? saved.nodes : Array.from(el.childNodes);
  var shown = nodes.map(function (node) {
    return node.nodeType === 1 ? node.outerHTML : node.textContent;
  }).join("");
  if (shown === html) {
    if (saved) restoreText(opt, el);
    return;
  }
  if (el.__avItems === html && saved) return; // drawn already
  if (!saved) opt.serverText.set(el, { nodes: nodes, data: null });
  var parsed = document.createElement("template");
  parsed.innerHTML = html;
  el.replaceChildren(parsed.content);
  el.__avItems = html;
}

function applyInferred(opt, el, binding, value, scope) {
  var AV = window.AV;
  if (binding.attr === "items") {
    setItems(opt, el, itemsHtml(binding.items, value));
    return;
  }
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
      if (binding.attr === "text" || binding.attr === "items") restoreText(opt, el);
    }
  });
}

function bind(opt, el) {
  var value, on;
  var AV = window.AV;
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
  el.__avItems = undefined;
  el.replaceChildren.apply(el, saved.nodes);
  if (saved.data !== null) saved.nodes[0].data = saved.data;
  opt.serverText.delete(el);
}

export function restoreServerText(view) {
  var opt = view.optimistic;
  if (opt) opt.serverText.forEach(function (saved, el) { restoreText(opt, el); });
}

export function applyBindings(view) {
  var opt = optimisticOf(view);
  if (!opt) return;
  var found = view.container.querySelectorAll(BINDINGS);
  for (var i = 0; i < found.length; i++) bind(opt, found[i]);
}

// The client fields changed: the calcs follow them, and the bindings follow both.
export function refresh(view, opt) {
  opt.calcs = computeCalcs(opt.program, opt.values);
  applyBindings(view);
}

// The user typed into a control bound to a client field: no round trip.
export function clientInput(view, field, value) {
  var opt = optimisticOf(view);
  if (!opt || typeof opt.program.fields[field] !== "string" || typeof value !== "string") return;
  opt.values[field] = value;
  refresh(view, opt);
}
