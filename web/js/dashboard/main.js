// The wijkteam dashboard: one call for the figures (GET …/dashboard, already cut to what the
// role may see), one for the monthly series, one for the period compared. The group map and
// the small charts are SVG drawn here (no inline style: CSP), each with a table beside it.
import { api, inNetwork } from "../core/api.js";
import { forget, setToken, takeTokenFromFragment, token } from "../core/auth.js";
import { $, append, clear, h } from "../core/dom.js";
import { LANG, chooseLanguage, date, loadCatalogue, num, t, translateStatic } from "../core/i18n.js";
import { areaCell, groupMap } from "./map.js";
import { charts } from "./charts.js";

const nid = decodeURIComponent(window.location.pathname.split("/").filter(Boolean)[1] || "");
const main = () => $("#main");
const SERIES = ["ties_gained", "ties_lost", "isolated", "groups_without_help", "unmet_needs", "stage", "accepted", "ties_formed"];

function iso(d) { return d.toISOString().slice(0, 10); }
function monthsBack(d, n) { const x = new Date(d); x.setMonth(x.getMonth() - n); return x; }

function languageSwitch() {
  const other = LANG === "nl" ? "en" : "nl";
  clear($("#lang")).append(h("button", { type: "button", class: "linkish", lang: other,
    onclick: () => { sessionStorage.setItem("netwerk-lang", other); window.location.reload(); } },
  other === "en" ? "English" : "Nederlands"));
}

function signIn(message) {
  clear(main()).append(
    h("h1", {}, t("dashboard.title")),
    message ? h("p", { class: "error", role: "alert", id: "refused" }, message) : null,
    h("form", { id: "signin", class: "card narrow", onsubmit: (e) => {
      e.preventDefault();
      const value = $("#token-input").value.trim();
      if (value) { setToken(value); load(); }
    } },
    h("label", { for: "token-input" }, t("dashboard.token")),
    h("input", { id: "token-input", type: "password", autocomplete: "off", required: true }),
    h("p", { class: "hint" }, t("dashboard.token_hint")),
    h("button", { type: "submit", class: "primary" }, t("dashboard.open"))));
  main().dataset.ready = "true";
  main().dataset.view = "signin";
}

const card = (label, value, id) => h("div", { class: "figure", id }, h("span", { class: "value" }, value), h("span", { class: "label" }, label));

function section(id, title, ...children) {
  return h("section", { class: "card dash-section", id, "aria-labelledby": `h-${id}` }, h("h2", { id: `h-${id}` }, title), ...children);
}

function figures(d) {
  const s = d.summary;
  return h("div", { class: "figures", id: "figures" },
    card(t("dashboard.figures.actors"), num(s.actors)),
    card(t("dashboard.figures.persons"), num(s.persons)),
    card(t("dashboard.figures.ties"), num(s.ties)),
    card(t("dashboard.figures.groups"), num(s.groups)),
    card(t("dashboard.figures.isolated"), num(d.gaps.counts.isolated_person ?? 0)),
    card(t("dashboard.figures.stage"), `${s.stage.number}/4`, "stage-figure"));
}

function gapLink(d, row) {
  if (!d.sees_persons || !row.area) return null;
  const layer = { isolated_person: "isolated", unmet_need: "unmet_need" }[row.kind];
  if (!layer) return null;
  const q = new URLSearchParams({ layers: layer, area: row.area });
  return `/app/${encodeURIComponent(nid)}/map?${q}`;
}

