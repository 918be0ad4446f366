"""Running the app on waitress, set up to keep answering while some clients hold connections open.

Waitress reads requests in one event loop and hands only complete requests to
its threads, so idle and slow connections cost a file descriptor each, not a
thread. What stops a server is its connection limit: when it is reached,
waitress accepts nobody new until a connection closes. Its default (100, with
idle connections kept for 120 s) lets a hundred silent sockets lock everyone
out. Here the limit is high, idle connections are closed soon, and requests
larger than the app accepts are refused before they are buffered.

This protects a portal served directly; a public deployment still belongs
behind a reverse proxy that buffers requests and limits connections per
client (README, "Security").
"""

from __future__ import annotations

import logging
import resource
import socket

from flask import Flask

log = logging.getLogger(__name__)

CONNECTION_LIMIT = 2000        # open connections (idle or not) before waitress stops accepting
CHANNEL_TIMEOUT = 20           # seconds without a byte before an idle connection is closed
CLEANUP_INTERVAL = 5           # seconds between checks for such connections
BACKLOG = 2048                 # connections the kernel queues while the loop is busy
MAX_HEADER_BYTES = 64 * 1024   # a search's address holds at most a 2,000-character pasted message; cookies are small
# the largest body the app reads: an article form with an image from editors (kb/web/editor.py), so that an
# image over its own limit (kb/content/media.py) is refused by the editor's page with the text kept; customers'
# forms get MAX_REQUEST_BYTES (kb/web/__init__.py). deploy/nginx.conf lets through as much (client_max_body_size)
MAX_APP_BODY_BYTES = 12 * 1024 * 1024
# waitress takes bodies this much over what the app reads, so that an image just too large to be read still reaches
# the app, whose page names the image's limit in the reader's language (kb/web/errors.py); larger ones waitress
# refuses unread with its own plain-text 413 (behind nginx none arrives: it answers them with the app's page)
BODY_ROOM_BYTES = 4 * 1024 * 1024
# waitress refuses a body of max_request_body_size bytes and more: one byte above the largest it passes on
MAX_BODY_BYTES = MAX_APP_BODY_BYTES + BODY_ROOM_BYTES + 1
RESERVED_FILES = 200           # index, model, database and log files, besides the connections


def open_files_limit(wanted: int) -> int:
    """Raise this process' soft limit of open files towards ``wanted``; return what it is now.

    Each connection is a file descriptor; a soft limit of 1024 would stop
    accepting (or fail) long before the connection limit is reached.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as exc:  # a container may forbid it: use what there is
            log.warning("cannot raise the open files limit to %d: %s", target, exc)
    return wanted if soft == resource.RLIM_INFINITY else soft


def server_settings(threads: int) -> dict:
    """Waitress' settings for ``kb serve``: connection limits, timeouts and request sizes."""
    files = open_files_limit(CONNECTION_LIMIT + RESERVED_FILES)
    connection_limit = max(100, min(CONNECTION_LIMIT, files - RESERVED_FILES))
    return {
        "threads": threads, "ident": "kb", "clear_untrusted_proxy_headers": True,
        "connection_limit": connection_limit, "channel_timeout": CHANNEL_TIMEOUT,
        "cleanup_interval": CLEANUP_INTERVAL, "backlog": BACKLOG,
        "max_request_header_size": MAX_HEADER_BYTES, "max_request_body_size": MAX_BODY_BYTES,
        # poll() instead of select(): select cannot watch descriptors above 1023
        "asyncore_use_poll": True,
    }


def serve(app: Flask, sockets: list[socket.socket], threads: int) -> None:
    """Serve until interrupted, on ``sockets``: bound before the app was loaded (`kb serve`
    says a port in use at once), waitress listens on them; behind a trusted reverse proxy
    when ``KB_TRUSTED_PROXY`` says so."""
    from waitress import serve as waitress_serve

    from kb.web.deployment import proxy_settings
    waitress_serve(app, sockets=sockets, **{**server_settings(threads), **proxy_settings()})
