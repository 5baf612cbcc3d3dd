// Find people, initiatives, organisations and places: type-ahead on the name (the server
// forgives accents and small typos) and filters; each hit shows what a broker needs to pick
// the right person.
import { api, inNetwork } from "../core/api.js";
import { $, clear, debounce, h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { consentBadge, kindBadge, languages, theme } from "./parts.js";

const KINDS = ["resident", "key_figure", "professional", "organisation", "initiative", "place"];

export async function render(main, ctx) {
  const params = new URLSearchParams(window.location.search);
  const results = h("div", { id: "results", "aria-live": "polite" });
  const field = (id, key, attrs = {}) => h("div", {}, h("label", { for: id }, t(key)),
    h("input", { id, name: id, type: "text", value: params.get(id) || "", ...attrs }));
  const form = h("form", { id: "search-form", role: "search", onsubmit: (e) => { e.preventDefault(); run(); } },
    h("div", { class: "searchbar" },
      h("div", { class: "grow" },
        h("label", { for: "q" }, t("app.search.label")),
        h("input", { id: "q", name: "q", type: "search", autocomplete: "off", placeholder: t("app.search.placeholder"),
          value: sessionStorage.getItem("netwerk-search") || "", "aria-describedby": "q-hint" })),
      h("button", { type: "submit", class: "primary" }, t("app.search.submit"))),
    h("p", { id: "q-hint", class: "hint" }, t("app.search.hint")),
    h("details", { class: "card", open: window.matchMedia("(min-width: 960px)").matches || null },
      h("summary", {}, t("app.search.filters")),
      h("div", { class: "filters" },
        h("div", {}, h("label", { for: "kind" }, t("app.search.kind")),
          h("select", { id: "kind", name: "kind" }, h("option", { value: "" }, t("app.search.any_kind")),
            KINDS.map((k) => h("option", { value: k, selected: params.get("kind") === k }, t(`common.kinds.${k}`))))),
        field("area", "app.search.area"),
        field("theme", "app.search.theme"),
        field("language", "app.search.language", { maxlength: 3 }),
        h("div", {}, h("label", { for: "consent" }, t("app.search.consent")),
          h("select", { id: "consent", name: "consent" }, h("option", { value: "" }, t("app.search.any_consent")),
            ["given", "unknown", "withdrawn"].map((c) => h("option", { value: c, selected: params.get("consent") === c }, t(`common.consent.${c}`))))))));

  main.append(
    h("h1", {}, t("app.search.title", { network: ctx.network.name })),
    form,
    h("nav", { class: "shortcuts", "aria-label": t("app.search.shortcuts") },
      h("a", { class: "button", href: ctx.href(ctx.nid, "new") }, `+ ${t("app.nav.new")}`),
      h("a", { class: "button", href: ctx.href(ctx.nid, "plan") }, t("app.nav.plan")),
      h("a", { class: "button", href: ctx.href(ctx.nid, "map") }, t("app.nav.map"))),
    results);

  let seq = 0;
  async function run() {
    const values = Object.fromEntries(["q", "kind", "area", "theme", "language", "consent"].map((k) => [k, $(`#${k}`).value.trim()]));
    // Filters go in the address (shareable, no personal data); a typed name never does:
    // it would sit in the browser's history. It is kept for this tab only.
    const query = new URLSearchParams(Object.entries(values).filter(([k, v]) => v && k !== "q"));
    window.history.replaceState(null, "", `${window.location.pathname}${query.size ? `?${query}` : ""}`);
    sessionStorage.setItem("netwerk-search", values.q);
    if (!Object.values(values).some(Boolean)) { clear(results).append(h("p", { class: "hint" }, t("app.search.start"))); return; }
    const mine = ++seq;
    let res;
    try {
      res = await api(inNetwork(ctx.nid, "/search"), { query: { ...values, limit: 30 } });
    } catch (err) {
      if (mine === seq) clear(results).append(h("p", { class: "error", role: "alert" }, t("common.failed", { detail: err.message })));
      return;
    }
    if (mine !== seq) return; // an older answer arriving late
    clear(results);
    results.dataset.count = String(res.items.length);
    if (!res.items.length) { results.append(h("p", {}, t("app.search.nothing"))); return; }
    results.append(h("p", { class: "hint" }, t("app.search.results", { count: res.total }),
      res.total > res.items.length ? ` — ${t("app.search.more", { count: res.total - res.items.length })}` : ""));
    results.append(h("ul", { class: "results" }, res.items.map((item) => h("li", { class: "result" },
      h("a", { class: "name", href: ctx.href(ctx.nid, "actor", item.actor_id) }, item.name),
      h("div", { class: "meta" },
        kindBadge(item.kind),
        item.area ? h("span", {}, item.area) : null,
        h("span", {}, t("app.search.ties", { count: item.ties })),
        item.languages.length ? h("span", {}, languages(item.languages)) : null,
        consentBadge(item.consent)),
      item.needs.length || item.assets.length ? h("div", { class: "meta" },
        item.needs.length ? h("span", {}, `${t("app.search.needs")}: ${item.needs.map(theme).join(", ")}`) : null,
        item.assets.length ? h("span", {}, `${t("app.search.offers")}: ${item.assets.map(theme).join(", ")}`) : null) : null))));
  }

  const live = debounce(run, 200);
  $("#q").addEventListener("input", live);
  for (const id of ["kind", "consent"]) $(`#${id}`).addEventListener("change", run);
  await run();
  $("#q").focus();
}
