"""What each role sees of the dashboard (DESIGN.md 6), as plain JSON data.

Brokers and admins see everything, with names. Viewers see aggregates only:

* no person is ever drawn or listed: the map's named points are organisations, initiatives
  and places; actions name those, and a person only by kind ("een professional van
  Welzijn Oost");
* every count of persons is suppressed below the network's threshold (``None``, shown as •),
  and every table of person counts (groups' persons, isolated and unmet members per group,
  gaps per area, persons per split piece) gets secondary suppression with
  :func:`netwerk.privacy.suppress_counts`, so that no hidden cell can be recomputed from a
  published total;
* a group whose persons are hidden is drawn at the smallest size and described without what
  would characterise its members (language, area, lacks), and the density of its links is
  left out (with the tie count it would give the size away);
* a sentence never carries a count the tables hide: it says "een aantal" instead.
"""

from __future__ import annotations

from typing import Any

from netwerk.dashboard.actions import Action
from netwerk.dashboard.groups import area_label
from netwerk.dashboard.service import Dashboard
from netwerk.i18n import text
from netwerk.privacy import suppress_counts
from netwerk.words import cap, kind_a, theme_label

__all__ = ["action_sentence", "group_cells", "present"]


def group_cells(d: Dashboard, threshold: int) -> dict[Any, int | None]:
    """The viewer's persons per group (``"rest"``: outside any group), suppressed together."""
    values = {g.group: g.persons for g in d.layout.groups}
    return _table({**values, "rest": d.layout.ungrouped_persons}, threshold)


def _table(values: dict[Any, int], threshold: int, *, total: bool = True) -> dict[Any, int | None]:
    keys = list(values)
    cells = suppress_counts(
        [(str(i), values[k]) for i, k in enumerate(keys)], threshold, total_published=total
    )
    return {k: c.count for k, c in zip(keys, cells, strict=True)}


def _one(value: int, threshold: int) -> int | None:
    return None if 0 < value < threshold else value


def _persons_text(count: int | None, lang: str) -> str:
    if count is None:
        return text("dashboard.action.some_persons", lang)
    return text("dashboard.action.persons", lang, count=count)


def action_sentence(
    a: Action,
    lang: str,
    *,
    persons: int | None,
    group_name: str | None,
    names: dict[str, str],
    sees_persons: bool,
    area_names: dict[str, str] | None = None,
) -> str:
    """One action in plain words, at the level the reader may see."""
    area = area_label(a.area, lang, area_names)

    def who(aid: str | None, kind: str | None, org: str | None = None) -> str:
        if aid is None or kind is None:
            return ""
        if kind in ("organisation", "initiative", "place") or sees_persons:
            return names.get(aid, kind_a(kind, lang))
        if org and org in names:
            return text("dashboard.action.someone_of", lang, who=kind_a(kind, lang), org=names[org])
        return kind_a(kind, lang)

    via = who(a.via_id, a.via_kind)
    contact = who(a.contact_id, a.contact_kind, a.contact_org_id)
    ask = text("dashboard.action.ask", lang, contact=contact) if contact and contact != via else ""
    if a.code == "group_without_help":
        if via:
            knows = (
                text("dashboard.action.members", lang, count=a.via_knows)
                if sees_persons or a.via_knows >= 5
                else text("dashboard.action.some_members", lang)
            )
            body = text(
                "dashboard.action.group_via", lang, group=group_name or "", via=via, knows=knows
            )
        else:
            body = text("dashboard.action.group_alone", lang, group=group_name or "")
    elif a.code == "isolated_in_area":
        who_ = _persons_text(persons, lang)
        body = (
            text("dashboard.action.isolated_via", lang, who=who_, area=area, via=via)
            if via
            else text("dashboard.action.isolated_alone", lang, who=who_, area=area)
        )
    else:
        who_ = _persons_text(persons, lang)
        theme = theme_label(a.theme or "", lang)
        body = (
            text("dashboard.action.unmet_via", lang, who=who_, theme=theme, via=via)
            if via
            else text("dashboard.action.unmet_alone", lang, who=who_, theme=theme)
        )
    return cap(body + ask + ".")


