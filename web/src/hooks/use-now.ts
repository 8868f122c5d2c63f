/**
 * The current time, re-rendering every `intervalMs`, so "12 s ago" labels keep counting without
 * a server message.
 */
import { useEffect, useState } from "react";

/** Date.now(), refreshed every `intervalMs` (default one second). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
