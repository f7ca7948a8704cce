"""Serve the whole product in one foreground process group: web (ASGI, with WebSockets) and a task worker.

Ctrl-C (or SIGTERM) stops every child; if one child dies, the others are stopped too. Later apps add their
processes (the collector) to ``SERVE_PROCESSES``.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")

# name -> argv; apps may append to this list (e.g. the collector) from their AppConfig.ready().
SERVE_PROCESSES: list[tuple[str, list[str]]] = [
    ("worker", [sys.executable, MANAGE, "qcluster"]),
]


WEB_START_SECONDS = 120


def _wait_for_port(address: str, process: subprocess.Popen, *, deadline: float, stopped=lambda: False) -> bool:
    """Whether ``address`` (host:port) accepts a TCP connection before ``deadline`` (False if the process died
    or ``stopped()`` turned true: Ctrl-C while waiting)."""
    host, _, port = address.rpartition(":")
    while time.monotonic() < deadline and process.poll() is None and not stopped():
        try:
            with socket.create_connection((host or "127.0.0.1", int(port)), timeout=1):
                return True
        except OSError:
            time.sleep(0.25)
    return False


class Command(BaseCommand):
    help = "Run the web server and the django-q2 worker together; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("--address", default="127.0.0.1:8000")

    def handle(self, *args, address: str = "127.0.0.1:8000", **options):
        base = f"http://{address}"
        env = os.environ.copy()
        # -v 2 shows what the processes report at INFO (requests, tasks), -v 3 everything; the default keeps the
        # console to the banner, warnings and errors (settings.LOGGING). An explicit LOG_LEVEL wins over -v 1.
        verbosity = int(options.get("verbosity", 1))
        if verbosity >= 2:
            env["LOG_LEVEL"] = "DEBUG" if verbosity >= 3 else "INFO"
        self.stdout.write(
            "\n".join(
                [
                    self.style.SUCCESS("ServerStock is starting:"),
                    f"  website          {base}/",
                    f"  staff admin      {base}/admin/      (admin, billing, support, noc / demo)",
                    f"  website editor   {base}/cms/",
                    f"  customer portal  {base}/portal/     (alice@acme.example, bob@globex.example / demo)",
                    f"  API docs         {base}/api/docs/",
                    f"  health           {base}/healthz",
                    "Press Ctrl-C to stop. Warnings and errors show below; `manage.py serve -v 2` shows every request.",
                    "",
                ]
            )
        )
        stopping = False

        def stop(*_args):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        web = subprocess.Popen([sys.executable, MANAGE, "runserver", address, "--noreload"], env=env)
        children = [("web", web)]
        # The others (the collector talks to the web server) start once it answers, so they do not fill the
        # console with "connection refused" while it starts.
        _wait_for_port(address, web, deadline=time.monotonic() + WEB_START_SECONDS, stopped=lambda: stopping)
        if not stopping:
            children += [(name, subprocess.Popen(argv, env=env)) for name, argv in SERVE_PROCESSES]
        try:
            while not stopping:
                for name, child in children:
                    if child.poll() is not None:
                        self.stderr.write(f"{name} exited with {child.returncode}; stopping the others.")
                        stopping = True
                time.sleep(0.5)
        finally:
            for _name, child in children:
                if child.poll() is None:
                    child.terminate()
            deadline = time.monotonic() + 10
            for _name, child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
        self.stdout.write("Stopped.")
