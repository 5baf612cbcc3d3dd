// The token lives in this tab's sessionStorage only: never in a URL after load, a cookie or
// localStorage. A sign-in link carries it in the fragment (#token=…), which the browser never
// sends to a server; it is read once here and removed from the address bar.
const KEY = "netwerk-token"; // shared with the wijkteam dashboard (same origin, same tab)

export function takeTokenFromFragment() {
  const hash = window.location.hash || "";
  const match = hash.match(/(?:^#|&)token=([^&]+)/);
  if (!match) return false;
  sessionStorage.setItem(KEY, decodeURIComponent(match[1]));
  const rest = hash.replace(/(?:^#|&)token=[^&]+/, "").replace(/^&/, "");
  const clean = window.location.pathname + window.location.search + (rest ? `#${rest}` : "");
  window.history.replaceState(null, "", clean);
  return true;
}

export const token = () => sessionStorage.getItem(KEY);
export const setToken = (value) => sessionStorage.setItem(KEY, value);
export const forget = () => sessionStorage.removeItem(KEY);