def present(
    d: Dashboard,
    *,
    sees_persons: bool,
    threshold: int,
    lang: str,
    group_names: dict[int, tuple[str, bool]],
    names: dict[str, str],
) -> dict[str, Any]:
    """The dashboard for one role (see the module doc). ``names``: names of the actors the
    reader may see (every actor for brokers, non-persons for viewers)."""
    t = threshold
    groups = d.layout.groups
    show = (lambda n: n) if sees_persons else (lambda n: _one(n, t))

    def table(values: dict[Any, int], total: bool = True) -> dict[Any, int | None]:
        return dict(values) if sees_persons else _table(values, t, total=total)

    # one table with the persons outside any group: persons, the groups and the rest add up
    # to the published total
    with_rest = table({**{g.group: g.persons for g in groups}, "rest": d.layout.ungrouped_persons})
    g_persons = {k: v for k, v in with_rest.items() if k != "rest"}
    g_unmet = table({g.group: g.unmet_persons for g in groups})
    g_iso = table({g.group: g.isolated_persons for g in groups})
    shown = {g.group: g_persons[g.group] is not None for g in groups}
    out_groups: list[dict[str, Any]] = []
    for g in groups:
        visible = shown[g.group]
        name, renamed = group_names[g.group]
        out_groups.append(
            {
                "group": g.group,
                "name": name,
                "renamed": renamed,
                "size": g.size if visible else None,
                "persons": g_persons[g.group],
                "x": g.x,
                "y": g.y,
                "radius": g.radius if visible else 0.0,
                "main_area": g.main_area if visible else None,
                "area_label": area_label(g.main_area, lang, d.area_names) if visible else None,
                "language": g.language if visible else None,
                "lacks": g.lacks if visible else None,
                "without_help": g.without_help if visible else None,
                "unmet_persons": g_unmet[g.group] if visible else None,
                "isolated_persons": g_iso[g.group] if visible else None,
                "ties_inside": g.ties_inside if visible else None,
                "ties_out": g.ties_out,
                "anchor_id": g.anchor_id,
                "anchor_name": names.get(g.anchor_id or ""),
            }
        )
    links = [
        {
            "a": link.a,
            "b": link.b,
            "ties": link.ties,
            "density": link.density if shown.get(link.a) and shown.get(link.b) else None,
        }
        for link in d.layout.links
    ]
    points = [
        {
            "actor_id": p.actor_id,
            "kind": p.kind,
            "group": p.group,
            "x": p.x,
            "y": p.y,
            "degree": p.degree,
            "name": names.get(p.actor_id, ""),
        }
        for p in d.layout.points
    ]
    # gaps per area: one table per kind (total published in gap_counts)
    areas = []
    by_kind: dict[str, list[Any]] = {}
    for row in d.areas:
        by_kind.setdefault(row.kind, []).append(row)
    for kind, rows in by_kind.items():
        cells = table({i: r.persons for i, r in enumerate(rows)})
        for i, r in enumerate(rows):
            areas.append(
                {
                    "kind": kind,
                    "area": r.area,
                    "area_label": area_label(r.area, lang, d.area_names),
                    "persons": cells[i],
                    "groups": r.groups,
                    "group_ids": list(r.group_ids),
                    "actor_ids": list(r.actor_ids) if sees_persons else [],
                }
            )
    persons_of_group: dict[Any, Any] = {g["group"]: g["persons"] for g in out_groups}
    isolated_area: dict[Any, Any] = {
        r["area"]: r["persons"] for r in areas if r["kind"] == "isolated_person"
    }
    acts = []
    for a in d.actions:
        count: int | None
        if a.code == "group_without_help":
            count = persons_of_group.get(a.group or -1)
        elif a.code == "isolated_in_area":
            count = isolated_area.get(a.area, None if not sees_persons else a.persons)
        else:
            count = show(a.persons)
        gname = group_names.get(a.group, ("", False))[0] if a.group is not None else None
        acts.append(
            {
                "code": a.code,
                "persons": count,
                "group": a.group,
                "area": a.area,
                "theme": a.theme,
                "sentence": action_sentence(
                    a,
                    lang,
                    persons=count,
                    group_name=gname,
                    names=names,
                    sees_persons=sees_persons,
                    area_names=d.area_names,
                ),
            }
        )
    s = d.summary
    counts: dict[str, int | None] = dict(d.gap_counts)
    if not sees_persons:
        for k in ("isolated_person", "unmet_need"):
            if k in counts:
                counts[k] = _one(int(d.gap_counts[k]), t)
    kf = d.key_figures
    key_figures: dict[str, Any] = {
        "recognised_count": show(kf.recognised_count),
        "unrecognised_count": show(kf.unrecognised_count),
    }
    if sees_persons:
        key_figures["people"] = [
            {
                "actor_id": f.actor_id,
                "name": names.get(f.actor_id, ""),
                "kind": f.kind,
                "recognised": f.recognised,
                "reasons": [r.sentence for r in f.reasons],
            }
            for f in (*kf.recognised, *kf.unrecognised)
        ]
    dep = d.dependence
    resilience: dict[str, Any] = {
        "dependent_residents": show(dep.dependent_residents),
        "figures_depended_on": show(dep.figures_depended_on),
        "most_on_one": show(dep.most_on_one),
    }
    if sees_persons:
        resilience["top"] = [
            {"actor_id": a, "name": names.get(a, ""), "dependents": n} for a, n in dep.top
        ]
    if d.central is not None:
        w = d.central
        pieces = table({i: p.size for i, p in enumerate(w.split_off)}, total=False)
        resilience["central"] = {
            "actor_id": d.central_id if sees_persons else None,
            "name": names.get(d.central_id or "") if sees_persons else None,
            "lose_help": show(w.lose_help_count),
            "split_pieces": len(w.split_off),
            "split_persons": list(pieces.values()),
            "community_falls_apart": w.community_falls_apart,
            "group_name": group_names.get(w.community, ("", False))[0] or None,
            "handover": show(len(w.handover)),
        }
    stats = d.stats.total
    too_little = None
    if (s.actors or 0) < 10:
        too_little = "actors"
    elif s.ties < 10:
        too_little = "ties"
    elif not any(k in s.actors_by_kind for k in ("organisation", "initiative", "place")):
        too_little = "places"
    return {
        "network_id": d.network_id,
        "revision": d.revision,
        "as_of": d.as_of,
        "threshold": t,
        "sees_persons": sees_persons,
        "too_little": too_little,
        "summary": {
            "actors": show(s.actors or 0),
            "persons": show(s.persons or 0),
            "ties": s.ties,
            "components": s.components,
            "isolates": show(s.isolates or 0),
            "groups": len(groups),
            "ungrouped_persons": with_rest["rest"],
            "stage": {
                "number": s.stage.number,
                "code": s.stage.code,
                "label": s.stage.label,
                "reasons": list(s.stage.reasons),
            },
        },
        "map": {"groups": out_groups, "links": links, "points": points},
        "gaps": {"counts": counts, "areas": areas},
        "actions": acts,
        "key_figures": key_figures,
        "resilience": resilience,
        "activation": {
            "accepted": show(stats.accepted),
            "tie_formed": show(int(stats.outcomes.get("tie_formed", 0))),
        },
    }
