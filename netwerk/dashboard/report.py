"""The dashboard as an A4 portrait PDF, server-side, for teams that mail it.

Drawn with fpdf2 (pure Python, no system libraries; a fresh machine needs nothing beyond
``pip install``) from the same presented data the page shows for the caller's role, so a
viewer's PDF holds no more than the viewer's page. Page 1: key figures and the group map
(bubbles, links and named points, coloured by what each group lacks); then the first
steps, gaps per area, change per month and resilience. Every page carries the network's
name, the date the figures are as of and the network revision in its footer.

Text is set in Noto Sans (SIL Open Font License 1.1), shipped by pip packages: Noto Sans
Arabic (``justmytype-intl-rtl``; it carries Latin with its accents too) as the main font and
Noto Sans Ethiopic (``justmytype-intl-africa``) as the fallback for Ge'ez script, so that
"Zoë", "Yıldız", an Arabic name and a Tigrinya group name all print as written (fpdf2 embeds
the subset of glyphs used). Arabic is set without contextual shaping (its letters in their
isolated forms, right to left); the page itself remains the reference for that script.
Bold is drawn by stroking the glyphs' outline: a bold instance of the variable fonts would
take fontTools seconds to cut on every report.
"""

from __future__ import annotations

import datetime as dt
from importlib.resources import files
from typing import Any

from fpdf import FPDF
from fpdf.enums import TextMode

from netwerk.i18n import text
from netwerk.words import date_text

__all__ = ["render"]

COLOURS = {
    "help": (200, 40, 40),
    "needs": (230, 140, 20),
    "isolated": (120, 70, 170),
    "none": (30, 140, 90),
    None: (150, 150, 150),
}
FONT = "NotoSans"
_FONTS = {
    FONT: ("justmytype_intl_rtl", "fonts/ofl/notosansarabic/NotoSansArabic[wdth,wght].ttf"),
    "NotoSansEthiopic": (
        "justmytype_intl_africa",
        "fonts/ofl/notosansethiopic/NotoSansEthiopic[wdth,wght].ttf",
    ),
}


def _clean(value: Any) -> str:
    """Text as it is, without control characters (a PDF string has no use for them)."""
    return "".join(ch for ch in str(value) if ch >= " " or ch == "\n")


def _n(value: Any, lang: str) -> str:
    if value is None:
        return "*"
    if isinstance(value, int):
        s = f"{value:,}"
        return s.replace(",", ".") if lang == "nl" else s
    return str(value)


