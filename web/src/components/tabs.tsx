/**
 * The tab bar (Cluster, Ring, Keys, Metrics), following the WAI-ARIA tabs pattern: one tab stop,
 * arrow keys / Home / End move between tabs, each tab controls a panel with id "panel-<id>".
 */
import { useRef, type KeyboardEvent } from "react";

export interface TabSpec<T extends string> {
  id: T;
  label: string;
}

interface Props<T extends string> {
  tabs: readonly TabSpec<T>[];
  current: T;
  onSelect(tab: T): void;
  label: string;
}

/** A keyboard-accessible tab list. */
export function Tabs<T extends string>({ tabs, current, onSelect, label }: Props<T>) {
  const refs = useRef(new Map<T, HTMLButtonElement>());
  const move = (event: KeyboardEvent, index: number) => {
    let next: number | undefined;
    if (event.key === "ArrowRight") next = (index + 1) % tabs.length;
    else if (event.key === "ArrowLeft") next = (index - 1 + tabs.length) % tabs.length;
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = tabs.length - 1;
    if (next === undefined) return;
    event.preventDefault();
    const tab = tabs[next] as TabSpec<T>;
    onSelect(tab.id);
    refs.current.get(tab.id)?.focus();
  };
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {tabs.map((tab, index) => (
        <button
          key={tab.id}
          ref={(el) => {
            if (el) refs.current.set(tab.id, el);
            else refs.current.delete(tab.id);
          }}
          type="button"
          role="tab"
          id={`tab-${tab.id}`}
          data-testid={`tab-${tab.id}`}
          aria-selected={tab.id === current}
          aria-controls={`panel-${tab.id}`}
          tabIndex={tab.id === current ? 0 : -1}
          onClick={() => onSelect(tab.id)}
          onKeyDown={(event) => move(event, index)}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
}
