/*
 * Element hooks: av-hook="Name" runs ActorView.hooks.Name's mounted() when the element
 * appears, updated() when a frame touches it, destroyed() when it leaves. Each runs with
 * `this` an instance of the spec:
 *
 *   this.el                          the element
 *   this.pushEvent(name, params)     send event `name` to the view (an action's name)
 *   this.handleEvent(name, callback) call callback(payload) for each event `name` the
 *                                    view pushes (ops.push_event), after the frame it
 *                                    follows is drawn; returns a ref for
 *   this.removeHandleEvent(ref)      stop that; a destroyed hook's handlers all stop
 *
 * A hook (or a callback) that throws is logged; the others still run. Register hooks
 * from an application script (Application(scripts=[...])): window.ActorView.hooks.Name =
 * {mounted() {...}}; the page starts its views once every script has run.
 */
export var hooks = {};
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
export function mountHooks(view, node, fresh) {
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
    instance.handleEvent = function (event, callback) {
      var ref = { event: String(event), callback: callback, instance: instance };
      handlersOf(view).push(ref);
      return ref;
    };
    instance.removeHandleEvent = function (ref) {
      view.eventHandlers = handlersOf(view).filter(function (h) { return h !== ref; });
    };
    mountedHooks.set(el, instance);
    callHook(instance, "mounted");
  });
}

function handlersOf(view) {
  if (!view.eventHandlers) view.eventHandlers = [];
  return view.eventHandlers;
}

function destroyHooks(view, node) {
  eachHooked(node, function (el) {
    var instance = mountedHooks.get(el);
    if (!instance || el.isConnected) return;
    mountedHooks.delete(el);
    callHook(instance, "destroyed");
    view.eventHandlers = handlersOf(view).filter(function (h) { return h.instance !== instance; });
  });
}

/** An event the view pushed: each handler of `name`, in the order they were added (a
 * handler added meanwhile waits for the next event; one removed meanwhile is skipped). */
export function deliverEvent(view, name, payload) {
  var handlers = handlersOf(view).slice();
  for (var i = 0; i < handlers.length; i++) {
    if (handlers[i].event !== name) continue;
    if (handlersOf(view).indexOf(handlers[i]) < 0) continue; // removed by one before it
    try {
      handlers[i].callback.call(handlers[i].instance, payload);
    } catch (e) {
      console.error("actorview: hook " + handlers[i].instance.name + " event " + name + " failed", e);
    }
  }
}

export function runHooks(view, container, ctx) {
  var i;
  for (i = 0; i < ctx.removed.length; i++) destroyHooks(view, ctx.removed[i]);
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
