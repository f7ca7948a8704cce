"""Started by ``manage.py serve`` (``make run``): the simulated BMCs of the demo's dedicated servers.

Not imported by Django; reads ``var/bmc_simulators.json`` (written by ``manage.py demo``) and runs one
simulator process for all of them, stopped by PID on SIGTERM/SIGINT.
"""

import json
import os
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    sys.path.insert(0, str(ROOT / "site"))
    from remote.simulator import free_port, start_simulator

    var = Path(os.environ.get("SERVERSTOCK_VAR_DIR", ROOT / "var"))
    servers = json.loads((var / "bmc_simulators.json").read_text())
    bmcs = [{"name": name, **entry} for name, entry in servers.items()]
    control_file = var / "bmc_control_port"
    control = int(control_file.read_text()) if control_file.exists() else free_port(__import__("socket").SOCK_STREAM)
    control_file.write_text(str(control))
    simulator = start_simulator(bmcs, control_port=control, log_path=var / "bmc_simulators.log")
    collector = None
    token_file = var / "collector_token"
    token = os.environ.get("COLLECTOR_TOKEN") or (token_file.read_text().strip() if token_file.exists() else "")
    if token:  # the IPMI collector polls them into var/rrd and reports to the local portal
        import subprocess

        env = {
            **os.environ,
            "COLLECTOR_TOKEN": token,
            "PORTAL_URL": os.environ.get("PORTAL_URL", "http://127.0.0.1:8000"),
            "RRD_DIR": os.environ.get("RRD_DIR", str(var / "rrd")),
        }
        collector = subprocess.Popen([sys.executable, "-m", "collector", "ipmi"], cwd=ROOT, env=env)
    print(f"simulated BMCs: {', '.join(f'{b["name"]} on 127.0.0.1:{b["port"]}' for b in bmcs)}", flush=True)
    stopping = False

    def stop(*_args):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while not stopping and simulator.process.poll() is None:
            time.sleep(0.5)
    finally:
        if collector is not None and collector.poll() is None:
            collector.terminate()
            try:
                collector.wait(timeout=10)
            except subprocess.TimeoutExpired:
                collector.kill()
        simulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
