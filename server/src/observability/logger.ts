import { pino, type Logger } from "pino";

/**
 * Structured JSON logs on stdout (pino), one object per line, with the node id on every line.
 * Successful requests are not logged at the default level; failures and cluster events are.
 */
export function createLogger(options: { nodeId: string; level: string }): Logger {
  return pino({
    level: options.level,
    base: { node: options.nodeId },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
