import type { DescMethodUnary, DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createContextValues, type ContextValues, type HandlerContext, type UnaryRequest } from "@connectrpc/connect";
import type { CancelWatch } from "./cancel-watch.js";
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
  /** Connect's context, which also watches cancellation without a signal (cancel-watch.ts). */
  readonly context: HandlerContext & CancelWatch;
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
 *
 * `url` and `signal` are getters on the classes below, never on object literals: V8 gives an
 * object literal's getter an accessor pair allocated in the old generation, and from there the
 * getter's closure, and everything the call references, survives every young-generation GC
 * until the next full one. With literals, about 2 KB per call was promoted and a full GC ran
 * every ~0.5 s under load (BENCHMARKS.md, "Garbage collection").
 */
export function createLeanCall(init: LeanCallInit): LeanCall {
  return new LeanCallState(init);
}

/** One call's mutable state; the context and request are views on it. */
class LeanCallState implements LeanCall {
  readonly context: LeanContext;
  readonly request: LeanRequest;
  readonly #init: LeanCallInit;
  readonly #startedAt: number;
  #controller: AbortController | undefined;
  #timer: NodeJS.Timeout | undefined;
  #ended = false;
  /** Whether the deadline, stream and shutdown are watched (someone asked for the signal or a watch). */
  #armed = false;
  /** Set once the call's signal and watchers have been told it is over, with why. */
  #abortedWith: { reason: unknown } | undefined;
  #watchers: Set<(reason: unknown) => void> | undefined;
  #url: string | undefined;
  #onClose: (() => void) | undefined;
  #onShutdown: (() => void) | undefined;

