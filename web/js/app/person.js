// A person's (or organisation's) page: details with consent provenance, ties, the ego map,
// suggestions with their introducer's route, what was decided and came of it, their place in
// the network, and the netwerkkaart form to add contacts. Everything from /api/v1.
import { api, inNetwork } from "../core/api.js";
import { announce, clear, h } from "../core/dom.js";
import { date, num, t } from "../core/i18n.js";
import { contactRow, vocabulary } from "./contactform.js";
import { egoMap, highlightPath, legend } from "./egomap.js";
import { consentBadge, kindBadge, languages, showFieldErrors, strength, tags, theme } from "./parts.js";

const PERSONS = new Set(["resident", "key_figure", "professional"]);

let prefetched = null;

/** Everything the first paint of a person's page needs, asked at once (the server answers
 *  in parallel). The workspace calls this as soon as it starts on a person's address, beside
 *  "who am I", so that the page does not wait for one round trip before the next; the API
 *  still decides what the caller may see (a viewer's requests are refused there). */
export function prefetch(nid, aid) {
  const get = (path, query) => api(inNetwork(nid, path), { query });
  const self = `/actors/${encodeURIComponent(aid)}`;
  const early = {
    actor: get(self),
    consent: get(`${self}/consent`).catch(() => null),
    ego: get(`${self}/ego`, { steps: 2 }),
    ties: get("/ties", { actor: aid, limit: 500 }),
    suggestions: get(`${self}/suggestions`, { limit: 10 }),
    decisions: get(`${self}/decisions`, { limit: 20 }),
    vocabulary: vocabulary(api),
  };
  for (const p of Object.values(early)) p.catch(() => {});
  prefetched = { nid, aid, early };
  return early;
}

