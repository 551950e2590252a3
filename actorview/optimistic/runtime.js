/*
 * actorview optimistic runtime: the small helpers transpiled expressions call so that
 * the browser computes exactly what Python computes (see docs/OPTIMISTIC.md).
 *
 * Values: None is null, bool is boolean, int and float are numbers, str is string,
 * list is Array, dict is a plain object with string keys, a record (an attrs instance)
 * is an AV.Record. Where the answer depends on something the browser cannot know
 * (int vs float of an integral number, a number past 2**53, repr of a list...) a helper
 * throws AV.Unpredictable: the client must not guess, the server answers. Where Python
 * raises, a helper throws AV.PyError with the Python exception's name in `pyType`.
 *
 * Kind hints: some helpers take "i" (int) or "f" (float) telling what a number is when
 * the transpiler could infer it; undefined means unknown.
 */
(function (root) {
  "use strict";

  class PyError extends Error {
    constructor(pyType, message) {
      super(pyType + ": " + message);
      this.name = "PyError";
      this.pyType = pyType;
    }
  }

  class Unpredictable extends Error {
    constructor(message) {
      super("the client cannot predict this, the server answers: " + message);
      this.name = "Unpredictable";
    }
  }

  class Record {
    constructor(typeName, fields) {
      this.typeName = typeName;
      this.fields = fields;
      Object.freeze(this);
    }
  }

  const MAX_EXACT = 9007199254740991; // 2**53 - 1
  // Python's str.isspace() set (checked against Python by the unit tests).
  const SPACE = new Set([
    0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680,
    0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a,
    0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
  ]);

  const isNum = (x) => typeof x === "number" || typeof x === "boolean";
  const isStr = (x) => typeof x === "string";
  const isList = (x) => Array.isArray(x);
  const isRecord = (x) => x instanceof Record;
  const isDict = (x) => x !== null && typeof x === "object" && !isList(x) && !isRecord(x);
  const hasOwn = (o, k) => Object.prototype.hasOwnProperty.call(o, k);

  function typeName(x) {
    if (x === null || x === undefined) return "NoneType";
    if (typeof x === "boolean") return "bool";
    if (typeof x === "number") return Number.isInteger(x) ? "int" : "float";
    if (isStr(x)) return "str";
    if (isList(x)) return "list";
    if (isRecord(x)) return x.typeName;
    return "dict";
  }

  function exact(r) {
    if (Number.isNaN(r)) throw new Unpredictable("the result is not a real number");
    if (!Number.isFinite(r) || Math.abs(r) > MAX_EXACT) {
      throw new Unpredictable("a number past 2**53 is not exact in JavaScript");
    }
    return r;
  }

  function unsupported(op, a, b) {
    return new PyError(
      "TypeError",
      `unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`,
    );
  }

  /* An int, given its kind hint; throws what Python would for a float or non-number. */
  function intOf(x, kind, what) {
    if (typeof x === "boolean") return Number(x);
    if (typeof x === "number") {
      if (!Number.isInteger(x) || kind === "f") {
        throw new PyError("TypeError", `${what} must be integers, not float`);
      }
      if (kind !== "i") throw new Unpredictable(`cannot tell whether ${x} is an int or a float`);
      return x;
    }
    throw new PyError("TypeError", `${what} must be integers, not ${typeName(x)}`);
  }

  const cps = (s) => Array.from(s);

  function truthy(x) {
    if (x === null || x === undefined || x === false) return false;
    if (x === true) return true;
    if (typeof x === "number") return x !== 0;
    if (isStr(x)) return x.length > 0;
    if (isList(x)) return x.length > 0;
    if (isRecord(x)) return true;
    return Object.keys(x).length > 0;
  }

  function eq(a, b) {
    if (isNum(a) && isNum(b)) return Number(a) === Number(b);
    if (isStr(a) || isStr(b)) return a === b;
    if (a === null || b === null) return a === b;
    if (isList(a) && isList(b)) {
      if (a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) if (!eq(a[i], b[i])) return false;
      return true;
    }
    if (isRecord(a) && isRecord(b)) {
      return a.typeName === b.typeName && eq(a.fields, b.fields);
    }
    if (isDict(a) && isDict(b)) {
      const ka = Object.keys(a);
      if (ka.length !== Object.keys(b).length) return false;
      for (const k of ka) if (!hasOwn(b, k) || !eq(a[k], b[k])) return false;
      return true;
    }
    return false;
  }

  function cmpStr(a, b) {
    const ia = a[Symbol.iterator]();
    const ib = b[Symbol.iterator]();
    for (;;) {
      const x = ia.next();
      const y = ib.next();
      if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
      const cx = x.value.codePointAt(0);
      const cy = y.value.codePointAt(0);
      if (cx !== cy) return cx < cy ? -1 : 1;
    }
  }

  const OPS = {
    "<": (c) => c < 0,
    "<=": (c) => c <= 0,
    ">": (c) => c > 0,
    ">=": (c) => c >= 0,
  };

  function order(a, b, op) {
    if (isNum(a) && isNum(b)) {
      const x = Number(a);
      const y = Number(b);
      return OPS[op](x < y ? -1 : x > y ? 1 : 0);
    }
    if (isStr(a) && isStr(b)) return OPS[op](cmpStr(a, b));
    if (isList(a) && isList(b)) {
      const n = Math.min(a.length, b.length);
      for (let i = 0; i < n; i++) {
        if (!eq(a[i], b[i])) return order(a[i], b[i], op);
      }
      return OPS[op](a.length - b.length);
    }
    throw new PyError(
      "TypeError",
      `'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`,
    );
  }

  function contains(container, item) {
    if (isStr(container)) {
      if (!isStr(item)) {
        throw new PyError("TypeError", `'in <string>' requires string as left operand`);
      }
      return container.includes(item);
    }
    if (isList(container)) return container.some((x) => eq(x, item));
    if (isDict(container)) {
      if (isRecord(item)) throw new Unpredictable("whether a record is hashable is not known");
      if (isList(item) || isDict(item)) {
        throw new PyError("TypeError", `unhashable type: '${typeName(item)}'`);
      }
      return isStr(item) && hasOwn(container, item);
    }
    throw new PyError("TypeError", `argument of type '${typeName(container)}' is not iterable`);
  }

  function add(a, b) {
    if (isNum(a) && isNum(b)) return exact(Number(a) + Number(b));
    if (isStr(a) && isStr(b)) return a + b;
    if (isList(a) && isList(b)) return a.concat(b);
    throw unsupported("+", a, b);
  }

  function sub(a, b) {
    if (isNum(a) && isNum(b)) return exact(Number(a) - Number(b));
    throw unsupported("-", a, b);
  }

  function repeat(seq, count, kind) {
    const n = intOf(count, kind, "sequence repeat counts");
    if (n <= 0) return isStr(seq) ? "" : [];
    if (seq.length * n > 1000000) throw new Unpredictable("the repeated value is too large");
    if (isStr(seq)) return seq.repeat(n);
    let out = [];
    for (let i = 0; i < n; i++) out = out.concat(seq);
    return out;
  }

  function mul(a, b, ka, kb) {
    if (isNum(a) && isNum(b)) return exact(Number(a) * Number(b));
    if ((isStr(a) || isList(a)) && isNum(b)) return repeat(a, b, kb);
    if (isNum(a) && (isStr(b) || isList(b))) return repeat(b, a, ka);
    throw unsupported("*", a, b);
  }

  function truediv(a, b) {
    if (isNum(a) && isNum(b)) {
      if (Number(b) === 0) throw new PyError("ZeroDivisionError", "division by zero");
      return exact(Number(a) / Number(b));
    }
    throw unsupported("/", a, b);
  }

  /* CPython's float divmod, exact for numbers up to 2**53 (ints included). */
  function divmod(vx, wx) {
    let mod = vx % wx;
    let div = (vx - mod) / wx;
    if (mod) {
      if (wx < 0 !== mod < 0) {
        mod += wx;
        div -= 1.0;
      }
    } else {
      mod = Math.sign(wx) < 0 || Object.is(wx, -0) ? -0 : 0;
    }
    let floordiv;
    if (div) {
      floordiv = Math.floor(div);
      if (div - floordiv > 0.5) floordiv += 1.0;
    } else {
      const q = vx / wx;
      floordiv = q < 0 || Object.is(q, -0) ? -0 : 0;
    }
    return [floordiv, mod];
  }

  function floordiv(a, b) {
    if (isNum(a) && isNum(b)) {
      if (Number(b) === 0) throw new PyError("ZeroDivisionError", "division by zero");
      return exact(divmod(Number(a), Number(b))[0]);
    }
    throw unsupported("//", a, b);
  }

  function mod(a, b) {
    if (isStr(a)) throw new Unpredictable("printf-style % formatting is not emulated");
    if (isNum(a) && isNum(b)) {
      if (Number(b) === 0) throw new PyError("ZeroDivisionError", "modulo by zero");
      return exact(divmod(Number(a), Number(b))[1]);
    }
    throw unsupported("%", a, b);
  }

  /* Only exact powers: Python's float ** calls C's pow(), which differs from Math.pow
   * (and is not always correctly rounded), so a power whose value is not an exact
   * integer is refused. */
  function pow(a, b) {
    if (!(isNum(a) && isNum(b))) throw unsupported("** or pow()", a, b);
    const x = Number(a);
    const y = Number(b);
    if (x === 0 && y < 0) {
      throw new PyError("ZeroDivisionError", "0.0 cannot be raised to a negative power");
    }
    if (y === 0) return 1;
    if (y === 1) return x;
    if (!(Number.isInteger(x) && Number.isInteger(y) && y > 0)) {
      throw new Unpredictable("Python's pow() may differ from JavaScript's in the last digit");
    }
    if (x === 0) return Object.is(x, -0) && y % 2 === 1 ? -0 : 0;
    if (x === 1) return 1;
    if (x === -1) return y % 2 === 1 ? -1 : 1;
    if (y > 60) throw new Unpredictable("a number past 2**53 is not exact in JavaScript");
    const big = BigInt(x) ** BigInt(y);
    if (big > BigInt(MAX_EXACT) || big < -BigInt(MAX_EXACT)) {
      throw new Unpredictable("a number past 2**53 is not exact in JavaScript");
    }
    return Number(big);
  }

  function neg(x) {
    if (isNum(x)) return -Number(x);
    throw new PyError("TypeError", `bad operand type for unary -: '${typeName(x)}'`);
  }

  function pos(x) {
    if (isNum(x)) return Number(x);
    throw new PyError("TypeError", `bad operand type for unary +: '${typeName(x)}'`);
  }

  function len(x) {
    if (isStr(x)) {
      let n = 0;
      for (const _ of x) n++;
      return n;
    }
    if (isList(x)) return x.length;
    if (isDict(x)) return Object.keys(x).length;
    throw new PyError("TypeError", `object of type '${typeName(x)}' has no len()`);
  }

  function floatRepr(x) {
    if (!Number.isFinite(x)) throw new Unpredictable("inf and nan are not emulated");
    if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
    const [m, e] = x.toExponential().split("e");
    const negative = m[0] === "-";
    const digits = (negative ? m.slice(1) : m).replace(".", "");
    const ex = Number(e);
    let s;
    if (ex < -4 || ex >= 16) {
      const mant = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
      s = mant + "e" + (ex < 0 ? "-" : "+") + String(Math.abs(ex)).padStart(2, "0");
    } else if (ex >= 0) {
      s =
        digits.length <= ex + 1
          ? digits + "0".repeat(ex + 1 - digits.length) + ".0"
          : digits.slice(0, ex + 1) + "." + digits.slice(ex + 1);
    } else {
      s = "0." + "0".repeat(-ex - 1) + digits;
    }
    return (negative ? "-" : "") + s;
  }

  function str(x, kind) {
    if (x === undefined) return "";
    if (x === null) return "None";
    if (x === true) return "True";
    if (x === false) return "False";
    if (isStr(x)) return x;
    if (typeof x === "number") {
      if (!Number.isInteger(x) || kind === "f") return floatRepr(x);
      if (kind === "i") return String(x === 0 ? 0 : x);
      throw new Unpredictable(`cannot tell whether ${x} is an int or a float`);
    }
    throw new Unpredictable(`the repr of a ${typeName(x)} is not emulated`);
  }

  const INT_TEXT = /^[+-]?[0-9](?:_?[0-9])*$/;
  const DIGITS = "[0-9](?:_?[0-9])*";
  const FLOAT_TEXT = new RegExp(
    `^[+-]?(?:${DIGITS}(?:\\.(?:${DIGITS})?)?|\\.${DIGITS})(?:[eE][+-]?${DIGITS})?$`,
  );
  const SPECIAL_FLOAT = /^[+-]?(?:inf|infinity|nan)$/i;
  const ASCII = /^[\x00-\x7f]*$/;

  // int() and float() strip str.isspace() characters except \x1c-\x1f (C's isspace).
  const NUMBER_SPACE = [...SPACE].filter((c) => c < 0x1c || c > 0x1f);
  const NUMBER_SPACE_TEXT = String.fromCodePoint(...NUMBER_SPACE);
  const stripNumber = (x) => strip(x, NUMBER_SPACE_TEXT);

  function parseText(x, pattern, what) {
    const text = stripNumber(x);
    if (!ASCII.test(text)) throw new Unpredictable("non-ASCII digits are not emulated");
    if (!pattern.test(text)) {
      throw new PyError("ValueError", `invalid literal for ${what}: '${x}'`);
    }
    return text.replace(/_/g, "");
  }

  function int(x) {
    if (x === undefined) return 0;
    if (isNum(x)) return exact(Math.trunc(Number(x))) || 0;
    if (isStr(x)) {
      const text = parseText(x, INT_TEXT, "int() with base 10");
      if (text.replace(/^[+-]?0*/, "").length > 15) {
        return exact(Number(BigInt(text)));
      }
      return Number(text) || 0;
    }
    throw new PyError("TypeError", `int() argument must be a string or a real number`);
  }

  /* JavaScript numbers have a -0 that Python ints do not: an int result of -0 (0 * -1,
   * -0, 0 // -1) is 0, which the transpiler marks with intz. */
  function intz(x) {
    return x === 0 ? 0 : x;
  }

  /* float(x): -0 is -0.0 when x is a float, 0.0 when it is an int ("i"); when that is
   * not known ("f" says float), it is refused. */
  function float(x, hint) {
    if (x === undefined) return 0;
    if (isNum(x)) {
      const value = Number(x);
      if (Object.is(value, -0) && hint !== "f") {
        if (hint === "i") return 0;
        throw new Unpredictable("float() of -0: an int 0 or a float -0.0");
      }
      return value;
    }
    if (isStr(x)) {
      if (SPECIAL_FLOAT.test(stripNumber(x))) throw new Unpredictable("inf and nan are not emulated");
      const value = Number(parseText(x, FLOAT_TEXT, "float()"));
      if (!Number.isFinite(value)) throw new Unpredictable("inf and nan are not emulated");
      return value;
    }
    throw new PyError("TypeError", `float() argument must be a string or a real number`);
  }

  function abs(x) {
    if (isNum(x)) return Math.abs(Number(x));
    throw new PyError("TypeError", `bad operand type for abs(): '${typeName(x)}'`);
  }

  const INDEX_KEY = /^(?:0|[1-9][0-9]*)$/;

  /* The items Python iterates over; ``ordered``: the caller depends on dict key order,
   * which JavaScript changes for integer-like keys ("1" comes before "a"). */
  function items(x, ordered) {
    if (isStr(x)) return cps(x);
    if (isList(x)) return x;
    if (isDict(x)) {
      const keys = Object.keys(x);
      if (ordered && keys.some((k) => INDEX_KEY.test(k))) {
        throw new Unpredictable("the order of integer-like dict keys differs in JavaScript");
      }
      return keys;
    }
    throw new PyError("TypeError", `'${typeName(x)}' object is not iterable`);
  }

  function extreme(args, op, fn) {
    const values = args.length === 1 ? items(args[0], false) : args;
    if (values.length === 0) throw new PyError("ValueError", `${fn}() arg is an empty sequence`);
    let best = values[0];
    for (let i = 1; i < values.length; i++) if (order(values[i], best, op)) best = values[i];
    return best;
  }

  const min = (...args) => extreme(args, "<", "min");
  const max = (...args) => extreme(args, ">", "max");
  const bool = (x) => (x === undefined ? false : truthy(x));

  function index(n, i, what) {
    const j = i < 0 ? i + n : i;
    if (j < 0 || j >= n) throw new PyError("IndexError", `${what} index out of range`);
    return j;
  }

  function getitem(o, key, kind) {
    if (isList(o)) return o[index(o.length, intOf(key, kind, "list indices"), "list")];
    if (isStr(o)) {
      const chars = cps(o);
      return chars[index(chars.length, intOf(key, kind, "string indices"), "string")];
    }
    if (isDict(o)) {
      if (isRecord(key)) throw new Unpredictable("whether a record is hashable is not known");
      if (isList(key) || isDict(key)) {
        throw new PyError("TypeError", `unhashable type: '${typeName(key)}'`);
      }
      if (isStr(key) && hasOwn(o, key)) return o[key];
      throw new PyError("KeyError", String(key));
    }
    throw new PyError("TypeError", `'${typeName(o)}' object is not subscriptable`);
  }

  function bound(x, kind) {
    return x === null || x === undefined ? null : intOf(x, kind, "slice indices");
  }

  function slice(o, lo, hi, step, klo, khi, kstep) {
    if (!(isList(o) || isStr(o))) {
      const what = isDict(o) ? "unhashable type: 'slice'" : `'${typeName(o)}' object is not subscriptable`;
      throw new PyError("TypeError", what);
    }
    const seq = isStr(o) ? cps(o) : o;
    const n = seq.length;
    let start = bound(lo, klo);
    let stop = bound(hi, khi);
    const st = bound(step, kstep) ?? 1;
    if (st === 0) throw new PyError("ValueError", "slice step cannot be zero");
    const adjust = (v, dflt) => {
      if (v === null) return dflt;
      if (v < 0) {
        v += n;
        if (v < 0) v = st < 0 ? -1 : 0;
      } else if (v >= n) {
        v = st < 0 ? n - 1 : n;
      }
      return v;
    };
    start = adjust(start, st < 0 ? n - 1 : 0);
    stop = adjust(stop, st < 0 ? -1 : n);
    const out = [];
    if (st > 0) for (let i = start; i < stop; i += st) out.push(seq[i]);
    else for (let i = start; i > stop; i += st) out.push(seq[i]);
    return isStr(o) ? out.join("") : out;
  }

  function getattr(o, name, ambiguous) {
    if (isRecord(o)) {
      if (hasOwn(o.fields, name)) return o.fields[name];
      throw new PyError("AttributeError", `'${o.typeName}' object has no attribute '${name}'`);
    }
    if (ambiguous) throw new Unpredictable(`'${name}' of a ${typeName(o)} is not a record field`);
    throw new PyError("AttributeError", `'${typeName(o)}' object has no attribute '${name}'`);
  }

  /* The receiver of a str method: Python looks the method up before it evaluates args. */
  function method(o, name) {
    if (isStr(o)) return o;
    throw new PyError("AttributeError", `'${typeName(o)}' object has no attribute '${name}'`);
  }

  function charSet(chars, name) {
    if (chars === undefined || chars === null) return null;
    if (!isStr(chars)) throw new PyError("TypeError", `${name} arg must be None or str`);
    return new Set(cps(chars).map((c) => c.codePointAt(0)));
  }

  function stripWith(s, chars, left, right, name) {
    const set = charSet(chars, name);
    const keep = set === null ? (c) => !SPACE.has(c) : (c) => !set.has(c);
    const seq = cps(s);
    let i = 0;
    let j = seq.length;
    if (left) while (i < j && !keep(seq[i].codePointAt(0))) i++;
    if (right) while (j > i && !keep(seq[j - 1].codePointAt(0))) j--;
    return seq.slice(i, j).join("");
  }

  const strip = (s, chars) => stripWith(s, chars, true, true, "strip");
  const lstrip = (s, chars) => stripWith(s, chars, true, false, "lstrip");
  const rstrip = (s, chars) => stripWith(s, chars, false, true, "rstrip");

  /* Case mapping follows the Unicode version of the engine, which is not the server's
   * Python's. runtime_source() appends setCaseTables() with the code points Python's
   * lower() and upper() change; a character whose "changes or not" differs between the
   * two is refused. Without the tables, only ASCII text is lowered or uppered. */
  let caseTables = null;

  function setCaseTables(tables) {
    const decode = (text) => {
      const out = new Set();
      let cp = 0;
      for (const delta of text.split(",")) {
        cp += parseInt(delta, 36);
        out.add(cp);
      }
      return out;
    };
    caseTables = { lower: decode(tables.lower), upper: decode(tables.upper) };
  }

  function caseMap(s, table, convert) {
    if (ASCII.test(s)) return convert(s);
    if (caseTables === null) throw new Unpredictable("case tables for non-ASCII text are not loaded");
    const changes = caseTables[table];
    for (const c of s) {
      const cp = c.codePointAt(0);
      if (cp > 0x7f && changes.has(cp) !== (convert(c) !== c)) {
        throw new Unpredictable(`the case of U+${cp.toString(16)} differs in this browser`);
      }
    }
    return convert(s);
  }

  const lower = (s) => caseMap(s, "lower", (x) => x.toLowerCase());
  const upper = (s) => caseMap(s, "upper", (x) => x.toUpperCase());

  function affixes(p, name) {
    if (isStr(p)) return [p];
    if (isList(p) && p.every(isStr)) return p;
    throw new PyError(
      "TypeError",
      `${name} first arg must be str or a tuple of str, not ${typeName(p)}`,
    );
  }

  const startswith = (s, p) => affixes(p, "startswith").some((x) => s.startsWith(x));
  const endswith = (s, p) => affixes(p, "endswith").some((x) => s.endsWith(x));

  function replace(s, old, by) {
    if (!isStr(old) || !isStr(by)) {
      throw new PyError("TypeError", `replace() argument must be str, not ${typeName(isStr(old) ? by : old)}`);
    }
    if (old === "") {
      const chars = cps(s);
      if ((chars.length + 1) * by.length > 1000000) {
        throw new Unpredictable("the replaced text is too large");
      }
      return by + chars.map((c) => c + by).join("");
    }
    return s.split(old).join(by);
  }

  function split(s, sep) {
    if (sep === undefined || sep === null) {
      const out = [];
      let word = "";
      for (const c of s) {
        if (SPACE.has(c.codePointAt(0))) {
          if (word) out.push(word);
          word = "";
        } else {
          word += c;
        }
      }
      if (word) out.push(word);
      return out;
    }
    if (!isStr(sep)) throw new PyError("TypeError", `must be str or None, not ${typeName(sep)}`);
    if (sep === "") throw new PyError("ValueError", "empty separator");
    return s.split(sep);
  }

  function join(s, parts) {
    const seq = items(parts, true);
    seq.forEach((p, i) => {
      if (!isStr(p)) {
        throw new PyError("TypeError", `sequence item ${i}: expected str instance, ${typeName(p)} found`);
      }
    });
    return seq.join(s);
  }

  function dict(entries) {
    const out = {};
    for (const [k, v] of entries) {
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  const record = (typeName, fields) => new Record(typeName, fields);

  /*
   * Whether `value` fits a declared type, as the view layer's conforms() decides (bool is
   * not int; an int is a float). `type` is the client program's descriptor: "str", "int",
   * "float", "bool", "none", "any", ["list", t], ["union", t, ...], ["literal", v, ...] (str,
   * bool, None values) or ["record", name]. `kind` is the value's int-or-float hint.
   * Returns true or false; throws Unpredictable when the answer depends on whether an
   * integral number is an int or a float, or on a record's class beyond its name.
   */
  function conforms(value, type, kind) {
    if (type === "any") return true;
    if (type === "none") return value === null || value === undefined;
    if (type === "str") return isStr(value);
    if (type === "bool") return typeof value === "boolean";
    if (type === "float") return typeof value === "number";
    if (type === "int") {
      if (typeof value !== "number" || !Number.isInteger(value) || kind === "f") return false;
      if (kind === "i") return true;
      throw new Unpredictable(`cannot tell whether ${value} is an int or a float`);
    }
    switch (type[0]) {
      case "list":
        return isList(value) && value.every((item) => conforms(item, type[1], undefined));
      case "literal":
        return type.slice(1).some((v) => v === value || (v === null && value === undefined));
      case "record":
        if (!isRecord(value)) return false;
        if (value.typeName === type[1]) return true;
        throw new Unpredictable(`whether a ${value.typeName} is a ${type[1]} is not known`);
      case "union": {
        let unsure = null;
        for (const option of type.slice(1)) {
          try {
            if (conforms(value, option, kind)) return true;
          } catch (e) {
            if (!(e instanceof Unpredictable)) throw e;
            unsure = e;
          }
        }
        if (unsure) throw unsure;
        return false;
      }
    }
    throw new Unpredictable(`the type ${JSON.stringify(type)} is not known`);
  }

  /*
   * The ops of one action on client fields, as the server's ViewStore.apply runs them.
   * Each step was evaluated against the state before the action (skipping ops whose
   * `when` is false): {kind, field, value, index, check, valueHint, indexHint}. Kinds:
   * "set", "append", "push", "unshift", "pop", "shift", "update_at". Returns new values;
   * `values` and its lists are never changed (a changed list is a new array, an
   * unchanged one the same array). As on the server, nothing applies unless everything
   * does: a wrong item (TypeError) or an update_at index out of range (IndexError) throws
   * PyError, which means the server refuses the whole action. pop and shift of an empty
   * list do nothing, as on the server.
   */
  function applyOps(values, steps) {
    const out = Object.assign({}, values);
    for (const step of steps) {
      const field = step.field;
      const kind = step.kind;
      if (kind === "set") {
        out[field] = step.value;
        continue;
      }
      if (kind === "append") {
        if (!isStr(step.value)) {
          throw new PyError("TypeError", `the appended text is a ${typeName(step.value)}`);
        }
        out[field] = add(out[field], step.value);
        continue;
      }
      const list = out[field];
      if (!isList(list)) throw new Unpredictable(`the value of ${field}`);
      const checked = kind === "push" || kind === "unshift" || kind === "update_at";
      if (checked && step.check !== undefined && step.check !== null) {
        if (!conforms(step.value, step.check, step.valueHint)) {
          throw new PyError("TypeError", `the item ${typeName(step.value)} does not fit ${field}`);
        }
      }
      if (kind === "push") out[field] = list.concat([step.value]);
      else if (kind === "unshift") out[field] = [step.value].concat(list);
      else if (kind === "pop") out[field] = list.length ? list.slice(0, -1) : list;
      else if (kind === "shift") out[field] = list.length ? list.slice(1) : list;
      else if (kind === "update_at") {
        const n = list.length;
        const i = step.index;
        if (!conforms(i, "int", step.indexHint) || i < -n || i >= n) {
          throw new PyError("IndexError", `update_at index ${i} of ${field}, which has ${n} items`);
        }
        const copy = list.slice();
        copy[i < 0 ? i + n : i] = step.value;
        out[field] = copy;
      } else {
        throw new Unpredictable(`the op ${kind}`);
      }
    }
    return out;
  }

  root.AV = Object.freeze({
    PyError,
    Unpredictable,
    Record,
    typeName,
    truthy,
    eq,
    ne: (a, b) => !eq(a, b),
    lt: (a, b) => order(a, b, "<"),
    le: (a, b) => order(a, b, "<="),
    gt: (a, b) => order(a, b, ">"),
    ge: (a, b) => order(a, b, ">="),
    contains,
    notContains: (c, x) => !contains(c, x),
    add,
    sub,
    mul,
    truediv,
    floordiv,
    mod,
    pow,
    neg,
    pos,
    len,
    str,
    int,
    intz,
    float,
    abs,
    min,
    max,
    bool,
    getitem,
    slice,
    getattr,
    method,
    strip,
    lstrip,
    rstrip,
    lower,
    upper,
    startswith,
    endswith,
    replace,
    split,
    join,
    dict,
    record,
    conforms,
    applyOps,
    setCaseTables,
    SPACE: Object.freeze([...SPACE]),
  });
})(typeof globalThis !== "undefined" ? globalThis : this);