  constructor(init: LeanCallInit) {
    this.#init = init;
    // Connect: new Date(Date.now() + timeoutMs), i.e. truncated to whole milliseconds.
    this.#startedAt = Date.now();
    const deadline = init.timeoutMs === undefined ? undefined : Math.trunc(this.#startedAt + init.timeoutMs);
    const values = createContextValues();
    this.context = new LeanContext(this, init, deadline, values);
    this.request = new LeanRequest(this, init, values);
  }

  url(): string {
    const init = this.#init;
    return (this.#url ??= new URL(init.path, `${init.encrypted ? "https" : "http"}://${init.authority}`).toString());
  }

  signal(): AbortSignal {
    if (this.#controller !== undefined) return this.#controller.signal;
    const controller = (this.#controller = new AbortController());
    if (this.#abortedWith !== undefined) controller.abort(this.#abortedWith.reason);
    else this.#arm();
    return controller.signal;
  }

  /** {@link CancelWatch.watchCancel} without an AbortController (see net/cancel-watch.ts). */
  watchCancel(onCancel: (reason: unknown) => void): () => void {
    if (this.#abortedWith !== undefined) {
      onCancel(this.#abortedWith.reason);
      return noop;
    }
    const watchers = (this.#watchers ??= new Set());
    watchers.add(onCancel);
    this.#arm();
    return () => watchers.delete(onCancel);
  }

  /** Starts watching the deadline, the stream and the server's shutdown, once, for a signal or watchers. */
  #arm(): void {
    if (this.#armed) return;
    this.#armed = true;
    if (this.#ended) {
      this.#abort(callEnded);
      return;
    }
    const { stream, shutdownSignal, timeoutMs } = this.#init;
    if (timeoutMs !== undefined) {
      const remaining = timeoutMs - (Date.now() - this.#startedAt);
      if (remaining <= 0) {
        this.#onDeadline();
        return;
      }
      this.#timer = setTimeout(() => this.#onDeadline(), remaining);
    }
    const onClose = (this.#onClose = () => {
      const { closeReason } = this.#init;
      this.#abort(closeReason ? closeReason() : h2ResetError(stream.rstCode));
    });
    if (stream.closed || stream.destroyed) {
      onClose();
      return;
    }
    stream.once("close", onClose);
    if (shutdownSignal !== undefined) {
      const onShutdown = (this.#onShutdown = () => this.#abort(shutdownSignal.reason));
      if (shutdownSignal.aborted) onShutdown();
      else shutdownSignal.addEventListener("abort", onShutdown);
    }
  }

  setMessage(message: unknown): void {
    (this.request as { message: unknown }).message = message;
  }

  finish(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#abort(error ?? callEnded);
    this.#cleanup();
  }

  #onDeadline(): void {
    this.#abort(new ConnectError("the operation timed out", Code.DeadlineExceeded));
  }

  #abort(reason: unknown): void {
    // Nothing watches a call nobody asked about; its signal, if created later, starts aborted.
    if (!this.#armed || this.#abortedWith !== undefined) return;
    this.#abortedWith = { reason };
    this.#cleanup();
    this.#controller?.abort(reason);
    // Watchers are our own code (the forward batcher) and do not throw.
    const watchers = this.#watchers;
    this.#watchers = undefined;
    if (watchers !== undefined) for (const onCancel of watchers) onCancel(reason);
  }

  #cleanup(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#onClose !== undefined) this.#init.stream.removeListener("close", this.#onClose);
    if (this.#onShutdown !== undefined) this.#init.shutdownSignal?.removeEventListener("abort", this.#onShutdown);
    this.#onClose = undefined;
    this.#onShutdown = undefined;
  }
}

/** What the context and the request share: `url` and `signal`, read from the call when first asked for. */
abstract class LeanCallView implements CancelWatch {
  readonly method: DescMethodUnary;
  readonly service: DescService;
  readonly requestMethod = "POST";
  readonly #call: LeanCallState;

  constructor(call: LeanCallState, method: DescMethodUnary) {
    this.#call = call;
    this.method = method;
    this.service = method.parent;
  }

  get url(): string {
    return this.#call.url();
  }

  get signal(): AbortSignal {
    return this.#call.signal();
  }

  /** Hears about the call's cancellation without creating its signal (net/cancel-watch.ts). */
  watchCancel(onCancel: (reason: unknown) => void): () => void {
    return this.#call.watchCancel(onCancel);
  }
}

/** The HandlerContext of a lean call. */
class LeanContext extends LeanCallView implements HandlerContext {
  readonly protocolName: string;
  readonly timeoutMs: () => number | undefined;
  readonly requestHeader: Headers;
  readonly responseHeader = new ResponseHeaders();
  readonly responseTrailer = new ResponseHeaders();
  readonly values: ContextValues;

  constructor(call: LeanCallState, init: LeanCallInit, deadline: number | undefined, values: ContextValues) {
    super(call, init.method);
    this.protocolName = init.protocolName;
    this.timeoutMs = deadline === undefined ? noTimeout : () => deadline - Date.now();
    this.requestHeader = init.requestHeader;
    this.values = values;
  }
}

/** The UnaryRequest the interceptors see, sharing the context's header, values and signal. */
class LeanRequest extends LeanCallView implements UnaryRequest {
  readonly stream = false;
  message: never;
  readonly header: Headers;
  readonly contextValues: ContextValues;

  constructor(call: LeanCallState, init: LeanCallInit, values: ContextValues) {
    super(call, init.method);
    this.message = init.message as never;
    this.header = init.requestHeader;
    this.contextValues = values;
  }
}

const noTimeout = (): undefined => undefined;
const noop = (): void => {};

/**
 * The context an implementation gets when an interceptor passed on a request other than the
 * call's own (Connect's `mergeRequest`): the call's context with the request's service,
 * header, signal and values. Built with plain data properties: spreading the context would
 * drop its `url` and `signal`, which live on the class.
 */
export function mergeLeanContext(context: HandlerContext, req: UnaryRequest): HandlerContext {
  return {
    method: context.method,
    service: req.service,
    requestMethod: context.requestMethod,
    protocolName: context.protocolName,
    url: req.url,
    signal: req.signal,
    timeoutMs: context.timeoutMs,
    requestHeader: req.header,
    responseHeader: context.responseHeader,
    responseTrailer: context.responseTrailer,
    values: req.contextValues,
  };
}
