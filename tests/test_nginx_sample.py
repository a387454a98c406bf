"""The sample nginx config (platform/nginx/chatrealty.conf) run by a real nginx: media of one site
unreachable from another host whatever the spelling, documents never from disk, symlinks not
followed, the rate-limit zones answering 429 with Retry-After, and the X-Forwarded-For entry the
app trusts (TRUSTED_PROXY_COUNT=1) being the address nginx saw.

The config is used as shipped, with only its paths and ports moved into a temporary folder; a
small stand-in app answers on the gunicorn socket and echoes what nginx forwarded."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import socketserver
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SECRET = b"mike's signed purchase contract"

pytestmark = pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is installed by platform/install-system.sh")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _App(BaseHTTPRequestHandler):
    """Stands in for gunicorn: echoes the path and the forwarding headers as JSON."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = json.dumps(
            {"app": True, "path": self.path, "xff": self.headers.get("X-Forwarded-For"), "host": self.headers["Host"]}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


class _UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class _Connection(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1 with the site's name in SNI (the sample rejects handshakes without it)."""

    def __init__(self, sni: str, port: int, source: str | None = None) -> None:
        super().__init__("127.0.0.1", port, context=ssl._create_unverified_context(), timeout=10)
        self.sni, self.source = sni, source

    def connect(self) -> None:
        source = (self.source, 0) if self.source else None  # another loopback address: a client of its own
        sock = socket.create_connection((self.host, self.port), self.timeout, source_address=source)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.sni)  # type: ignore[attr-defined]


