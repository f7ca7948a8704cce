"""Started by ``manage.py serve`` (``make run``): the local simulated switch plus a collector polling it.

Not imported by the collector itself; it only launches processes: snmpsim on its own port (the demo
switches point at it) and ``python -m collector run`` with the token from ``var/collector_token``. Both are
stopped by PID when this process gets SIGTERM/SIGINT.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from collector.simulate import prepare_data_dir, start_agent

    var = Path(os.environ.get("SERVERSTOCK_VAR_DIR", ROOT / "var"))
    token = os.environ.get("COLLECTOR_TOKEN") or (var / "collector_token").read_text().strip()
    port_file = var / "snmpsim_port"
    port = int(port_file.read_text()) if port_file.exists() else None
    # The demo's customer ports carry their own rates (monitoring.demo_bandwidth writes var/snmpsim-source).
    source = var / "snmpsim-source"
    data_dir = prepare_data_dir(var / "snmpsim", **({"source": source} if (source / "public.snmprec").exists() else {}))
    agent = start_agent(data_dir, port=port, log_path=var / "snmpsim.log")
    env = {
        **os.environ,
        "COLLECTOR_TOKEN": token,
        "PORTAL_URL": os.environ.get("PORTAL_URL", "http://127.0.0.1:8000"),
        "RRD_DIR": os.environ.get("RRD_DIR", str(var / "rrd")),
    }
    collector = subprocess.Popen([sys.executable, "-m", "collector", "run"], cwd=ROOT, env=env)
    stopping = False

    def stop(*_args):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while not stopping and collector.poll() is None and agent.process.poll() is None:
            time.sleep(0.5)
    finally:
        if collector.poll() is None:
            collector.terminate()
            try:
                collector.wait(timeout=10)
            except subprocess.TimeoutExpired:
                collector.kill()
        agent.stop()
    return collector.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
