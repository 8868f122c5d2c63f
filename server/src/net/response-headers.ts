/** A header name as fetch `Headers` accepts it (RFC 9110 token), any case. */
const token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What fetch `Headers` refuses in a value: NUL, CR, LF. */
const badValue = /[\0\r\n]/;
/** Leading and trailing HTTP whitespace, which fetch `Headers` strips from values. */
const httpWhitespace = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/**
 * The response headers and trailers of one lean call, as a fetch `Headers`, on two small arrays.
 *
 * Why hand-written: a call's handler and interceptors set two to five headers, and the lean
 * path then reads them all once. Node's `Headers` (undici) keeps a Map per object plus a sorted
 * copy for iteration; allocation profiles of a Get put the two per call, with their Maps and
 * sorting, at about a tenth of everything the call allocates. This keeps fetch semantics where
 * a caller can see them: names are case-insensitive (stored lower-case), `set` replaces,
 * `append` adds (`get` joins with ", "; `getSetCookie` keeps set-cookie values apart), values
 * are trimmed, and invalid names or values throw the TypeError `Headers` throws. One
 * difference: it iterates in insertion order (`Headers` sorts by name), which HTTP does not
 * care about. `response-headers.test.ts` checks it against `Headers`.
 */
export class ResponseHeaders implements Headers {
  #names: string[] = [];
  #values: string[] = [];

  constructor(init?: Record<string, string>) {
    if (init !== undefined) for (const name of Object.keys(init)) this.append(name, init[name]!);
  }

  append(name: string, value: string): void {
    this.#names.push(checkName(name));
    this.#values.push(checkValue(value));
  }

  set(name: string, value: string): void {
    const lower = checkName(name);
    const v = checkValue(value);
    const at = this.#names.indexOf(lower);
    if (at < 0) {
      this.#names.push(lower);
      this.#values.push(v);
      return;
    }
    this.#values[at] = v;
    for (let i = this.#names.length - 1; i > at; i--) {
      if (this.#names[i] === lower) {
        this.#names.splice(i, 1);
        this.#values.splice(i, 1);
      }
    }
  }

  get(name: string): string | null {
    const lower = checkName(name);
    let found: string | null = null;
    for (let i = 0; i < this.#names.length; i++) {
      if (this.#names[i] === lower) found = found === null ? this.#values[i]! : `${found}, ${this.#values[i]!}`;
    }
    return found;
  }

  has(name: string): boolean {
    return this.#names.includes(checkName(name));
  }

  delete(name: string): void {
    const lower = checkName(name);
    for (let i = this.#names.length - 1; i >= 0; i--) {
      if (this.#names[i] === lower) {
        this.#names.splice(i, 1);
        this.#values.splice(i, 1);
      }
    }
  }

  getSetCookie(): string[] {
    return this.#values.filter((_, i) => this.#names[i] === "set-cookie");
  }

  forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    const names = this.#names;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      if (name === "set-cookie") callback.call(thisArg, this.#values[i]!, name, this);
      else if (names.indexOf(name) === i) callback.call(thisArg, names.lastIndexOf(name) === i ? this.#values[i]! : this.get(name)!, name, this);
    }
  }

  /** The rarely used iterators come from a real Headers built on the spot. */
  entries(): ReturnType<Headers["entries"]> {
    return this.#real().entries();
  }

  keys(): ReturnType<Headers["keys"]> {
    return this.#real().keys();
  }

  values(): ReturnType<Headers["values"]> {
    return this.#real().values();
  }

  [Symbol.iterator](): ReturnType<Headers["entries"]> {
    return this.#real().entries();
  }

  #real(): Headers {
    const real = new Headers();
    this.forEach((value, name) => real.append(name, value));
    return real;
  }
}

function checkName(name: string): string {
  if (!token.test(name)) throw new TypeError(`Headers: invalid header name "${name}"`);
  return name.toLowerCase();
}

/** Tab, LF, CR or space: what fetch `Headers` trims. */
function isHttpWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function checkValue(value: string): string {
  let v = String(value);
  // The trim is a regex scan of the whole value; the values set per call (content type, status)
  // never need it, which the first and last characters tell.
  if (v.length > 0 && (isHttpWhitespace(v.charCodeAt(0)) || isHttpWhitespace(v.charCodeAt(v.length - 1)))) v = v.replace(httpWhitespace, "");
  if (badValue.test(v)) throw new TypeError(`Headers: invalid header value "${v}"`);
  return v;
}
