"""Run simulated SNMP agents on 127.0.0.1 for tests, the demo and benchmarks: snmpsim, or Net-SNMP's snmpd.

Django-free. Follows ../shared/TESTBED.md: options after ``--v3-engine-id=auto``; the data file's name is
the community; ``self.snmprec`` serves the empty v3 context; root needs ``SNMPSIM_ALLOW_ROOT=true``.
snmpd (:func:`start_snmpd`) serves the same 48-port switch through ``fixtures/snmp/ifmib_pass.py``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "snmp"
SWITCH48 = FIXTURES / "switch48"


@dataclass
class V3User:
    """An SNMPv3 user (SHA authentication, AES-128 privacy)."""

    name: str = "collector"
    auth_key: str = "authpass123"
    priv_key: str = "privpass123"


@dataclass
class Agent:
    """A running snmpsim process."""

    process: subprocess.Popen
    port: int
    data_dir: Path
    community: str = "public"
    users: list[V3User] = field(default_factory=list)
    host: str = "127.0.0.1"
    # Every UDP port this process answers on (``port`` first); each serves every data file of ``data_dir``.
    ports: list[int] = field(default_factory=list)

    def cpu_seconds(self) -> float:
        """User + system CPU time the agent process has used so far (Linux ``/proc``; 0 elsewhere)."""
        return process_cpu_seconds(self.process.pid)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the process by its PID: terminate, wait, kill."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process, from ``/proc/PID/stat`` (0.0 when unavailable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After the command name: state is field 3, utime and stime are fields 14 and 15 (1-based).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_udp_port() -> int:
    """A UDP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def responder_executable() -> str:
    """The snmpsim responder beside this interpreter (the project's .venv), else on PATH."""
    candidate = Path(sys.executable).with_name("snmpsim-command-responder")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("snmpsim-command-responder")
    if not found:
        raise RuntimeError("snmpsim is not installed: pip install snmpsim pysmi cryptography")
    return found


def start_agent(
    data_dir: Path,
    *,
    port: int | None = None,
    extra_ports: int | list[int] = 0,
    community: str = "public",
    users: list[V3User] | None = None,
    log_path: Path | None = None,
    ready_timeout: float = 20.0,
) -> Agent:
    """Start snmpsim serving ``data_dir`` on 127.0.0.1 and wait (with a deadline) until it answers.

    ``extra_ports`` (a count of free ports to pick, or the ports) makes one process answer on several UDP
    ports, as several agents would (benchmarks); ``community`` is the data file probed for readiness.
    """
    port = port or free_udp_port()
    if isinstance(extra_ports, int):
        picked: set[int] = {port}
        while len(picked) < extra_ports + 1:
            picked.add(free_udp_port())
        extra_ports = sorted(picked - {port})
    ports = [port, *extra_ports]
    users = users if users is not None else [V3User()]
    argv = [responder_executable(), "--v3-engine-id=auto"]
    for user in users:
        argv += [
            f"--v3-user={user.name}",
            f"--v3-auth-key={user.auth_key}",
            "--v3-auth-proto=SHA",
            f"--v3-priv-key={user.priv_key}",
            "--v3-priv-proto=AES",
        ]
    argv += [
        f"--data-dir={data_dir}",
        *(f"--agent-udpv4-endpoint=127.0.0.1:{number}" for number in ports),
        f"--cache-dir={data_dir / '.cache'}",
    ]
    env = {**os.environ, "SNMPSIM_ALLOW_ROOT": "true"}
    log = open(log_path or os.devnull, "ab")  # noqa: SIM115 - handed to the child
    try:
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    finally:
        log.close()
    agent = Agent(process=process, port=port, data_dir=Path(data_dir), community=community, users=users, ports=ports)
    try:
        wait_until_answering(agent, timeout=ready_timeout)
    except BaseException:
        agent.stop()
        raise
    return agent


def wait_until_answering(agent: Agent, *, timeout: float) -> None:
    """Poll sysName.0 on every port until the agent answers; raise when the deadline passes or the process exits."""
    from collector.snmp import SnmpClient, Target

    async def probe() -> bool:
        client = SnmpClient()
        try:
            for number in agent.ports or [agent.port]:
                target = Target(0, agent.host, number, community=agent.community, timeout=0.5, retries=0)
                if await client.get_scalar(target, "1.3.6.1.2.1.1.5.0") is None:
                    return False
            return True
        except Exception:
            return False
        finally:
            client.close()

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if agent.process.poll() is not None:
            raise RuntimeError(f"snmpsim exited with {agent.process.returncode} before answering")
        if asyncio.run(probe()):
            return
        time.sleep(0.2)
    raise TimeoutError(f"snmpsim on port {agent.port} did not answer within {timeout} s")


