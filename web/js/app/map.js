// The neighbourhood map: every actor the broker may see, positioned by the server
// (GET …/map: igraph layout cached per revision), drawn with sigma.js (WebGL) so that 10,000
// actors stay fluid; coloured by community, sized by the chosen centrality, with layers for
// key figures, isolated residents, unmet needs and groups without help. The list under the
// map shows the same selection, as its accessible alternative.
import { api, inNetwork } from "../core/api.js";
import { clear, h } from "../core/dom.js";
import { num, t } from "../core/i18n.js";
import { kindBadge, theme } from "./parts.js";

const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf",
  "#bcbd22", "#ff7f0e", "#393b79", "#637939", "#843c39"];
const DIM = "#d9dee3";
const LIST_MAX = 200;
const MEASURES = ["degree", "strength", "betweenness", "pagerank", "two_step_reach", "coreness"];
const KINDS = ["resident", "key_figure", "professional", "organisation", "initiative", "place"];
const LAYERS = [["key_figure", "app.map.layer_key"], ["isolated", "app.map.layer_isolated"],
  ["unmet_need", "app.map.layer_unmet"], ["no_help", "app.map.layer_nohelp"]];

let vendorLoaded = null;
function loadVendor() {
  const script = (src) => new Promise((resolve, reject) => {
    const el = document.createElement("script");
    el.src = src;
    el.onload = resolve;
    el.onerror = reject;
    document.head.append(el);
  });
  vendorLoaded ||= script("/web/vendor/graphology-0.26.0.umd.min.js").then(() => script("/web/vendor/sigma-3.0.3.min.js"));
  return vendorLoaded;
}

