/**
 * The value of an unlabelled counter or gauge on a node's Prometheus page (`/metrics`), or
 * undefined when the page does not have it: a test can then tell "never exported" from zero.
 */
export async function scrapeValue(url: string, name: string): Promise<number | undefined> {
  const page = await (await fetch(`${url}/metrics`)).text();
  const match = new RegExp(`^${name} ([0-9.e+-]+)$`, "m").exec(page);
  return match ? Number(match[1]) : undefined;
}