def load_switch_generator():
    """``fixtures/snmp/make_switch.py`` as a module (fixtures/ is data, not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_switch", FIXTURES / "make_switch.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_switch(path: Path, *, ports: int, name: str) -> Path:
    """Write an snmprec file of a simulated switch with ``ports`` interfaces (the community is the file's stem)."""
    generator = load_switch_generator()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(generator.render(generator.records(ports, name)))
    return path


def prepare_data_dir(directory: Path, *, source: Path = SWITCH48) -> Path:
    """Copy a fixture's data files into ``directory`` (the agent may write its cache beside them)."""
    directory.mkdir(parents=True, exist_ok=True)
    for path in source.glob("*.snmprec"):
        shutil.copyfile(path, directory / path.name)
    return directory


SNMPD_CONFIG = FIXTURES / "snmpd.conf"
IFMIB_PASS = FIXTURES / "ifmib_pass.py"


def snmpd_executable() -> str | None:
    """Net-SNMP's snmpd (Debian package ``snmpd``, in /usr/sbin), or None when it is not installed."""
    return shutil.which("snmpd") or next(
        (path for path in ("/usr/sbin/snmpd", "/usr/local/sbin/snmpd") if os.access(path, os.X_OK)), None
    )


@dataclass
class SnmpdAgent(Agent):
    """A running snmpd; ``write_community`` may SET ifOperStatus, like snmpsim's writecache."""

    write_community: str = "private"

    @property
    def link_file(self) -> Path:
        return self.data_dir / "link-down"

    def set_link(self, port: int, *, up: bool) -> None:
        """Take port ``port`` down (or up again) by editing the link-state file the pass script reads."""
        down = set(self.link_file.read_text().split()) if self.link_file.exists() else set()
        down.discard(str(port)) if up else down.add(str(port))
        self.link_file.write_text("".join(f"{item}\n" for item in sorted(down, key=int)))


def start_snmpd(
    directory: Path,
    *,
    port: int | None = None,
    ports: int = 48,
    user: V3User | None = None,
    ready_timeout: float = 20.0,
) -> SnmpdAgent:
    """Start snmpd on 127.0.0.1 (an unprivileged high port) as a simulated ``ports``-port switch; wait until it
    answers. Its config, persistent state, link-state file and log live in ``directory``."""
    executable = snmpd_executable()
    if executable is None:
        raise RuntimeError("snmpd is not installed: apt-get install snmpd")
    directory.mkdir(parents=True, exist_ok=True)
    port = port or free_udp_port()
    user = user or V3User()
    python = shutil.which("python3") or sys.executable
    fields = {
        "@PORT@": str(port),
        "@PYTHON@": python,
        "@SCRIPT@": str(IFMIB_PASS),
        "@LINKFILE@": str(directory / "link-down"),
        "@PORTS@": str(ports),
        "@V3USER@": user.name,
        "@V3AUTH@": user.auth_key,
        "@V3PRIV@": user.priv_key,
    }
    config = SNMPD_CONFIG.read_text()
    for placeholder, value in fields.items():
        config = config.replace(placeholder, value)
    config_path = directory / "snmpd.conf"
    config_path.write_text(config)
    (directory / "link-down").write_text("")
    persistent = directory / "persist"
    persistent.mkdir(exist_ok=True)
    argv = [executable, "-f", "-C", "-c", str(config_path), "-I", "-ifTable,-ifXTable,-interfaces"]
    argv += ["-Lf", str(directory / "snmpd.log"), "-p", str(directory / "snmpd.pid")]
    env = {**os.environ, "MIBS": "", "MIBDIRS": "/nonexistent", "SNMP_PERSISTENT_DIR": str(persistent)}
    process = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True
    )
    agent = SnmpdAgent(process=process, port=port, data_dir=directory, users=[user], ports=[port])
    try:
        wait_until_answering(agent, timeout=ready_timeout)
    except BaseException:
        agent.stop()
        raise
    return agent
