"""deploy/nginx.conf as shipped, run by a real nginx (Debian's package, `make servers`) in front
of two stand-in replicas: the editor's pages reach the editing replica with room for an image,
an image only the editing replica has yet is found, and the proxy headers reach every location."""
import http.client
import os
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.db_servers import free_port

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx not installed (make servers installs it)")
IMAGE_POST_BYTES = 3_000_000  # an image upload with its article form
CUSTOMER_POST_BYTES = 100_000  # above nginx's 64k for customers' forms
ROUNDS = 12
LOG_WAIT_S = 5.0  # for nginx to write a request's access log line


class Replica(ThreadingHTTPServer):
    """Answers every request with its name and what the proxy told it; ``has_media`` decides
    whether /media/ is found here (the editing replica has a just-uploaded image, others not)."""

    def __init__(self, name: str, has_media: bool) -> None:
        self.name, self.has_media = name, has_media
        super().__init__(("127.0.0.1", 0), _Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


class _Handler(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        received = len(self.rfile.read(length)) if length else 0
        found = self.server.has_media or not self.path.startswith("/media/")
        self.send_response(200 if found else 404)
        self.send_header("X-Replica", self.server.name)
        self.send_header("X-Request", f"{self.command} {self.path}")
        self.send_header("X-Cookie", self.headers.get("Cookie") or "")
        self.send_header("X-Seen", f"{self.headers.get('X-Forwarded-For')}|{self.headers.get('X-Forwarded-Proto')}|"
                                   f"{self.headers.get('Host')}|{received}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


@dataclass
class Proxy:
    port: int
    editing: Replica
    serving: Replica
    access_log: Path


@pytest.fixture()
def proxy(tmp_path):
    editing, serving = Replica("kb-1", has_media=True), Replica("kb-2", has_media=False)
    port = free_port()
    site = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    site = re.sub(r"\bkb-1:8000\b", f"127.0.0.1:{editing.server_port}", site)
    site = re.sub(r"\bkb-2:8000\b", f"127.0.0.1:{serving.server_port}", site)
    site = re.sub(r"listen 80;", f"listen 127.0.0.1:{port};", site)
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach the temp folder
    (tmp_path / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events { worker_connections 64; }\n"
        f"http {{\n access_log off;\n client_body_temp_path {tmp_path}/body;\n proxy_temp_path {tmp_path}/proxy;\n"
        f" fastcgi_temp_path {tmp_path}/f;\n uwsgi_temp_path {tmp_path}/u;\n scgi_temp_path {tmp_path}/s;\n"
        f"{site}\n}}\n")
    proc = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
                            stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_port(port, proc)
        yield Proxy(port, editing, serving, tmp_path / "access.log")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for replica in (editing, serving):
            replica.shutdown()
            replica.server_close()


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(f"nginx did not start: {proc.stderr.read()}")
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/readyz")
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("nginx did not listen")


def _logged(proxy: Proxy, line: str, timeout: float = LOG_WAIT_S) -> str:
    """The access log once it holds ``line`` (or after ``timeout``): nginx writes a request's line
    after the response is sent, so a client that has read it may look before the line is there."""
    end = time.monotonic() + timeout
    while True:
        logged = proxy.access_log.read_text()
        if line in logged or time.monotonic() > end:
            return logged
        time.sleep(0.02)


def _send(proxy: Proxy, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
          source: str | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10,
                                      source_address=(source, 0) if source else None)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_the_editors_pages_go_to_the_editing_replica_and_the_portal_to_both(proxy):
    for path in ("/agent/articles/", "/agent/articles/de/versand/paket/edit", "/agent/questions",
                 "/agent/insights/words", "/agent/drafts", "/agent/drafts/de/neu"):
        assert {_send(proxy, "GET", path).getheader("X-Replica") for _ in range(ROUNDS)} == {"kb-1"}, path
    for path in ("/", "/agent/insights", "/agent/inbox"):
        assert {_send(proxy, "GET", path).getheader("X-Replica") for _ in range(ROUNDS)} == {"kb-1", "kb-2"}, path
    decided = _send(proxy, "POST", "/agent/questions", b"action=accept&id=1")
    assert decided.getheader("X-Replica") == "kb-1"


def test_an_image_upload_passes_and_a_customers_large_form_does_not(proxy):
    upload = _send(proxy, "POST", "/agent/articles/image", b"x" * IMAGE_POST_BYTES)
    assert upload.status == 200 and upload.getheader("X-Replica") == "kb-1"
    assert upload.getheader("X-Seen").endswith(f"|{IMAGE_POST_BYTES}")  # the whole body arrived
    assert _send(proxy, "POST", "/kontakt", b"x" * CUSTOMER_POST_BYTES).status == 413


def test_an_upload_larger_than_kb_reads_gets_kbs_page_for_it_from_nginx(proxy):
    """Over client_max_body_size nginx reads no body: it answers with kb's page that names the
    image's limit in the reader's language (a GET without the body), with its own 413."""
    from kb.web.editor import IMAGE_TOO_LARGE_PATH
    from kb.web.server import MAX_APP_BODY_BYTES
    largest = _send(proxy, "POST", "/agent/articles/image", b"x" * MAX_APP_BODY_BYTES)
    assert largest.status == 200 and largest.getheader("X-Seen").endswith(f"|{MAX_APP_BODY_BYTES}")
    refused = _send(proxy, "POST", "/agent/articles/image", b"x" * (MAX_APP_BODY_BYTES + 1),
                    headers={"Cookie": "lang=en"})
    assert refused.status == 413 and refused.getheader("X-Request") == f"GET {IMAGE_TOO_LARGE_PATH}"
    assert refused.getheader("X-Seen").endswith("|0")  # no body sent on, nor announced
    assert refused.getheader("X-Cookie") == "lang=en"  # the page is in the reader's language


def test_an_image_only_the_editing_replica_has_is_found_through_either(proxy):
    answers = [_send(proxy, "GET", "/media/0123456789abcdef.png") for _ in range(ROUNDS)]
    assert {a.status for a in answers} == {200} and {a.getheader("X-Replica") for a in answers} == {"kb-1"}


def test_every_location_tells_the_replica_the_clients_address_and_scheme(proxy):
    for path in ("/", "/agent/articles/", "/agent/questions", "/media/0123456789abcdef.png", "/agent/image-too-large"):
        forwarded, scheme, host, _received = _send(proxy, "GET", path).getheader("X-Seen").split("|")
        assert (forwarded, scheme, host.split(":")[0]) == ("127.0.0.1", "http", "127.0.0.1"), path


def test_while_the_editing_replica_is_down_its_pages_come_from_another_one(proxy):
    proxy.editing.shutdown()
    proxy.editing.server_close()  # nothing listens on its port any more
    answers = [_send(proxy, "GET", "/agent/articles/") for _ in range(3)]
    assert {(a.status, a.getheader("X-Replica")) for a in answers} == {(200, "kb-2")}  # kb answers its 503 page


def test_the_access_log_keeps_no_address_search_words_or_browser(proxy):
    _send(proxy, "GET", "/search?q=anna.schmidt%40example.de+wo+ist+mein+paket",
          headers={"User-Agent": "Mozilla/5.0 (Anna's iPhone)", "Referer": "https://example.de/anna"})
    logged = _logged(proxy, "GET /search 200")
    assert "GET /search 200" in logged
    for personal in ("anna", "paket", "127.0.0.1", "iPhone", "example.de"):
        assert personal not in logged.lower(), personal


def test_health_checks_answer_the_operators_networks_only(proxy):
    assert _send(proxy, "GET", "/readyz").status == 200
    assert _send(proxy, "GET", "/healthz").status == 200
    # another address than the allowed ones (the public, here a second loopback address)
    assert _send(proxy, "GET", "/readyz", source="127.0.0.2").status == 403
    assert _send(proxy, "GET", "/healthz", source="127.0.0.2").status == 403
    assert _send(proxy, "GET", "/", source="127.0.0.2").status == 200
