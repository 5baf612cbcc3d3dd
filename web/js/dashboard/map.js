// The group map: one bubble per group (area ∝ actors), placed by the server by how the
// groups are tied, links as thick as the tie density between them, colour = what a group
// lacks; organisations, initiatives and places as small named points. Drawn as SVG (prints
// crisply, scales on a phone and on the wall); the table under it says the same in words.
import { api, inNetwork } from "../core/api.js";
import { h } from "../core/dom.js";
import { num, t } from "../core/i18n.js";

const W = 1000;
const LACKS = ["help", "needs", "isolated", "none", "hidden"];

export function groupMap(d, nid, reload) {
  const groups = d.map.groups;
  // a phone gets a portrait map and labels more than twice as large (the SVG is scaled down
  // to about a third there), so that a name stays about 13 px on screen
  const phone = window.matchMedia("(max-width: 600px)").matches;
  const H = phone ? 1500 : 700;
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
  const bubbles = groups.map((g) => ({ g, x: X(g.x), y: Y(g.y), r: R(g) }));
  for (const b of [...bubbles].sort((p, q) => q.r - p.r)) {
    const g = b.g;
    svg.append(h("svg:circle", { cx: b.x, cy: b.y, r: b.r, class: `bubble lacks-${g.lacks || "hidden"}`, dataset: { group: g.group } },
      h("svg:title", {}, `${g.name}: ${t(`dashboard.map.lacks.${g.lacks || "hidden"}`)}`)));
  }
  const dots = d.map.points.map((p) => ({ x: X(p.x), y: Y(p.y) }));
  for (const p of d.map.points) {
    svg.append(h("svg:circle", { cx: X(p.x), cy: Y(p.y), r: 4, class: `point kind-${p.kind}` }, h("svg:title", {}, `${p.name} (${t(`common.kinds.${p.kind}`)})`)));
  }
  const size = phone ? 40 : 17;
  const placed = placeLabels(bubbles.slice(0, 16), dots, { W, H, size, maxLine: phone ? 600 : 330 });
  for (const L of placed) {
    if (L.leader) svg.append(h("svg:line", { ...L.leader, class: "leader" }));
  }
  for (const L of placed) {
    const lines = L.lines.map((line, i) => h("svg:tspan", { x: L.x, dy: i ? (L.lineH).toFixed(1) : null }, line));
    svg.append(h("svg:text", { x: L.x, y: (L.y + L.ascent).toFixed(1), class: "label", dataset: { group: L.b.g.group } },
      L.cut ? h("svg:title", {}, L.b.g.name) : null, lines));
  }
  // the colour says the first thing a group lacks; the legend names only the colours drawn
  const seen = new Set(groups.map((g) => g.lacks || "hidden"));
  const legend = h("div", { class: "legend-block" },
    h("p", { class: "hint", id: "legend-rule" }, t("dashboard.map.colour_rule")),
    h("ul", { class: "legend", id: "map-legend" }, LACKS.filter((k) => seen.has(k)).map((k) =>
      h("li", { dataset: { lacks: k } }, h("span", { class: `swatch lacks-${k}`, "aria-hidden": "true" }), t(`dashboard.map.lacks.${k}`))),
    h("li", {}, h("span", { class: "swatch point-swatch", "aria-hidden": "true" }), t("dashboard.map.points"))));
  const rows = groups.map((g) => h("tr", { dataset: { group: g.group } },
    h("th", { scope: "row" }, g.name, g.renamed ? h("span", { class: "badge" }, t("dashboard.map.renamed")) : null),
    h("td", { class: "num" }, num(g.persons)),
    h("td", {}, areaCell(g.area_label, g.main_area)),
    h("td", {}, lacksCell(g)),
    h("td", {}, g.anchor_name || "—"),
    d.sees_persons ? h("td", { class: "no-print" }, renameForm(g, d, nid, reload)) : null));
  const table = h("div", { class: "scroll", tabindex: "0", role: "region", "aria-label": t("dashboard.map.table") }, h("table", { id: "group-table" },
    h("caption", {}, t("dashboard.map.table")),
    h("thead", {}, h("tr", {}, [t("dashboard.map.name"), t("dashboard.map.persons"), t("dashboard.map.area"), t("dashboard.map.lacks_col"), t("dashboard.map.anchor"),
      d.sees_persons ? t("dashboard.map.rename") : null].filter(Boolean).map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, rows)));
  return h("div", { class: "map-block" }, h("div", { class: "map-frame" }, svg), legend, table);
}

/** Everything a group lacks as far as the figures shown say (its colour first, with its
 *  swatch): a group with unmet needs may also have members without real ties. */
function lacksCell(g) {
  const first = g.lacks || "hidden";
  const more = [];
  if (g.without_help && first !== "help") more.push("help");
  if (g.unmet_persons > 0 && first !== "needs" && !more.includes("needs")) more.push("needs");
  if (g.isolated_persons > 0 && first !== "isolated") more.push("isolated");
  return [h("span", { class: `swatch lacks-${first}`, "aria-hidden": "true" }), t(`dashboard.map.lacks.${first}`),
    more.map((k) => `; ${t(`dashboard.map.lacks.${k}`)}`)];
}

// ---- label placement --------------------------------------------------------------------
// Greedy: the largest group first, each label at the candidate spot (below, above, beside or
// diagonal to its bubble, further out if need be; on one line or wrapped on two; shortened
// with "…" and the full name as its tooltip only when two lines cannot hold it) that costs
// least: overlapping a label already placed is ruled out, overlapping a bubble or a point
// costs by the area covered, distance from the bubble and a less usual side cost a little.
// Every box is kept inside the frame. The table under the map always has the full names.

let ctx = null;
function measure(text, size) {
  if (!ctx) ctx = document.createElement("canvas").getContext("2d");
  ctx.font = `700 ${size}px ${getComputedStyle(document.body).fontFamily}`;
  // the white halo (stroke 4 px) adds 2 px on each side
  return ctx.measureText(text).width + 4;
}

function variants(name, size, maxLine) {
  const words = name.split(/\s+/);
  const width = (lines) => Math.max(...lines.map((l) => measure(l, size)));
  // the most even split of the words over n lines (names are short: every split is tried)
  const split = (n, from = 0) => {
    if (n === 1) return [words.slice(from).join(" ")];
    let best = null;
    for (let i = from + 1; i <= words.length - n + 1; i++) {
      const lines = [words.slice(from, i).join(" "), ...split(n - 1, i)];
      if (!best || width(lines) < width(best)) best = lines;
    }
    return best;
  };
  const out = [];
  for (let n = 1; n <= Math.min(3, words.length); n++) {
    const lines = split(n);
    const w = width(lines);
    // a wrapped name is offered beside one that fits on fewer lines, at a small cost
    if (w <= maxLine) out.push({ lines, w, cost: out.length ? 40 * n : 0 });
    if (out.length >= 2) break;
  }
  if (!out.length) {
    // shorten: two lines as long as fit, the second cut with an ellipsis
    const lines = []; let rest = words;
    while (rest.length && lines.length < 2) {
      let n = rest.length;
      while (n > 1 && measure(rest.slice(0, n).join(" ") + (lines.length ? "…" : ""), size) > maxLine) n--;
      let line = rest.slice(0, n).join(" ");
      rest = rest.slice(n);
      if (lines.length === 1 && rest.length) line += "…";
      while (measure(line, size) > maxLine && line.length > 2) line = line.slice(0, -2) + "…";
      lines.push(line);
    }
    out.push({ lines, w: width(lines), cost: 400, cut: true });
  }
  return out;
}

const overlap = (a, b) => Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x))
  * Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));

