import type { DescMethodUnary, DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createContextValues, type HandlerContext, type UnaryRequest } from "@connectrpc/connect";
import { h2ResetError } from "./h2-errors.js";
import { ResponseHeaders } from "./response-headers.js";

/**
 * What a call watches to notice that its client went away: an HTTP/2 stream, or for HTTP/1.1
 * the ServerResponse (Node closes the request as soon as its body is read, see connect-node).
 */
export interface CallStream {
  readonly closed: boolean;
  readonly destroyed: boolean;
  /** HTTP/2 only: the RST_STREAM code it closed with. */
  readonly rstCode?: number;
  once(event: "close", listener: () => void): unknown;
  removeListener(event: "close", listener: () => void): unknown;
}

/** What {@link createLeanCall} needs to know about one incoming unary call. */
export interface LeanCallInit {
  method: DescMethodUnary;
  /** The parsed request message. */
  message: unknown;
  /** "grpc" or "connect": what `HandlerContext.protocolName` says. */
  protocolName: string;
  stream: CallStream;
  /**
   * Why the client went away, for the signal's reason; default: the HTTP/2 reset code mapped as
   * connect-node maps it.
   */
  closeReason?: () => unknown;
  /** The request headers, pseudo-headers stripped (what Connect hands its handlers). */
  requestHeader: Headers;
  /** From `grpc-timeout`, in (possibly fractional) milliseconds; undefined without one. */
  timeoutMs: number | undefined;
  /** `:scheme`-independent pieces of `HandlerContext.url`, computed only when read. */
  authority: string;
  path: string;
  encrypted: boolean;
  /** Server shutdown: aborts the call's signal, as Connect's `shutdownSignal` does. */
  shutdownSignal?: AbortSignal;
}

/** One call's context and the request object interceptors see, plus its end. */
export interface LeanCall {
  readonly context: HandlerContext;
  readonly request: UnaryRequest;
  /** Ends the call: aborts its signal (if anyone asked for it) and stops its deadline timer. */
  finish(error?: unknown): void;
  /** Sets the request message, for a call created before its body was read (as Connect's context is). */
  setMessage(message: unknown): void;
}

/**
 * The reason a call's signal carries once the call completed normally. Connect aborts with no
 * reason there, which costs a DOMException per call; nothing can observe the reason after the
 * answer was written except listeners that outlive the call, and they see Canceled either way.
 */
const callEnded = new ConnectError("the call has ended", Code.Canceled);

/**
 * Builds the HandlerContext and the interceptor's UnaryRequest for one call, field for field
 * what Connect's gRPC handler builds (`createHandlerContext` in @connectrpc/connect plus
 * `requestCommon` in `invoke-implementation.ts`; `lean-call.test.ts` checks the fields against
 * `createHandlerContext`), with one difference in cost, not behaviour: the AbortSignal is
 * created only when someone reads `signal`. When it is, it fires exactly when Connect's would:
 * at the deadline (DeadlineExceeded "the operation timed out"), when the stream closes early
 * (the reset code mapped as connect-node maps it), on server shutdown, and when the call ends.
 * Connect creates two AbortControllers, a timer, a URL and a DOMException for every call.
 */
export function createLeanCall(init: LeanCallInit): LeanCall {
  const { method, stream, requestHeader, shutdownSignal } = init;
  const service: DescService = method.parent;
  // Connect: new Date(Date.now() + timeoutMs), i.e. truncated to whole milliseconds.
  const startedAt = Date.now();
  const deadline = init.timeoutMs === undefined ? undefined : Math.trunc(startedAt + init.timeoutMs);
  const values = createContextValues();
  const responseHeader = new ResponseHeaders();
  const responseTrailer = new ResponseHeaders();
  let controller: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  let url: string | undefined;

  const abort = (reason: unknown) => {
    if (controller === undefined || controller.signal.aborted) return;
    controller.abort(reason);
    cleanup();
  };
  const onDeadline = () => abort(new ConnectError("the operation timed out", Code.DeadlineExceeded));
  const onClose = () => abort(init.closeReason ? init.closeReason() : h2ResetError(stream.rstCode));
  const onShutdown = () => abort(shutdownSignal?.reason);
  function cleanup(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    stream.removeListener("close", onClose);
    shutdownSignal?.removeEventListener("abort", onShutdown);
  }

  function signal(): AbortSignal {
    if (controller !== undefined) return controller.signal;
    controller = new AbortController();
    if (ended) {
      controller.abort(callEnded);
      return controller.signal;
    }
    if (init.timeoutMs !== undefined) {
      const remaining = init.timeoutMs - (Date.now() - startedAt);
      if (remaining <= 0) onDeadline();
      else timer = setTimeout(onDeadline, remaining);
    }
    if (stream.closed || stream.destroyed) onClose();
    else stream.once("close", onClose);
    if (shutdownSignal?.aborted) onShutdown();
    else shutdownSignal?.addEventListener("abort", onShutdown);
    return controller.signal;
  }

  const getUrl = () => (url ??= new URL(init.path, `${init.encrypted ? "https" : "http"}://${init.authority}`).toString());

  const context: HandlerContext = {
    method,
    service,
    requestMethod: "POST",
    protocolName: init.protocolName,
    get url() {
      return getUrl();
    },
    get signal() {
      return signal();
    },
    timeoutMs: deadline === undefined ? () => undefined : () => deadline - Date.now(),
    requestHeader,
    responseHeader,
    responseTrailer,
    values,
  };
  const request = {
    stream: false,
    message: init.message as never,
    method,
    service,
    requestMethod: "POST",
    get url() {
      return getUrl();
    },
    get signal() {
      return signal();
    },
    header: requestHeader,
    contextValues: values,
  } satisfies UnaryRequest as UnaryRequest;
  return {
    context,
    request,
    setMessage(message) {
      (request as { message: unknown }).message = message;
    },
    finish(error) {
      if (ended) return;
      ended = true;
      abort(error ?? callEnded);
      cleanup();
    },
  };
}
