/*
 * Forms: a <form av-form="name"> tells the view's form `name` (declared with form(...),
 * docs/FORMS.md) what it holds, as the user types and on submit, and the checkboxes and
 * radios the server refused go back to what it last rendered.
 *
 * Every "input" event of a named control in the form (a key typed, a box or radio
 * toggled, an option or a date chosen: the browser fires "input" for each) sends the
 * event "av:form" with params {form, fields, used, submit: false}: `fields` the whole
 * form as FormData reads it (repeated names as lists), `used` the names changed since
 * the last form event was sent (av-debounce / av-throttle on the form pace it, and the
 * names changed meanwhile are kept). A submit sends the same with submit: true; once
 * the view applied it, the form is reset to what the view rendered (its value, checked
 * and selected attributes), so a form whose state the view cleared shows empty.
 */
export var FORM_EVENT = "av:form";

// new FormData(form) as the server takes it: repeated names become lists; files are
// not sent over the socket.
export function formFields(form) {
  var fields = {};
  new FormData(form).forEach(function (value, name) {
    if (typeof value !== "string") return;
    if (!(name in fields)) fields[name] = value;
    else if (Array.isArray(fields[name])) fields[name].push(value);
    else fields[name] = [fields[name], value];
  });
  return fields;
}

// What a control sends: a checkbox or radio its value only when checked (else null).
export function controlValue(target) {
  if (target.type === "checkbox" || target.type === "radio") {
    return target.checked ? target.value : null;
  }
  return "value" in target ? target.value : null;
}

var changed = new WeakMap(); // form -> Set of names changed since the last form event

function formOf(container, target) {
  var el = target.nodeType === 1 ? target : target.parentElement;
  var form = el && el.closest("form[av-form]");
  return form && container.contains(form) ? form : null;
}

function sendForm(view, form, submit) {
  var used = changed.get(form) || new Set();
  changed.set(form, new Set());
  var ref = view.event(FORM_EVENT, {
    form: form.getAttribute("av-form"),
    fields: formFields(form),
    used: Array.from(used),
    submit: submit,
  });
  if (!submit || !ref) return;
  if (!view.submits) view.submits = new Map(); // event ref -> the form it submitted
  view.submits.set(ref, form);
}

// A checkbox or radio whose change event the view did not apply: it shows again what
// the server last rendered (its checked attribute), as the state it stands for does.
export function changeSent(view, ref, control) {
  if (!ref || (control.type !== "checkbox" && control.type !== "radio")) return;
  if (!view.toggled) view.toggled = new Map(); // event ref -> the control that sent it
  view.toggled.set(ref, control);
}

// The reply to a form's submit comes after the frame of what the view did (the view
// renders before it answers the next message): once the submit is applied, every
// control shows what the view rendered (a form it cleared is empty, even the control
// that had focus).
function replied(view, frame) {
  var form = view.submits && view.submits.get(frame.ref);
  if (form) {
    view.submits.delete(frame.ref);
    if (frame.outcome === "applied" && form.isConnected) form.reset();
  }
  var control = view.toggled && view.toggled.get(frame.ref);
  if (!control) return;
  view.toggled.delete(frame.ref);
  if (frame.outcome !== "applied") revert(view, control);
}

function revert(view, control) {
  var group = [control];
  if (control.type === "radio" && control.name) {
    var scope = control.form || view.container;
    group = Array.prototype.filter.call(
      scope.querySelectorAll("input[type=radio]"),
      function (radio) { return radio.name === control.name; }
    );
  }
  for (var i = 0; i < group.length; i++) group[i].checked = group[i].hasAttribute("checked");
}

// Called by events.js's delegate, with its pacing (av-debounce / av-throttle).
export function delegateForms(view, rateLimited, cancelPending) {
  var c = view.container;
  c.addEventListener("input", function (e) {
    var form = formOf(c, e.target);
    if (!form || !e.target.name) return;
    var names = changed.get(form) || new Set();
    names.add(e.target.name);
    changed.set(form, names);
    rateLimited(form, "form", function () { sendForm(view, form, false); });
  });
  c.addEventListener("submit", function (e) {
    var form = formOf(c, e.target);
    if (!form) return;
    e.preventDefault();
    cancelPending(form, "form"); // the submit carries every field
    sendForm(view, form, true);
  });
  c.addEventListener("av:reply", function (e) { replied(view, e.detail); });
  c.addEventListener("av:error", function (e) {
    if (typeof e.detail.ref === "number") replied(view, { ref: e.detail.ref, outcome: "error" });
  });
}