@dataclass
class Nginx:
    port: int
    media: Path

    def get(
        self,
        host: str,
        path: str,
        *,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        source: str | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """A request with ``path`` sent exactly as written (no client-side normalisation)."""
        conn = _Connection(host, self.port, source)
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", host)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if method == "POST":
            conn.putheader("Content-Length", "0")
        conn.endheaders()
        response = conn.getresponse()
        out = (response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        conn.close()
        return out


def _render(conf: str, tmp: Path, port_https: int, port_http: int) -> str:
    replacements = {
        "unix:/run/chatrealty/gunicorn.sock": f"unix:{tmp}/app.sock",
        "/srv/chatrealty/app/var/static/": f"{tmp}/static/",
        "/srv/chatrealty/media": f"{tmp}/media",
        "/etc/nginx/certs/": f"{tmp}/certs/",
        "/var/www/acme": f"{tmp}/acme",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{port_https} ssl http2;",
        "listen 443 ssl default_server;": f"listen 127.0.0.1:{port_https} ssl default_server;",
        "listen 80;": f"listen 127.0.0.1:{port_http};",
        "listen 80 default_server;": f"listen 127.0.0.1:{port_http} default_server;",
    }
    for old, new in replacements.items():
        assert old in conf, old
        conf = conf.replace(old, new)
    return "\n".join(line for line in conf.splitlines() if "listen [::]" not in line)


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    tmp = tmp_path_factory.mktemp("nginx")
    for d in ("static", "media", "certs", "acme", "logs", "temp"):
        (tmp / d).mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=chatrealty.io",
         "-keyout", str(tmp / "certs/privkey.pem"), "-out", str(tmp / "certs/fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    app = _UnixServer(str(tmp / "app.sock"), _App)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    port_https, port_http = _free_port(), _free_port()
    site = _render((ROOT / "platform/nginx/chatrealty.conf").read_text(), tmp, port_https, port_http)
    (tmp / "site.conf").write_text(site)
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {tmp}/nginx.pid;\nerror_log {tmp}/logs/error.log warn;\n"
        "events { worker_connections 256; }\n"
        f"http {{\n  include /etc/nginx/mime.types;\n  access_log off;\n"
        + "".join(f"  {t}_temp_path {tmp}/temp/{t};\n" for t in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        + f"  include {tmp}/site.conf;\n}}\n"
    )
    started = subprocess.run([NGINX, "-c", str(tmp / "nginx.conf"), "-p", str(tmp)], capture_output=True, text=True)
    assert started.returncode == 0, started.stderr
    deadline = time.monotonic() + 10
    while not (tmp / "nginx.pid").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield Nginx(port=port_https, media=tmp / "media")
    finally:
        pid = int((tmp / "nginx.pid").read_text())
        os.kill(pid, 15)
        app.shutdown()
        app.server_close()


@pytest.fixture(scope="module")
def media(nginx: Nginx) -> dict[str, str]:
    for schema in ("sarah", "mike"):
        (nginx.media / schema / "original_images").mkdir(parents=True)
        (nginx.media / schema / "documents").mkdir()
    (nginx.media / "mike/original_images/secret.txt").write_bytes(SECRET)
    (nginx.media / "mike/documents/contract.pdf").write_bytes(SECRET)
    (nginx.media / "sarah/original_images/own.txt").write_bytes(b"sarah's own")
    (nginx.media / "sarah/documents/brochure.pdf").write_bytes(b"sarah's brochure")
    os.symlink(nginx.media / "mike/original_images/secret.txt", nginx.media / "sarah/original_images/linked.txt")
    os.symlink(nginx.media / "mike", nginx.media / "sarah/linked_dir", target_is_directory=True)
    return {"plain": "original_images/secret.txt", "document": "documents/contract.pdf"}


SARAH = "sarah.chatrealty.io"


def test_a_site_reads_its_own_media_with_safe_headers(nginx: Nginx, media: dict[str, str]) -> None:
    status, headers, body = nginx.get(SARAH, "/media/sarah/original_images/own.txt")
    assert (status, body) == (200, b"sarah's own")
    assert headers["x-content-type-options"] == "nosniff" and "sandbox" in headers["content-security-policy"]


def test_no_spelling_reaches_another_sites_media(nginx: Nginx, media: dict[str, str]) -> None:
    for rel in media.values():
        esc = rel.replace("/", "%5c")
        for path in (
            f"/media/mike/{rel}",
            f"/media/sarah/../mike/{rel}",
            f"/media/sarah/%2e%2e/mike/{rel}",
            f"/media/sarah/%2E%2E/mike/{rel}",
            f"/media/sarah/.%2e/mike/{rel}",
            f"/media/sarah%2f..%2fmike/{rel}",
            f"/media/sarah/..%2fmike/{rel}",
            f"/media/sarah/..%5cmike%5c{esc}",
            f"/media/sarah/..\\mike\\{rel.replace('/', chr(92))}",
            f"/media/sarah\\..\\mike/{rel}",
            f"/media/sarah//../mike/{rel}",
            f"/media/sarah/original_images/../../mike/{rel}",
            f"/media/sarah/{nginx.media}/mike/{rel}",
            f"/media/sarah/%2f{str(nginx.media).lstrip('/')}/mike/{rel}",
        ):
            status, _, body = nginx.get(SARAH, path)
            assert status in (400, 404), (path, status)
            assert SECRET not in body, path


def test_symlinks_and_documents_are_not_served_from_disk(nginx: Nginx, media: dict[str, str]) -> None:
    assert nginx.get(SARAH, "/media/sarah/original_images/linked.txt")[0] == 404
    assert nginx.get(SARAH, "/media/sarah/linked_dir/original_images/secret.txt")[0] == 404
    # a site's own documents only through Wagtail's view (the app), never from the folder
    assert nginx.get(SARAH, "/media/sarah/documents/brochure.pdf")[0] == 404
    status, _, body = nginx.get(SARAH, "/documents/1/brochure.pdf")
    assert status == 200 and json.loads(body)["app"] is True


def test_the_app_trusts_nginxs_own_forwarded_for_entry(nginx: Nginx) -> None:
    _, _, body = nginx.get(SARAH, "/search/", headers={"X-Forwarded-For": "6.6.6.6"})
    # what security.client_ip takes with TRUSTED_PROXY_COUNT=1: the last entry, written by nginx
    assert json.loads(body)["xff"].split(", ")[-1] == "127.0.0.1"


def test_api_floods_get_json_429_with_retry_after(nginx: Nginx) -> None:
    answers = [nginx.get(SARAH, "/api/cities") for _ in range(80)]
    limited = [a for a in answers if a[0] == 429]
    assert limited and answers[0][0] == 200
    status, headers, body = limited[0]
    assert headers["retry-after"] == "1" and headers["content-type"].startswith("application/json")
    assert set(json.loads(body)) == {"error", "message", "fields"}


def test_sign_in_floods_get_a_page_with_retry_after_and_reading_is_not_limited(nginx: Nginx) -> None:
    host = "mike.chatrealty.io"
    assert all(nginx.get(host, "/accounts/login/")[0] == 200 for _ in range(20))  # GETs: not counted
    posts = [nginx.get(host, "/accounts/login/", method="POST") for _ in range(15)]
    assert [p[0] for p in posts[:10]] == [200] * 10 and posts[-1][0] == 429
    assert posts[-1][1]["retry-after"] == "10" and b"Please slow down" in posts[-1][2]


def test_assistant_floods_get_json_429_only_past_the_apps_own_limit(nginx: Nginx) -> None:
    """The stream has its own zone (cr_chat), looser than the app's 20 messages a minute: a
    burst of 20 reaches the app (which answers its own 429 first), a flood stops at nginx."""
    host = "sarah.chatrealty.io"
    posts = [nginx.get(host, "/api/chat/stream", method="POST", source="127.0.0.7") for _ in range(30)]
    assert all(p[0] != 429 for p in posts[:21])
    limited = [p for p in posts if p[0] == 429]
    assert limited and limited[0][1]["content-type"].startswith("application/json")
    assert int(limited[0][1]["retry-after"]) >= 1
    reads = [nginx.get(host, "/api/chat/conversations", source="127.0.0.7")[0] for _ in range(10)]
    assert 429 not in reads  # reads count against cr_api only


def test_marketplace_images_are_served_from_their_folder_on_every_site(nginx: Nginx) -> None:
    market = nginx.media / "marketplace"
    (market / "rentals/12").mkdir(parents=True)
    (market / "rentals/12/0a1b-large.jpg").write_bytes(b"\xff\xd8 a rental photo")
    (market / "rentals/.hidden.jpg").write_bytes(b"hidden")
    (market / "rentals/notes.txt").write_bytes(b"not an image of ours")
    (nginx.media / "mike/original_images").mkdir(parents=True, exist_ok=True)
    (nginx.media / "mike/original_images/secret.jpg").write_bytes(SECRET)
    os.symlink(nginx.media / "mike/original_images/secret.jpg", market / "rentals/linked.jpg")
    for host in (SARAH, "mike.chatrealty.io", "chatrealty.io"):
        status, headers, body = nginx.get(host, "/marketplace-media/rentals/12/0a1b-large.jpg")
        assert status == 200 and body == b"\xff\xd8 a rental photo", host
        assert headers["content-type"] == "image/jpeg" and headers["x-content-type-options"] == "nosniff"
        assert "immutable" in headers["cache-control"]
    for path in (
        "/marketplace-media/rentals/.hidden.jpg",
        "/marketplace-media/rentals/notes.txt",
        "/marketplace-media/rentals/linked.jpg",
        "/marketplace-media/rentals/missing.jpg",
        "/marketplace-media/rentals/..%5c..%5cmike%5coriginal_images%5csecret.jpg",
    ):
        status, _, body = nginx.get(SARAH, path)
        assert status == 404 and SECRET not in body, path
    # ".." leaves the folder before any location matches (nginx normalises the URI first)
    for path in (
        "/marketplace-media/rentals/../../media/mike/original_images/secret.jpg",
        "/marketplace-media/rentals/%2e%2e/%2e%2e/media/mike/original_images/secret.jpg",
    ):
        status, _, body = nginx.get(SARAH, path)
        assert status == 404 and SECRET not in body, path