export async function render(main, ctx) {
  const { nid, id: aid } = ctx;
  const get = (path, query) => api(inNetwork(nid, path), { query });
  const actorHref = (id) => ctx.href(nid, "actor", id);

  // later reloads of a section (after a decision, a new tie) ask again
  const self = `/actors/${encodeURIComponent(aid)}`;
  const early = prefetched && prefetched.nid === nid && prefetched.aid === aid ? prefetched.early : prefetch(nid, aid);
  prefetched = null;
  const first = (key, ask) => {
    const p = early[key];
    if (p) { delete early[key]; return p; }
    return ask();
  };
  const actor = await first("actor", () => get(self));
  const isPerson = PERSONS.has(actor.kind);
  const sections = {
    details: h("section", { class: "card", id: "details", "aria-labelledby": "h-details" }),
    suggestions: h("section", { class: "card", id: "suggestions", "aria-labelledby": "h-suggest" }),
    decisions: h("section", { class: "card", id: "decisions", "aria-labelledby": "h-decisions" }),
    ego: h("section", { class: "card", id: "ego", "aria-labelledby": "h-ego" }),
    ties: h("section", { class: "card", id: "ties", "aria-labelledby": "h-ties" }),
    position: h("section", { class: "card", id: "position", "aria-labelledby": "h-position" }),
    contact: h("section", { class: "card", id: "add-contact", "aria-labelledby": "h-contact" }),
    audit: ctx.me.role === "admin" ? h("section", { class: "card", id: "audit", "aria-labelledby": "h-audit" }) : null,
  };
  main.append(
    h("div", { class: "person-head" }, h("h1", {}, actor.name), kindBadge(actor.kind), consentBadge(actor.consent)),
    h("div", { class: "columns" },
      h("div", {}, sections.details, sections.suggestions, sections.decisions, sections.audit),
      h("div", {}, sections.ego, sections.ties, sections.contact, sections.position)));

  let egoSvg = null;
  let egoData = null;
  let names = new Map([[aid, actor.name]]);

  // --- details ------------------------------------------------------------------------
  async function details() {
    const consent = isPerson ? await first("consent", () => get(`${self}/consent`).catch(() => null)) : null;
    const rows = [
      ["app.person.area", actor.area || t("common.none")],
      ["app.person.languages", languages(actor.languages)],
      ["app.person.needs", tags(actor.needs, "needs")],
      ["app.person.assets", tags(actor.assets, "assets")],
    ];
    if (consent) {
      rows.push(["app.person.consent", h("span", {}, t(`common.consent.${consent.consent}`), h("br"),
        h("span", { class: "hint", id: "consent-provenance" }, consent.recorded_at
          ? t("app.person.recorded", { who: consent.recorded_by || t("common.none"), date: date(consent.recorded_at),
            basis: consent.basis ? t(`common.basis.${consent.basis}`) : t("common.none") })
          : t("app.person.recorded_unknown")))]);
    }
    if (actor.note) rows.push(["app.person.note", actor.note]);
    clear(sections.details).append(h("h2", { id: "h-details" }, t("app.person.details")),
      h("dl", { class: "facts" }, rows.map(([k, v]) => [h("dt", {}, t(k)), h("dd", {}, v)])));
  }

  // --- ego map ------------------------------------------------------------------------
  async function ego() {
    egoData = await first("ego", () => get(`${self}/ego`, { steps: 2 }));
    for (const n of egoData.nodes) names.set(n.actor_id, n.name);
    egoSvg = egoMap(egoData, { href: actorHref });
    egoSvg.id = "egomap";
    clear(sections.ego).append(h("h2", { id: "h-ego" }, t("app.ego.title")),
      h("p", { class: "hint" }, t("app.ego.caption", { name: actor.name }),
        egoData.left_out ? ` ${t("app.ego.left_out", { count: egoData.left_out })}` : ""),
      egoSvg, legend());
    sections.ego.dataset.nodes = String(egoData.nodes.length);
  }

  // --- ties ---------------------------------------------------------------------------
  async function ties() {
    const page = await first("ties", () => get("/ties", { actor: aid, limit: 500 }));
    const today = new Date().toISOString().slice(0, 10);
    // a tie ended today (until = today) is over for the broker, though it counts as active
    // for the analyses until the end of the day
    const active = page.items.filter((x) => !x.until || x.until > today);
    const missing = active.map((x) => (x.source === aid ? x.target : x.source)).filter((id) => !names.has(id));
    await Promise.all([...new Set(missing)].slice(0, 50).map(async (id) => {
      const other = await get(`/actors/${encodeURIComponent(id)}`).catch(() => null);
      if (other) names.set(id, other.name);
    }));
    const body = h("tbody");
    for (const tie of active) {
      const other = tie.source === aid ? tie.target : tie.source;
      const row = h("tr", { dataset: { tie: tie.id, other } },
        h("td", {}, h("a", { href: actorHref(other) }, names.get(other) || other)),
        h("td", {}, t(`common.tie_kinds.${tie.kind}`)),
        h("td", {}, strength(tie.strength)),
        h("td", {}, tie.support.length ? tie.support.map((s) => t(`common.support.${s}`)).join(", ") : t("common.none")),
        h("td", {}, tie.since ? date(tie.since) : t("common.none")),
        h("td", {}, h("div", { class: "actions" },
          h("button", { type: "button", onclick: () => editTie(row, tie) }, t("app.ties.edit")),
          h("button", { type: "button", onclick: async () => {
            await api(inNetwork(nid, `/ties/${tie.id}`), { method: "PATCH", body: { until: today } });
            announce(t("app.ties.ended"));
            await Promise.all([ties(), ego()]);
          } }, t("app.ties.end")))));
      body.append(row);
    }
    clear(sections.ties).append(h("h2", { id: "h-ties" }, `${t("app.ties.title")} (${num(active.length)})`),
      active.length ? h("div", { class: "table-wrap" }, h("table", { class: "ties-table" },
        h("thead", {}, h("tr", {}, ["with", "kind", "strength", "support", "since", "actions"].map((k) => h("th", { scope: "col" }, t(`app.ties.${k}`))))),
        body)) : h("p", {}, t("app.ties.none")));
  }

  function editTie(row, tie) {
    const cell = row.lastElementChild;
    const form = h("form", { class: "edit-tie", onsubmit: async (e) => {
      e.preventDefault();
      try {
        await api(inNetwork(nid, `/ties/${tie.id}`), { method: "PATCH", body: {
          strength: Number(form.querySelector("select").value),
          support: [...form.querySelectorAll("input:checked")].map((x) => x.value),
        } });
        announce(t("app.ties.saved"));
        await Promise.all([ties(), ego()]);
      } catch (err) { showFieldErrors(form, err); }
    } },
    h("label", { for: `s-${tie.id}` }, t("app.ties.strength")),
    h("select", { id: `s-${tie.id}`, "data-field": "strength" }, [1, 2, 3, 4, 5].map((n) => h("option", { value: n, selected: n === tie.strength }, String(n)))),
    h("fieldset", { "data-field": "support" }, h("legend", {}, t("app.ties.support")),
      ["practical", "company", "advice", "emotional"].map((s) => h("label", { class: "choice" },
        h("input", { type: "checkbox", value: s, checked: tie.support.includes(s) }), t(`common.support.${s}`)))),
    h("div", { class: "form-errors" }),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, t("common.save")),
      h("button", { type: "button", onclick: () => ties() }, t("common.cancel"))));
    clear(cell).append(form);
    form.querySelector("select").focus();
  }

  // --- suggestions ----------------------------------------------------------------------
  let themeFilter = "";
  async function suggestions() {
    clear(sections.suggestions).append(h("h2", { id: "h-suggest" }, t("app.suggest.title", { name: actor.name })));
    const themes = [...new Set([...actor.needs, ...actor.assets])];
    if (themes.length) {
      sections.suggestions.append(h("div", { class: "no-print" },
        h("label", { for: "suggest-theme" }, t("app.suggest.theme")),
        h("select", { id: "suggest-theme", onchange: (e) => { themeFilter = e.target.value; suggestions(); } },
          h("option", { value: "" }, t("app.suggest.all_themes")),
          themes.map((x) => h("option", { value: x, selected: x === themeFilter }, theme(x))))));
    }
    const list = h("div", { id: "suggestion-list" });
    sections.suggestions.append(list);
    const res = themeFilter
      ? await get(`${self}/suggestions`, { limit: 10, theme: themeFilter })
      : await first("suggestions", () => get(`${self}/suggestions`, { limit: 10 }));
    if (res.notice) list.append(h("p", { class: "hint" }, res.notice));
    if (!res.suggestions.length) { list.append(h("p", {}, t("app.suggest.none"))); return; }
    const shown = 5;
    res.suggestions.slice(0, shown).forEach((s, k) => {
      const card = suggestionCard(s);
      list.append(card);
      if (k === 0) card.showRoute();
    });
    const rest = res.suggestions.slice(shown);
    if (rest.length) {
      const more = h("button", { type: "button", id: "more-suggestions", onclick: () => {
        more.remove();
        const cards = rest.map(suggestionCard);
        list.append(...cards);
        cards[0].querySelector("a").focus();
      } }, t("app.suggest.more", { count: rest.length }));
      list.append(more);
    }
  }

  function suggestionCard(s) {
    const intro = s.introduction;
    const route = intro.path.map((step) => step.actor);
    const decide = async (decision) => {
      if (decision === "never") {
        await api(inNetwork(nid, "/suggestions/do-not-suggest"), { method: "POST", body: { source: aid, target: s.target.actor_id } });
      } else {
        await api(inNetwork(nid, "/suggestions/feedback"), { method: "POST", body: {
          source: aid, target: s.target.actor_id, decision,
          introducer: intro.introducer ? intro.introducer.actor_id : null,
          reason_codes: s.reasons.map((r) => r.code), suggestion_kind: s.kind, score: s.score,
        } });
      }
      announce(t(`app.suggest.done_${decision}`));
      await Promise.all([suggestions(), decisions()]);
      document.getElementById("h-decisions")?.focus?.();
    };
    const show = () => {
      if (!egoSvg) return;
      highlightPath(egoSvg, route.map((a) => a.actor_id));
      card.dataset.highlighted = "true";
    };
    const card = h("article", { class: "card suggestion", dataset: { target: s.target.actor_id },
      "aria-labelledby": `sg-${s.target.actor_id}` },
      h("h3", { id: `sg-${s.target.actor_id}` }, h("a", { href: actorHref(s.target.actor_id) }, s.target.name), kindBadge(s.target.kind)),
      h("p", {}, s.sentence),
      intro.introducer
        ? h("p", { class: "via" }, t("app.suggest.via", { name: intro.introducer.name }), " ", kindBadge(intro.introducer.kind))
        : h("p", { class: "hint" }, t("app.suggest.broker_introduces")),
      route.length > 1 ? h("div", {}, h("span", { class: "visually-hidden" }, t("app.suggest.route")),
        h("ol", { class: "route", "aria-label": t("app.suggest.route") }, route.map((a) => h("li", {}, a.name)))) : null,
      h("details", {}, h("summary", {}, t("app.suggest.why")),
        h("ul", { class: "reasons" }, s.reasons.map((r) => h("li", {}, r.sentence)))),
      h("div", { class: "actions" },
        route.length > 1 ? h("button", { type: "button", class: "show-route", onclick: show, "aria-controls": "egomap" }, t("app.suggest.show_route")) : null,
        h("button", { type: "button", class: "primary", dataset: { decision: "accepted" }, onclick: () => decide("accepted") }, t("app.suggest.accepted")),
        h("button", { type: "button", dataset: { decision: "not_now" }, onclick: () => decide("not_now") }, t("app.suggest.not_now")),
        h("button", { type: "button", dataset: { decision: "declined" }, onclick: () => decide("declined") }, t("app.suggest.declined")),
        h("button", { type: "button", dataset: { decision: "never" }, onclick: () => decide("never") }, t("app.suggest.never"))));
    card.showRoute = show;
    card.addEventListener("mouseenter", show);
    card.addEventListener("focusin", show);
    return card;
  }

  // --- decisions ----------------------------------------------------------------------
  async function decisions() {
    const res = await first("decisions", () => get(`${self}/decisions`, { limit: 20 }));
    clear(sections.decisions).append(h("h2", { id: "h-decisions", tabindex: "-1" }, t("app.decisions.title")));
    if (!res.items.length) { sections.decisions.append(h("p", { class: "hint" }, t("app.decisions.none"))); return; }
    for (const f of res.items) {
      const otherId = f.source_id === aid ? f.target_id : f.source_id;
      const otherName = f.source_id === aid ? f.target_name : f.source_name;
      const row = h("div", { class: "decision", dataset: { feedback: f.id, decision: f.decision, outcome: f.outcome || "" } },
        h("p", {}, h("a", { href: actorHref(otherId) }, otherName), " — ",
          t("app.decisions.decided", { decision: t(`app.decisions.labels.${f.decision}`), date: date(f.decided_at) }),
          f.introducer_name ? ` · ${t("app.suggest.via", { name: f.introducer_name })}` : "",
          f.outcome ? ` · ${t("app.decisions.outcome", { outcome: t(`app.decisions.labels.${f.outcome}`) })}` : ""));
      if (f.decision === "accepted" && !f.outcome) {
        const outcome = async (value) => {
          await api(inNetwork(nid, `/suggestions/feedback/${f.id}/outcome`), { method: "POST",
            body: { outcome: value, create_tie: value === "tie_formed" } });
          announce(t(value === "tie_formed" ? "app.decisions.recorded_tie" : "app.decisions.recorded_none"));
          await Promise.all([decisions(), ties(), ego(), suggestions()]);
        };
        row.append(h("div", { class: "actions" },
          h("button", { type: "button", class: "primary", dataset: { outcome: "tie_formed" }, onclick: () => outcome("tie_formed") }, t("app.decisions.tie_formed")),
          h("button", { type: "button", dataset: { outcome: "no_contact" }, onclick: () => outcome("no_contact") }, t("app.decisions.no_contact"))));
      }
      sections.decisions.append(row);
    }
  }

  // --- add a contact ------------------------------------------------------------------
  async function contactForm() {
    const vocab = await first("vocabulary", () => vocabulary(api));
    let row = contactRow({ nid, vocab, i: 0, ownId: aid });
    const holder = h("div", {}, row.node);
    const form = h("form", { id: "contact-form", noValidate: true, onsubmit: async (e) => {
      e.preventDefault();
      const local = row.check();
      if (local) { showFieldErrors(form, { errors: [local] }); return; }
      try {
        const res = await api(inNetwork(nid, `/actors/${encodeURIComponent(aid)}/contacts`), { method: "POST", body: { contacts: [row.value()] } });
        showFieldErrors(form, null);
        announce(t("app.contact.saved", { count: res.ties.length }));
        row = contactRow({ nid, vocab, i: 0, ownId: aid });
        holder.replaceChildren(row.node);
        await Promise.all([ties(), ego()]);
      } catch (err) {
        showFieldErrors(form, err);
        announce(err.message, "error");
      }
    } },
    h("p", { class: "hint" }, t("app.contact.intro")), holder, h("div", { class: "form-errors" }),
    h("button", { type: "submit", class: "primary" }, t("app.contact.add")));
    clear(sections.contact).append(h("h2", { id: "h-contact" }, t("app.contact.title")), form);
  }

  // --- place in the network (loaded after the rest: the analyses may take a moment) ---------
  async function position() {
    clear(sections.position).append(h("h2", { id: "h-position" }, t("app.person.position")), h("p", { class: "loading" }, t("common.loading")));
    const [kf, gaps, whatIf] = await Promise.all([
      api(inNetwork(nid, "/analysis/key-figures"), { query: { top: 1000 } }).catch(() => null),
      api(inNetwork(nid, "/analysis/gaps"), { query: { limit: 1000 } }).catch(() => null),
      api(inNetwork(nid, "/analysis/what-if"), { query: { remove: aid } }).catch(() => null),
    ]);
    const out = [];
    const figure = kf && [...kf.recognised, ...kf.unrecognised].find((f) => f.actor_id === aid);
    if (figure) {
      out.push(h("h3", {}, t(figure.recognised ? "app.person.key_figure" : "app.person.acts_as_key")),
        h("ul", {}, figure.reasons.map((r) => h("li", {}, r.sentence))));
    }
    const mine = gaps ? gaps.gaps.filter((g) => g.actors.some((a) => a.actor_id === aid)) : [];
    if (mine.length) out.push(h("h3", {}, t("app.person.in_gaps")), h("ul", {}, mine.slice(0, 5).map((g) => h("li", {}, g.explanation))));
    if (whatIf && whatIf.summary) out.push(h("h3", {}, t("app.person.what_if", { name: actor.name })), h("p", {}, whatIf.summary));
    clear(sections.position).append(h("h2", { id: "h-position" }, t("app.person.position")), ...(out.length ? out : [h("p", {}, t("app.person.no_position"))]));
  }

  async function audit() {
    if (!sections.audit) return;
    const res = await get(`/actors/${encodeURIComponent(aid)}/audit`, { limit: 20 }).catch(() => ({ items: [] }));
    clear(sections.audit).append(h("h2", { id: "h-audit" }, t("app.person.audit")),
      h("ul", {}, res.items.map((r) => h("li", {}, t("app.person.audit_row", {
        when: new Date(r.at).toLocaleString(), action: `${r.method} ${r.route.replace("/api/v1/networks/{nid}", "")}`, role: t(`common.roles.${r.role || "admin"}`) })))));
  }

  await Promise.all([details(), ego(), decisions()]);
  await Promise.all([suggestions(), ties(), contactForm()]);
  main.dataset.person = "ready";
  position();
  audit();
}
