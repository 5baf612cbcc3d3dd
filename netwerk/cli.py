"""The ``netwerk`` command. Help is Dutch by default; ``NETWERK_LANG=en`` gives English."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import sqlalchemy as sa
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from netwerk.config import get_settings
from netwerk.errors import NetwerkError
from netwerk.store.db import make_engine, make_sessionmaker, transaction

LANG = "en" if os.environ.get("NETWERK_LANG", "nl").lower().startswith("en") else "nl"


def t(nl: str, en: str) -> str:
    """A user-facing sentence in the chosen language."""
    return en if LANG == "en" else nl


err = Console(stderr=True)
out = Console()

app = typer.Typer(
    help=t(
        "Spinnen in het web: netwerkanalyse en netwerkactivering voor de wijk.",
        "Spinnen in het web: network analysis and network activation for the neighbourhood.",
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help=t("Database beheren.", "Manage the database."), no_args_is_help=True)
token_app = typer.Typer(
    help=t("Toegangssleutels (tokens) beheren.", "Manage access tokens."), no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(token_app, name="token")

DEMO_NAME = "Demo wijk"


def _engine(url: str | None = None) -> sa.Engine:
    return make_engine(url or get_settings().database_url)


@contextmanager
def progress_bar(label: str, total: int | None) -> Iterator[Any]:
    """A progress bar on stderr; yields ``advance(n)``."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
        disable=not err.is_terminal and os.environ.get("NETWERK_PROGRESS") != "1",
    ) as p:
        task = p.add_task(label, total=total)
        yield lambda n: p.advance(task, n)


def _fail(exc: NetwerkError) -> None:
    err.print(f"[red]{t('Fout', 'Error')}:[/red] {exc.detail}")
    raise typer.Exit(code=2)


@db_app.command(
    "upgrade",
    help=t(
        "Breng de database naar de nieuwste migratie.",
        "Bring the database to the newest migration.",
    ),
)
def db_upgrade(
    url: Annotated[
        str | None,
        typer.Option(
            help=t(
                "Database-URL (standaard de instelling).", "Database URL (default: the setting)."
            )
        ),
    ] = None,
) -> None:
    from netwerk.store.migrate import upgrade

    engine = _engine(url)
    upgrade(engine)
    out.print(t("Database is bijgewerkt.", "Database is up to date."))


@db_app.command("current", help=t("Toon de huidige migratie.", "Show the current migration."))
def db_current() -> None:
    from netwerk.store.migrate import current_heads, is_current

    engine = _engine()
    heads = ", ".join(current_heads(engine)) or t("(leeg)", "(empty)")
    state = t("actueel", "current") if is_current(engine) else t("verouderd", "behind")
    out.print(f"{heads} ({state})")


@token_app.command(
    "create",
    help=t("Maak een token en toon het geheim één keer.", "Make a token and show its secret once."),
)
def token_create(
    role: Annotated[str, typer.Option(help="admin | broker | viewer | researcher")],
    network: Annotated[
        list[str] | None,
        typer.Option(
            help=t(
                "Netwerk-id (herhaalbaar); niet nodig voor admin.",
                "Network id (repeatable); not needed for admin.",
            )
        ),
    ] = None,
    name: Annotated[str, typer.Option(help=t("Omschrijving.", "Label."))] = "cli",
    expires_days: Annotated[
        int | None,
        typer.Option(help=t("Verloopt na zoveel dagen.", "Expires after this many days.")),
    ] = None,
    url: Annotated[str, typer.Option(help=t("Adres van de dienst.", "Service address."))] = (
        "http://127.0.0.1:8000"
    ),
) -> None:
    from netwerk.store.tokens import create_token

    expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=expires_days) if expires_days else None
    try:
        with transaction(make_sessionmaker(_engine())) as session:
            issued = create_token(
                session, role=role, name=name, networks=network or [], expires_at=expires
            )
    except NetwerkError as exc:
        _fail(exc)
    out.print(issued.secret)
    err.print(t("Aanmeldlink", "Sign-in link") + f": {url.rstrip('/')}/app#token={issued.secret}")


