// One contact on the netwerkkaart: the sector, who (someone known, found by name, or someone
// new with their consent), the kind of tie (the kinds that fit the sector, from
// GET /vocabulary), its strength and the support that flows along it.
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { actorPicker } from "./parts.js";

let vocabularyCache = null;
export function vocabulary(api) {
  // one request for every caller, even those that ask while it is on its way
  if (!vocabularyCache) {
    vocabularyCache = api("/vocabulary");
    vocabularyCache.catch(() => { vocabularyCache = null; });
  }
  return vocabularyCache;
}

/** A fieldset for contact number `i` (data-field names follow the API: `${prefix}[i].kind`).
 *  Returns {node, value(), check()}; value() is the ContactCreate body. */
export function contactRow({ nid, vocab, i, prefix = "contacts", ownId = null, onRemove = null }) {
  const base = `c${i}`;
  const at = (f) => `${prefix}[${i}].${f}`;
  let picked = null;
  let sector = vocab.sectors[1];

  const kindSelect = h("select", { id: `${base}-kind`, "data-field": at("kind") });
  const fillKinds = () => {
    const keep = kindSelect.value;
    kindSelect.replaceChildren(...vocab.sector_tie_kinds[sector].map((k) => h("option", { value: k }, t(`common.tie_kinds.${k}`))));
    if (vocab.sector_tie_kinds[sector].includes(keep)) kindSelect.value = keep;
  };
  fillKinds();

  const sectors = h("fieldset", { class: "sectors" }, h("legend", {}, t("app.contact.sector")),
    h("div", { class: "sectors-choice" }, vocab.sectors.map((s) => h("label", { class: "choice" },
      h("input", { type: "radio", name: `${base}-sector`, value: s, checked: s === sector,
        onchange: () => { sector = s; fillKinds(); } }),
      t(`app.ego.sectors.${s}`)))));

  const existingBox = h("div", { class: "field" }, actorPicker({
    nid, id: `${base}-find`, label: t("app.contact.find"),
    onPick: (item) => { picked = item; }, exclude: (id) => id === ownId,
  }));
  existingBox.querySelector("input").dataset.field = at("actor_id");
  const newBox = h("div", { hidden: true },
    h("label", { for: `${base}-name` }, t("app.contact.name")),
    h("input", { id: `${base}-name`, type: "text", maxlength: 200, "data-field": at("new_actor.name") }),
    h("label", { for: `${base}-newkind` }, t("app.contact.kind")),
    h("select", { id: `${base}-newkind`, "data-field": at("new_actor.kind") },
      vocab.actor_kinds.map((k) => h("option", { value: k }, t(`common.kinds.${k}`)))),
    h("fieldset", { "data-field": at("new_actor.consent") }, h("legend", {}, t("app.contact.consent")),
      vocab.consent.filter((c) => c !== "withdrawn").map((c) => h("label", { class: "choice" },
        h("input", { type: "radio", name: `${base}-consent`, value: c, checked: c === "unknown" }), t(`common.consent.${c}`)))));
  const whoChoice = h("fieldset", {}, h("legend", {}, t("app.contact.who")),
    ["existing", "new"].map((mode) => h("label", { class: "choice" },
      h("input", { type: "radio", name: `${base}-who`, value: mode, checked: mode === "existing",
        onchange: () => { existingBox.hidden = mode !== "existing"; newBox.hidden = mode !== "new"; } }),
      t(`app.contact.${mode}`))));

  const node = h("fieldset", { class: "card contact-row", dataset: { row: String(i) } },
    h("legend", {}, t("app.contact.number", { n: i + 1 })),
    sectors, whoChoice, existingBox, newBox,
    h("div", { class: "grid" },
      h("div", {}, h("label", { for: `${base}-kind` }, t("app.contact.tie_kind")), kindSelect),
      h("div", {}, h("label", { for: `${base}-strength` }, t("app.contact.strength")),
        h("select", { id: `${base}-strength`, "data-field": at("strength") },
          [1, 2, 3, 4, 5].map((n) => h("option", { value: n, selected: n === 3 }, String(n))))),
      h("div", {}, h("label", { for: `${base}-since` }, t("app.contact.since")),
        h("input", { id: `${base}-since`, type: "date", "data-field": at("since") }))),
    h("fieldset", { "data-field": at("support") }, h("legend", {}, t("app.contact.support")),
      vocab.support_kinds.map((s) => h("label", { class: "choice" },
        h("input", { type: "checkbox", name: `${base}-support`, value: s }), t(`common.support.${s}`)))),
    onRemove ? h("button", { type: "button", class: "linkish", onclick: onRemove }, t("app.contact.remove")) : null);

  const value = () => {
    const mode = node.querySelector(`input[name=${base}-who]:checked`).value;
    const body = {
      kind: kindSelect.value,
      strength: Number(node.querySelector(`#${base}-strength`).value),
      support: [...node.querySelectorAll(`input[name=${base}-support]:checked`)].map((x) => x.value),
    };
    const since = node.querySelector(`#${base}-since`).value;
    if (since) body.since = since;
    if (mode === "existing") {
      body.actor_id = picked ? picked.id : null;
    } else {
      const kind = node.querySelector(`#${base}-newkind`).value;
      body.new_actor = { kind, name: node.querySelector(`#${base}-name`).value.trim() };
      if (vocab.person_kinds.includes(kind)) {
        body.new_actor.consent = node.querySelector(`input[name=${base}-consent]:checked`).value;
      }
    }
    return body;
  };
  /** A missing choice, as a field error (the server would say the same, less kindly). */
  const check = () => {
    const v = value();
    if ("actor_id" in v && !v.actor_id) return { field: at("actor_id"), message: t("app.contact.pick_first") };
    return null;
  };
  return { node, value, check };
}
