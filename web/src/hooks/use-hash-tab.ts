/**
 * The open tab, kept in the URL hash (#cluster, #ring, #keys, #metrics) so a reload or a shared
 * link opens the same view, and the browser's back button moves between tabs.
 */
import { useCallback, useEffect, useState } from "react";

/** Reads the tab from location.hash, falling back to the first tab. */
function readTab<T extends string>(tabs: readonly T[]): T {
  const hash = window.location.hash.replace(/^#/, "");
  return (tabs as readonly string[]).includes(hash) ? (hash as T) : (tabs[0] as T);
}

/** The current tab and a setter that also updates the hash. */
export function useHashTab<T extends string>(tabs: readonly T[]): [T, (tab: T) => void] {
  const [tab, setTab] = useState<T>(() => readTab(tabs));
  useEffect(() => {
    const onHash = () => setTab(readTab(tabs));
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, [tabs]);
  const select = useCallback((next: T) => {
    if (window.location.hash !== `#${next}`) window.location.hash = next;
    setTab(next);
  }, []);
  return [tab, select];
}
