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
    # the address first: a port in use is said at once, not after tens of seconds of loading
    try:
        sockets = bound_sockets(host, port)
    except CannotListen as exc:
        fail(str(exc))
    try:
        _serve_on(sockets, host, port, index_dir, threads)
    finally:
        for sock in sockets:
            sock.close()


def _serve_on(sockets: list, host: str, port: int, index_dir: Path | None, threads: int | None) -> None:
    """Load the help centre, then serve it on ``sockets`` (bound to host:port) until interrupted."""
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
    if start_worker(app):
        click.echo("Handing contact requests off to the helpdesk: " + ", ".join(app.extensions["kb.handoff"].channels))
    click.echo(f"Serving on http://{host}:{port}/ with {threads} request threads  (Ctrl+C to stop)")
    try:
        server.serve(app, sockets, threads)
    except OSError as exc:  # another server bound the port too (SO_REUSEADDR) and listens there first
        fail(_listen_message(host, port, exc))


class CannotListen(Exception):
    """Why the server cannot listen on its address, in one line."""


def bound_sockets(host: str, port: int) -> list:
    """Sockets bound to every address of host:port as waitress binds them (SO_REUSEADDR: a
    closed port's wait is free; an IPv6 socket for IPv6 only, beside the IPv4 one), for
    waitress to listen on once the help centre is loaded. Bound, not listening: until then a
    client is refused at once rather than kept waiting in the queue. Raises CannotListen for a
    port in use, an address not of this machine, no permission."""
    import socket

    try:
        addresses = socket.getaddrinfo(host, port, socket.AF_UNSPEC, socket.SOCK_STREAM, socket.IPPROTO_TCP,
                                       socket.AI_PASSIVE)
    except OSError as exc:  # socket.gaierror: a host name that does not resolve
        raise CannotListen(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    bound: list[socket.socket] = []
    seen: set[tuple] = set()
    try:
        for family, kind, protocol, _name, address in addresses:
            where = (address[0].split("%", 1)[0], address[1])  # without an IPv6 zone, as waitress compares
            if where in seen:  # getaddrinfo may give one address twice: a second bind would fail
                continue
            seen.add(where)
            bound.append(_bound(socket.socket(family, kind, protocol), address))
    except OSError as exc:
        for sock in bound:
            sock.close()
        raise CannotListen(_listen_message(host, port, exc)) from None
    return bound


def _bound(sock, address: tuple):
    """``sock`` bound to ``address`` with waitress' options; closed when it cannot be."""
    import socket

    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if sock.family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def _listen_message(host: str, port: int, exc: OSError) -> str:
    import errno

    reason = exc.strerror or str(exc)
    if exc.errno == errno.EADDRINUSE:
        reason += " (another program, or another kb serve, listens there: stop it or give another --port)"
    return f"cannot listen on {host}:{port}: {reason}"
