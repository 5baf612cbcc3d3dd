// The group map: one bubble per group (area ∝ actors), placed by the server by how the
// groups are tied, links as thick as the tie density between them, colour = what a group
// lacks; organisations, initiatives and places as small named points. Drawn as SVG (prints
// crisply, scales on a phone and on the wall); the table under it says the same in words.
import { api, inNetwork } from "../core/api.js";
import { h } from "../core/dom.js";
import { num, t } from "../core/i18n.js";

const W = 1000;
const H = 700;

export function groupMap(d, nid, reload) {
  const groups = d.map.groups;
  const at = new Map(groups.map((g) => [g.group, g]));
  const X = (x) => 40 + x * (W - 80);
  const Y = (y) => 30 + y * (H - 60);
  const R = (g) => (g.radius ? 14 + 70 * g.radius : 12);
  const top = Math.max(...d.map.links.map((l) => l.density || 0), 1e-9);
  const svg = h("svg:svg", { viewBox: `0 0 ${W} ${H}`, class: "group-map", id: "group-map", role: "img",
    "aria-labelledby": "map-title map-desc" },
  h("svg:title", { id: "map-title" }, t("dashboard.map.title")),
  h("svg:desc", { id: "map-desc" }, t("dashboard.map.desc", { count: groups.length })));
  for (const l of d.map.links) {
    const a = at.get(l.a); const b = at.get(l.b);
    if (!a || !b) continue;
    const w = l.density === null ? 1 : 1 + 9 * (l.density / top);
    svg.append(h("svg:line", { x1: X(a.x), y1: Y(a.y), x2: X(b.x), y2: Y(b.y), class: "link", "stroke-width": w.toFixed(1) }));
  }
  for (const g of [...groups].sort((a, b) => (b.radius || 0) - (a.radius || 0))) {
    svg.append(h("svg:circle", { cx: X(g.x), cy: Y(g.y), r: R(g), class: `bubble lacks-${g.lacks || "hidden"}`, dataset: { group: g.group } },
      h("svg:title", {}, `${g.name}: ${t(`dashboard.map.lacks.${g.lacks || "hidden"}`)}`)));
  }
  for (const p of d.map.points) {
    svg.append(h("svg:circle", { cx: X(p.x), cy: Y(p.y), r: 4, class: `point kind-${p.kind}` }, h("svg:title", {}, `${p.name} (${t(`common.kinds.${p.kind}`)})`)));
  }
  // names under their bubbles, kept inside the frame (about 10 units a letter at 17 px;
  // twice that on a phone, where the labels are drawn at 34 px to stay readable)
  const perLetter = window.matchMedia("(max-width: 600px)").matches ? 20 : 10;
  for (const g of groups.slice(0, 16)) {
    const half = Math.min(W / 2 - 8, (g.name.length * perLetter) / 2);
    const x = Math.min(Math.max(X(g.x), half + 8), W - half - 8);
    const y = Math.min(Y(g.y) + R(g) + 16, H - 8);
    svg.append(h("svg:text", { x, y, class: "label", "text-anchor": "middle" }, g.name));
  }
  const legend = h("ul", { class: "legend" }, ["help", "needs", "isolated", "none"].map((k) =>
    h("li", {}, h("span", { class: `swatch lacks-${k}`, "aria-hidden": "true" }), t(`dashboard.map.lacks.${k}`))),
  h("li", {}, h("span", { class: "swatch point-swatch", "aria-hidden": "true" }), t("dashboard.map.points")));
  const rows = groups.map((g) => h("tr", { dataset: { group: g.group } },
    h("th", { scope: "row" }, g.name, g.renamed ? h("span", { class: "badge" }, t("dashboard.map.renamed")) : null),
    h("td", { class: "num" }, num(g.persons)),
    h("td", {}, areaCell(g.area_label, g.main_area)),
    h("td", {}, t(`dashboard.map.lacks.${g.lacks || "hidden"}`)),
    h("td", {}, g.anchor_name || "—"),
    d.sees_persons ? h("td", { class: "no-print" }, renameForm(g, d, nid, reload)) : null));
  const table = h("div", { class: "scroll", tabindex: "0", role: "region", "aria-label": t("dashboard.map.table") }, h("table", { id: "group-table" },
    h("caption", {}, t("dashboard.map.table")),
    h("thead", {}, h("tr", {}, [t("dashboard.map.name"), t("dashboard.map.persons"), t("dashboard.map.area"), t("dashboard.map.lacks_col"), t("dashboard.map.anchor"),
      d.sees_persons ? t("dashboard.map.rename") : null].filter(Boolean).map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, rows)));
  return h("div", { class: "map-block" }, h("div", { class: "map-frame" }, svg), legend, table);
}

function renameForm(g, d, nid, reload) {
  const id = `rename-${g.group}`;
  return h("form", { class: "rename", onsubmit: async (e) => {
    e.preventDefault();
    const value = e.target.querySelector("input").value.trim();
    if (!value) return;
    await api(inNetwork(nid, `/dashboard/groups/${g.group}/name`), { method: "PUT", body: { name: value, revision: d.revision } });
    reload();
  } },
  h("label", { for: id, class: "visually-hidden" }, t("dashboard.map.rename_label", { name: g.name })),
  h("input", { id, type: "text", maxlength: 80, placeholder: t("dashboard.map.new_name") }),
  h("button", { type: "submit" }, t("common.save")));
}

/** An area as readable text: a CBS code only as secondary text, after its name (or its
 *  level, "buurt BU03630000", where the network gives no name). */
export function areaCell(label, code) {
  if (!code) return "—";
  if (!label || label === code) return code;
  if (label.endsWith(code)) return h("span", { class: "hint" }, label);
  return code.match(/^(GM|WK|BU)\d+$/) ? [label, " ", h("span", { class: "hint" }, `(${code})`)] : label;
}
