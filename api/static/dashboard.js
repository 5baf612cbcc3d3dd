// The wijkteam dashboard: aggregates only. The token stays in sessionStorage of this tab.
"use strict";
const LANG = new URLSearchParams(location.search).get("lang") === "en" ? "en" : "nl";
const T = {
  nl: { title: "Wijkdashboard", token: "Toegangssleutel (token)", open: "Openen",
    tokenHint: "De sleutel blijft alleen in dit tabblad bewaard.",
    stage: "Ontwikkelingsfase van het netwerk", gaps: "Gaten in het netwerk", gapKind: "Soort",
    count: "Aantal", example: "Toelichting", communities: "Groepen (gemeenschappen)",
    size: "Omvang", area: "Buurt", density: "Dichtheid", keyFigures: "Sleutelfiguren",
    trend: "Verandering in het afgelopen jaar", activation: "Resultaat van activering",
    suppressed: "Aantallen onder de drempel worden niet getoond (•), zodat niemand herkenbaar is.",
    actors: "Actoren", persons: "Personen", ties: "Relaties", components: "Losse delen",
    isolates: "Zonder relaties", clustering: "Clustering", recognised: "erkend",
    unrecognised: "nog niet erkend, wel in die rol", gained: "relaties erbij", lost: "relaties weg",
    accepted: ["voorstel aangenomen", "voorstellen aangenomen"],
    formed: ["nieuwe relatie ontstaan", "nieuwe relaties ontstaan"], none: "Nog geen gegevens.",
    where: "Waar", noArea: "(geen buurt)",
    failed: "Laden mislukt" },
  en: { title: "Neighbourhood dashboard", token: "Access token", open: "Open",
    tokenHint: "The token is kept in this tab only.",
    stage: "Development stage of the network", gaps: "Gaps in the network", gapKind: "Kind",
    count: "Count", example: "Explanation", communities: "Groups (communities)",
    size: "Size", area: "Area", density: "Density", keyFigures: "Key figures",
    trend: "Change over the past year", activation: "Results of activation",
    suppressed: "Counts below the threshold are not shown (•), so that nobody can be recognised.",
    actors: "Actors", persons: "Persons", ties: "Ties", components: "Separate parts",
    isolates: "Without ties", clustering: "Clustering", recognised: "recognised",
    unrecognised: "not yet recognised, acting as one", gained: "ties gained", lost: "ties lost",
    accepted: ["suggestion accepted", "suggestions accepted"],
    formed: ["new tie formed", "new ties formed"], none: "No data yet.",
    where: "Where", noArea: "(no area)",
    failed: "Loading failed" },
}[LANG];
T.refused = LANG === "en"
  ? "This token was refused (unknown, revoked or expired). Enter a valid token."
  : "Dit token is geweigerd (onbekend, ingetrokken of verlopen). Voer een geldig token in.";
const GAP_LABELS = {
  nl: { isolated_person: "Bewoners zonder (echte) banden", community_without_help:
    "Groepen zonder lijn naar hulp", community_pair: "Groepen die elkaar (bijna) niet raken",
    unmet_need: "Vragen zonder aanbod dichtbij", organisation_without_faces:
    "Organisaties zonder gezicht", initiatives_unaware: "Initiatieven die elkaar niet kennen" },
  en: { isolated_person: "Residents without (real) ties", community_without_help:
    "Groups with no line to help", community_pair: "Groups that (almost) never meet",
    unmet_need: "Needs with no offer nearby", organisation_without_faces:
    "Organisations without faces", initiatives_unaware: "Initiatives unaware of each other" },
}[LANG];
const nid = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop());
const $ = (sel) => document.querySelector(sel);
const fmt = (v, digits = 0) => (v === null || v === undefined) ? "•" :
  (typeof v === "number" ? v.toLocaleString(LANG === "en" ? "en-GB" : "nl-NL",
    { maximumFractionDigits: digits }) : String(v));

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

async function api(path) {
  const res = await fetch(`/api/v1/networks/${encodeURIComponent(nid)}${path}`, {
    headers: { Authorization: `Bearer ${sessionStorage.getItem("netwerk-token")}`,
      "Accept-Language": LANG },
  });
  if (res.status === 401) { refuse(); throw new Error("401"); }
  if (!res.ok) { const p = await res.json().catch(() => ({})); throw new Error(p.detail || res.status); }
  return res.json();
}

function card(label, value) {
  return el("div", { class: "card" }, el("div", { class: "value" }, value), el("div", { class: "label" }, label));
}

async function load() {
  document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = T[n.dataset.i18n] || n.textContent; });
  document.documentElement.lang = LANG;
  const net = await fetch(`/api/v1/networks/${encodeURIComponent(nid)}`, {
    headers: { Authorization: `Bearer ${sessionStorage.getItem("netwerk-token")}` } });
  if (net.status === 401) { refuse(); return; }
  if (net.ok) $("#network-name").textContent = (await net.json()).name;
  $("#login").hidden = true;
  $("#board").hidden = false;
  const jobs = [
    api(`/analysis/summary?lang=${LANG}`).then(renderSummary),
    api(`/analysis/gaps?lang=${LANG}`).then(renderGaps),
    api(`/analysis/communities?lang=${LANG}`).then(renderCommunities),
    api(`/analysis/key-figures?lang=${LANG}`).then(renderKeyFigures),
    api(`/analysis/compare?from=${yearAgo()}&lang=${LANG}`).then(renderTrend),
    api(`/suggestions/stats`).then(renderActivation),
  ];
  const results = await Promise.allSettled(jobs);
  const failed = results.filter((r) => r.status === "rejected" && r.reason.message !== "401");
  if (failed.length) showError(`${T.failed}: ${failed.map((f) => f.reason.message).join("; ")}`);
  document.body.dataset.loaded = "true";
}

