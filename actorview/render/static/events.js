/*
 * Events: the view's DOM events delegated to its container and turned into event and
 * input frames by the av-* attributes (av-click, av-submit, av-input, av-change,
 * av-keydown with av-key-filter, av-value-*, av-reset, av-enter-submits), paced by
 * av-debounce / av-throttle. Forms (av-form) and the checkboxes a view refused are
 * forms.js's.
 */
import { changeSent, controlValue, delegateForms, formFields } from "./forms.js";

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

export { controlValue };

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

// Drop what rateLimited holds back for el and type (a form submitted meanwhile).
function cancelPending(el, type) {
  var slot = (timers.get(el) || {})[type];
  if (!slot) return;
  clearTimeout(slot.timer);
  slot.timer = null;
  slot.pending = null;
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
// (socket.js); nothing is sent while disconnected. typed(view, field, value) hears each
// av-input at once, before any debounce (the browser's own copy of client fields).
export function delegate(view, typed) {
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
    typed(view, el.getAttribute("av-input"), controlValue(target));
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
      changeSent(view, view.event(el.getAttribute("av-change"), params), target);
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
  delegateForms(view, rateLimited, cancelPending);
}