class _Report(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(15, 15, 15)
        for family, (package, path) in _FONTS.items():
            fname = str(files(package) / path)
            self.add_font(family, "", fname)
            self.add_font(family, "B", fname)  # drawn bold by stroke: see set_font
        self.set_fallback_fonts([f for f in _FONTS if f != FONT])

    def set_font(self, family: str | None = None, style: Any = "", size: float = 0) -> None:
        super().set_font(family, style, size)
        if "B" in str(style):
            self.text_mode = TextMode.FILL_STROKE
            self.set_line_width(0.15)
            self.set_draw_color(0, 0, 0)
        else:
            self.text_mode = TextMode.FILL

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(80, 80, 80)
        self.cell(0, 5, _clean(self.footer_text.replace("{page}", str(self.page_no()))), align="C")
        self.set_text_color(0, 0, 0)


def _heading(pdf: FPDF, title: str) -> None:
    pdf.ln(2)
    pdf.set_font(FONT, style="B", size=13)
    pdf.cell(0, 8, _clean(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)


def _map(pdf: FPDF, data: dict[str, Any], top: float, size: float) -> None:
    left = pdf.l_margin + (pdf.epw - size) / 2
    groups = data["map"]["groups"]
    where = {g["group"]: g for g in groups}
    pdf.set_draw_color(200, 200, 200)
    pdf.rect(left, top, size, size)
    dens = [link["density"] or 0 for link in data["map"]["links"]] or [1]
    top_d = max(dens) or 1
    for link in data["map"]["links"]:
        a, b = where.get(link["a"]), where.get(link["b"])
        if not a or not b:
            continue
        w = 0.2 + 1.6 * ((link["density"] or top_d * 0.05) / top_d)
        pdf.set_line_width(w)
        pdf.set_draw_color(150, 160, 170)
        pdf.line(
            left + a["x"] * size, top + a["y"] * size, left + b["x"] * size, top + b["y"] * size
        )
    pdf.set_line_width(0.3)
    for g in sorted(groups, key=lambda g: -(g["radius"] or 0)):
        r = 3 + 12 * (g["radius"] or 0)
        cx, cy = left + g["x"] * size, top + g["y"] * size
        pdf.set_fill_color(*COLOURS.get(g["lacks"], COLOURS[None]))
        pdf.set_draw_color(255, 255, 255)
        pdf.circle(x=cx, y=cy, radius=r, style="FD")
    pdf.set_font(FONT, size=6)
    pdf.set_fill_color(40, 40, 40)
    for p in data["map"]["points"]:
        pdf.circle(x=left + p["x"] * size, y=top + p["y"] * size, radius=0.6, style="F")
    pdf.set_font(FONT, style="B", size=7)
    for g in groups[:14]:
        cx, cy = left + g["x"] * size, top + g["y"] * size
        pdf.set_xy(cx - 20, cy - 2)
        pdf.cell(40, 4, _clean(g["name"])[:40], align="C")
    pdf.set_font(FONT, size=10)
    pdf.set_xy(pdf.l_margin, top + size + 2)


def _table(pdf: FPDF, header: list[str], rows: list[list[str]], widths: list[float]) -> None:
    pdf.set_font(FONT, style="B", size=9)
    for h, w in zip(header, widths, strict=True):
        pdf.cell(w, 6, _clean(h), border="B")
    pdf.ln()
    pdf.set_font(FONT, size=9)
    for row in rows:
        for value, w in zip(row, widths, strict=True):
            pdf.cell(w, 5.5, _clean(value)[: int(w / 1.7)], border="B")
        pdf.ln()
    pdf.ln(2)


def render(data: dict[str, Any], months: list[dict[str, Any]], lang: str) -> bytes:
    """The PDF bytes of one presented dashboard (see the module doc)."""

    def tr(key: str, **values: Any) -> str:
        return text(f"dashboard.report.{key}", lang, **values)

    day = dt.date.fromisoformat(data["as_of"])
    footer = tr(
        "footer",
        name=data.get("network_name", ""),
        date=date_text(day, lang),
        revision=data["revision"],
        page="{page}",
    )
    pdf = _Report(footer)
    pdf.set_title(_clean(tr("title")))
    pdf.add_page()
    pdf.set_font(FONT, style="B", size=17)
    pdf.cell(
        0,
        9,
        _clean(f"{tr('title')}: {data.get('network_name', '')}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    s = data["summary"]
    pdf.set_font(FONT, size=10)
    figures = [
        (tr("actors"), s["actors"]),
        (tr("persons"), s["persons"]),
        (tr("ties"), s["ties"]),
        (tr("groups"), s["groups"]),
        (tr("isolates"), s["isolates"]),
    ]
    pdf.cell(
        0,
        6,
        _clean("   ".join(f"{k}: {_n(v, lang)}" for k, v in figures)),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.cell(0, 6, _clean(tr("stage", label=s["stage"]["label"])), new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, tr("map"))
    _map(pdf, data, pdf.get_y() + 1, 150)
    pdf.set_font(FONT, size=8)
    pdf.multi_cell(0, 4, _clean(tr("map_legend")), new_x="LMARGIN", new_y="NEXT")
    if not data["sees_persons"]:
        pdf.multi_cell(
            0,
            4,
            _clean(tr("suppressed", threshold=data["threshold"])),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.set_font(FONT, size=10)

    pdf.add_page()
    _heading(pdf, tr("actions"))
    for i, a in enumerate(data["actions"], 1):
        pdf.multi_cell(0, 5.5, _clean(f"{i}. {a['sentence']}"), new_x="LMARGIN", new_y="NEXT")
    if not data["actions"]:
        pdf.cell(0, 6, _clean(tr("none")), new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, tr("gaps"))
    rows = [
        [
            a["kind"].replace("_", " "),
            a.get("area_label") or a["area"] or "-",
            _n(a["persons"], lang),
        ]
        for a in data["gaps"]["areas"][:25]
    ]
    _table(pdf, [tr("gap_kind"), tr("area"), tr("count")], rows, [70, 80, 30])
    _heading(pdf, tr("trend"))
    rows = [
        [
            m["end"],
            _n(m["ties_gained"], lang),
            _n(m["ties_lost"], lang),
            _n(m["isolated"], lang),
            _n(m["groups_without_help"], lang),
            _n(m["unmet_needs"], lang),
        ]
        for m in months
    ]
    _table(
        pdf,
        [tr("month"), tr("gained"), tr("lost"), tr("isolated"), tr("without_help"), tr("unmet")],
        rows,
        [28, 22, 22, 38, 36, 34],
    )
    _heading(pdf, tr("resilience"))
    r = data["resilience"]
    pdf.multi_cell(
        0,
        5.5,
        _clean(tr("dependent", count=_n(r["dependent_residents"], lang))),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if "central" in r:
        c = r["central"]
        pdf.multi_cell(
            0,
            5.5,
            _clean(tr("central", lose=_n(c["lose_help"], lang), pieces=c["split_pieces"])),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    out = pdf.output()
    return bytes(out)
