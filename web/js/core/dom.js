// Small DOM helpers shared by every page (no framework, no inline script or style: CSP-safe).

/** h("a", {href: "/x", class: "btn"}, "text", child) → an element. Attributes whose value is
 *  null, undefined or false are left out; `on*` functions become event listeners. */
export function h(tag, attrs = {}, ...children) {
  const svg = tag.startsWith("svg:");
  const node = svg
    ? document.createElementNS("http://www.w3.org/2000/svg", tag.slice(4))
    : document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "dataset") {
      for (const [k, v] of Object.entries(value)) node.dataset[k] = v;
    } else {
      node.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** Announce a message to screen readers (and show it) in the page's live region. */
export function announce(text, kind = "info") {
  const region = document.getElementById("status");
  if (!region) return;
  region.dataset.kind = kind;
  region.textContent = "";
  // a new text node after clearing makes screen readers read it again
  window.requestAnimationFrame(() => { region.textContent = text; });
}

export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
