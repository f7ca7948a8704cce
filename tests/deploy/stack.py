"""The production process set on loopback, started the way deploy/ starts it: every process is ``deploy/run NAME``.

PostgreSQL and Redis are the machine's own (the test database of this pytest run, a Redis database number of
its own); rrdcached, the WSGI web processes, the ASGI WebSocket process, django-q2 clusters, collector shards and
nginx (with a self-signed certificate, from deploy/nginx.conf.template) are started here and stopped by PID.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import requests
from django.conf import settings as django_settings

ROOT = Path(__file__).resolve().parents[2]
RUN = str(ROOT / "deploy" / "run")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, *, timeout: float, what: str, interval: float = 0.2):
    """Poll ``condition`` until it returns something true; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            result = condition()
        except Exception as error:  # noqa: BLE001 - a process that is still starting refuses connections
            last_error = error
            result = None
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what} (last error: {last_error!r})")


def other_redis_database(url: str) -> str:
    """The same Redis server, another database number, so the stack's queue is its own."""
    parsed = urlparse(url)
    current = int((parsed.path or "/0").strip("/") or 0)
    return urlunparse(parsed._replace(path=f"/{(current + 7) % 16}"))


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class Stack:
    """Starts processes with one shared environment; ``stop()`` ends every one of them by PID."""

    tmp: Path
    database_url: str
    redis_url: str
    processes: list[Process] = field(default_factory=list)
    ports: dict[str, int] = field(default_factory=dict)

    def __post_init__(self):
        self.var = self.tmp / "var"
        self.rrd_dir = self.var / "rrd"
        self.tls = self.tmp / "tls"
        self.rrdcached_socket = self.tmp / "run" / "rrdcached.sock"
        (self.var / "media").mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "PYTHON": sys.executable,
            "DEBUG": "0",
            "DATABASE_URL": self.database_url,
            "DATABASE_CONN_MAX_AGE": "600",
            "REDIS_URL": self.redis_url,
            "SERVERSTOCK_VAR_DIR": str(self.var),
            "RRD_DIR": str(self.rrd_dir),
            "RRDCACHED_ADDRESS": f"unix:{self.rrdcached_socket}",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "Q_WORKERS": "1",
            "WEB_WORKERS": "1",
            "STATIC_MANIFEST": "0",
            "SECURE_HSTS_SECONDS": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "LOG_LEVEL": "WARNING",
            # The same keys as this test process: it makes the data the processes read (encrypted fields).
            "SECRET_KEY": django_settings.SECRET_KEY,
            "FIELD_ENCRYPTION_KEYS": ",".join(django_settings.FIELD_ENCRYPTION_KEYS),
        }
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.env.pop("PYTEST_XDIST_WORKER", None)

    # Starting --------------------------------------------------------------------------------------------------

    def start(self, name: str, *args: str, env: dict | None = None) -> Process:
        log = self.tmp / f"{name}.log"
        with open(log, "ab") as output:
            popen = subprocess.Popen(
                [RUN, *args],
                cwd=ROOT,
                env={**self.env, **(env or {})},
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    def start_rrdcached(self) -> Process:
        process = self.start("rrdcached", "rrdcached", env={"RRDCACHED_WRITE_SECONDS": "3600"})
        wait_until(self.rrdcached_socket.exists, timeout=20, what="rrdcached's socket")
        return process

    def start_web(self, name: str) -> str:
        port = free_port()
        self.ports[name] = port
        process = self.start(name, "web", env={"WEB_PORT": str(port)})
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: self._alive(process) and requests.get(f"{url}/healthz", timeout=5).ok, timeout=90, what=name)
        return url

    def start_ws(self, name: str = "ws") -> int:
        port = free_port()
        self.ports[name] = port
        process = self.start(name, "ws", env={"WS_PORT": str(port), "DATABASE_CONN_MAX_AGE": "0"})
        wait_until(
            lambda: self._alive(process) and socket.create_connection(("127.0.0.1", port), 1), timeout=90, what=name
        )
        return port

    def start_worker(self, name: str) -> Process:
        return self.start(name, "worker")

    def start_collector(self, name: str, shard: str, *, portal_url: str, token: str, **env) -> Process:
        return self.start(name, "collector", shard, env={"PORTAL_URL": portal_url, "COLLECTOR_TOKEN": token, **env})

    def reserve_nginx_ports(self) -> int:
        """Pick nginx's ports before the web starts (CSRF_TRUSTED_ORIGINS names the HTTPS one); returns it."""
        self.ports.setdefault("nginx_https", free_port())
        self.ports.setdefault("nginx_http", free_port())
        return self.ports["nginx_https"]

    def write_nginx_config(self, *, http_upstream: str, ws_upstream: str) -> Path:
        """deploy/nginx.conf.template filled in (as the nginx image's envsubst does), inside a minimal nginx.conf."""
        self.reserve_nginx_ports()
        https_port, http_port = self.ports["nginx_https"], self.ports["nginx_http"]
        values = {
            "SERVERSTOCK_SERVER_NAME": "localhost",
            "SERVERSTOCK_HTTP_UPSTREAM": http_upstream,
            "SERVERSTOCK_WS_UPSTREAM": ws_upstream,
            "SERVERSTOCK_VAR": str(self.var),
            "SERVERSTOCK_TLS_DIR": str(self.tls),
            "SERVERSTOCK_HTTPS_PORT": str(https_port),
            "SERVERSTOCK_HTTP_PORT": str(http_port),
        }
        template = (ROOT / "deploy" / "nginx.conf.template").read_text()
        site = re.sub(r"\$\{(SERVERSTOCK_[A-Z_]+)\}", lambda match: values[match.group(1)], template)
        prefix = self.tmp / "nginx"
        prefix.mkdir(exist_ok=True)
        (prefix / "serverstock.conf").write_text(site)
        (prefix / "nginx.conf").write_text(
            "user root;\nworker_processes 1;\npid nginx.pid;\nerror_log error.log warn;\n"
            "events { worker_connections 1024; }\n"
            "http {\n  include /etc/nginx/mime.types;\n  access_log off;\n"
            "  client_body_temp_path body; proxy_temp_path proxy; fastcgi_temp_path fastcgi;\n"
            "  uwsgi_temp_path uwsgi; scgi_temp_path scgi;\n  include serverstock.conf;\n}\n"
        )
        return prefix

    def start_nginx(self, *, http_upstream: str, ws_upstream: str) -> int:
        subprocess.run(
            [str(ROOT / "deploy" / "selfsigned-cert"), str(self.tls), "localhost"], check=True, capture_output=True
        )
        https_port = self.reserve_nginx_ports()
        prefix = self.write_nginx_config(http_upstream=http_upstream, ws_upstream=ws_upstream)
        log = self.tmp / "nginx.log"
        with open(log, "ab") as output:
            popen = subprocess.Popen(
                ["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process("nginx", popen, log)
        self.processes.append(process)
        wait_until(
            lambda: self._alive(process) and socket.create_connection(("127.0.0.1", https_port), 1),
            timeout=20,
            what="nginx",
        )
        return https_port

    def _alive(self, process: Process) -> bool:
        if process.popen.poll() is not None:
            raise AssertionError(f"{process.name} exited with {process.popen.returncode}:\n{process.output()[-3000:]}")
        return True

    # Running one-off commands --------------------------------------------------------------------------------

    def manage(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    # Stopping ------------------------------------------------------------------------------------------------

    def kill(self, process: Process, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the process and its children (each was started in a session of its own)."""
        try:
            os.killpg(process.popen.pid, sig)
        except ProcessLookupError:
            pass
        process.popen.wait(timeout=30)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.popen.poll() is None:
                try:
                    os.killpg(process.popen.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for process in reversed(self.processes):
            try:
                process.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.popen.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.popen.wait(timeout=10)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} (exit {p.popen.poll()})\n{p.output()[-2000:]}" for p in self.processes)
