"""A helpdesk's webhook endpoint for tests: a real local HTTP server in a thread of its own."""
import ssl
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# (request headers, request body) -> the status to answer with
Answer = Callable[[object, bytes], int]


def post_server(answer: Answer, port: int = 0, tls: ssl.SSLContext | None = None) -> ThreadingHTTPServer:
    """A started server on 127.0.0.1 (``port`` 0: any free one) answering every POST with
    ``answer(headers, body)``'s status, over TLS with ``tls`` (a server context); stop it with
    ``shutdown()`` and ``server_close()``."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            status = answer(self.headers, self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args):
            pass  # the test's output stays the test's

    return _started(ThreadingHTTPServer(("127.0.0.1", port), Handler), tls)


class DripServer:
    """A helpdesk that answers every POST with ``head`` at once and then ``drip`` one byte every
    ``interval`` seconds (raw bytes: status line, headers, body), as a receiver that is slow to
    answer; it stops dripping when the client went away or at :meth:`stop`. ``received`` keeps
    every request's body."""

    def __init__(self, head: bytes, drip: bytes, interval: float, tls: ssl.SSLContext | None = None):
        self.head, self.drip, self.interval = head, drip, interval
        self.received: list[bytes] = []
        self._stop = threading.Event()
        desk = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                desk.received.append(self.rfile.read(int(self.headers["Content-Length"])))
                try:
                    self.wfile.write(desk.head)
                    for byte in desk.drip:
                        if desk._stop.wait(desk.interval):
                            return
                        self.wfile.write(bytes([byte]))
                except OSError:
                    pass   # the client gave up

            def log_message(self, *args):
                pass

        self.server = _started(ThreadingHTTPServer(("127.0.0.1", 0), Handler), tls)
        self.port = self.server.server_address[1]

    def stop(self):
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()


def _started(server: ThreadingHTTPServer, tls: ssl.SSLContext | None) -> ThreadingHTTPServer:
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server

