"""The pages: the broker's workspace (/app) and the wijkteam dashboard (/dashboard/{nid}), in
plain ES modules, CSS, catalogues per language and vendored, checksummed third-party
JavaScript. A package so that editable and regular installs (and the Docker image) can find
the files; both pages are one shell (``shell.html``) filled with what differs per page."""

from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent

_PAGES: dict[str, dict[str, Any]] = {
    "app": {
        "title": "Spinnen in het web",
        "print_css": "print",
        "preloads": ("parts", "search", "person", "egomap", "contactform"),
        "header": '  <div class="who" id="who"></div>\n  <div class="lang" id="lang"></div>\n'
        '  <nav id="nav" class="nav" data-i18n-label="app.nav.label" hidden></nav>',
        "before_main": "",
    },
    "dashboard": {
        "title": "Wijkdashboard · Spinnen in het web",
        "print_css": "dashboard-print",
        "preloads": ("map", "charts"),
        "header": '  <nav id="nav" class="nav" data-i18n-label="dashboard.nav" hidden></nav>\n'
        '  <div class="lang" id="lang"></div>',
        "before_main": '<p id="print-stamp" class="print-stamp"></p>\n',
    },
}


@cache
def page(name: str) -> str:
    """The HTML of a page (``app`` or ``dashboard``): the shell with its title, styles,
    script, module preloads and header."""
    parts = _PAGES[name]
    preloads = "\n".join(
        f'<link rel="modulepreload" href="/web/js/{name}/{m}.js">' for m in parts["preloads"]
    )
    shell = (ROOT / "shell.html").read_text(encoding="utf-8")
    return shell.format(**{**parts, "page": name, "preloads": preloads})
