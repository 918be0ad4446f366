"""`kb serve`: the help portal, JSON API and health checks on waitress."""

from __future__ import annotations

from pathlib import Path

import click

from kb.cli.common import fail, load_settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--index", "index_dir", type=click.Path(path_type=Path), help="Index location.")
@click.option("--threads", type=click.IntRange(1, 64), show_default="cores + 1, at most 8",
              help="Requests worked on at once (more wait in line); they share one loaded "
                   "index and model.")
def serve(host, port, index_dir, threads) -> None:
    """Serve the help portal, the JSON API and health checks (waitress).

    The server follows `kb index`: a newly published index is picked up
    within a second, without a restart and without failing a request.
    """
    import logging
    import time

    from kb.encoders.threads import one_blas_thread, request_threads
    from kb.encoders import ModelLoadError
    from kb.index.loaded import IndexUnavailable
    from kb.web.memory import release_freed_memory
    from kb.web import create_app, server
    from kb.web.site import SiteConfigError
    from kb.web.deployment import ConfigurationError
    from kb.ops.handoff.settings import HandoffConfigError
    from kb.web.handoff import start_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    started = time.perf_counter()
    one_blas_thread()
    config = {"KB_INDEX": str(index_dir)} if index_dir else None
    try:
        app = create_app(config)
    except (IndexUnavailable, ModelLoadError, SiteConfigError, ConfigurationError, HandoffConfigError) as exc:
        fail(str(exc))
    engine = app.extensions["kb.live"].current.engine
    engine.search("Wo ist mein Paket?")  # first answer while starting, not for the first customer
    click.echo(f"Help centre ready in {time.perf_counter() - started:.1f} s: "
               f"{engine.index.n_articles} articles from {engine.index.build} "
               f"(models {settings.models})")
    release_freed_memory()  # for the requests only: loading allocates its large arrays once
    threads = threads or request_threads()
    problem = listen_problem(host, port)
    if problem:
        fail(problem)
    if start_worker(app):
        click.echo("Handing contact requests off to the helpdesk: " + ", ".join(app.extensions["kb.handoff"].channels))
    click.echo(f"Serving on http://{host}:{port}/ with {threads} request threads  (Ctrl+C to stop)")
    try:
        server.serve(app, host, port, threads)
    except OSError as exc:  # taken since the check above
        fail(_listen_message(host, port, exc))


def listen_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port (the port in use, an address not of this
    machine, no permission), found by binding every address of it as waitress does, before the
    server says it serves; None when it can listen."""
    import socket

    try:
        addresses = socket.getaddrinfo(host, port, socket.AF_UNSPEC, socket.SOCK_STREAM, socket.IPPROTO_TCP,
                                       socket.AI_PASSIVE)
    except OSError as exc:  # socket.gaierror: a host name that does not resolve
        return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    for family, kind, protocol, _name, address in addresses:
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress: a closed port's wait is free
            try:
                probe.bind(address)
            except OSError as exc:
                return _listen_message(host, port, exc)
    return None


def _listen_message(host: str, port: int, exc: OSError) -> str:
    import errno

    reason = exc.strerror or str(exc)
    if exc.errno == errno.EADDRINUSE:
        reason += " (another program, or another kb serve, listens there: stop it or give another --port)"
    return f"cannot listen on {host}:{port}: {reason}"