export async function render(main, ctx) {
  const params = new URLSearchParams(window.location.search);
  const state = {
    measure: params.get("measure") || "degree", theme: params.get("theme") || "", area: params.get("area") || "",
    kind: params.get("kind") || "", layers: new Set((params.get("layers") || "").split(",").filter(Boolean)),
  };
  const container = h("div", { id: "sigma", role: "img", "aria-label": t("app.map.title"), "aria-describedby": "map-intro map-count" });
  const count = h("p", { id: "map-count", class: "hint", "aria-live": "polite" });
  const listBox = h("section", { class: "card", id: "map-list", "aria-labelledby": "h-map-list" });
  const select = (id, key, options, value) => h("div", {}, h("label", { for: id }, t(key)),
    h("select", { id, onchange: (e) => { state[id.replace("map-", "")] = e.target.value; update(); } },
      options.map(([v, label]) => h("option", { value: v, selected: v === value }, label))));

  main.append(h("h1", {}, t("app.map.title")), h("p", { id: "map-intro" }, t("app.map.intro")));
  const [data] = await Promise.all([api(inNetwork(ctx.nid, "/map"), { query: { measure: state.measure } }), loadVendor()]);
  performance.mark("map:data");
  const n = data.nodes;
  // an area by the name the network gives its CBS code, never the bare code where it has one
  const areaNames = data.area_names || {};
  const areaLabel = (a) => areaNames[a] || a;
  const areas = [...new Set(n.areas.filter(Boolean))].sort((a, b) => areaLabel(a).localeCompare(areaLabel(b)));
  const themes = [...new Set(n.themes.flat())].sort();
  const controls = h("form", { class: "card map-controls", id: "map-controls", onsubmit: (e) => e.preventDefault() },
    select("map-measure", "app.map.measure", MEASURES.map((m) => [m, t(`app.map.measures.${m}`)]), state.measure),
    select("map-theme", "app.map.theme", [["", t("app.map.all")], ...themes.map((x) => [x, theme(x)])], state.theme),
    select("map-area", "app.map.area", [["", t("app.map.all")], ...areas.map((x) => [x, areaLabel(x)])], state.area),
    select("map-kind", "app.map.kind", [["", t("app.map.all")], ...KINDS.map((k) => [k, t(`common.kinds.${k}`)])], state.kind),
    h("fieldset", {}, h("legend", {}, t("app.map.layers")), LAYERS.map(([key, label]) => h("label", { class: "choice" },
      h("input", { type: "checkbox", value: key, checked: state.layers.has(key), onchange: async (e) => {
        if (e.target.checked) state.layers.add(key); else state.layers.delete(key);
        if (key === "key_figure" && e.target.checked) await unrecognised();
        update();
      } }), t(label)))));
  main.append(controls, h("div", { class: "map-wrap" }, container), count, listBox);

  const graph = new window.graphology.Graph({ type: "undirected", multi: false });
  const colour = (i) => PALETTE[n.community[i] % PALETTE.length];
  const sizeOf = (i) => 2 + 10 * Math.sqrt(n.size[i]);
  for (let i = 0; i < n.ids.length; i += 1) {
    graph.addNode(n.ids[i], { x: n.x[i], y: n.y[i], size: sizeOf(i), label: n.names[i], color: colour(i), i });
  }
  // one edge per pair already (the server collapsed them), strongest first: numbered keys
  // spare graphology the generation of random ones
  data.edges.forEach(([a, b], k) => {
    graph.addEdgeWithKey(k, n.ids[a], n.ids[b], { size: 0.3 + data.edge_weight[k] * 0.25, color: "#c5ced6", a, b });
  });

  performance.mark("map:graph");
  const visible = new Uint8Array(n.ids.length).fill(1);
  let layersBefore = 0;
  const marked = (i) => [...state.layers].some((layer) => n[layer][i]);
  const nodeReducer = (node, attrs) => {
    const i = attrs.i;
    if (!visible[i]) return { ...attrs, hidden: true };
    if (state.layers.size && !marked(i)) return { ...attrs, color: DIM, label: "", zIndex: 0 };
    if (state.layers.size) return { ...attrs, size: attrs.size * 1.6, zIndex: 1 };
    return attrs;
  };
  const edgeReducer = (edge, attrs) => (visible[attrs.a] && visible[attrs.b] ? attrs : { ...attrs, hidden: true });
  let renderer = null;
  try {
    renderer = new window.Sigma(graph, container, {
      hideEdgesOnMove: true, labelRenderedSizeThreshold: 9, defaultEdgeColor: "#c5ced6", zIndex: true,
    });
    renderer.on("clickNode", ({ node }) => ctx.navigate(ctx.href(ctx.nid, "actor", node)));
    renderer.on("enterNode", () => { container.style.cursor = "pointer"; });
    renderer.on("leaveNode", () => { container.style.cursor = ""; });
  } catch (err) {
    container.replaceWith(h("p", { class: "error" }, t("app.map.no_webgl")));
  }

  // The map marks recognised key figures; persons who act as one come from the key-figure
  // analysis (cached per revision on the server), asked only when the layer is shown.
  let askedKeyFigures = false;
  async function unrecognised() {
    if (askedKeyFigures) return;
    askedKeyFigures = true;
    const kf = await api(inNetwork(ctx.nid, "/analysis/key-figures"), { query: { top: 1000 } }).catch(() => null);
    if (!kf) return;
    const at = new Map(n.ids.map((id, i) => [id, i]));
    for (const f of [...kf.recognised, ...kf.unrecognised]) if (at.has(f.actor_id)) n.key_figure[at.get(f.actor_id)] = true;
  }

  async function update() {
    if (state.measure !== data.measure) {
      const fresh = await api(inNetwork(ctx.nid, "/map"), { query: { measure: state.measure } });
      data.measure = fresh.measure;
      n.size = fresh.nodes.size;
      n.value = fresh.nodes.value;
      graph.forEachNode((node, attrs) => graph.setNodeAttribute(node, "size", sizeOf(attrs.i)));
    }
    const query = new URLSearchParams(Object.entries({ measure: state.measure, theme: state.theme, area: state.area,
      kind: state.kind, layers: [...state.layers].join(",") }).filter(([, v]) => v && v !== "degree"));
    window.history.replaceState(null, "", `${window.location.pathname}${query.size ? `?${query}` : ""}`);
    let shown = 0;
    let filtersMoved = false;
    for (let i = 0; i < n.ids.length; i += 1) {
      const ok = (!state.theme || n.themes[i].includes(state.theme)) && (!state.area || n.areas[i] === state.area)
        && (!state.kind || n.kinds[i] === state.kind) ? 1 : 0;
      if (visible[i] !== ok) filtersMoved = true;
      visible[i] = ok;
      shown += ok;
    }
    filtersMoved ||= state.layers.size > 0 || layersBefore > 0;
    layersBefore = state.layers.size;
    if (renderer) {
      // Reducers only while something is filtered: the plain map draws straight from the
      // graph. Each change of a setting redraws everything, so change only what changed.
      const wantNodes = shown < n.ids.length || state.layers.size > 0 ? nodeReducer : null;
      const wantEdges = shown < n.ids.length ? edgeReducer : null;
      const changed = renderer.getSetting("nodeReducer") !== wantNodes || renderer.getSetting("edgeReducer") !== wantEdges;
      if (renderer.getSetting("edgeReducer") !== wantEdges) renderer.setSetting("edgeReducer", wantEdges);
      if (renderer.getSetting("nodeReducer") !== wantNodes) renderer.setSetting("nodeReducer", wantNodes);
      else if (!changed && filtersMoved) renderer.refresh();
    }
    count.textContent = t("app.map.showing", { shown, total: n.ids.length })
      + (data.edges_total > data.edges.length ? ` ${t("app.map.edges_cut", { count: data.edges.length, total: data.edges_total })}` : "");
    container.dataset.shown = String(shown);
    renderList();
  }

  function renderList() {
    let rows = [];
    for (let i = 0; i < n.ids.length; i += 1) {
      if (visible[i] && (!state.layers.size || marked(i))) rows.push(i);
    }
    const all = rows.length;
    rows.sort((a, b) => n.size[b] - n.size[a] || a - b);
    rows = rows.slice(0, LIST_MAX);
    clear(listBox).append(h("h2", { id: "h-map-list" }, t("app.map.list")), h("p", { class: "hint" }, t("app.map.list_intro")),
      h("div", { class: "map-list" }, h("table", {},
        h("thead", {}, h("tr", {}, [t("app.search.label"), t("app.map.kind"), t("app.map.area"), t(`app.map.measures.${state.measure}`)].map((x) => h("th", { scope: "col" }, x)))),
        h("tbody", {}, rows.map((i) => h("tr", { dataset: { id: n.ids[i] } },
          h("td", {}, h("a", { href: ctx.href(ctx.nid, "actor", n.ids[i]), "aria-label": t("app.map.open", { name: n.names[i] }) }, n.names[i])),
          h("td", {}, kindBadge(n.kinds[i])),
          h("td", {}, n.areas[i] ? areaLabel(n.areas[i]) : t("common.none")),
          h("td", {}, num(n.value[i], 2)))))),
      all > LIST_MAX ? h("p", { class: "hint" }, t("app.map.list_more", { count: LIST_MAX })) : null));
  }

  performance.mark("map:sigma");
  if (state.layers.has("key_figure")) await unrecognised();
  await update();
  performance.mark("map:ready");
  container.dataset.ready = "true";
  const kill = () => { if (renderer) { renderer.kill(); renderer = null; } };
  ctx.onLeave?.(kill);
  window.addEventListener("pagehide", kill, { once: true });
}