def _load_synthetic(
    engine: sa.Engine, name: str, actors: int, seed: int, area_code: str | None = None
) -> str:
    from netwerk import synth
    from netwerk.store.networks import create_network

    with transaction(make_sessionmaker(engine)) as session:
        network_id = create_network(session, name=name, area_code=area_code).id
    err.print(
        t(
            f"Synthetische wijk van {actors} actoren maken…",
            f"Generating a synthetic neighbourhood of {actors} actors…",
        )
    )
    data = synth.generate(actors, seed=seed)
    with (
        progress_bar(t("Laden", "Loading"), len(data.actors) + len(data.ties)) as advance,
        engine.begin() as conn,
    ):
        synth.load(conn, network_id, data, progress=advance)
    return network_id


@app.command(
    "demo",
    help=t(
        "Laad de demowijk (±1.500 actoren), maak een admin-token en start eventueel de dienst.",
        "Load the demo neighbourhood (~1,500 actors), make an admin token, optionally serve.",
    ),
)
def demo(
    serve_after: Annotated[
        bool,
        typer.Option("--serve/--no-serve", help=t("Start daarna de dienst.", "Serve afterwards.")),
    ] = False,
    actors: Annotated[int, typer.Option(help=t("Aantal actoren.", "Number of actors."))] = 1500,
    seed: Annotated[int, typer.Option(help=t("Toevalszaad.", "Random seed."))] = 7,
    host: str = "127.0.0.1",
    port: int = 8000,
) -> None:
    from netwerk.store.migrate import upgrade
    from netwerk.store.tables import Network
    from netwerk.store.tokens import create_token

    engine = _engine()
    upgrade(engine)
    with engine.connect() as conn:
        existing = conn.execute(sa.select(Network.id).where(Network.name == DEMO_NAME)).scalar()
    if existing:
        network_id = existing
        err.print(
            t(
                f"'{DEMO_NAME}' bestaat al ({network_id}).",
                f"'{DEMO_NAME}' exists already ({network_id}).",
            )
        )
    else:
        network_id = _load_synthetic(engine, DEMO_NAME, actors, seed, "WK036300")
    with transaction(make_sessionmaker(engine)) as session:
        issued = create_token(session, role="admin", name="demo admin")
    base = f"http://{host}:{port}"
    out.print(t("Demowijk", "Demo neighbourhood") + f": {network_id}")
    out.print(t("Admin-token", "Admin token") + f": {issued.secret}")
    out.print(f"OpenAPI: {base}/openapi.json  ·  docs: {base}/docs")
    out.print(f"Dashboard: {base}/dashboard/{network_id}  ·  app: {base}/app#token={issued.secret}")
    sys.stdout.flush()
    if serve_after:
        serve(host=host, port=port, workers=1, migrate=False)


@app.command("serve", help=t("Start de API-dienst (uvicorn).", "Run the API service (uvicorn)."))
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(help=t("Aantal processen.", "Worker processes."))] = 1,
    migrate: Annotated[
        bool, typer.Option(help=t("Eerst migraties draaien.", "Run migrations first."))
    ] = True,
) -> None:
    import uvicorn

    if migrate:
        from netwerk.store.migrate import upgrade

        upgrade(_engine())
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_level=get_settings().log_level.lower(),
        proxy_headers=True,
    )


