// The researcher's page: a pseudonymised export (the API pseudonymises for this role and
// leaves out persons without consent); the file is fetched with the tab's token.
import { LANG, t } from "../core/i18n.js";
import { token } from "../core/auth.js";
import { announce, h } from "../core/dom.js";

const FORMATS = ["graphml", "gexf", "json", "csv", "pajek"];

export async function render(main, ctx) {
  const form = h("form", { id: "export-form", class: "card narrow", onsubmit: async (e) => {
    e.preventDefault();
    const format = form.querySelector("#format").value;
    const res = await fetch(`/api/v1/networks/${encodeURIComponent(ctx.nid)}/export?format=${format}`, {
      headers: { Authorization: `Bearer ${token()}`, "Accept-Language": LANG } });
    if (!res.ok) { const p = await res.json().catch(() => ({})); announce(p.detail || String(res.status), "error"); return; }
    const blob = await res.blob();
    const name = `netwerk-${ctx.nid}.${format === "pajek" ? "net" : format === "csv" ? "zip" : format}`;
    const link = h("a", { href: URL.createObjectURL(blob), download: name }, name);
    link.click();
    announce(t("app.export.ready", { file: name }));
  } },
  h("label", { for: "format" }, t("app.export.format")),
  h("select", { id: "format" }, FORMATS.map((f) => h("option", { value: f }, f))),
  h("p", {}, h("button", { type: "submit", class: "primary" }, t("app.export.download"))));
  main.append(h("h1", {}, t("app.export.title")), h("p", {}, t("app.export.intro")), form);
}
