"""The onion's server block (deploy/nginx-onion.conf) as Tor reaches it, in a real nginx beside
deploy/nginx.conf (bench.servers.nginx_conf): a PROXY protocol header naming the circuit, as
deploy/torrc.example has Tor send, then a request. nginx must pass on the onion's name as the
Host whatever the request said (the app builds every address from it), the circuit as the
client's address (the rate limits count circuits: core.ratelimit.TOR_CIRCUITS), plain HTTP as
the scheme, and log no address."""

import ipaddress
import re
import shutil
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench.servers import NGINX, free_port, nginx_conf
from streetwave.core.ratelimit import TOR_CIRCUITS

ROOT = Path(__file__).resolve().parents[2]
ONION_CONF = ROOT / "deploy" / "nginx-onion.conf"
TORRC = ROOT / "deploy" / "torrc.example"
ONION = "streetwavexyz2b4c6d3e5f7g2h4i6j3k5l7m2n4o6p3q5r7s2t4u6vw.onion"
CIRCUIT = "fc00:dead:beef:4dad::0:1a2b"

pytestmark = pytest.mark.skipif(
    shutil.which(NGINX) is None, reason=f"{NGINX} is missing (apt-get install nginx-light)"
)


def test_tor_sends_to_the_onion_block_with_the_circuit():
    torrc = TORRC.read_text()
    onion = ONION_CONF.read_text()

    (target,) = re.findall(r"^HiddenServicePort 80 (\S+)$", torrc, re.MULTILINE)
    assert f"listen {target} proxy_protocol;" in onion
    assert re.search(r"^HiddenServiceExportCircuitID haproxy$", torrc, re.MULTILINE)
    assert ipaddress.ip_address(CIRCUIT) in TOR_CIRCUITS


class _Upstream(BaseHTTPRequestHandler):
    seen: list[dict[str, str]] = []

    def do_GET(self):
        _Upstream.seen.append(dict(self.headers))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format, *args):
        return


def _onion_block(port: int, folder: Path) -> str:
    text = ONION_CONF.read_text()
    for old, new, times in (
        ("${STREETWAVE_ONION_HOST}", ONION, 4),
        ("listen 127.0.0.1:8480 proxy_protocol;", f"listen 127.0.0.1:{port} proxy_protocol;", 1),
        ("/var/log/nginx/", f"{folder}/", 2),
        ("/var/lib/streetwave/static/", f"{folder}/static/", 1),
    ):
        assert text.count(old) == times, old
        text = text.replace(old, new)
    return text


def _ask(port: int, request: bytes) -> bytes:
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
                connection.sendall(request)
                answer = b""
                while chunk := connection.recv(4096):
                    answer += chunk
                return answer
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_the_onion_block_pins_its_name_and_passes_the_circuit_on(tmp_path):
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    onion_port = free_port()
    (tmp_path / "cache").mkdir()
    (tmp_path / "static").mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        nginx_conf(
            port=free_port(),
            web=f"127.0.0.1:{upstream.server_port}",
            folder=tmp_path,
            static=tmp_path / "static",
            extra=_onion_block(onion_port, tmp_path),
        )
    )
    argv = [NGINX, "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")]
    subprocess.run([*argv, "-t", "-q"], check=True, timeout=30)
    nginx = subprocess.Popen(argv)
    try:
        answer = _ask(
            onion_port,
            f"PROXY TCP6 {CIRCUIT} ::1 40000 80\r\n".encode()
            + b"GET /fa/c/streets/inside/ HTTP/1.1\r\nHost: streetwave.example.org\r\n"
            + b"X-Forwarded-For: 203.0.113.9\r\nConnection: close\r\n\r\n",
        )
    finally:
        nginx.terminate()
        nginx.wait(timeout=30)
        upstream.shutdown()

    assert answer.startswith(b"HTTP/1.1 200")
    assert b"Strict-Transport-Security" not in answer
    (headers,) = _Upstream.seen
    assert headers["Host"] == ONION
    assert headers["X-Forwarded-For"] == CIRCUIT
    assert headers["X-Forwarded-Proto"] == "http"
    log = (tmp_path / "streetwave-onion.access.log").read_text()
    assert "GET /fa/c/streets/inside/ 200" in log
    assert "fc00" not in log and "203.0.113.9" not in log
