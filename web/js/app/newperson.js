// Record a new person with their first contacts, as on a netwerkkaart. One request
// (POST …/persons): everything is written, or nothing, and every error shows at its field
// while the form keeps what was typed.
import { api, inNetwork } from "../core/api.js";
import { announce, h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { contactRow, vocabulary } from "./contactform.js";
import { list, showFieldErrors } from "./parts.js";

export async function render(main, ctx) {
  const vocab = await vocabulary(api);
  const rows = [];
  const holder = h("div", { id: "contact-rows" });
  const addRow = () => {
    const i = rows.length;
    const row = contactRow({ nid: ctx.nid, vocab, i });
    rows.push(row);
    holder.append(row.node);
    return row;
  };
  const input = (id, key, field, attrs = {}) => h("div", {},
    h("label", { for: id }, t(key)), h("input", { id, type: "text", "data-field": field, ...attrs }));

  const form = h("form", { id: "person-form", noValidate: true, onsubmit: async (e) => {
    e.preventDefault();
    const local = rows.map((r) => r.check()).filter(Boolean);
    if (local.length) { showFieldErrors(form, { errors: local }); announce(t("app.new.errors", { count: local.length }), "error"); return; }
    const kind = form.querySelector("#p-kind").value;
    const person = {
      kind,
      name: form.querySelector("#p-name").value.trim(),
      languages: list(form.querySelector("#p-languages").value),
      needs: list(form.querySelector("#p-needs").value),
      assets: list(form.querySelector("#p-assets").value),
    };
    const area = form.querySelector("#p-area").value.trim();
    if (area) person.area = area;
    const note = form.querySelector("#p-note").value.trim();
    if (note) person.note = note;
    if (vocab.person_kinds.includes(kind)) {
      person.consent = form.querySelector("input[name=p-consent]:checked").value;
      person.consent_basis = form.querySelector("#p-basis").value;
    }
    try {
      const res = await api(inNetwork(ctx.nid, "/persons"), { method: "POST", body: { person, contacts: rows.map((r) => r.value()) } });
      announce(t("app.new.saved", { name: res.actor.name }));
      ctx.navigate(ctx.href(ctx.nid, "actor", res.actor.id));
    } catch (err) {
      const { total } = showFieldErrors(form, err);
      announce(t("app.new.errors", { count: Math.max(total, 1) }), "error");
      form.querySelector("[aria-invalid=true]")?.focus();
    }
  } },
  h("div", { class: "card" },
    input("p-name", "app.new.name", "person.name", { required: true, maxlength: 200, autocomplete: "off" }),
    h("div", {}, h("label", { for: "p-kind" }, t("app.new.kind")),
      h("select", { id: "p-kind", "data-field": "person.kind" }, vocab.actor_kinds.map((k) => h("option", { value: k }, t(`common.kinds.${k}`))))),
    input("p-area", "app.new.area", "person.area", { maxlength: 80 }),
    input("p-languages", "app.new.languages", "person.languages"),
    input("p-needs", "app.new.needs", "person.needs"),
    input("p-assets", "app.new.assets", "person.assets"),
    h("fieldset", { "data-field": "person.consent" }, h("legend", {}, t("app.new.consent")),
      vocab.consent.filter((c) => c !== "withdrawn").map((c) => h("label", { class: "choice" },
        h("input", { type: "radio", name: "p-consent", value: c, checked: c === "given" }), t(`common.consent.${c}`)))),
    h("div", {}, h("label", { for: "p-basis" }, t("app.new.basis")),
      h("select", { id: "p-basis", "data-field": "person.consent_basis" }, vocab.consent_basis.map((b) => h("option", { value: b }, t(`common.basis.${b}`))))),
    h("div", {}, h("label", { for: "p-note" }, t("app.new.note")),
      h("textarea", { id: "p-note", rows: 2, maxlength: 2000, "data-field": "person.note" }))),
  h("h2", {}, t("app.new.contacts")),
  holder,
  h("p", {}, h("button", { type: "button", id: "another-contact", onclick: () => addRow().node.querySelector("input")?.focus() }, `+ ${t("app.contact.another")}`)),
  h("div", { class: "form-errors", role: "alert" }),
  h("button", { type: "submit", class: "primary" }, t("app.new.save")));

  main.append(h("h1", {}, t("app.new.title")), h("p", {}, t("app.new.intro")), form);
  addRow();
  form.querySelector("#p-name").focus();
}
