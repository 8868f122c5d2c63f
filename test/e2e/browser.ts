import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/**
 * Headless Chromium for the end-to-end tests: Debian's system browser (never a downloaded one),
 * with the flags that keep it from phoning home or needing a GPU or sandbox in CI containers.
 */
export const chromiumPath = "/usr/bin/chromium";

export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** Launches the system Chromium. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}

/** A console error or uncaught page error, with the test step it happened in. */
export interface PageProblem {
  kind: "console" | "pageerror";
  text: string;
  /** The resource a network error was about, when the browser says. */
  url: string;
  step: string;
}

/** Records every console error and uncaught exception of a page, tagged with the current step. */
export interface ProblemLog {
  readonly problems: PageProblem[];
  /** Names the step subsequent problems belong to. */
  step(name: string): void;
}

/** Starts recording problems of `page`. */
export function recordProblems(page: Page): ProblemLog {
  const problems: PageProblem[] = [];
  let current = "load";
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    problems.push({ kind: "console", text: message.text(), url: message.location().url ?? "", step: current });
  });
  page.on("pageerror", (error) => {
    problems.push({ kind: "pageerror", text: `${error.name}: ${error.message}`, url: "", step: current });
  });
  return {
    problems,
    step(name) {
      current = name;
    },
  };
}

/** A fresh context and page at a given viewport. */
export async function newPage(browser: Browser, width: number, height: number): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  return { context, page };
}

/**
 * Retries an assertion until it passes or `timeoutMs` runs out (then rethrows its last failure):
 * the page updates asynchronously (streams, polling), so checks must wait for it.
 */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
