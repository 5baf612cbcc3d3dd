// Small charts of the monthly series: one SVG bar chart per figure (no inline style), with
// the numbers in a table beside it for screen readers and for reading off exact values.
import { h } from "../core/dom.js";
import { num, t, LANG } from "../core/i18n.js";

const W = 240;
const H = 80;

function monthLabel(iso) {
  return new Date(iso).toLocaleDateString(LANG === "en" ? "en-GB" : "nl-NL", { month: "short", year: "2-digit" });
}

function chart(months, key) {
  const values = months.map((m) => m[key]);
  const top = Math.max(1, ...values.map((v) => v ?? 0));
  const bw = W / months.length;
  const svg = h("svg:svg", { viewBox: `0 0 ${W} ${H + 14}`, class: "spark", "aria-hidden": "true" });
  values.forEach((v, i) => {
    const hgt = v === null ? 0 : Math.max(1, (v / top) * H);
    svg.append(v === null
      ? h("svg:text", { x: i * bw + bw / 2, y: H, class: "hidden-mark", "text-anchor": "middle" }, "•")
      : h("svg:rect", { x: i * bw + 2, y: H - hgt, width: bw - 4, height: hgt, class: `bar bar-${key}` }));
  });
  svg.append(h("svg:text", { x: 0, y: H + 12, class: "axis" }, monthLabel(months[0].end)),
    h("svg:text", { x: W, y: H + 12, class: "axis", "text-anchor": "end" }, monthLabel(months[months.length - 1].end)));
  const table = h("table", { class: "series", dataset: { series: key } },
    h("caption", { class: "visually-hidden" }, t(`dashboard.trend.series.${key}`)),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("dashboard.trend.month")), h("th", { scope: "col" }, t("dashboard.trend.value")))),
    h("tbody", {}, [...months].reverse().map((m) => h("tr", { dataset: { from: m.start, to: m.end } }, h("th", { scope: "row" }, monthLabel(m.end)), h("td", { class: "num" }, num(m[key]))))));
  return h("figure", { class: "small-chart", id: `chart-${key}` },
    h("figcaption", {}, t(`dashboard.trend.series.${key}`)),
    h("div", { class: "chart-pair" }, svg, h("div", { class: "series-wrap", tabindex: "0", role: "region", "aria-label": t("dashboard.trend.numbers_of", { name: t(`dashboard.trend.series.${key}`) }) }, table)));
}

export function charts(months, keys) {
  return h("div", { class: "charts" }, keys.map((k) => chart(months, k)));
}
