/**
 * The Api of the node the user chose, provided to every panel through React context so the node
 * switcher changes one value and every panel follows.
 */
import { createContext, useContext } from "react";
import type { Api } from "./api";

/** Context holding the current Api; undefined outside the provider. */
export const ApiContext = createContext<Api | undefined>(undefined);

/** The current Api. Throws if used outside <ApiContext value={...}>, a programming error. */
export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error("useApi() used outside ApiContext");
  return api;
}
