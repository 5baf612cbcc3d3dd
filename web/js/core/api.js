// Calls to the documented /api/v1 routes with the tab's token. Errors come back as RFC 9457
// problem details; an ApiError carries the status, the detail and the field errors. A long
// analysis is answered 202 Accepted with a status URL: api() asks that URL again after its
// Retry-After until the result is there, and says meanwhile that it is being computed.
import { token, forget } from "./auth.js";
import { announce } from "./dom.js";
import { LANG, t } from "./i18n.js";

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

// What the page shows while an analysis is computed (202): by default a polite line in the
// page's live region; `running` is the 202 body ({status, href, retry_after, started}), null
// when the result has come.
let onComputing = (running) => announce(running ? t("common.computing") : "");
export function whenComputing(fn) { onComputing = fn; }

const MAX_POLLS = 240; // with Retry-After of at most 15 s: an hour
const pause = (seconds) => new Promise((done) => { setTimeout(done, seconds * 1000); });

export async function api(path, { method = "GET", body, query, onPending } = {}) {
  const url = new URL(`/api/v1${path}`, window.location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v === null || v === undefined || v === "") continue;
    for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, item);
  }
  url.searchParams.set("lang", LANG);
  const headers = { Authorization: `Bearer ${token() || ""}`, "Accept-Language": LANG };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const computing = onPending || onComputing;
  for (let polls = 0; res.status === 202 && polls < MAX_POLLS; polls += 1) {
    const running = await res.json().catch(() => ({}));
    const href = res.headers.get("Location") || running.href;
    if (!href) break;
    computing(running);
    const wait = Number(res.headers.get("Retry-After")) || running.retry_after || 2;
    await pause(Math.min(Math.max(wait, 1), 15));
    res = await fetch(new URL(href, window.location.origin), { headers });
    if (res.status !== 202) computing(null);
  }
  if (res.status === 202) throw new ApiError(202, { detail: t("common.computing") }); // gave up
  if (res.status === 401) { forget(); onUnauthorised(); }
  if (res.status === 204) return null;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

export const inNetwork = (nid, path) => `/networks/${encodeURIComponent(nid)}${path}`;