// the area of a box inside a circle, summed over thin vertical strips
function circleArea(box, c) {
  const x0 = Math.max(box.x, c.x - c.r); const x1 = Math.min(box.x + box.w, c.x + c.r);
  if (x1 <= x0 || box.y > c.y + c.r || box.y + box.h < c.y - c.r) return 0;
  const n = 12; const dx = (x1 - x0) / n; let area = 0;
  for (let i = 0; i < n; i++) {
    const x = x0 + (i + 0.5) * dx; const half = Math.sqrt(Math.max(0, c.r * c.r - (x - c.x) ** 2));
    area += dx * Math.max(0, Math.min(box.y + box.h, c.y + half) - Math.max(box.y, c.y - half));
  }
  return area;
}

export function placeLabels(bubbles, dots, { W, H, size, maxLine }) {
  const lineH = Math.round(size * 1.25);
  const pad = 3; const margin = 4; const gap = 6;
  const order = [...bubbles].sort((p, q) => q.r - p.r);
  const boxes = [];
  const out = [];
  // direction: unit offsets of the box from the bubble, and a small cost for the less usual
  const sides = [[0, 1, 0], [0, -1, 8], [1, 0, 12], [-1, 0, 12], [1, 1, 18], [-1, 1, 18], [1, -1, 22], [-1, -1, 22]];
  for (const b of order) {
    let best = null;
    for (const v of variants(b.g.name, size, maxLine)) {
      const w = v.w + 2 * pad; const hgt = v.lines.length * lineH + 2 * pad;
      for (let ring = 0; ring < 12; ring++) {
        const dist = b.r + gap + ring * lineH * 0.8;
        for (const [sx, sy, sideCost] of sides) {
          const k = sx && sy ? Math.SQRT1_2 : 1;
          const px = b.x + sx * dist * k; const py = b.y + sy * dist * k;
          let x = sx > 0 ? px : sx < 0 ? px - w : px - w / 2;
          let y = sy > 0 ? py : sy < 0 ? py - hgt : py - hgt / 2;
          x = Math.min(Math.max(x, margin), W - margin - w);
          y = Math.min(Math.max(y, margin), H - margin - hgt);
          const box = { x, y, w, h: hgt };
          let cost = v.cost + sideCost + ring * 25;
          if (boxes.some((o) => overlap(box, o) > 0)) cost += 1e6;
          for (const c of bubbles) cost += circleArea(box, c) * (c === b ? 0.3 : 0.15);
          for (const p of dots) if (p.x > x - 4 && p.x < x + w + 4 && p.y > y - 4 && p.y < y + hgt + 4) cost += 60;
          // a box pushed away from its bubble (by the frame) costs by the distance
          const nx = Math.min(Math.max(b.x, x), x + w); const ny = Math.min(Math.max(b.y, y), y + hgt);
          cost += Math.max(0, Math.hypot(nx - b.x, ny - b.y) - b.r - gap) * 1.5;
          if (!best || cost < best.cost) best = { cost, box, v };
        }
      }
    }
    if (best.cost >= 1e6) {
      // no free spot around the bubble: the free spot nearest to it anywhere in the frame
      const v = best.v; const w = best.box.w; const hgt = best.box.h;
      for (let y = margin; y <= H - margin - hgt; y += 10) {
        for (let x = margin; x <= W - margin - w; x += 10) {
          const box = { x, y, w, h: hgt };
          if (boxes.some((o) => overlap(box, o) > 0)) continue;
          let cost = 5e5;
          for (const c of bubbles) cost += circleArea(box, c) * 0.15;
          const nx = Math.min(Math.max(b.x, x), x + w); const ny = Math.min(Math.max(b.y, y), y + hgt);
          cost += Math.hypot(nx - b.x, ny - b.y) * 1.5;
          if (cost < best.cost) best = { cost, box, v };
        }
      }
    }
    const { box, v } = best;
    boxes.push({ x: box.x - margin, y: box.y - margin, w: box.w + 2 * margin, h: box.h + 2 * margin });
    const nx = Math.min(Math.max(b.x, box.x), box.x + box.w); const ny = Math.min(Math.max(b.y, box.y), box.y + box.h);
    const far = Math.hypot(nx - b.x, ny - b.y);
    let leader = null;
    if (far - b.r > lineH * 1.2) {
      const ux = (nx - b.x) / far; const uy = (ny - b.y) / far;
      leader = { x1: (b.x + ux * b.r).toFixed(1), y1: (b.y + uy * b.r).toFixed(1), x2: nx.toFixed(1), y2: ny.toFixed(1) };
    }
    out.push({ b, lines: v.lines, cut: !!v.cut, x: (box.x + pad + 2).toFixed(1), y: box.y + pad, ascent: size * 0.95, lineH, leader });
  }
  return out;
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