function yearAgo() { const d = new Date(); d.setFullYear(d.getFullYear() - 1); return d.toISOString().slice(0, 10); }

function renderSummary(s) {
  const cards = $("#cards");
  cards.replaceChildren(card(T.actors, fmt(s.actors)), card(T.persons, fmt(s.persons)),
    card(T.ties, fmt(s.ties)), card(T.components, fmt(s.components)),
    card(T.isolates, fmt(s.isolates)), card(T.clustering, fmt(s.clustering, 2)));
  const stage = s.stage || {};
  $("#stage").replaceChildren(el("p", {}, el("strong", {}, `${stage.number ?? ""}. ${stage.label ?? ""}`)),
    el("ul", {}, ...(stage.reasons || []).map((r) => el("li", {}, r))));
}

function renderGaps(g) {
  const body = $("#gaps tbody");
  // viewers get one row per kind of gap (kinds); brokers and admins the gaps themselves
  const first = {};
  for (const k of g.kinds || []) first[k.kind] = k.explanation;
  for (const gap of g.gaps || []) if (!(gap.kind in first)) first[gap.kind] = gap.explanation;
  const where = {};
  for (const k of g.kinds || []) where[k.kind] = areaLine(k.by_area || []);
  const rows = Object.entries(g.counts || {}).map(([kind, n]) =>
    el("tr", {}, el("td", {}, GAP_LABELS[kind] || kind.replaceAll("_", " ")), el("td", {}, fmt(n)),
      el("td", {}, first[kind] || "", ...(where[kind] ? [where[kind]] : []))));
  body.replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: "3" }, T.none))]));
}

// Where a kind of gap is (viewers): the areas with the most persons first, hidden counts
// (•) after them; at most five, and how many more.
function areaLine(cells) {
  if (!cells.length) return null;
  const sorted = [...cells].sort((a, b) => (b.persons ?? -1) - (a.persons ?? -1));
  const shown = sorted.slice(0, 5).map((c) => `${c.area ?? T.noArea} ${fmt(c.persons)}`);
  const more = sorted.length > 5 ? ` · +${sorted.length - 5}` : "";
  return el("div", { class: "where", "data-areas": String(cells.length) },
    `${T.where}: ${shown.join(" · ")}${more}`);
}

function renderCommunities(c) {
  const body = $("#communities tbody");
  const rows = (c.communities || []).slice(0, 25).map((x) => el("tr", {},
    el("td", {}, x.community), el("td", {}, fmt(x.size)), el("td", {}, x.main_area || ""),
    el("td", {}, fmt(x.density, 2))));
  body.replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: "4" }, T.none))]));
}

function renderKeyFigures(k) {
  $("#key-figures").replaceChildren(
    el("p", {}, `${fmt(k.recognised_count)} ${T.recognised} · ${fmt(k.unrecognised_count)} ${T.unrecognised}`));
}

function renderTrend(c) {
  $("#trend").replaceChildren(el("p", {}, c.summary || ""),
    el("p", {}, `+${fmt(c.ties_gained_count)} ${T.gained} · −${fmt(c.ties_lost_count)} ${T.lost}`));
}

// A count with its noun: "1 voorstel", "3 voorstellen"; null (suppressed) shows as "•".
function counted(name, value, forms) {
  return el("span", { "data-count": name }, el("span", { class: "n" }, fmt(value)), " ",
    value === 1 ? forms[0] : forms[1]);
}

// The stats route answers {total: {accepted, outcomes: {tie_formed, ...}}}; a count the
// route does not carry is 0 there, a suppressed one is null.
function renderActivation(s) {
  const total = s.total || {};
  const formed = (total.outcomes || {}).tie_formed;
  $("#activation").replaceChildren(el("p", {},
    counted("accepted", total.accepted === undefined ? 0 : total.accepted, T.accepted), " · ",
    counted("tie_formed", formed === undefined ? 0 : formed, T.formed)));
}

function showError(msg) { const e = $("#error"); e.textContent = msg; e.hidden = false; }
function showLogin() { $("#board").hidden = true; $("#login").hidden = false; }
// A refused token (401) is forgotten and said so: never a silent return to the form.
function refuse() {
  sessionStorage.removeItem("netwerk-token");
  showLogin();
  showError(T.refused);
  document.body.dataset.refused = "true";
}

// A link may carry the token in its fragment (#token=…): fragments never reach the server.
// It is moved into this tab's sessionStorage and erased from the address bar at once.
function takeTokenFromFragment() {
  const match = location.hash.match(/token=([^&]+)/);
  if (match) {
    sessionStorage.setItem("netwerk-token", decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  takeTokenFromFragment();
  document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = T[n.dataset.i18n] || n.textContent; });
  $("#login-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    sessionStorage.setItem("netwerk-token", $("#token").value.trim());
    $("#error").hidden = true;
    load().catch((e) => showError(e.message));
  });
  if (sessionStorage.getItem("netwerk-token")) load().catch((e) => showError(e.message));
  else showLogin();
});
