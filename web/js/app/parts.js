// Pieces shared by the workspace's views: badges, tag lists, the actor picker (an accessible
// combobox over the search route) and showing a problem's field errors next to the fields.
import { api, inNetwork } from "../core/api.js";
import { $$, clear, debounce, h } from "../core/dom.js";
import { t } from "../core/i18n.js";

export const kindBadge = (kind) => h("span", { class: `badge kind-${kind}` }, t(`common.kinds.${kind}`));

export function consentBadge(consent) {
  if (!consent) return null;
  return h("span", { class: `badge consent-${consent}` }, t(`common.consent.${consent}`));
}

// Themes and languages as the engine words them (GET /vocabulary, in the page's language).
const words = { themes: {}, languages: {} };
export function setWords(vocab) {
  words.themes = vocab.theme_labels || {};
  words.languages = vocab.language_names || {};
}
export const theme = (slug) => words.themes[slug] || slug.replaceAll("_", " ");
export const language = (code) => words.languages[code] || code.toUpperCase();
export const languages = (codes) => (codes && codes.length ? codes.map(language).join(", ") : t("common.none"));

export function tags(items, cls = "") {
  if (!items || !items.length) return h("span", { class: "hint" }, t("common.none"));
  return h("ul", { class: `tags ${cls}` }, items.map((x) => h("li", {}, theme(x))));
}

export function strength(value) {
  const n = Math.round(value || 0);
  return h("span", { class: "strength", "aria-label": t("app.ties.strength_of", { value: n }), role: "img" },
    "●".repeat(n) + "○".repeat(Math.max(0, 5 - n)));
}

export const list = (text) => text.split(",").map((s) => s.trim()).filter(Boolean);

/** A type-ahead picker of an existing actor: an input (role combobox) with a listbox of
 *  matches from GET /search. `onPick({id, name, kind})`. Keyboard: arrows, Enter, Escape. */
export function actorPicker({ nid, id, label, onPick, exclude = () => false }) {
  const listId = `${id}-list`;
  const input = h("input", {
    id, type: "text", role: "combobox", autocomplete: "off", "aria-autocomplete": "list",
    "aria-expanded": "false", "aria-controls": listId,
  });
  const listbox = h("ul", { id: listId, role: "listbox", hidden: true, "aria-label": t("app.contact.pick") });
  const picked = h("p", { class: "picked", "aria-live": "polite" });
  let options = [];
  let active = -1;

  const close = () => { listbox.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; input.removeAttribute("aria-activedescendant"); };
  const choose = (item) => {
    input.value = item.name;
    picked.textContent = t("app.contact.picked", { name: item.name });
    close();
    onPick({ id: item.actor_id, name: item.name, kind: item.kind });
  };
  const highlight = (i) => {
    active = i;
    $$("li", listbox).forEach((li, j) => li.setAttribute("aria-selected", String(j === i)));
    if (i >= 0) input.setAttribute("aria-activedescendant", `${listId}-${i}`);
  };
  const search = debounce(async () => {
    const q = input.value.trim();
    if (q.length < 2) { close(); return; }
    const res = await api(inNetwork(nid, "/search"), { query: { q, limit: 8 } });
    options = res.items.filter((x) => !exclude(x.actor_id));
    clear(listbox);
    options.forEach((item, i) => listbox.append(h("li", {
      id: `${listId}-${i}`, role: "option", "aria-selected": "false", dataset: { id: item.actor_id },
      onmousedown: (e) => { e.preventDefault(); choose(item); },
    }, `${item.name} · ${t(`common.kinds.${item.kind}`)}${item.area ? ` · ${item.area}` : ""}`)));
    listbox.hidden = options.length === 0;
    input.setAttribute("aria-expanded", String(options.length > 0));
    highlight(options.length ? 0 : -1);
  }, 180);
  input.addEventListener("input", () => { picked.textContent = ""; onPick(null); search(); });
  input.addEventListener("keydown", (e) => {
    if (listbox.hidden) return;
    if (e.key === "ArrowDown") { e.preventDefault(); highlight(Math.min(options.length - 1, active + 1)); }
    else if (e.key === "ArrowUp") { e.preventDefault(); highlight(Math.max(0, active - 1)); }
    else if (e.key === "Enter" && active >= 0) { e.preventDefault(); choose(options[active]); }
    else if (e.key === "Escape") close();
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
  return h("div", { class: "picker" }, h("label", { for: id }, label), input, listbox, picked);
}

/** Show a problem's field errors beside the inputs whose data-field matches; returns how
 *  many were placed. Unplaced errors go to the form's summary. */
export function showFieldErrors(form, err) {
  for (const old of $$(".field-error", form)) old.remove();
  for (const input of $$("[aria-invalid]", form)) { input.removeAttribute("aria-invalid"); input.removeAttribute("aria-describedby"); }
  const summary = form.querySelector(".form-errors");
  if (summary) clear(summary);
  const errors = err && err.errors && err.errors.length ? err.errors : (err ? [{ field: "", message: err.message }] : []);
  let n = 0;
  for (const e of errors) {
    const target = fieldFor(form, e.field || "");
    const msgId = `err-${Math.random().toString(36).slice(2, 9)}`;
    const msg = h("p", { class: "field-error", id: msgId }, e.message);
    if (target) {
      target.setAttribute("aria-invalid", "true");
      target.setAttribute("aria-describedby", msgId);
      (target.closest(".field") || target).after(msg);
      n += 1;
    } else if (summary) {
      summary.append(h("p", { class: "error" }, e.field ? `${e.field}: ${e.message}` : e.message));
    }
  }
  return { placed: n, total: errors.length };
}

function fieldFor(form, field) {
  // exact, then the closest parent path (contacts[0].new_actor.name → contacts[0].new_actor)
  let path = field;
  while (path) {
    const el = form.querySelector(`[data-field="${CSS.escape(path)}"]`);
    if (el) return el;
    const cut = Math.max(path.lastIndexOf("."), path.lastIndexOf("["));
    if (cut <= 0) break;
    path = path.slice(0, cut);
  }
  return null;
}
