// Test worker: evaluates transpiled functions on tagged JSON arguments, one JSON line in,
// one JSON line out. Started once per test session by tests/optimistic/node.py.
"use strict";
require(process.argv[2]);
const AV = globalThis.AV;
const readline = require("readline");
const compiled = new Map();

function decode(v) {
  switch (v[0]) {
    case "none": return null;
    case "bool": case "num": case "str": return v[1];
    case "list": return v[1].map(decode);
    case "dict": return AV.dict(v[1].map(([k, x]) => [k, decode(x)]));
    case "rec": return AV.record(v[1], AV.dict(v[2].map(([k, x]) => [k, decode(x)])));
  }
  throw new Error("cannot decode " + JSON.stringify(v));
}

function encode(x) {
  if (x === null) return ["none"];
  if (typeof x === "boolean") return ["bool", x];
  if (typeof x === "number") return ["num", x];
  if (typeof x === "string") return ["str", x];
  if (Array.isArray(x)) return ["list", x.map(encode)];
  if (x instanceof AV.Record) {
    return ["rec", x.typeName, Object.keys(x.fields).map((k) => [k, encode(x.fields[k])])];
  }
  if (typeof x === "object") {
    return ["dict", Object.keys(x).sort().map((k) => [k, encode(x[k])])];
  }
  return ["other", String(x)];
}

function run(request) {
  let fn = compiled.get(request.js);
  try {
    if (fn === undefined) {
      fn = (0, eval)(request.js);
      compiled.set(request.js, fn);
    }
    return { ok: encode(fn(...request.args.map(decode))) };
  } catch (error) {
    if (error instanceof AV.PyError) return { error: "PyError", type: error.pyType, message: error.message };
    if (error instanceof AV.Unpredictable) return { error: "Unpredictable", message: error.message };
    return { error: "JSError", type: String(error && error.name), message: String(error && error.message) };
  }
}

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  process.stdout.write(JSON.stringify(run(JSON.parse(line))) + "\n");
});
