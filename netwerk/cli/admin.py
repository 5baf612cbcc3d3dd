"""Commands that set things up: the database, tokens, the demo neighbourhood, the service."""

from __future__ import annotations

import datetime as dt
import errno
import socket
import sys
from typing import Annotated, Any

import typer

from netwerk.cli import app, db_app, retention_app, token_app
from netwerk.cli.database import ready_engine, writable_engine
from netwerk.cli.terminal import LANG, err, fail, fail_domain, msg, out, progress_bar
from netwerk.config import ConfigurationError, get_settings, startup_problems
from netwerk.errors import NetwerkError
from netwerk.i18n import text
from netwerk.store.db import make_sessionmaker, transaction
from netwerk.store.session import Engine

DEMO_NAME = "Demo wijk"
DEMO_TOKEN_NAME = "demo admin"

Host = Annotated[str, typer.Option(help=msg("help.host"), metavar=msg("metavar.host"))]
Port = Annotated[int, typer.Option(help=msg("help.port"), metavar=msg("metavar.number"))]


@db_app.command("upgrade", help=msg("help.db_upgrade"))
def db_upgrade(
    url: Annotated[
        str | None, typer.Option(help=msg("help.db_url"), metavar=msg("metavar.url"))
    ] = None,
) -> None:
    from netwerk.store.migrate import upgrade

    settings = get_settings()
    engine = writable_engine(settings.model_copy(update={"database_url": url}) if url else None)
    upgrade(engine)
    out.print(msg("db.upgraded", url=engine.url.render_as_string(hide_password=True)))


@db_app.command("current", help=msg("help.db_current"))
def db_current() -> None:
    from netwerk.store.migrate import current_heads, is_current

    engine = ready_engine()
    heads = ", ".join(current_heads(engine)) or msg("db.empty")
    state = msg("db.current") if is_current(engine) else msg("db.behind")
    out.print(f"{heads} ({state})")


@token_app.command("create", help=msg("help.token_create"))
def token_create(
    role: Annotated[
        str, typer.Option(help="admin | broker | viewer | researcher", metavar=msg("metavar.role"))
    ],
    network: Annotated[
        list[str] | None, typer.Option(help=msg("help.token_network"), metavar=msg("metavar.id"))
    ] = None,
    name: Annotated[str, typer.Option(help=msg("help.token_name"), metavar=msg("metavar.text"))] = (
        "cli"
    ),
    expires_days: Annotated[
        int | None, typer.Option(help=msg("help.expires_days"), metavar=msg("metavar.number"))
    ] = None,
    url: Annotated[
        str, typer.Option(help=text("web.cli.url_help", LANG), metavar=msg("metavar.text"))
    ] = "http://127.0.0.1:8000",
) -> None:
    from netwerk.cli.database import resolve_network
    from netwerk.store.tokens import create_token

    engine = ready_engine()
    networks = [resolve_network(engine, n) for n in network or []]
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=expires_days) if expires_days else None
    try:
        with transaction(make_sessionmaker(engine)) as session:
            issued = create_token(
                session, role=role, name=name, networks=networks, expires_at=expires
            )
    except NetwerkError as exc:
        fail_domain(exc)
    out.print(issued.secret)
    link = f"{url.rstrip('/')}/app#token={issued.secret}"
    err.print(text("web.cli.sign_in", LANG, url=link), soft_wrap=True)


def _load_synthetic(engine: Engine, name: str, actors: int, seed: int) -> str:
    from netwerk import synth
    from netwerk.store.networks import create_network

    with transaction(make_sessionmaker(engine)) as session:
        network_id = create_network(session, name=name).id
    err.print(msg("synth.generating", count=actors))
    data = synth.generate(actors, seed=seed)
    with (
        progress_bar(msg("progress.loading"), len(data.actors) + len(data.ties)) as advance,
        engine.begin() as conn,
    ):
        synth.load(conn, network_id, data, progress=advance)
    return network_id


def _load_demo(engine: Engine, actors: int, seed: int) -> str:
    from netwerk import demo as demo_story
    from netwerk.store.networks import create_network

    with transaction(make_sessionmaker(engine)) as session:
        network_id = create_network(session, name=DEMO_NAME, area_code="WK036300").id
    err.print(msg("synth.generating", count=actors))
    data = demo_story.generate(actors, seed=seed)
    with (
        progress_bar(msg("progress.loading"), len(data.actors) + len(data.ties)) as advance,
        engine.begin() as conn,
    ):
        demo_story.load(conn, network_id, data, progress=advance)
    return network_id


