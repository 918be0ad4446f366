"""A helpdesk's webhook endpoint for tests: a real local HTTP server in a thread of its own."""
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# (request headers, request body) -> the status to answer with
Answer = Callable[[object, bytes], int]


def post_server(answer: Answer, port: int = 0) -> ThreadingHTTPServer:
    """A started server on 127.0.0.1 (``port`` 0: any free one) answering every POST with
    ``answer(headers, body)``'s status; stop it with ``shutdown()`` and ``server_close()``."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            status = answer(self.headers, self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args):
            pass  # the test's output stays the test's

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
