// The broker's workspace: sign in, then one view per address under /app. Every figure and
// name comes from the /api/v1 routes; the role decides what the API returns, and the pages
// only send each role where it belongs (viewers to the dashboard, researchers to export).
import { api, inNetwork, whenUnauthorised } from "../core/api.js";
import { forget, takeTokenFromFragment, token } from "../core/auth.js";
import { $, announce, clear, h } from "../core/dom.js";
import { LANG, chooseLanguage, loadCatalogue, t, translateStatic } from "../core/i18n.js";

const PAGES = {
  search: () => import("./search.js"),
  actor: () => import("./person.js"),
  new: () => import("./newperson.js"),
  plan: () => import("./plan.js"),
  map: () => import("./map.js"),
  weave: () => import("./weave.js"),
  export: () => import("./export.js"),
};

let me = null;
let wordsLoaded = false;
let refused = false; // the last token was refused (401)
let pendingMe = null; // asked while the catalogue loads
let leaving = [];

/** /app/{nid}/{page}/{id} → {nid, page, id} */
function parse(pathname) {
  const parts = pathname.replace(/^\/app\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  return { nid: parts[0] || null, page: parts[1] || "search", id: parts[2] || null };
}

export function href(nid, page = "", id = "") {
  return ["/app", nid, page, id].filter(Boolean).map((p, i) => (i ? encodeURIComponent(p) : p)).join("/");
}

export function navigate(url, { replace = false } = {}) {
  if (replace) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
  route();
}

function languageSwitch() {
  const box = clear($("#lang"));
  const other = LANG === "nl" ? "en" : "nl";
  box.append(h("button", {
    type: "button", class: "linkish", lang: other,
    onclick: () => { sessionStorage.setItem("netwerk-lang", other); window.location.reload(); },
  }, other === "en" ? "English" : "Nederlands"));
}

function header(nid) {
  const nav = clear($("#nav"));
  const who = clear($("#who"));
  if (!me) { nav.hidden = true; return; }
  const links = me.role === "researcher"
    ? [["export", "app.nav.export"]]
    : [["search", "app.nav.search"], ["new", "app.nav.new"], ["plan", "app.nav.plan"],
       ["map", "app.nav.map"], ["weave", "app.nav.weave"]];
  const current = parse(window.location.pathname).page;
  const list = h("ul");
  for (const [page, key] of links) {
    list.append(h("li", {}, h("a", {
      href: href(nid, page === "search" ? "" : page),
      "aria-current": current === page ? "page" : null,
    }, t(key))));
  }
  nav.append(list);
  nav.hidden = !nid;
  if (me.networks.length > 1) {
    const select = h("select", { id: "network-switch", "aria-label": t("app.nav.network"),
      onchange: (e) => navigate(href(e.target.value)) },
      me.networks.map((n) => h("option", { value: n.id, selected: n.id === nid }, n.name)));
    who.append(select);
  }
  who.append(h("span", { class: "me" }, t("app.signin.as", { name: me.name, role: t(`common.roles.${me.role}`) })));
  who.append(h("button", { type: "button", class: "linkish", id: "signout", onclick: signOut }, t("app.nav.signout")));
}

function signOut() {
  forget();
  sessionStorage.removeItem("netwerk-search");
  me = null;
  navigate("/app", { replace: true });
  announce(t("app.signin.signed_out"));
}

function signInForm(main, message) {
  header(null);
  clear(main).append(
    h("h1", {}, t("app.signin.title")),
    h("p", {}, t("app.signin.intro")),
    message ? h("p", { class: "error", role: "alert" }, message) : "",
    h("form", { id: "signin", class: "card narrow", onsubmit: async (e) => {
      e.preventDefault();
      const value = $("#token-input").value.trim();
      if (!value) return;
      sessionStorage.setItem("netwerk-token", value);
      route();
    } },
    h("label", { for: "token-input" }, t("app.signin.token")),
    h("input", { id: "token-input", type: "password", autocomplete: "off", required: true }),
    h("p", { class: "hint" }, t("app.signin.kept")),
    h("button", { type: "submit", class: "primary" }, t("app.signin.submit"))),
  );
  main.dataset.ready = "true";
  main.dataset.view = "signin";
}

async function route() {
  const main = $("#main");
  main.dataset.ready = "false";
  if (!token()) {
    signInForm(main, refused ? t("app.signin.bad") : null);
    refused = false;
    return;
  }
  if (!me) {
    try { me = await (pendingMe || api("/me")); } catch (err) {
      me = null;
      signInForm(main, err.status === 401 ? t("app.signin.bad") : t("common.failed", { detail: err.message }));
      return;
    }
  }
  let { nid, page, id } = parse(window.location.pathname);
  if (!nid) {
    if (me.networks.length === 1) { navigate(href(me.networks[0].id), { replace: true }); return; }
    header(null);
    clear(main).append(h("h1", {}, t("app.signin.choose")),
      me.networks.length
        ? h("ul", { class: "choices" }, me.networks.map((n) => h("li", {}, h("a", { href: href(n.id) }, n.name))))
        : h("p", {}, t("app.signin.no_networks")));
    main.dataset.ready = "true";
    main.dataset.view = "choose";
    return;
  }
  // Where each role belongs: viewers see aggregates on the dashboard, researchers export.
  if (me.role === "viewer") {
    clear(main).append(h("p", { role: "alert" }, t("app.refused.viewer")),
      h("a", { href: `/dashboard/${encodeURIComponent(nid)}` }, t("app.refused.dashboard")));
    main.dataset.view = "refused";
    window.location.replace(`/dashboard/${encodeURIComponent(nid)}`);
    return;
  }
  if (me.role === "researcher" && page !== "export") { navigate(href(nid, "export"), { replace: true }); return; }
  const network = me.networks.find((n) => n.id === nid) || { id: nid, name: nid };
  if (!wordsLoaded) {
    wordsLoaded = true;
    const [{ vocabulary }, { setWords }] = await Promise.all([import("./contactform.js"), import("./parts.js")]);
    setWords(await vocabulary(api).catch(() => ({})));
  }
  header(nid);
  const load = PAGES[page] || PAGES.search;
  clear(main).append(h("p", { class: "loading" }, t("common.loading")));
  try {
    const module = await load();
    for (const fn of leaving.splice(0)) fn();
    const ctx = { me, nid, network, id, navigate, href, onLeave: (fn) => leaving.push(fn) };
    clear(main);
    main.dataset.view = page;
    await module.render(main, ctx);
    document.title = `${main.querySelector("h1")?.textContent || t("app.title")} · ${t("common.product")}`;
  } catch (err) {
    clear(main).append(h("h1", {}, t("app.title")), h("p", { class: "error", role: "alert" },
      err.status === 404 ? t("app.person.not_found") : t("common.failed", { detail: err.message })));
  }
  main.dataset.ready = "true";
}

// Same-origin links under /app change the view without reloading (the token stays in the tab).
document.addEventListener("click", (e) => {
  const link = e.target.closest("a[href^='/app']");
  if (!link || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
  e.preventDefault();
  navigate(link.getAttribute("href"));
  const main = $("#main");
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
});
window.addEventListener("popstate", route);

async function start() {
  chooseLanguage();
  takeTokenFromFragment();
  whenUnauthorised(() => { me = null; refused = true; });
  // who am I and the model's words are asked at once, beside the catalogue: the first page
  // needs all three, and none depends on another
  if (token()) {
    pendingMe = api("/me");
    pendingMe.catch(() => {});
    import("./contactform.js").then(({ vocabulary }) => vocabulary(api)).catch(() => {});
    const { nid, page, id } = parse(window.location.pathname);
    if (nid && page === "actor" && id) import("./person.js").then((m) => m.prefetch(nid, id)).catch(() => {});
  }
  await loadCatalogue();
  translateStatic();
  languageSwitch();
  await route();
}

start();