@app.command(
    "synth",
    help=t(
        "Maak een synthetische wijk, in de database of als bestanden.",
        "Generate a synthetic neighbourhood, into the database or as files.",
    ),
)
def synth_cmd(
    actors: Annotated[int, typer.Option(help=t("Aantal actoren.", "Number of actors."))],
    seed: Annotated[int, typer.Option(help=t("Toevalszaad.", "Random seed."))] = 0,
    name: Annotated[
        str | None, typer.Option(help=t("Naam van het nieuwe netwerk.", "Name of the new network."))
    ] = None,
    out_dir: Annotated[
        str | None,
        typer.Option(
            "--out",
            help=t(
                "Schrijf actors.csv en ties.csv naar deze map in plaats van de database.",
                "Write actors.csv and ties.csv to this folder instead of the database.",
            ),
        ),
    ] = None,
) -> None:
    if actors < 10 or actors > 5_000_000:
        err.print(
            t(
                "--actors moet tussen 10 en 5.000.000 liggen.",
                "--actors must be between 10 and 5,000,000.",
            )
        )
        raise typer.Exit(code=2)
    if out_dir:
        from netwerk import synth

        data = synth.generate(actors, seed=seed)
        for path in _write_csv(data, out_dir):
            out.print(str(path))
        return
    from netwerk.store.migrate import upgrade

    engine = _engine()
    upgrade(engine)
    network_id = _load_synthetic(engine, name or f"Synthetisch {actors}", actors, seed)
    out.print(network_id)


def _write_csv(data: Any, folder: str) -> list[str]:
    """actors.csv and ties.csv (Gephi's spreadsheet columns: Id/Label, Source/Target/Weight)."""
    import csv
    import json
    from pathlib import Path

    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    a, ti = data.actors, data.ties
    with (target / "actors.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Id", "Label", "kind", "area", "languages", "assets", "needs", "consent"])
        for i in range(len(a)):
            w.writerow(
                [
                    a.id[i],
                    a.name[i],
                    a.kind[i],
                    a.area[i] or "",
                    ";".join(a.languages[i]),
                    ";".join(a.assets[i]),
                    ";".join(a.needs[i]),
                    a.consent[i] or "",
                ]
            )
    with (target / "ties.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["Id", "Source", "Target", "Type", "kind", "Weight", "support", "since", "until"]
        )
        for i in range(len(ti)):
            w.writerow(
                [
                    ti.id[i],
                    ti.source_id[i],
                    ti.target_id[i],
                    "Directed" if ti.kind[i] == "refers_to" else "Undirected",
                    ti.kind[i],
                    ti.strength[i],
                    json.dumps(ti.support[i]) if ti.support[i] else "",
                    ti.since[i] or "",
                    ti.until[i] or "",
                ]
            )
    return [str(target / "actors.csv"), str(target / "ties.csv")]


retention_app = typer.Typer(
    help=t("Bewaartermijnen toepassen.", "Apply retention periods."), no_args_is_help=True
)
app.add_typer(retention_app, name="retention")


@retention_app.command(
    "run",
    help=t(
        "Verwijder geschiedenis (beëindigde relaties, feedback) ouder dan de bewaartermijn van "
        "elk netwerk.",
        "Purge history (ended ties, feedback) older than each network's retention period.",
    ),
)
def retention_run(
    network: Annotated[
        str | None, typer.Option(help=t("Alleen dit netwerk.", "Only this network."))
    ] = None,
) -> None:
    from netwerk.retention import run_retention

    with transaction(make_sessionmaker(_engine())) as session:
        reports = run_retention(session, network_id=network)
    for r in reports:
        out.print(
            t(
                f"{r.network_id}: {r.ties_purged} relaties en {r.feedback_purged} "
                f"feedback verwijderd (vóór {r.cutoff})",
                f"{r.network_id}: purged {r.ties_purged} ties and {r.feedback_purged} "
                f"feedback (before {r.cutoff})",
            )
        )
    if not reports:
        out.print(t("Geen netwerk heeft een bewaartermijn.", "No network has a retention period."))


def _names(engine: sa.Engine, network_id: str, ids: set[str]) -> dict[str, str]:
    """Names for display (withdrawn consent: a pseudonym only)."""
    from netwerk.privacy import anonymous_label
    from netwerk.store.tables import Actor

    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(Actor.id, Actor.name, Actor.consent).where(
                Actor.network_id == network_id, Actor.id.in_(sorted(ids))
            )
        ).all()
    return {i: anonymous_label(i, LANG) if c == "withdrawn" else n for i, n, c in rows}


