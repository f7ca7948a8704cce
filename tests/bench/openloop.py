"""An open-loop HTTP load generator (wrk2-style): requests leave at a fixed rate whatever the server does, and each
latency is counted from the time the request was *scheduled* to leave, so a stalled server shows up in the
figures instead of slowing the generator down (coordinated omission avoided).

HTTP/1.1 keep-alive over asyncio streams: a request takes an idle connection or opens a new one, so there is no
cap on requests in flight. Only GET, only what the benchmarks need (Content-Length or chunked bodies).
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

NOT_A_BENCHMARK = True


@dataclass
class Result:
    scheduled: float
    latency: float
    status: int
    path: str


@dataclass
class Pool:
    host: str
    port: int
    idle: list = field(default_factory=list)
    opened: int = 0

    async def get(self, path: str, headers: dict[str, str]) -> int:
        if self.idle:
            reader, writer = self.idle.pop()
        else:
            reader, writer = await asyncio.open_connection(self.host, self.port)
            self.opened += 1
        lines = [f"GET {path} HTTP/1.1", f"Host: {self.host}:{self.port}", *(f"{k}: {v}" for k, v in headers.items())]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        try:
            status, keep = await _read_response(reader)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            writer.close()
            raise
        if keep:
            self.idle.append((reader, writer))
        else:
            writer.close()
        return status

    def close(self) -> None:
        for _reader, writer in self.idle:
            writer.close()
        self.idle.clear()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.read()
        return status, False
    return status, headers.get("connection", "").lower() != "close"


async def _run(host, port, requests_, rate: float, seconds: float) -> list[Result]:
    """``requests_``: a function returning the next (path, headers) to send."""
    pool = Pool(host, port)
    results: list[Result] = []
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.1
    total = int(rate * seconds)
    tasks = []

    async def one(scheduled: float, path: str, headers: dict) -> None:
        try:
            status = await pool.get(path, headers)
        except Exception:  # noqa: BLE001 - a refused or broken connection counts as a failed request
            status = 0
        results.append(Result(scheduled, loop.time() - scheduled, status, path))

    for n in range(total):
        scheduled = start + n / rate
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        path, headers = requests_()
        tasks.append(asyncio.create_task(one(scheduled, path, headers)))
    await asyncio.gather(*tasks)
    pool.close()
    return results


def run(base: str, requests_, *, rate: float, seconds: float) -> list[Result]:
    host, port = base.removeprefix("http://").split(":")
    return asyncio.run(_run(host, int(port), requests_, rate, seconds))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def cpu_ticks(pids) -> int:
    """User + system CPU ticks used so far by ``pids`` (processes that are gone count 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total


def descendants(pid: int) -> set[int]:
    """``pid`` and every process below it."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    found, frontier = {pid}, {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def mixed(choices: list[tuple[str, dict]], seed: int = 1):
    """A function returning one of ``choices`` at random (seeded, so both runs see the same mix)."""
    rng = random.Random(seed)
    return lambda: rng.choice(choices)


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def clock_ticks() -> int:
    import os

    return os.sysconf("SC_CLK_TCK")


def now() -> float:
    return time.time()
