// Words on the pages: one catalogue per language (web/i18n/nl.json, en.json), Dutch by
// default, English on request (?lang=en, or the language switch, kept for this tab).
let catalogue = {};
let fallback = {};
export let LANG = "nl";

export function chooseLanguage() {
  const asked = new URLSearchParams(window.location.search).get("lang");
  if (asked === "en" || asked === "nl") sessionStorage.setItem("netwerk-lang", asked);
  LANG = sessionStorage.getItem("netwerk-lang") === "en" ? "en" : "nl";
  document.documentElement.lang = LANG;
  return LANG;
}

export async function loadCatalogue(base = "/web/i18n") {
  const get = async (lang) => (await fetch(`${base}/${lang}.json`)).json();
  catalogue = await get(LANG);
  fallback = LANG === "nl" ? catalogue : await get("nl");
}

function lookup(table, key) {
  return key.split(".").reduce((node, part) => (node && typeof node === "object" ? node[part] : undefined), table);
}

/** t("app.search.title"), t("app.search.ties", {count: 3}) — a table {one, other} is chosen
 *  by `count`; {x} placeholders are filled (numbers in the language's format). */
export function t(key, values = {}) {
  let entry = lookup(catalogue, key);
  if (entry === undefined) entry = lookup(fallback, key);
  if (entry === undefined) return key;
  if (typeof entry === "object") entry = values.count === 1 ? entry.one : entry.other;
  return String(entry).replace(/\{(\w+)\}/g, (_, name) =>
    name in values ? (typeof values[name] === "number" ? num(values[name]) : String(values[name])) : `{${name}}`);
}

/** t() for an optional key: undefined when the catalogue has no such entry. */
export function maybe(key, values = {}) {
  return lookup(catalogue, key) === undefined && lookup(fallback, key) === undefined ? undefined : t(key, values);
}

export function num(value, digits = 0) {
  if (value === null || value === undefined) return "•";
  return Number(value).toLocaleString(LANG === "en" ? "en-GB" : "nl-NL", { maximumFractionDigits: digits });
}

export function date(value) {
  if (!value) return "";
  const d = new Date(value);
  return d.toLocaleDateString(LANG === "en" ? "en-GB" : "nl-NL", { day: "numeric", month: "long", year: "numeric" });
}

/** Fill every [data-i18n] element of a static shell with its catalogue text. */
export function translateStatic(root = document) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll("[data-i18n-label]")) node.setAttribute("aria-label", t(node.dataset.i18nLabel));
}
