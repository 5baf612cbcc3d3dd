// The ego network as an SVG netwerkkaart: the person in the middle, four sectors, direct
// contacts on the inner ring and their contacts outside. Positions come from the server
// (GET …/actors/{aid}/ego); this file only draws them. Each actor is a link to its page.
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";

const KIND_COLOUR = {
  resident: "#5b8fd6", key_figure: "#d98e04", professional: "#7b61c9",
  organisation: "#3d5a80", initiative: "#0b6e4f", place: "#2a9d8f",
};
const SECTOR_LABEL_POS = {
  family: [-1, 1], friends_neighbours: [1, 1], school_work_leisure: [1, -1], care: [-1, -1],
};
const R = 300; // SVG units per layout unit / 1.1

export function egoMap(ego, { href }) {
  const scale = R / 2.6;
  const px = (x) => x * scale;
  const py = (y) => -y * scale;
  const svg = h("svg:svg", {
    // room beside the circle for the names of the outer ring
    viewBox: `${-R - 110} ${-R - 10} ${2 * R + 220} ${2 * R + 20}`, class: "egomap", role: "group",
    "aria-label": t("app.ego.caption", { name: ego.center_name || "" }),
  });
  svg.append(h("svg:circle", { class: "ring", cx: 0, cy: 0, r: px(1.1) }));
  svg.append(h("svg:circle", { class: "ring", cx: 0, cy: 0, r: px(2.2) }));
  svg.append(h("svg:line", { class: "sector-line", x1: -R, y1: 0, x2: R, y2: 0 }));
  svg.append(h("svg:line", { class: "sector-line", x1: 0, y1: -R, x2: 0, y2: R }));
  for (const [sector, [sx, sy]] of Object.entries(SECTOR_LABEL_POS)) {
    svg.append(h("svg:text", {
      class: "sector-label", x: sx * (R - 6), y: -sy * (R - 14), "text-anchor": sx < 0 ? "start" : "end",
    }, t(`app.ego.sectors.${sector}`)));
  }
  const edges = h("svg:g", { class: "edges" });
  ego.edges.forEach((e) => {
    const a = ego.nodes[e.a];
    const b = ego.nodes[e.b];
    edges.append(h("svg:line", {
      class: `edge${a.step === 0 || b.step === 0 ? " center" : ""}`,
      x1: px(a.x), y1: py(a.y), x2: px(b.x), y2: py(b.y),
      "stroke-width": 0.6 + e.weight * 0.8,
      dataset: { a: a.actor_id, b: b.actor_id },
    }));
  });
  svg.append(edges);
  const nodes = h("svg:g", { class: "nodes" });
  // names on the outer ring only where a quarter has room for them (else in the tooltip and
  // the link's name): crowded labels would cover each other
  const outer = {};
  for (const n of ego.nodes) if (n.step === 2) outer[n.sector] = (outer[n.sector] || 0) + 1;
  // outer ring first so that labels of direct contacts are on top
  [...ego.nodes].sort((p, q) => q.step - p.step).forEach((n) => {
    const radius = n.step === 0 ? 20 : n.step === 1 ? 13 : 8;
    const label = n.step === 2 && (ego.nodes.length > 40 || outer[n.sector] > 6) ? null : n.name;
    const right = n.x >= 0;
    const node = h("svg:a", {
      href: href(n.actor_id), class: `node step-${n.step}`, dataset: { id: n.actor_id },
      "aria-label": `${n.name}, ${t(`common.kinds.${n.kind}`)}, ${t(n.step === 1 ? "app.ego.step1" : "app.ego.step2")}`,
    },
    h("svg:circle", { cx: px(n.x), cy: py(n.y), r: radius, fill: KIND_COLOUR[n.kind] || "#888" },
      h("svg:title", {}, `${n.name} (${t(`common.kinds.${n.kind}`)})`)),
    label ? h("svg:text", {
      x: px(n.x) + (n.step === 0 ? 0 : right ? radius + 4 : -radius - 4),
      y: py(n.y) + (n.step === 0 ? 40 : 6),
      "text-anchor": n.step === 0 ? "middle" : right ? "start" : "end",
    }, label.length > 22
      // a cut name stays a part of the link's name (the ellipsis is not read out)
      ? [label.slice(0, 21), h("svg:tspan", { "aria-hidden": "true" }, "…")]
      : label) : null);
    if (n.step === 0) node.removeAttribute("href");
    nodes.append(node);
  });
  svg.append(nodes);
  return svg;
}

/** Mark the route of an introduction (actor ids in order) on an ego map. */
export function highlightPath(svg, ids) {
  svg.dataset.highlight = ids.join(",");
  const onPath = new Set(ids);
  const pairs = new Set();
  for (let i = 1; i < ids.length; i += 1) { pairs.add(`${ids[i - 1]}|${ids[i]}`); pairs.add(`${ids[i]}|${ids[i - 1]}`); }
  for (const line of svg.querySelectorAll(".edge")) {
    line.classList.toggle("path", pairs.has(`${line.dataset.a}|${line.dataset.b}`));
  }
  for (const node of svg.querySelectorAll(".node")) node.classList.toggle("on-path", onPath.has(node.dataset.id));
  const drawn = new Set([...svg.querySelectorAll(".node")].map((n) => n.dataset.id));
  return ids.filter((id) => !drawn.has(id)).length; // route steps outside the map
}

export function legend() {
  return h("ul", { class: "legend", "aria-label": t("app.ego.legend") },
    Object.keys(KIND_COLOUR).map((k) => h("li", {}, h("span", { class: `dot kind-${k}`, "aria-hidden": "true" }), t(`common.kinds.${k}`))),
    h("li", {}, h("span", { class: "dot path", "aria-hidden": "true" }), t("app.ego.path")));
}
