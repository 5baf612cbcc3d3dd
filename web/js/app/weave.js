// Weaving (Krebs & Holley): the introductions that close the largest structural holes, with
// the measured gain, acted on like suggestions (POST …/suggestions/feedback, kind "weave").
import { api, inNetwork } from "../core/api.js";
import { announce, clear, h } from "../core/dom.js";
import { num, t } from "../core/i18n.js";
import { kindBadge } from "./parts.js";

export async function render(main, ctx) {
  main.append(h("h1", {}, t("app.weave.title")), h("p", {}, t("app.weave.intro")));
  const box = h("div", { id: "weave-list" });
  main.append(box);
  async function load() {
    const res = await api(inNetwork(ctx.nid, "/suggestions/weave"), { query: { limit: 10 } });
    clear(box);
    if (!res.introductions.length) { box.append(h("p", {}, t("app.weave.none"))); return; }
    for (const w of res.introductions) {
      const decide = async (decision) => {
        await api(inNetwork(ctx.nid, "/suggestions/feedback"), { method: "POST", body: {
          source: w.a.actor_id, target: w.b.actor_id, decision, suggestion_kind: "weave", score: w.score,
          introducer: w.introduction.introducer ? w.introduction.introducer.actor_id : null,
          reason_codes: w.reasons.map((r) => r.code) } });
        announce(t(`app.suggest.done_${decision}`));
        await load();
      };
      const gain = [];
      if (w.gain.components_joined) gain.push(t("app.weave.joins", { count: w.gain.components_joined }));
      if (w.gain.persons_reaching_help) gain.push(t("app.weave.reach_help", { count: w.gain.persons_reaching_help }));
      box.append(h("article", { class: "card suggestion" },
        h("h2", {}, h("a", { href: ctx.href(ctx.nid, "actor", w.a.actor_id) }, w.a.name), " ", kindBadge(w.a.kind), " ↔ ",
          h("a", { href: ctx.href(ctx.nid, "actor", w.b.actor_id) }, w.b.name), " ", kindBadge(w.b.kind)),
        h("p", {}, w.sentence),
        w.introduction.introducer ? h("p", { class: "via" }, t("app.suggest.via", { name: w.introduction.introducer.name })) : null,
        gain.length ? h("p", { class: "hint" }, `${t("app.weave.gain")}: ${gain.join("; ")}`) : null,
        h("details", {}, h("summary", {}, t("app.suggest.why")), h("ul", { class: "reasons" }, w.reasons.map((r) => h("li", {}, r.sentence)))),
        h("div", { class: "actions" },
          h("button", { type: "button", class: "primary", onclick: () => decide("accepted") }, t("app.suggest.accepted")),
          h("button", { type: "button", onclick: () => decide("not_now") }, t("app.suggest.not_now")),
          h("button", { type: "button", onclick: () => decide("declined") }, t("app.suggest.declined")))));
    }
    box.dataset.count = String(res.introductions.length);
    void num;
  }
  await load();
}