def _emit_json(result: Any) -> None:
    from pydantic import TypeAdapter

    out.print_json(TypeAdapter(type(result)).dump_json(result).decode())


@app.command(
    "suggest",
    help=t(
        "Wie zou deze persoon kunnen ontmoeten, en wie stelt hen voor?",
        "Whom could this person meet, and who introduces them?",
    ),
)
def suggest_cmd(
    network: Annotated[str, typer.Option(help=t("Netwerk-id.", "Network id."))],
    actor: Annotated[str, typer.Option(help=t("Actor-id.", "Actor id."))],
    limit: int = 10,
    theme: Annotated[
        list[str] | None, typer.Option(help=t("Thema (herhaalbaar).", "Theme (repeatable)."))
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help=t("Uitvoer als JSON.", "Output as JSON."))
    ] = False,
) -> None:
    from netwerk.suggest import service

    engine = _engine()
    try:
        with err.status(t("Netwerk analyseren…", "Analysing the network…")):
            result = service.suggestions(
                engine, network, actor, limit=limit, theme=theme, lang=LANG
            )
    except NetwerkError as exc:
        _fail(exc)
    if as_json:
        _emit_json(result)
        return
    ids = {s.target.actor_id for s in result.suggestions} | {
        s.introduction.introducer.actor_id
        for s in result.suggestions
        if s.introduction.introducer is not None
    }
    names = _names(engine, network, ids | {actor})
    out.print(
        t(
            f"Voorstellen voor {names.get(actor, actor)}:",
            f"Suggestions for {names.get(actor, actor)}:",
        )
    )
    for s in result.suggestions:
        intro = s.introduction.introducer
        via = (t(" — via ", " — via ") + names.get(intro.actor_id, intro.actor_id)) if intro else ""
        out.print(
            f"{s.rank:>2}. {names.get(s.target.actor_id, s.target.actor_id)} "
            f"({s.target.kind}, {s.score:.2f}){via}"
        )
        for reason in s.reasons[:3]:
            out.print(f"      · {reason.sentence}")
    if result.notice:
        out.print(result.notice)