function gaps(d) {
  const rows = d.gaps.areas.slice(0, 30);
  return section("gaps", t("dashboard.gaps.title"),
    h("p", { class: "hint" }, d.sees_persons ? t("dashboard.gaps.intro_broker") : t("dashboard.gaps.intro_viewer")),
    rows.length ? h("div", { class: "scroll", tabindex: "0", role: "region", "aria-label": t("dashboard.gaps.title") }, h("table", { id: "gap-table" },
      h("caption", { class: "visually-hidden" }, t("dashboard.gaps.title")),
      h("thead", {}, h("tr", {}, [t("dashboard.gaps.kind"), t("dashboard.gaps.area"), t("dashboard.gaps.persons")].map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, rows.map((r) => {
        const link = gapLink(d, r);
        const label = t(`dashboard.gaps.kinds.${r.kind}`);
        return h("tr", { dataset: { kind: r.kind, area: r.area || "" } },
          h("th", { scope: "row" }, link ? h("a", { href: link, class: "gap-link" }, label) : label),
          h("td", {}, r.area ? areaCell(r.area_label, r.area) : t("dashboard.gaps.no_area")),
          h("td", { class: "num" }, num(r.persons)));
      })))) : h("p", {}, t("dashboard.gaps.none")));
}

function actions(d) {
  return section("actions", t("dashboard.actions.title"),
    d.actions.length ? h("ol", { class: "actions", id: "action-list" }, d.actions.map((a) => h("li", {}, a.sentence)))
      : h("p", {}, t("dashboard.actions.none")));
}

function resilience(d) {
  const r = d.resilience;
  const kf = d.key_figures;
  const parts = [
    h("p", {}, t("dashboard.resilience.key_figures", { recognised: num(kf.recognised_count), unrecognised: num(kf.unrecognised_count) })),
    h("p", { id: "dependent" }, t("dashboard.resilience.dependent", { count: num(r.dependent_residents), figures: num(r.figures_depended_on), most: num(r.most_on_one) })),
  ];
  if (r.central) {
    const c = r.central;
    parts.push(h("p", { id: "central" }, t(c.name ? "dashboard.resilience.central_named" : "dashboard.resilience.central", {
      name: c.name || "", lose: num(c.lose_help), pieces: num(c.split_pieces), handover: num(c.handover) })));
  }
  const act = d.activation;
  const count = (key, value) => h("span", { dataset: { count: key } }, h("span", { class: "n" }, num(value)), " ",
    t(`dashboard.activation.${key}`, { count: value === null ? 2 : value }));
  parts.push(h("p", { id: "activation" }, count("accepted", act.accepted), " · ", count("tie_formed", act.tie_formed)));
  if (kf.people) {
    parts.push(h("h3", {}, t("dashboard.resilience.people")), h("ul", { class: "people" }, kf.people.slice(0, 12).map((p) =>
      h("li", {}, h("strong", {}, p.name), " — ", t(p.recognised ? "dashboard.resilience.recognised" : "dashboard.resilience.unrecognised"),
        p.reasons.length ? h("span", { class: "hint" }, `: ${p.reasons.slice(0, 2).join(" ")}`) : null))));
  }
  if (r.top && r.top.length) {
    parts.push(h("h3", {}, t("dashboard.resilience.most_depended")), h("ul", {}, r.top.map((x) => h("li", {}, t("dashboard.resilience.depends_on", { name: x.name, count: x.dependents })))));
  }
  return section("resilience", t("dashboard.resilience.title"), ...parts);
}

async function period(d) {
  const box = section("period", t("dashboard.period.title"));
  const to = new Date(d.as_of);
  const from = monthsBack(to, 3);
  const fromInput = h("input", { id: "period-from", type: "date", value: iso(from) });
  const toInput = h("input", { id: "period-to", type: "date", value: iso(to) });
  const form = h("form", { class: "period-form", id: "period-form", onsubmit: (e) => { e.preventDefault(); fill(); } },
    h("div", {}, h("label", { for: "period-from" }, t("dashboard.period.from")), fromInput),
    h("div", {}, h("label", { for: "period-to" }, t("dashboard.period.to")), toInput),
    h("button", { type: "submit" }, t("dashboard.period.show")));
  const out = h("div", { id: "period-out", "aria-live": "polite" });
  box.append(h("p", { class: "hint" }, t("dashboard.period.intro")), form, out);
  async function fill() {
    try {
      const c = await api(inNetwork(nid, "/analysis/compare"), { query: { from: fromInput.value, to: toInput.value } });
      const rows = (c.metrics || []).filter((m) => ["actors", "ties", "components", "isolates", "clustering"].includes(m.metric));
      clear(out).append(h("p", {}, c.summary || ""),
        h("table", {}, h("thead", {}, h("tr", {}, ["", date(c.from_date), date(c.to_date)].map((x) => h("th", { scope: "col" }, x)))),
          h("tbody", {},
            h("tr", {}, h("th", { scope: "row" }, t("dashboard.period.gained")), h("td", {}, ""), h("td", { class: "num" }, num(c.ties_gained_count))),
            h("tr", {}, h("th", { scope: "row" }, t("dashboard.period.lost")), h("td", {}, ""), h("td", { class: "num" }, num(c.ties_lost_count))),
            rows.map((m) => h("tr", {}, h("th", { scope: "row" }, t(`dashboard.period.metrics.${m.metric}`)), h("td", { class: "num" }, num(m.before, 2)), h("td", { class: "num" }, num(m.after, 2)))))));
    } catch (err) { clear(out).append(h("p", { class: "error" }, t("common.failed", { detail: err.message }))); }
  }
  await fill();
  return box;
}

// A large network's figures may take longer than a request waits (202 Accepted): say that
// they are being computed until they come (api() asks the status URL meanwhile).
function computing(m, running) {
  let note = $("#computing");
  if (!running) { if (note) note.remove(); return; }
  if (!note) {
    note = h("p", { id: "computing", class: "notice", role: "status" });
    m.prepend(note);
  }
  note.textContent = t("dashboard.computing");
}

async function load() {
  const m = main();
  m.dataset.ready = "false";
  if (!token()) { signIn(); return; }
  const params = new URLSearchParams(window.location.search);
  const asOf = params.get("as_of") || undefined;
  let d;
  try {
    d = await api(inNetwork(nid, "/dashboard"), { query: { as_of: asOf }, onPending: (running) => computing(m, running) });
  } catch (err) {
    if (err.status === 401) { forget(); signIn(t("dashboard.refused")); m.dataset.refused = "true"; return; }
    if (err.status === 404 || err.status === 403) { signIn(t("dashboard.no_access")); return; }
    clear(m).append(h("h1", {}, t("dashboard.title")), h("p", { class: "error", role: "alert" }, t("common.failed", { detail: err.message })));
    m.dataset.ready = "true";
    return;
  }
  document.title = `${t("dashboard.title")} · ${d.network_name}`;
  const stamp = t("dashboard.stamp", { date: date(d.as_of), revision: d.revision });
  $("#print-stamp").textContent = `${d.network_name} · ${stamp}`;
  const nav = clear($("#nav"));
  if (d.sees_persons) {
    nav.append(h("ul", {}, h("li", {}, h("a", { href: `/app/${encodeURIComponent(nid)}` }, t("dashboard.to_workspace"))),
      h("li", {}, h("a", { href: `/app/${encodeURIComponent(nid)}/map`, id: "actor-map-link" }, t("dashboard.to_actor_map")))));
    nav.hidden = false;
  }
  const controls = h("form", { class: "controls no-print", id: "controls", onsubmit: (e) => {
    e.preventDefault();
    const v = $("#as-of").value;
    const q = new URLSearchParams(window.location.search);
    if (v) q.set("as_of", v); else q.delete("as_of");
    window.history.replaceState(null, "", `${window.location.pathname}?${q}`);
    load();
  } },
  h("div", {}, h("label", { for: "as-of" }, t("dashboard.as_of")), h("input", { id: "as-of", type: "date", value: d.as_of })),
  h("button", { type: "submit" }, t("dashboard.show")),
  h("button", { type: "button", onclick: () => window.print() }, t("common.print")),
  h("button", { type: "button", id: "pdf", onclick: () => downloadPdf(d) }, t("dashboard.pdf")));
  append(clear(m), [
    h("h1", {}, `${t("dashboard.title")}: ${d.network_name}`),
    h("p", { class: "stamp", id: "stamp" }, stamp),
    controls,
    d.too_little ? h("p", { class: "notice", role: "note", id: "too-little" }, t(`dashboard.too_little.${d.too_little}`)) : null,
    figures(d),
    d.sees_persons ? null : h("p", { class: "hint" }, t("dashboard.suppressed", { threshold: d.threshold })),
    section("map", t("dashboard.map.title"), groupMap(d, nid, load)),
    actions(d),
    gaps(d),
  ]);
  const trendBox = section("trend", t("dashboard.trend.title"), h("p", { class: "hint" }, t("dashboard.trend.intro")));
  m.append(trendBox, resilience(d));
  const chartBox = h("div", { id: "trend-charts" });
  trendBox.append(chartBox);
  await trend(d, chartBox);
  m.append(await period(d));
  m.dataset.ready = "true";
  m.dataset.view = "dashboard";
  m.dataset.role = d.sees_persons ? "broker" : "viewer";
  document.body.dataset.loaded = "true"; // the marker the dashboard had before (tests wait on it)
}

// After a write the server answers at once with the previous revision's series (stale) and
// computes the new one in the background: the charts say so and refresh when it is there.
async function trend(d, box, tries = 0) {
  try {
    const tr = await api(inNetwork(nid, "/dashboard/trend"), { query: { to: d.as_of, wait: "false" } });
    // dom.append skips a missing notice (Element.append would write "null")
    append(clear(box), [
      tr.stale ? h("p", { class: "notice", id: "trend-stale" }, t("dashboard.trend.stale", { revision: tr.revision, current: tr.current_revision })) : null,
      charts(tr.months, SERIES)]);
    box.dataset.revision = String(tr.revision);
    if (tr.stale && tries < 60) setTimeout(() => trend(d, box, tries + 1), 5000);
  } catch (err) { clear(box).append(h("p", { class: "error" }, t("common.failed", { detail: err.message }))); }
}

async function downloadPdf(d) {
  const res = await fetch(`/dashboard/${encodeURIComponent(nid)}/report.pdf?lang=${LANG}&as_of=${d.as_of}`, { headers: { Authorization: `Bearer ${token()}` } });
  if (!res.ok) return;
  const url = URL.createObjectURL(await res.blob());
  const a = h("a", { href: url, download: `wijkdashboard-${d.as_of}.pdf` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

async function start() {
  chooseLanguage();
  takeTokenFromFragment();
  await loadCatalogue();
  translateStatic();
  languageSwitch();
  await load();
}

start();
