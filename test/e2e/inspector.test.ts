import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "../harness/cluster.js";
import { eventually, launchChromium, newPage, recordProblems, type PageProblem, type ProblemLog } from "./browser.js";
import { callJson, connectJson } from "./connect-json.js";

/**
 * The inspector page (web/) end to end: real headless Chromium against a real 3-node cluster
 * that serves the built page (web/dist) at `/`. Steps run in order on one page, like a user's
 * session: see the members, create a key, find it on the ring, hit a conflict, delete, switch
 * nodes, lose a node. Screenshots go to test-results/inspector/.
 */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const shotDir = path.join(repoRoot, "test-results/inspector");
const key = "inspector/e2e-key";

let cluster: TestCluster;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let log: ProblemLog;
/** Replicas per key as the cluster reports it; with 1, a dead node's keys are unavailable. */
let replicationFactor = 0;

/** Saves a full-page screenshot as test-results/inspector/<name>.png. */
async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(shotDir, `${name}.png`), fullPage: true });
}

const byTestId = (id: string) => page.getByTestId(id);

/** Opens a tab and waits until its panel is shown. */
async function openTab(name: "cluster" | "ring" | "keys" | "metrics"): Promise<void> {
  await byTestId(`tab-${name}`).click();
  await byTestId(`panel-${name}`).waitFor({ state: "visible" });
}

/** Text of an element, trimmed. */
async function text(id: string): Promise<string> {
  return ((await byTestId(id).first().textContent()) ?? "").trim();
}

