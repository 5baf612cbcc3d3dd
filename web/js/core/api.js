// Calls to the documented /api/v1 routes with the tab's token. Errors come back as RFC 9457
// problem details; an ApiError carries the status, the detail and the field errors.
import { token, forget } from "./auth.js";
import { LANG } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || String(status));
    this.status = status;
    this.problem = problem;
    this.errors = problem.errors || [];
  }
}

let onUnauthorised = () => {};
export function whenUnauthorised(fn) { onUnauthorised = fn; }

export async function api(path, { method = "GET", body, query } = {}) {
  const url = new URL(`/api/v1${path}`, window.location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v === null || v === undefined || v === "") continue;
    for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, item);
  }
  url.searchParams.set("lang", LANG);
  const headers = { Authorization: `Bearer ${token() || ""}`, "Accept-Language": LANG };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401) { forget(); onUnauthorised(); }
  if (res.status === 204) return null;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

export const inNetwork = (nid, path) => `/networks/${encodeURIComponent(nid)}${path}`;
