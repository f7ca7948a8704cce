"""OpenIPMI's ``ipmi_sim`` as the second, independent simulated BMC (tests and the benchmark's reference).

Django-free. Following ``../shared/TESTBED.md``: a ``lan.conf`` with ``addr 127.0.0.1 PORT``, an admin user,
``chassis_control`` pointing at ``fixtures/ipmi/chassis_control.py`` (which keeps the host's power in a file
and logs every request); ``ipmitool`` needs ``-C 3`` with it. The sensors are the same as the pyghmi
simulator's, given to ipmi_sim as raw SDR records and sensor values.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

from remote.simulator import DEFAULT_SENSORS, Sensor, free_port, wait_for_bmc

ROOT = Path(__file__).resolve().parents[2]
CHASSIS_CONTROL = ROOT / "fixtures" / "ipmi" / "chassis_control.py"


@dataclasses.dataclass
class IpmiSim:
    """A running ipmi_sim process; ``state_dir`` holds the host's power (``power``) and ``actions``."""

    process: subprocess.Popen
    port: int
    state_dir: Path
    username: str = "admin"
    password: str = "password"

    @property
    def power(self) -> str:
        path = self.state_dir / "power"
        return "off" if path.exists() and path.read_text().strip() == "0" else "on"

    @property
    def actions(self) -> list[str]:
        path = self.state_dir / "actions"
        return path.read_text().splitlines() if path.exists() else []

    def stop(self, timeout: float = 5.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)


def _hex(data: bytes) -> str:
    return " ".join(f"0x{byte:02x}" for byte in data)


def write_config(directory: Path, *, port: int, username: str, password: str) -> tuple[Path, Path]:
    """The ``lan.conf`` and the emulation command file for one BMC on ``127.0.0.1:port``."""
    directory.mkdir(parents=True, exist_ok=True)
    # ipmi_sim runs the program by its path and appends its arguments, so the state directory goes in a wrapper.
    wrapper = directory / "chassis_control"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{CHASSIS_CONTROL}" "{directory}" "$@"\n')
    wrapper.chmod(0o755)
    lan = directory / "lan.conf"
    lan.write_text(
        "\n".join(
            [
                'name "serverstock"',
                "set_working_mc 0x20",
                "  startlan 1",
                f"    addr 127.0.0.1 {port}",
                "    priv_limit admin",
                "    allowed_auths_callback none md2 md5 straight",
                "    allowed_auths_user none md2 md5 straight",
                "    allowed_auths_operator none md2 md5 straight",
                "    allowed_auths_admin none md2 md5 straight",
                "    guid a123456789abcdefa123456789abcdef",
                "  endlan",
                f'  chassis_control "{wrapper} 0x20"',
                f'user 2 true "{username}" "{password}" admin 10 none md2 md5 straight',
                "",
            ]
        )
    )
    lines = ["mc_setbmc 0x20", "mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02"]
    for index, row in enumerate(DEFAULT_SENSORS, start=1):
        sensor = Sensor(*row)
        lines.append(f"main_sdr_add 0x20 {_hex(sensor.record(index))}")
        lines.append(f"sensor_add 0x20 0 {sensor.number} 0x{sensor.sensor_type:02x} 0x01")
        lines.append(
            f"sensor_set_threshold 0x20 0 {sensor.number} settable 011000 0 "
            f"{sensor.raw(sensor.upper_critical)} {sensor.raw(sensor.upper_warning)} 0 0 0"
        )
        lines.append(f"sensor_set_value 0x20 0 {sensor.number} {sensor.raw(sensor.value)} 0")
    lines.append("mc_enable 0x20")
    emu = directory / "sim.emu"
    emu.write_text("\n".join(lines) + "\n")
    return lan, emu


def start_ipmi_sim(directory: Path, *, username: str = "admin", password: str = "password", deadline: float = 15.0):
    """Start ``ipmi_sim`` for one BMC (host powered on); returns once it answers the channel probe."""
    executable = shutil.which("ipmi_sim")
    if executable is None:
        raise RuntimeError("ipmi_sim is missing: install Debian's openipmi ('make deps').")
    port = free_port()
    directory = Path(directory)
    lan, emu = write_config(directory, port=port, username=username, password=password)
    (directory / "power").write_text("1")
    state = directory / "state"
    state.mkdir(exist_ok=True)
    log = (directory / "ipmi_sim.log").open("ab")
    process = subprocess.Popen(
        [executable, "-c", str(lan), "-f", str(emu), "-s", str(state), "-n", "-p"],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    log.close()
    sim = IpmiSim(process=process, port=port, state_dir=directory, username=username, password=password)
    if not wait_for_bmc(port, deadline=deadline):
        sim.stop()
        raise RuntimeError(f"ipmi_sim did not answer on 127.0.0.1:{port}; see {directory / 'ipmi_sim.log'}")
    return sim
