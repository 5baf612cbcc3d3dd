// A question for an area or a person ("taal en ontmoeting in de Kerkstraat"): the activation
// plan of POST …/activations — whom to activate, the chain of ties, who makes the first call —
// laid out to print on one A4 page.
import { api, inNetwork } from "../core/api.js";
import { clear, h } from "../core/dom.js";
import { date, t } from "../core/i18n.js";
import { actorPicker, kindBadge, list, showFieldErrors, theme } from "./parts.js";

export async function render(main, ctx) {
  const params = new URLSearchParams(window.location.search);
  let focus = null;
  const result = h("section", { id: "plan-result", "aria-live": "polite" });
  const form = h("form", { id: "plan-form", class: "card no-print", noValidate: true, onsubmit: (e) => { e.preventDefault(); run(); } },
    h("div", {}, h("label", { for: "plan-area" }, t("app.plan.area")),
      h("input", { id: "plan-area", type: "text", "data-field": "area", value: params.get("area") || "", maxlength: 80 })),
    h("div", { class: "field", "data-field": "focus_actor" }, actorPicker({ nid: ctx.nid, id: "plan-person", label: t("app.plan.person"), onPick: (x) => { focus = x; } })),
    h("div", {}, h("label", { for: "plan-themes" }, t("app.plan.themes")),
      h("input", { id: "plan-themes", type: "text", "data-field": "themes", value: params.get("themes") || "", required: true })),
    h("div", { class: "form-errors" }),
    h("button", { type: "submit", class: "primary" }, t("app.plan.submit")));
  main.append(h("h1", { class: "no-print" }, t("app.plan.title")), h("p", { class: "no-print" }, t("app.plan.intro")), form, result);

  async function run() {
    const area = form.querySelector("#plan-area").value.trim();
    const themes = list(form.querySelector("#plan-themes").value);
    const body = { themes };
    if (area) body.area = area;
    if (focus) body.focus_actor = focus.id;
    const query = new URLSearchParams({ ...(area ? { area } : {}), themes: themes.join(", ") });
    window.history.replaceState(null, "", `${window.location.pathname}?${query}`);
    let plan;
    try {
      plan = await api(inNetwork(ctx.nid, "/activations"), { method: "POST", body });
      showFieldErrors(form, null);
    } catch (err) { showFieldErrors(form, err); clear(result); return; }
    const where = plan.area || (plan.focus && plan.focus.name) || ctx.network.name;
    clear(result).append(
      h("h1", { class: "print-only" }, t("app.plan.result", { themes: plan.themes.map(theme).join(", "), where })),
      h("div", { class: "card" },
        h("h2", { class: "no-print", id: "plan-title" }, t("app.plan.result", { themes: plan.themes.map(theme).join(", "), where })),
        plan.notice ? h("p", { class: "hint" }, plan.notice) : null,
        plan.uncovered_themes.length ? h("p", { class: "hint" }, t("app.plan.uncovered", { themes: plan.uncovered_themes.map(theme).join(", ") })) : null,
        plan.items.length ? h("ol", { class: "plan-items" }, plan.items.map((item) => h("li", { dataset: { actor: item.actor.actor_id } },
          h("p", {}, h("span", { class: "rank" }, `${item.rank}.`), h("a", { href: ctx.href(ctx.nid, "actor", item.actor.actor_id) }, h("strong", {}, item.actor.name)), " ", kindBadge(item.actor.kind)),
          h("p", {}, item.sentence),
          item.chain.length > 1 ? h("p", { class: "hint" }, `${t("app.plan.chain")}: ${item.chain.map((s) => s.actor.name).join(" → ")}`) : null,
          h("p", {}, `${t("app.plan.first_call")}: `, h("strong", {}, item.first_call ? item.first_call.name : t("app.plan.self"))))))
          : h("p", {}, t("app.plan.none")),
        h("p", { class: "hint" }, t("app.plan.made", { date: date(new Date().toISOString()), who: ctx.me.name })),
        h("button", { type: "button", id: "print-plan", class: "no-print", onclick: () => window.print() }, t("common.print"))));
    result.dataset.items = String(plan.items.length);
  }
  if (params.get("themes")) await run();
}