def _check_port(host: str, port: int) -> None:
    """Fail before anything is printed when the port cannot be had."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                fail(msg("serve.port_busy", host=host, port=port, next=port + 1))
            fail(msg("serve.cannot_bind", host=host, port=port, reason=exc.strerror or str(exc)))


def _check_settings() -> None:
    problems = startup_problems(get_settings())
    if problems:
        fail(msg("serve.production_key"))


def _demo_token(engine: Engine, days: int) -> tuple[str, dt.datetime]:
    """Revoke every earlier demo admin token, then make one that expires in ``days``: a demo
    run never leaves more than one live demo token behind."""
    from netwerk.store.lookups import revoke_tokens_named
    from netwerk.store.tokens import create_token

    expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
    with transaction(make_sessionmaker(engine)) as session:
        revoke_tokens_named(session, DEMO_TOKEN_NAME)
        issued = create_token(session, role="admin", name=DEMO_TOKEN_NAME, expires_at=expires)
    return issued.secret, expires


@app.command("demo", help=msg("help.demo"))
def demo(
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help=msg("help.serve"))] = (
        False
    ),
    actors: Annotated[
        int, typer.Option(help=msg("help.actors"), metavar=msg("metavar.number"))
    ] = 1500,
    seed: Annotated[int, typer.Option(help=msg("help.seed"), metavar=msg("metavar.number"))] = 7,
    host: Host = "127.0.0.1",
    port: Port = 8000,
    token_days: Annotated[
        int, typer.Option(help=msg("help.token_days"), metavar=msg("metavar.number"), min=1)
    ] = 7,
) -> None:
    from netwerk.store.lookups import network_named
    from netwerk.store.migrate import upgrade

    if serve_after:
        _check_settings()
        _check_port(host, port)
    engine = writable_engine()
    upgrade(engine)
    with engine.connect() as conn:
        existing = network_named(conn, DEMO_NAME)
    if existing:
        network_id = existing
        err.print(msg("demo.exists", name=DEMO_NAME, id=network_id))
    else:
        network_id = _load_demo(engine, actors, seed)
    secret, expires = _demo_token(engine, token_days)
    base = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    when = expires.astimezone().strftime("%Y-%m-%d %H:%M")
    out.print(msg("demo.network", id=network_id))
    out.print(msg("demo.token", secret=secret, until=when), soft_wrap=True)
    out.print(msg("demo.revoked"))
    out.print(msg("demo.app", url=f"{base}/app#token={secret}"), soft_wrap=True)
    out.print(
        msg("demo.dashboard", url=f"{base}/dashboard/{network_id}#token={secret}"), soft_wrap=True
    )
    out.print(msg("demo.docs", openapi=f"{base}/openapi.json", docs=f"{base}/docs"))
    sys.stdout.flush()
    if serve_after:
        _serve(host, port, workers=1)


def _serve(host: str, port: int, workers: int) -> None:
    import os

    from netwerk import allocator

    allocator.tune(children=True)  # first: before any thread, and for the workers
    import uvicorn

    settings = get_settings()
    several = workers > 1 or settings.analysis_process  # a worker and its analysis process
    if settings.metrics and several and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        import tempfile

        # one scrape sums every worker and analysis process (prometheus-client multiprocess
        # mode; the analysis process inherits the folder)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="netwerk-metrics-")
    log_config: Any = uvicorn.config.LOGGING_CONFIG
    if settings.log_format == "json":
        from netwerk.logs import configure_logging

        configure_logging(settings.log_level, "json")
        log_config = None  # uvicorn's own lines go through the JSON handler too
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_config=log_config,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
        # SIGTERM: requests in flight finish within this bound (then the app's lifespan)
        timeout_graceful_shutdown=max(1, round(settings.shutdown_timeout_s)),
        # a worker busy importing igraph and scipy on a loaded host is starting, not dead
        timeout_worker_healthcheck=30,
    )


@app.command("serve", help=msg("help.serve_cmd"))
def serve(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    workers: Annotated[
        int, typer.Option(help=msg("help.workers"), metavar=msg("metavar.number"))
    ] = 1,
    migrate: Annotated[bool, typer.Option(help=msg("help.migrate"))] = True,
) -> None:
    _check_settings()
    _check_port(host, port)
    if migrate:
        from netwerk.store.migrate import upgrade

        upgrade(writable_engine())
    try:
        _serve(host, port, workers)
    except ConfigurationError as exc:  # pragma: no cover - checked above
        fail(str(exc))


@app.command("synth", help=msg("help.synth"))
def synth_cmd(
    actors: Annotated[int, typer.Option(help=msg("help.actors"), metavar=msg("metavar.number"))],
    seed: Annotated[int, typer.Option(help=msg("help.seed"), metavar=msg("metavar.number"))] = 0,
    name: Annotated[
        str | None, typer.Option(help=msg("help.network_name"), metavar=msg("metavar.text"))
    ] = None,
    out_dir: Annotated[
        str | None,
        typer.Option("--out", help=msg("help.synth_out"), metavar=msg("metavar.folder")),
    ] = None,
) -> None:
    if actors < 40 or actors > 5_000_000:
        fail(msg("synth.actors_range"))
    if out_dir:
        from netwerk import synth

        data = synth.generate(actors, seed=seed)
        for path in _write_csv(data, out_dir):
            out.print(str(path))
        return
    from netwerk.store.migrate import upgrade

    engine = writable_engine()
    upgrade(engine)
    default_name = msg("synth.network_name", count=actors)
    network_id = _load_synthetic(engine, name or default_name, actors, seed)
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


@retention_app.command("run", help=msg("help.retention_run"))
def retention_run(
    network: Annotated[
        str | None, typer.Option(help=msg("help.only_network"), metavar=msg("metavar.network"))
    ] = None,
) -> None:
    from netwerk.cli.database import resolve_network
    from netwerk.retention import run_retention

    engine = ready_engine()
    nid = resolve_network(engine, network) if network else None
    with transaction(make_sessionmaker(engine)) as session:
        reports = run_retention(session, network_id=nid)
    for r in reports:
        out.print(
            msg(
                "retention.report",
                network=r.network_id,
                ties=r.ties_purged,
                feedback=r.feedback_purged,
                cutoff=str(r.cutoff),
            )
        )
    if not reports:
        out.print(msg("retention.none"))