describe("inspector page (web/) against a 3-node cluster", () => {
  beforeAll(async () => {
    if (!existsSync(path.join(repoRoot, "web/dist/index.html"))) {
      throw new Error("web/dist is not built: run `pnpm run build:web` (and `pnpm run build:server`) first");
    }
    mkdirSync(shotDir, { recursive: true });
    cluster = await startCluster({ size: 3, storage: "memory", replicationFactor: 3 });
    browser = await launchChromium();
    ({ context, page } = await newPage(browser, 1280, 800));
    log = recordProblems(page);
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await cluster?.stop();
  }, 60_000);

  it("shows every member, reachable, and which node served the page", async () => {
    const n1 = cluster.nodes[0]!;
    log.step("load");
    await page.goto(`${n1.url}/`);
    const cards = page.locator('[data-testid="member-card"]');
    await eventually(async () => expect(await cards.count()).toBe(3));
    for (const node of cluster.nodes) {
      const card = page.locator(`[data-testid="member-card"][data-node-id="${node.id}"]`);
      await eventually(async () => expect(await card.getAttribute("data-reachable")).toBe("true"));
      expect(await card.textContent()).toContain(node.address);
    }
    await eventually(async () => expect(await text("page-node")).toBe("n1"));
    expect(await text("member-count")).toBe("3");
    // The numbers are live: the stream (or its polling fallback) delivers stats.
    await eventually(async () => expect(await byTestId("feed-status").getAttribute("data-mode")).toMatch(/^(stream|polling)$/));
    await eventually(async () => expect(await page.locator('[data-testid="member-keys"]').first().textContent()).toMatch(/^\d/));
    await shot("cluster");
  });

  it("falls back to polling GetClusterStats when the stats stream fails", async () => {
    log.step("stream-blocked");
    const watch = "**/ringkv.cluster.v1.ClusterService/WatchClusterStats";
    await page.route(watch, (route) => route.abort("failed"));
    await page.reload();
    await eventually(async () => expect(await byTestId("feed-status").getAttribute("data-mode")).toBe("polling"));
    // Still live: the numbers keep coming, from GetClusterStats now.
    await eventually(async () => expect(await text("feed-status")).toMatch(/Live \(polling every 1 s\) · updated (just now|\d s ago)/));
    expect(await page.locator('[data-testid="member-card"][data-reachable="true"]').count()).toBe(3);
    await page.unroute(watch);
    log.step("stream");
    await page.reload();
    await eventually(async () => expect(await byTestId("feed-status").getAttribute("data-mode")).toBe("stream"));
  });

  it("creates a key through the editor and finds it in the list", async () => {
    log.step("create");
    await openTab("keys");
    await byTestId("new-key").click();
    await byTestId("editor-key").fill(key);
    await byTestId("editor-value").fill('{"hello":"world","n":1}');
    await byTestId("editor-save").click();
    await eventually(async () => expect(await text("keys-status")).toContain(`Saved “${key}” (version 1)`));
    const row = page.locator(`[data-testid="key-row"][data-key="${key}"]`);
    await row.waitFor({ state: "visible" });
    expect(await text("detail-version")).toBe("1");
    // Shown as pretty JSON by default.
    await eventually(async () => expect(await text("value-view")).toBe('{\n  "hello": "world",\n  "n": 1\n}'));
    const stored = await connectJson.get(cluster.nodes[1]!.url, key);
    expect(stored).toMatchObject({ found: true, value: '{"hello":"world","n":1}', version: "1" });
    // Prefix search narrows the list to the key.
    await byTestId("prefix-input").fill("inspector/");
    await byTestId("prefix-search").click();
    await eventually(async () => {
      const keys = await page.locator('[data-testid="key-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute("data-key")));
      expect(keys).toEqual([key]);
    });
    await shot("keys");
  });

  it("locates the key on the ring at the coordinator ClusterService.Locate reports", async () => {
    log.step("locate");
    await openTab("ring");
    await byTestId("ring-chart").waitFor({ state: "visible" });
    await byTestId("locate-key").fill(key);
    await byTestId("locate-submit").click();
    await byTestId("locate-result").waitFor({ state: "visible" });
    const located = await connectJson.locate(cluster.nodes[0]!.url, key);
    expect(located.coordinator).toMatch(/^n[123]$/);
    expect(await text("locate-coordinator")).toBe(located.coordinator);
    const replicas = await page.locator('[data-testid="locate-replicas"] li').allTextContents();
    expect(replicas.map((r) => r.trim())).toEqual(located.replicas);
    expect(await text(`ring-role-${located.coordinator}`)).toBe("coordinator");
    await byTestId("ring-key-marker").waitFor({ state: "visible" });
    // Each node's share is shown as a number, and the shares add up to the whole ring.
    const shares = await page.locator('[data-testid="ring-share-value"]').allTextContents();
    expect(shares).toHaveLength(3);
    const total = shares.reduce((sum, s) => sum + Number.parseFloat(s), 0);
    expect(total).toBeGreaterThan(99.5);
    expect(total).toBeLessThan(100.5);
    await shot("ring");
  });

  it("reports a conflict instead of overwriting a concurrent change", async () => {
    log.step("conflict");
    await openTab("keys");
    await page.locator(`[data-testid="key-row"][data-key="${key}"] button`).click();
    await eventually(async () => expect(await text("detail-version")).toBe("1"));
    await byTestId("detail-edit").click();
    await byTestId("editor-value").fill("written in the page");
    // Someone else writes the key (through another node) while the editor is open.
    const behind = await connectJson.put(cluster.nodes[2]!.url, key, "changed elsewhere");
    expect(behind.version).toBe("2");
    await byTestId("editor-save").click();
    const conflict = byTestId("conflict");
    await conflict.waitFor({ state: "visible" });
    const message = (await conflict.textContent()) ?? "";
    expect(message).toContain("you edited version 1");
    expect(message).toContain("it is now at version 2");
    expect(message).toContain("not saved");
    await shot("conflict");
    // Nothing was overwritten.
    expect(await connectJson.get(cluster.nodes[0]!.url, key)).toMatchObject({ value: "changed elsewhere", version: "2" });
    // "Show latest" leaves the editor and shows the other writer's value.
    await byTestId("conflict-show-latest").click();
    await eventually(async () => expect(await text("detail-version")).toBe("2"));
    await eventually(async () => expect(await text("value-view")).toBe("changed elsewhere"));
  });

  it("deletes the key after an in-page confirmation", async () => {
    log.step("delete");
    await byTestId("detail-delete").click();
    const dialog = byTestId("confirm-dialog");
    await dialog.waitFor({ state: "visible" });
    expect(await dialog.textContent()).toContain(key);
    await shot("delete-confirm");
    // Cancel keeps the key.
    await byTestId("confirm-cancel").click();
    await dialog.waitFor({ state: "hidden" });
    expect(await connectJson.get(cluster.nodes[0]!.url, key)).toMatchObject({ found: true });
    await byTestId("detail-delete").click();
    await byTestId("confirm-accept").click();
    await eventually(async () => expect(await text("keys-status")).toBe(`Deleted “${key}”.`));
    await eventually(async () => expect(await page.locator(`[data-testid="key-row"][data-key="${key}"]`).count()).toBe(0));
    await byTestId("keys-empty").waitFor({ state: "visible" });
    const after = await connectJson.get(cluster.nodes[1]!.url, key);
    expect(after.found ?? false).toBe(false);
  });

  it("shows live per-node and per-method metrics", async () => {
    log.step("metrics");
    await openTab("metrics");
    await eventually(async () => expect(await page.locator('[data-testid="node-metrics"]').count()).toBe(3));
    await eventually(async () =>
      expect(await page.locator('[data-testid="method-row"][data-method="kvstore.KeyValueService/Put"]').count()).toBeGreaterThan(0),
    );
    // Let a few samples accumulate so the sparklines show a line.
    await page.waitForTimeout(2500);
    await shot("metrics");
  });

  it("talks to another node when switched (cross-origin, CORS)", async () => {
    log.step("switch");
    const n2 = cluster.nodes[1]!;
    await openTab("cluster");
    await byTestId("node-switcher").selectOption(n2.url);
    await eventually(async () => expect(await text("api-node")).toBe("n2"));
    await eventually(async () => expect(await page.locator('[data-testid="badge-api-node"]').count()).toBe(1));
    expect(await page.locator('[data-testid="member-card"][data-node-id="n2"] [data-testid="badge-api-node"]').count()).toBe(1);
    expect(await text("page-node")).toBe("n1");
    // A conflict is also recognised cross-origin (the version header must be exposed by CORS).
    await openTab("keys");
    await byTestId("new-key").click();
    await byTestId("editor-key").fill(`${key}-cors`);
    await byTestId("editor-value").fill("v1");
    await byTestId("editor-save").click();
    await eventually(async () => expect(await text("keys-status")).toContain("(version 1)"));
    await byTestId("new-key").click();
    await byTestId("editor-key").fill(`${key}-cors`);
    await byTestId("editor-value").fill("v2");
    log.step("switch-conflict");
    await byTestId("editor-save").click();
    await eventually(async () => expect(await text("conflict")).toContain(`“${key}-cors” already exists (version 1)`));
    log.step("switch");
    await byTestId("editor-cancel").click();
    await byTestId("node-switcher").selectOption(cluster.nodes[0]!.url);
    await eventually(async () => expect(await text("api-node")).toBe("n1"));
  });

  it("marks a killed node unreachable, and explains when the chosen node is down", async () => {
    const n3 = cluster.nodes[2]!;
    log.step("node-down");
    const members = await callJson<{ replicationFactor?: number }>(cluster.nodes[0]!.url, "ringkv.cluster.v1.ClusterService", "GetMembers", {});
    replicationFactor = members.replicationFactor ?? 0;
    await openTab("cluster");
    await n3.kill("SIGKILL");
    const card = page.locator('[data-testid="member-card"][data-node-id="n3"]');
    await eventually(async () => expect(await card.getAttribute("data-reachable")).toBe("false"), 20_000);
    // The failure detector's verdict, with the time it changed.
    await eventually(
      async () => expect(await card.locator('[data-testid="member-reachability"]').textContent()).toMatch(/unreachable since \d\d:\d\d:\d\d/),
      20_000,
    );
    await shot("cluster-node-down");
    // Talking to the dead node: a readable error, not a blank page; switching back recovers.
    await byTestId("node-switcher").selectOption(n3.url);
    await eventually(async () => expect(await text("api-node")).toBe("n3"));
    const banner = page.locator('[data-testid="node-error"] [data-testid="error-message"]');
    await banner.waitFor({ state: "visible", timeout: 15_000 });
    expect(await banner.textContent()).toMatch(/Talking to 127\.0\.0\.1:\d+ failed\./);
    expect(await banner.textContent()).toMatch(/Switch to another node/);
    await shot("chosen-node-down");
    await byTestId("node-switcher").selectOption(cluster.nodes[0]!.url);
    await banner.waitFor({ state: "hidden", timeout: 15_000 });
    await eventually(async () => expect(await page.locator('[data-testid="member-card"]').count()).toBe(3));
  });

  it("fits a narrow window without horizontal scrolling", async () => {
    log.step("narrow");
    await page.setViewportSize({ width: 420, height: 900 });
    for (const tab of ["cluster", "ring", "keys", "metrics"] as const) {
      await openTab(tab);
      await page.waitForTimeout(300);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `horizontal overflow on the ${tab} tab`).toBeLessThanOrEqual(0);
      await shot(`narrow-${tab}`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it("logged no console errors except the expected ones", () => {
    const n3 = cluster.nodes[2]!;
    const expected = (p: PageProblem) =>
      // The stats stream this test blocked on purpose.
      (p.step === "stream-blocked" && p.url.endsWith("/ringkv.cluster.v1.ClusterService/WatchClusterStats")) ||
      // The browser logs the HTTP 400 of a compare-and-set that lost (FailedPrecondition); the
      // page shows it as a conflict.
      ((p.step === "conflict" || p.step === "switch-conflict") &&
        /status of 400/.test(p.text) &&
        p.url.endsWith("/kvstore.KeyValueService/Put")) ||
      // Network errors to the node this test killed.
      ((p.step === "node-down" || p.step === "narrow") && (p.url.startsWith(n3.url) || p.text.includes(n3.address))) ||
      // With one replica per key, calls that need the dead node's keys fail (Unavailable, 503);
      // with more replicas they must keep working, so no 503 is excused then.
      ((p.step === "node-down" || p.step === "narrow") && replicationFactor < 2 && /status of 503/.test(p.text));
    const unexpected = log.problems.filter((p) => !expected(p));
    expect(unexpected).toEqual([]);
  });
});
