/**
 * Entry point: mounts the inspector inside a top-level error boundary, so even a bug outside
 * the panels leaves a readable message rather than a blank page.
 */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app";
import { ErrorBoundary } from "./components/error-boundary";
import "./styles/index.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

createRoot(root).render(
  <StrictMode>
    <ErrorBoundary label="the inspector">
      <App />
    </ErrorBoundary>
  </StrictMode>,
);
