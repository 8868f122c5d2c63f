/**
 * The server's rules for keys (kvstore.proto PutRequest.key: non-empty UTF-8, at most 4 KiB),
 * checked in the page first so a typo gets an immediate, specific message instead of a round trip.
 */
import { utf8Length } from "./value-view";

/** Largest key the server accepts, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 4096;

/** Why a key would be refused, or undefined when it is fine. */
export function keyProblem(key: string): string | undefined {
  if (key.length === 0) return "Enter a key.";
  const size = utf8Length(key);
  if (size > MAX_KEY_BYTES) return `The key is ${size} bytes; at most ${MAX_KEY_BYTES} are allowed.`;
  return undefined;
}
