import { describe, expect, it } from "vitest";
import { CancelCallOptions, createStopper, throwIfCancelled, watchCancellation, type CancelWatch } from "./cancel-watch.js";

describe("createStopper", () => {
  it("tells every watcher once, in the order they came, and later watchers at once", () => {
    const stopper = createStopper();
    const heard: string[] = [];
    stopper.watchCancel((r) => heard.push(`a:${String(r)}`));
    stopper.watchCancel((r) => heard.push(`b:${String(r)}`));
    expect(stopper.stopped).toBe(false);
    stopper.stop("why");
    stopper.stop("again");
    expect(heard).toEqual(["a:why", "b:why"]);
    expect(stopper.stopped).toBe(true);
    expect(stopper.reason).toBe("why");
    stopper.watchCancel((r) => heard.push(`late:${String(r)}`));
    expect(heard).toEqual(["a:why", "b:why", "late:why"]);
  });

  it("forgets a watcher that stopped watching, and only that one", () => {
    const stopper = createStopper();
    const heard: string[] = [];
    const listener = () => heard.push("same");
    const first = stopper.watchCancel(listener);
    stopper.watchCancel(listener);
    first();
    first();
    stopper.stop(1);
    expect(heard).toEqual(["same"]);
  });

  it("does not call a watcher that stopped watching while stop ran the earlier ones", () => {
    const stopper = createStopper();
    const heard: string[] = [];
    let unwatchLater: () => void = () => {};
    stopper.watchCancel(() => {
      heard.push("first");
      unwatchLater();
    });
    unwatchLater = stopper.watchCancel(() => heard.push("later"));
    stopper.watchCancel(() => heard.push("last"));
    stopper.stop("x");
    expect(heard).toEqual(["first", "last"]);
  });

  it("still tells the others when a watcher throws, and re-throws that error asynchronously", async () => {
    const stopper = createStopper();
    const heard: number[] = [];
    const thrown = new Promise<unknown>((resolve) => {
      const listeners = process.listeners("uncaughtException");
      process.removeAllListeners("uncaughtException");
      process.once("uncaughtException", (err) => {
        for (const l of listeners) process.on("uncaughtException", l);
        resolve(err);
      });
    });
    stopper.watchCancel(() => {
      throw new Error("watcher broke");
    });
    stopper.watchCancel(() => heard.push(2));
    stopper.stop("x");
    expect(heard).toEqual([2]);
    expect(await thrown).toMatchObject({ message: "watcher broke" });
  });
});

describe("throwIfCancelled", () => {
  it("throws the reason of a stopped stopper, an aborted signal and a fired watch; nothing otherwise", () => {
    const stopper = createStopper();
    expect(() => throwIfCancelled(stopper)).not.toThrow();
    stopper.stop(new Error("stopped"));
    expect(() => throwIfCancelled(stopper)).toThrow("stopped");

    const controller = new AbortController();
    expect(() => throwIfCancelled(controller.signal)).not.toThrow();
    controller.abort(new Error("aborted"));
    expect(() => throwIfCancelled(controller.signal)).toThrow("aborted");

    const fired: { reason?: Error } = {};
    let watching = 0;
    const watch: CancelWatch = {
      watchCancel(onCancel) {
        if (fired.reason !== undefined) onCancel(fired.reason);
        else watching++;
        return () => watching--;
      },
    };
    expect(() => throwIfCancelled(watch)).not.toThrow();
    expect(watching).toBe(0);
    fired.reason = new Error("fired");
    expect(() => throwIfCancelled(watch)).toThrow("fired");
    expect(() => throwIfCancelled(undefined)).not.toThrow();
  });
});

describe("CancelCallOptions", () => {
  it("offers a watch, and makes a signal that follows the stopper only when asked for one", () => {
    const stopper = createStopper();
    const options = new CancelCallOptions(stopper);
    const heard: unknown[] = [];
    watchCancellation(options, (r) => heard.push(r));
    const signal = options.signal;
    expect(options.signal).toBe(signal);
    expect(signal.aborted).toBe(false);
    stopper.stop("gone");
    expect(heard).toEqual(["gone"]);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe("gone");
  });

  it("hands out a signal it was given as is", () => {
    const controller = new AbortController();
    expect(new CancelCallOptions(controller.signal).signal).toBe(controller.signal);
  });
});
