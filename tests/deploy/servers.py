"""PostgreSQL and Redis servers of a test's own, so that a fault test can restart them.

The machine's shared servers (5432, 6379) serve every engineer and CI job on it: they are never restarted.
Each server here lives in a temporary directory, listens on a free loopback port and is stopped by its PID
(PostgreSQL through ``pg_ctl`` on its own data directory). PostgreSQL refuses to run as root: when the test runs
as root, the cluster belongs to the ``postgres`` system user and its commands run through ``runuser``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from tests.deploy.stack import free_port, wait_until


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin directory (Debian: /usr/lib/postgresql/<major>/bin)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda path: int(path.parts[-3]))
    return found[-1].parent if found else None


def postgres_missing() -> str:
    """Why a private PostgreSQL cannot run here ('' when it can)."""
    if postgres_bin() is None:
        return "PostgreSQL's server binaries are not installed (/usr/lib/postgresql/*/bin)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' system user to own a private cluster"
        if not shutil.which("runuser"):
            return "running as root and runuser is missing"
    return ""


class PrivatePostgres:
    """A PostgreSQL cluster in a temporary directory on a free port (trust authentication, user ``postgres``)."""

    def __init__(self):
        self.bin = postgres_bin()
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="serverstock-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        os.chmod(self.dir, 0o755)
        self.owner = None
        if os.geteuid() == 0:
            self.owner = pwd.getpwnam("postgres")
            os.chown(self.dir, self.owner.pw_uid, self.owner.pw_gid)

    def _run(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.owner is not None:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=self.dir)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}\n{self.server_log()}")
        return result

    def server_log(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def init(self) -> PrivatePostgres:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        """``fast``: sessions are ended and the server shuts down cleanly; ``immediate``: as a crash (recovery
        from the WAL at the next start)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", check=False)

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, database: str, sql: str) -> str:
        """Run ``sql`` in ``database``; the unaligned output without headers."""
        return self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
                         "-v", "ON_ERROR_STOP=1", "-At", "-c", sql).stdout.strip()  # fmt: skip

    def copy_database(self, source_url: str, name: str) -> None:
        """A copy of the database at ``source_url`` (another server) as ``name`` here (pg_dump | pg_restore)."""
        self.psql("postgres", f'CREATE DATABASE "{name}"')
        dump = self.dir / "copy.dump"
        pg_dump = [str(self.bin / "pg_dump"), "-Fc", "--no-owner", "-d", source_url, "-f", str(dump)]
        subprocess.run(pg_dump, check=True, capture_output=True, timeout=300)
        os.chmod(dump, 0o644)
        self._run("pg_restore", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", name,
                  "--no-owner", str(dump), timeout=300)  # fmt: skip

    def destroy(self) -> None:
        if self.data.exists():
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRedis:
    """``redis-server`` on a free port with its data in a temporary directory.

    ``appendonly`` as deploy/compose.yaml runs it (queued tasks and channel-layer groups survive a restart).
    """

    def __init__(self, *, appendonly: bool = True):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="serverstock-redis-"))
        self.appendonly = appendonly
        self.popen: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir)]
        command += ["--save", ""]
        command += ["--appendonly", "yes" if self.appendonly else "no"]
        with open(self.dir / "server.log", "ab") as log:
            self.popen = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        import redis

        wait_until(lambda: redis.Redis(port=self.port, socket_timeout=1).ping(), timeout=20, what="redis-server")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """SIGTERM: a clean shutdown (the append-only file written), as ``systemctl restart`` does."""
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.send_signal(sig)
        try:
            self.popen.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=10)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def outage(stop, start, seconds: float) -> tuple[float, float]:
    """Stop a server, keep it down ``seconds``, start it again; the (down, up) wall-clock times."""
    stop()
    down = time.time()
    time.sleep(seconds)
    start()
    return down, time.time()
