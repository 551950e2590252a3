/*
 * Optimistic actions: an event of an action the client program knows is planned and
 * applied in the page at once (client fields, provisional stream items), then settled
 * by the server's reply: kept when applied, taken back (with the later events' list ops
 * replayed) when refused or lost. docs/OPTIMISTIC.md is the guide.
 */
import {
  boundControls,
  call,
  computeCalcs,
  isUnpredictable,
  optimisticOf,
  readBound,
  refresh,
  UNKNOWN,
  writeBound,
} from "./bindings.js";
import { captureScroll, restoreScroll } from "./focus.js";
import { parseOne, PROVISIONAL_ATTR, streamItem, streamTail } from "./nodes.js";

var pageId = Math.random().toString(36).slice(2, 10) || "0";
var keyCounter = 0;

function escapeText(s) {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function escapeAttr(s) {
  return escapeText(s).replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
}

function fillTemplate(template, record, key) {
  var AV = window.AV;
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
  if (!el) throw new window.AV.Unpredictable("no container for the stream " + field);
  return el;
}

// The key a pushed item gets: for a stream keyed with key=, the text the server will
// compute (str(key(item))), which must not be shown already (the server would replace
// that item in place: the browser does not predict replacements); otherwise a proposal.
function itemKey(op, step, taken) {
  var AV = window.AV;
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
  if (action.when && !window.AV.truthy(call(action.when, scope))) return null;
  var steps = [];
  var fieldSteps = [];
  var lists = {};
  var taken = {};
  action.ops.forEach(function (op) {
    if (op.when && !window.AV.truthy(call(op.when, scope))) return;
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
  var after = window.AV.applyOps(values, fieldSteps);
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
            throw new window.AV.Unpredictable("a later event read what the event changed");
          }
          var replayed = {};
          replayed[field] = value;
          value = window.AV.applyOps(replayed, e.steps)[field];
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
export function predict(view, name, params, ref) {
  var opt = optimisticOf(view);
  var action = opt && opt.program.actions[name];
  if (!action) return params;
  var planned;
  try {
    planned = plan(view, opt, action, params);
  } catch (e) {
    if (!isUnpredictable(e)) console.warn("actorview: no prediction for " + name, e);
    // A PyError: the server raises too and changes nothing.
    if (!(e instanceof window.AV.PyError)) forgetLists(view, opt, action, ref);
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
    var first = step.container.firstChild;
    var end = streamTail(step.container); // the container's live tail stays last
    step.container.insertBefore(node, op.kind === "unshift" && first !== end ? first : end);
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
    if (lists[field] || !window.AV.eq(opt.values[field], pair[1])) return;
    opt.values[field] = pair[0];
    writeBound(view, field, pair[0]);
  });
  refresh(view, opt);
}

export function settle(view, frame) {
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
export function afterFrame(view, rendered) {
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

// The server's joined frame says the last event ref it received when it took the join:
// the events sent after it on an earlier socket (up to sentBefore, the last ref sent
// before this socket's join) went down with that socket and will never be answered, so
// their predictions are taken back (the user's text returns to the input, to send
// again). Events sent on this socket came after the join, even before its joined frame
// arrived: their replies will come.
export function forgetLost(view, receivedRef, sentBefore) {
  var opt = view.optimistic;
  if (!opt) return;
  var last = typeof sentBefore === "number" ? sentBefore : Infinity;
  function isLost(pending) { return pending.ref > receivedRef && pending.ref <= last; }
  var lost = opt.pending.filter(isLost);
  opt.pending = opt.pending.filter(function (pending) { return !isLost(pending); });
  lost.forEach(function (pending) { rollback(view, opt, pending); });
}
