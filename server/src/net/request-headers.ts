import type http2 from "node:http2";

/** A token a fetch `Headers` accepts as a header name, already lower-case (RFC 9110 tchar). */
const plainName = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * The request headers of a call as a fetch `Headers`, read straight from Node's header object:
 * `get` and `has` — all a handler and our interceptor ever do with them — cost a property
 * lookup, and a real `Headers` (what connect-node's `nodeHeaderToWebHeader` builds for every
 * call) is only built the first time anything else is asked (iteration, `set`, an unusual
 * name). Answers are the ones that `Headers` would give: pseudo-headers are absent, repeated
 * headers are joined with ", ", values are trimmed of HTTP whitespace.
 */
export class RequestHeaders implements Headers {
  readonly #raw: http2.IncomingHttpHeaders;
  #real: Headers | undefined;

  constructor(raw: http2.IncomingHttpHeaders) {
    this.#raw = raw;
  }

  get(name: string): string | null {
    if (this.#real !== undefined || !plainName.test(name)) return this.#headers().get(name);
    const value = this.#raw[name];
    if (value === undefined) return null;
    if (typeof value === "string") return trimHttp(value);
    if (Array.isArray(value)) return value.map(trimHttp).join(", ");
    return String(value);
  }

  has(name: string): boolean {
    if (this.#real !== undefined || !plainName.test(name)) return this.#headers().has(name);
    return this.#raw[name] !== undefined;
  }

  getSetCookie(): string[] {
    return this.#headers().getSetCookie();
  }

  append(name: string, value: string): void {
    this.#headers().append(name, value);
  }

  set(name: string, value: string): void {
    this.#headers().set(name, value);
  }

  delete(name: string): void {
    this.#headers().delete(name);
  }

  forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    this.#headers().forEach((value, key) => callback.call(thisArg, value, key, this as Headers));
  }

  entries(): ReturnType<Headers["entries"]> {
    return this.#headers().entries();
  }

  keys(): ReturnType<Headers["keys"]> {
    return this.#headers().keys();
  }

  values(): ReturnType<Headers["values"]> {
    return this.#headers().values();
  }

  [Symbol.iterator](): ReturnType<Headers["entries"]> {
    return this.#headers()[Symbol.iterator]();
  }

  /** The real Headers, built once: connect-node's nodeHeaderToWebHeader. */
  #headers(): Headers {
    if (this.#real === undefined) {
      const out = new Headers();
      for (const key in this.#raw) {
        if (key.charCodeAt(0) === 58) continue; // ':' pseudo-header
        const value = this.#raw[key];
        if (value === undefined) continue;
        if (typeof value === "string") out.append(key, value);
        else if (typeof value === "number") out.append(key, String(value));
        else for (const v of value) out.append(key, v);
      }
      this.#real = out;
    }
    return this.#real;
  }
}

/** Strips leading and trailing HTTP whitespace (tab, LF, CR, space), as `Headers` normalizes values. */
function trimHttp(value: string): string {
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  const ws = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
  return ws(first) || ws(last) ? value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "") : value;
}
