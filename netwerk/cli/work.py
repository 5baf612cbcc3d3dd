"""Commands a broker or analyst uses: find actors, suggestions, activation plans, analyses,
export and import."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.markup import escape

from netwerk.cli import app
from netwerk.cli.database import ready_engine, resolve_actor, resolve_network, search_actors
from netwerk.cli.terminal import LANG, err, fail, fail_domain, kind_label, msg, out, progress_bar
from netwerk.config import get_settings
from netwerk.errors import NetwerkError
from netwerk.i18n import number, text
from netwerk.store.session import Engine

Network = Annotated[str, typer.Option(help=msg("help.network"), metavar=msg("metavar.network"))]
AsJson = Annotated[bool, typer.Option("--json", help=msg("help.json"))]
Limit = Annotated[int, typer.Option(help=msg("help.limit"), metavar=msg("metavar.number"))]

PHASES = ("read", "actors", "ties")  # the import's progress phases (netwerk.exchange)

ANALYSES = (
    "summary",
    "stage",
    "key-figures",
    "brokers",
    "bridges",
    "communities",
    "gaps",
    "what-if",
    "all",
)
FULL_STEPS = {  # the full analysis's steps: service name -> the CLI's name for it
    "snapshot": "load",
    "summary": "summary",
    "stage": "stage",
    "key_figures": "key-figures",
    "brokers": "brokers",
    "bridges": "bridges",
    "communities": "communities",
    "gaps": "gaps",
}


def _names(engine: Engine, network_id: str, ids: set[str]) -> dict[str, str]:
    """Names for display (withdrawn consent: a pseudonym only)."""
    from netwerk.privacy import display_name
    from netwerk.store.actors import actor_labels

    with engine.connect() as conn:
        rows = actor_labels(conn, network_id, ids)
    return {i: display_name(i, k, c, n, LANG) for i, n, k, c in rows}


def _emit_json(result: Any) -> None:
    from pydantic import TypeAdapter

    out.print_json(TypeAdapter(type(result)).dump_json(result).decode())


@app.command("actors", help=msg("help.actors_cmd"))
def actors_cmd(
    network: Network,
    search: Annotated[
        str, typer.Option("--search", "-s", help=msg("help.search"), metavar=msg("metavar.text"))
    ],
    limit: Limit = 20,
) -> None:
    engine = ready_engine()
    nid = resolve_network(engine, network)
    rows = search_actors(engine, nid, search, limit=limit + 1)
    if not rows:
        out.print(msg("actors.none", value=search))
        return
    for r in rows[:limit]:
        out.print(
            f"{r.id}  {escape(r.name)}  ({kind_label(r.kind)}{', ' + r.area if r.area else ''})"
        )
    if len(rows) > limit:
        out.print(msg("actors.more", limit=limit))


@app.command("suggest", help=msg("help.suggest"))
def suggest_cmd(
    network: Network,
    actor: Annotated[str, typer.Option(help=msg("help.actor"), metavar=msg("metavar.actor"))],
    limit: Limit = 10,
    theme: Annotated[
        list[str] | None, typer.Option(help=msg("help.theme"), metavar=msg("metavar.theme"))
    ] = None,
    order: Annotated[
        str, typer.Option(help=msg("help.order"), metavar=msg("metavar.order"))
    ] = "value",
    as_json: AsJson = False,
) -> None:
    from netwerk.suggest import service
    from netwerk.suggest.suggestions import ORDERS

    if order not in ORDERS:
        fail(msg("suggest.bad_order", value=order, valid=", ".join(ORDERS)))
    engine = ready_engine()
    nid = resolve_network(engine, network)
    aid = resolve_actor(engine, nid, actor)
    try:
        with err.status(msg("progress.analysing")):
            result = service.suggestions(
                engine, nid, aid, limit=limit, theme=theme, lang=LANG, order=order
            )
    except NetwerkError as exc:
        fail_domain(exc)
    if as_json:
        _emit_json(result)
        return
    ids = {s.target.actor_id for s in result.suggestions} | {
        s.introduction.introducer.actor_id
        for s in result.suggestions
        if s.introduction.introducer is not None
    }
    names = _names(engine, nid, ids | {aid})
    out.print(msg("suggest.header", name=escape(names.get(aid, aid))))
    for s in result.suggestions:
        intro = s.introduction.introducer
        via = (
            msg("suggest.via", name=escape(names.get(intro.actor_id, intro.actor_id)))
            if intro
            else ""
        )
        target = escape(names.get(s.target.actor_id, s.target.actor_id))
        out.print(
            f"{s.rank:>2}. {target} ({kind_label(s.target.kind)}, {number(s.score, LANG, 2)}){via}"
        )
        for reason in s.reasons[:3]:
            out.print(f"      · {escape(reason.sentence)}")
    if not result.suggestions:
        out.print(msg("suggest.none"))
    if result.notice:
        out.print(escape(result.notice))


@app.command("activate", help=msg("help.activate"))
def activate_cmd(
    network: Network,
    theme: Annotated[list[str], typer.Option(help=msg("help.theme"), metavar=msg("metavar.theme"))],
    actor: Annotated[
        str | None, typer.Option(help=msg("help.focus_actor"), metavar=msg("metavar.actor"))
    ] = None,
    area: Annotated[
        str | None, typer.Option(help=msg("help.area"), metavar=msg("metavar.area"))
    ] = None,
    limit: Limit = 15,
    as_json: AsJson = False,
) -> None:
    from netwerk.suggest import service

    engine = ready_engine()
    nid = resolve_network(engine, network)
    aid = resolve_actor(engine, nid, actor) if actor else None
    try:
        with err.status(msg("progress.analysing")):
            plan = service.activation(
                engine, nid, focus_actor=aid, area=area, themes=theme, limit=limit, lang=LANG
            )
    except NetwerkError as exc:
        fail_domain(exc)
    if as_json:
        _emit_json(plan)
        return
    ids = {i.actor.actor_id for i in plan.items} | {
        step.actor.actor_id for i in plan.items for step in i.chain
    }
    names = _names(engine, nid, ids)
    for item in plan.items:
        chain = " → ".join(escape(names.get(st.actor.actor_id, "?")) for st in item.chain)
        out.print(
            f"{item.rank:>2}. {escape(names.get(item.actor.actor_id, '?'))} "
            f"({kind_label(item.actor.kind)}) {chain and '[' + chain + ']'}"
        )
        out.print(f"      · {escape(item.sentence)}")
    if not plan.items:
        out.print(msg("activate.none"))
    if plan.uncovered_themes:
        out.print(msg("activate.uncovered", themes=", ".join(plan.uncovered_themes)))


@app.command("export", help=msg("help.export"))
def export_cmd(
    network: Network,
    output: Annotated[
        str, typer.Option("--out", help=msg("help.file"), metavar=msg("metavar.file"))
    ],
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="graphml | gexf | json | cytoscape | csv | kumu | pajek | parquet "
            + text("parquet.cli.out_help", LANG),
            metavar=msg("metavar.format"),
        ),
    ] = "graphml",
    as_of: Annotated[str | None, typer.Option(help=msg("help.as_of"), metavar="JJJJ-MM-DD")] = None,
    history: Annotated[bool, typer.Option("--history", help=msg("help.history"))] = False,
) -> None:
    from pathlib import Path

    from netwerk.exchange.service import export_network

    engine = ready_engine()
    nid = resolve_network(engine, network)
    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        fail(msg("export.bad_date", value=as_of))
    if fmt.strip().lower() == "parquet" and not output.lower().endswith(".zip"):
        _export_parquet_folder(engine, nid, output, None if history else (day or dt.date.today()))
        return
    try:
        with engine.connect() as conn:
            result = export_network(conn, nid, fmt, as_of=day, history=history)
        with Path(output).open("wb") as fh, progress_bar(msg("progress.writing"), None) as advance:
            for chunk in result:
                fh.write(chunk)
                advance(len(chunk))
    except NetwerkError as exc:
        fail_domain(exc)
    out.print(msg("export.done", actors=result.actors, ties=result.ties, file=output))


def _export_parquet_folder(engine: Engine, nid: str, folder: str, as_of: dt.date | None) -> None:
    """``--format parquet --out DIR``: actors.parquet, ties.parquet and network.json in DIR,
    as Spark, DuckDB and polars read a folder."""
    from pathlib import Path

    from netwerk.exchange.parquet import write_folder

    path = Path(folder)
    if path.exists() and not path.is_dir():
        fail(text("parquet.cli.not_a_folder", LANG, path=folder))
    try:
        with engine.connect() as conn, err.status(text("parquet.cli.writing", LANG)):
            summary = write_folder(conn, nid, path, as_of=as_of)
    except NetwerkError as exc:
        fail_domain(exc)
    out.print(
        text("parquet.cli.written", LANG, actors=summary.actors, ties=summary.ties, path=folder)
    )


@app.command("import", help=msg("help.import"))
def import_cmd(
    network: Network,
    path: Annotated[str, typer.Argument(help=msg("help.file"), metavar=msg("metavar.file"))],
    fmt: Annotated[
        str, typer.Option("--format", help=msg("help.format"), metavar=msg("metavar.format"))
    ] = "csv",
    dry_run: Annotated[bool, typer.Option(help=msg("help.dry_run"))] = False,
) -> None:
    from pathlib import Path

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from netwerk.exchange.service import import_network

    engine = ready_engine()
    nid = resolve_network(engine, network)
    try:
        if Path(path).is_dir():  # a folder is the Parquet layout
            from netwerk.exchange.parquet_read import pack_folder

            fmt = "parquet"
            data = pack_folder(path)
        else:
            data = Path(path).read_bytes()
    except NetwerkError as exc:
        fail_domain(exc)
    except OSError as exc:
        fail(msg("import.unreadable", file=path, reason=exc.strerror or str(exc)))
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
                    label = msg(f"progress.{phase}") if phase in PHASES else phase
                    tasks[phase] = bar.add_task(label, total=total)
                bar.update(tasks[phase], completed=done, total=total)

            report = import_network(
                conn,
                nid,
                data,
                fmt,
                dry_run=dry_run,
                progress=progress,
                max_bytes=get_settings().max_import_bytes,
            )
    except NetwerkError as exc:
        fail_domain(exc)
    out.print_json(data=report.as_dict())


@app.command("analyse", help=msg("help.analyse"))
def analyse_cmd(
    network: Network,
    what: Annotated[
        str, typer.Argument(help=" | ".join(ANALYSES), metavar=msg("metavar.analysis"))
    ] = "summary",
    remove: Annotated[
        str | None, typer.Option(help=msg("help.remove"), metavar=msg("metavar.actor"))
    ] = None,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help=msg("help.output"), metavar=msg("metavar.file")),
    ] = None,
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
        "what-if": service.what_if,
    }
    if what not in functions and what != "all":
        fail(msg("analyse.unknown", value=what, valid=", ".join(ANALYSES)))
    if (what == "what-if") != (remove is not None):
        fail(msg("analyse.remove_needed" if remove is None else "analyse.remove_only"))
    engine = ready_engine()
    nid = resolve_network(engine, network)
    exact_max = get_settings().exact_betweenness_max
    if what == "all":
        done = _full_analysis(engine, nid, exact_max)
        _write_json({name: _jsonable(value) for name, value in done.items()}, output)
        return
    extra: dict[str, Any] = (
        {"remove": resolve_actor(engine, nid, remove)} if remove is not None else {}
    )
    if what in ("summary", "stage", "key-figures"):  # the sampled ones
        extra["exact_max"] = exact_max
    try:
        with err.status(msg("progress.analysing")):
            result = functions[what](engine, nid, lang=LANG, **extra)
    except NetwerkError as exc:
        fail_domain(exc)
    if output is None:
        _emit_json(result)
        return
    _write_json(_jsonable(result), output)


def _full_analysis(engine: Engine, nid: str, exact_max: int) -> dict[str, Any]:
    """``analyse all``: every analysis but what-if on one snapshot, sharing the building
    blocks (:func:`netwerk.analysis.service.full_analysis`), with one progress line per step
    on stderr (its name, a bar and its time). Returns the results by the CLI's names, in
    the order of :data:`ANALYSES`."""
    import time

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from netwerk.analysis import service

    steps = service.full_analysis(engine, nid, lang=LANG, exact_max=exact_max, parallel=True)
    results: dict[str, Any] = {}
    began = time.perf_counter()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
        disable=not err.is_terminal and os.environ.get("NETWERK_PROGRESS") != "1",
    ) as bar:
        tasks = {
            name: bar.add_task(msg(f"progress.step.{FULL_STEPS[name]}"), total=1, start=False)
            for name, _ in steps
        }
        for name, run in steps:
            bar.start_task(tasks[name])
            try:
                value = run()
            except NetwerkError as exc:
                bar.stop()
                fail_domain(exc)
            bar.update(tasks[name], completed=1)
            if name != "snapshot":
                results[FULL_STEPS[name]] = value
    err.print(msg("progress.done", seconds=round(time.perf_counter() - began, 1)))
    return {name: results[name] for name in ANALYSES if name in results}


def _jsonable(result: Any) -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(type(result)).dump_python(result, mode="json")


def _write_json(doc: Any, output: str | None) -> None:
    """``doc`` as one JSON document on stdout or in the file ``output``."""
    import json
    from pathlib import Path

    body = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(body)
        sys.stdout.flush()
        return
    try:
        Path(output).write_text(body, encoding="utf-8")
    except OSError as exc:
        fail(msg("analyse.unwritable", file=output, reason=exc.strerror or str(exc)))
