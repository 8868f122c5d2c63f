import { create, type DescMethodUnary } from "@bufbuild/protobuf";
import { createMethodSerializationLookup } from "@connectrpc/connect/protocol";
import { GetResponseSchema, KeyValueService, PutResponseSchema, DeleteResponseSchema } from "@ringkv/gen/kvstore/kvstore_pb.js";
import { describe, expect, it } from "vitest";
import { unhandled } from "../net/proto-wire.js";
import type { JsonCodec } from "../net/json-codecs.js";
import { seededRandom } from "../testing/seeded-random.js";
import { randomBytes, randomText, uint64Samples } from "../testing/wire-check.js";
import { deleteRequestJson, deleteResponseJson, getRequestJson, getResponseJson, putRequestJson, putResponseJson } from "./kv-json.js";

/** Connect's JSON serialization of a method, with the options the lean Connect path uses. */
function connectJson(method: DescMethodUnary) {
  const lookup = createMethodSerializationLookup(method, undefined, undefined, { readMaxBytes: 0xffffffff, writeMaxBytes: 0xffffffff });
  return { input: lookup.getI(false), output: lookup.getO(false) };
}

const requests = [
  { name: "GetRequest", codec: getRequestJson, connect: connectJson(KeyValueService.method.get) },
  { name: "PutRequest", codec: putRequestJson, connect: connectJson(KeyValueService.method.put) },
  { name: "DeleteRequest", codec: deleteRequestJson, connect: connectJson(KeyValueService.method.delete) },
] as const;

/** What the codec reads from `body` sent as UTF-8 (as the server decodes it), or "declined". */
function decodeOrDecline<M>(codec: JsonCodec<M>, body: string): M | "declined" {
  try {
    return codec.decode!(new TextDecoder().decode(new TextEncoder().encode(body)));
  } catch (err) {
    if (err !== unhandled) throw err;
    return "declined";
  }
}

/** What Connect reads from `text`, or its error's message. */
function connectReads(connect: { input: { parse(bytes: Uint8Array): unknown } }, text: string): unknown {
  try {
    return connect.input.parse(new TextEncoder().encode(text));
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** Random JSON-ish request bodies: plain ones, and every way a body can leave the plain shape. */
function randomBody(below: (n: number) => number): string {
  const text = randomText(below);
  const pick = <T>(items: readonly T[]) => items[below(items.length)]!;
  // Mostly JSON's whitespace; rarely what JSON.parse rejects between tokens.
  const space = () => (below(40) === 0 ? pick(["\u00a0", "\v"]) : pick(["", "", " ", "\n ", "\t", "\r\n"]));
  const name = () => pick(["key", "key", "value", "value", "valueBytes", "value_bytes", "expectedVersion", "consistency", "Key", "foo"]);
  const stringValue = () => {
    const raw = below(3) === 0 ? "k".repeat(below(3)) : text(12);
    // Mostly as JSON.stringify writes it (escapes for quotes, controls and lone surrogates);
    // sometimes raw, which may hold a quote, a backslash or a control character.
    return below(4) === 0 ? `"${raw}${pick(["", "\"", "\\", "\u0001", "\\n", "\\u0041"])}"` : JSON.stringify(raw);
  };
  const value = () => (below(6) === 0 ? pick(["1", "\"5\"", "null", "true", "{}", "[]", "\"AAE=\"", "\"CONSISTENCY_LOCAL\""]) : stringValue());
  const members = Array.from({ length: below(4) }, () => `${space()}"${name()}"${space()}:${space()}${value()}${space()}`);
  const body = `${space()}{${members.join(",")}${members.length === 0 ? space() : ""}}${space()}`;
  return below(20) === 0 ? pick([body.slice(0, -1), `${body}x`, "[]", "null", "", "\"k\"", `${body},`]) : body;
}

describe("kv-json codecs", () => {
  it("read what Connect reads, or decline, on random request bodies", () => {
    const below = seededRandom(11);
    let read = 0;
    for (let run = 0; run < 3000; run++) {
      const body = randomBody(below);
      for (const { codec, connect } of requests) {
        const fast = decodeOrDecline(codec as JsonCodec<unknown>, body);
        if (fast === "declined") continue;
        read++;
        expect(fast, body).toEqual(connectReads(connect, body));
      }
    }
    // The plain bodies are common enough above that the codecs must take a good share of them.
    expect(read).toBeGreaterThan(500);
  });

  it("read the bodies curl users send, in any member order and spacing", () => {
    const put = connectJson(KeyValueService.method.put);
    for (const body of ['{"key":"k","value":"v"}', ' { "value" : "vé中😀" ,\n"key":"k" } ', '{"key":"k"}', "{}", '{"value":""}']) {
      const fast = decodeOrDecline(putRequestJson, body);
      expect(fast, body).not.toBe("declined");
      expect(fast, body).toEqual(connectReads(put, body));
    }
    const get = connectJson(KeyValueService.method.get);
    expect(decodeOrDecline(getRequestJson, '{"key":"k"}')).toEqual(connectReads(get, '{"key":"k"}'));
  });

  it("leave escapes, duplicates, other members and malformed bodies to protobuf-es", () => {
    const put = connectJson(KeyValueService.method.put);
    const declined = [
      '{"key":"a\\"b"}', // an escape
      '{"key":"k","key":"j"}', // a duplicate, which protobuf-es rejects
      '{"key":"k","valueBytes":"AAE="}',
      '{"key":"k","expectedVersion":"3"}',
      '{"key":"k","unknown":"x"}', // ignored by Connect's options, but not read here
      '{"key":"k",}',
      '{"key":"k"}\u00a0', // not JSON whitespace
      '{"key":1}',
    ];
    for (const body of declined) expect(decodeOrDecline(putRequestJson, body), body).toBe("declined");
    expect(connectReads(put, '{"key":"k","key":"j"}')).toHaveProperty("error");
    expect(decodeOrDecline(getRequestJson, '{"key":"k","value":"v"}')).toBe("declined");
  });

  it("write what Connect writes for random answers", () => {
    const below = seededRandom(5);
    const text = randomText(below);
    const bytes = randomBytes(below);
    const version = () => uint64Samples[below(uint64Samples.length)]!;
    const same = <M>(codec: JsonCodec<M>, method: keyof typeof KeyValueService.method, message: M) => {
      const reference = Buffer.from(connectJson(KeyValueService.method[method]).output.serialize(message as never)).toString("utf8");
      expect(codec.encode!(message)).toBe(reference);
    };
    for (let run = 0; run < 500; run++) {
      same(getResponseJson, "get", create(GetResponseSchema, { value: below(4) === 0 ? "" : text(40), found: below(2) === 1, version: version(), valueBytes: bytes(below(3) === 0 ? 40 : 0), binary: below(2) === 1 }));
      same(putResponseJson, "put", create(PutResponseSchema, { success: below(2) === 1, version: version() }));
      same(deleteResponseJson, "delete", create(DeleteResponseSchema, { success: below(2) === 1, found: below(2) === 1 }));
    }
  });
});