@app.command(
    "activate",
    help=t(
        "Wie activeren we voor deze vraag, rond een persoon of een buurt?",
        "Whom do we activate for this question, around a person or an area?",
    ),
)
def activate_cmd(
    network: Annotated[str, typer.Option(help=t("Netwerk-id.", "Network id."))],
    theme: Annotated[
        list[str], typer.Option(help=t("Thema (herhaalbaar).", "Theme (repeatable)."))
    ],
    actor: Annotated[
        str | None, typer.Option(help=t("Persoon (actor-id).", "Person (actor id)."))
    ] = None,
    area: Annotated[
        str | None, typer.Option(help=t("Of een buurt/straat.", "Or an area/street."))
    ] = None,
    limit: int = 15,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    from netwerk.suggest import service

    engine = _engine()
    try:
        with err.status(t("Netwerk analyseren…", "Analysing the network…")):
            plan = service.activation(
                engine, network, focus_actor=actor, area=area, themes=theme, limit=limit, lang=LANG
            )
    except NetwerkError as exc:
        _fail(exc)
    if as_json:
        _emit_json(plan)
        return
    ids = {i.actor.actor_id for i in plan.items} | {
        step.actor.actor_id for i in plan.items for step in i.chain
    }
    names = _names(engine, network, ids)
    for item in plan.items:
        chain = " → ".join(names.get(st.actor.actor_id, "?") for st in item.chain)
        out.print(
            f"{item.rank:>2}. {names.get(item.actor.actor_id, '?')} "
            f"({item.actor.kind}) {chain and '[' + chain + ']'}"
        )
        out.print(f"      · {item.sentence}")
    if plan.uncovered_themes:
        out.print(
            t("Niemand gevonden voor: ", "Nobody found for: ") + ", ".join(plan.uncovered_themes)
        )


@app.command(
    "export", help=t("Exporteer een netwerk naar een bestand.", "Export a network to a file.")
)
def export_cmd(
    network: Annotated[str, typer.Option(help=t("Netwerk-id.", "Network id."))],
    output: Annotated[str, typer.Option("--out", help=t("Bestand.", "File."))],
    fmt: Annotated[
        str, typer.Option("--format", help="graphml | gexf | json | cytoscape | csv | kumu | pajek")
    ] = "graphml",
    as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
) -> None:
    from pathlib import Path

    from netwerk.exchange.service import export_network

    engine = _engine()
    try:
        with engine.connect() as conn:
            result = export_network(
                conn, network, fmt, as_of=dt.date.fromisoformat(as_of) if as_of else None
            )
        with (
            Path(output).open("wb") as fh,
            progress_bar(t("Schrijven", "Writing"), None) as advance,
        ):
            for chunk in result:
                fh.write(chunk)
                advance(len(chunk))
    except NetwerkError as exc:
        _fail(exc)
    out.print(
        t(
            f"{result.actors} actoren en {result.ties} relaties naar {output}",
            f"{result.actors} actors and {result.ties} ties to {output}",
        )
    )


@app.command(
    "import",
    help=t(
        "Importeer een bestand in een netwerk: alles of niets.",
        "Import a file into a network: all or nothing.",
    ),
)
def import_cmd(
    network: Annotated[str, typer.Option(help=t("Netwerk-id.", "Network id."))],
    path: Annotated[str, typer.Argument(help=t("Bestand.", "File."))],
    fmt: Annotated[str, typer.Option("--format")] = "csv",
    dry_run: Annotated[bool, typer.Option(help=t("Alleen controleren.", "Check only."))] = False,
) -> None:
    from pathlib import Path

    from netwerk.exchange.service import import_network

    engine = _engine()
    data = Path(path).read_bytes()
    try:
        with (
            Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err
            ) as bar,
            engine.begin() as conn,
        ):
            tasks: dict[str, Any] = {}

            def progress(phase: str, done: int, total: int | None) -> None:
                if phase not in tasks:
                    tasks[phase] = bar.add_task(phase, total=total)
                bar.update(tasks[phase], completed=done, total=total)

            report = import_network(conn, network, data, fmt, dry_run=dry_run, progress=progress)
    except NetwerkError as exc:
        _fail(exc)
    out.print_json(data=report.as_dict())


@app.command(
    "analyse",
    help=t(
        "Toon een analyse van een netwerk (samenvatting, sleutelfiguren, gaten, ...).",
        "Show an analysis of a network (summary, key figures, gaps, ...).",
    ),
)
def analyse_cmd(
    network: Annotated[str, typer.Option(help=t("Netwerk-id.", "Network id."))],
    what: Annotated[
        str,
        typer.Argument(
            help="summary | stage | key-figures | brokers | bridges | communities | gaps"
        ),
    ] = "summary",
) -> None:
    from netwerk.analysis import service

    functions: dict[str, Callable[..., Any]] = {
        "summary": service.summary,
        "stage": service.stage,
        "key-figures": service.key_figures,
        "brokers": service.brokers,
        "bridges": service.bridges,
        "communities": service.communities,
        "gaps": service.gaps,
    }
    if what not in functions:
        err.print(t("Onbekende analyse: ", "Unknown analysis: ") + what)
        raise typer.Exit(code=2)
    try:
        with err.status(t("Netwerk analyseren…", "Analysing the network…")):
            result = functions[what](_engine(), network, lang=LANG)
    except NetwerkError as exc:
        _fail(exc)
    _emit_json(result)


def main() -> None:

    app()


if __name__ == "__main__":
    main()
