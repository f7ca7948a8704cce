"""``python -m collector run [--shard I/N] [--once]``: poll this shard's devices (see collector/runner.py)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys

from collector.checks import CheckRunner, check_portal
from collector.config import Config
from collector.rrd import CheckRrdWriter
from collector.runner import Collector
from collector.shard import Shard


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m collector", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="poll SNMP devices into RRD files and report to the portal")
    run.add_argument("--shard", type=Shard.parse, default=Shard(0, 1), help="this collector's shard, I/N (0-based)")
    run.add_argument("--once", action="store_true", help="poll every device once, write, report and exit")
    run.add_argument("--log-level", default="INFO")
    ipmi = commands.add_parser("ipmi", help="poll BMC sensors and power state over IPMI into RRD files")
    ipmi.add_argument("--shard", type=Shard.parse, default=Shard(0, 1), help="this collector's shard, I/N (0-based)")
    ipmi.add_argument("--once", action="store_true", help="poll every BMC once, write, report and exit")
    ipmi.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


def check_runner(config: Config) -> CheckRunner | None:
    """The service checks beside SNMP polling, unless ``COLLECTOR_CHECKS=0``."""
    if os.environ.get("COLLECTOR_CHECKS", "1").strip().lower() in ("0", "false", "no", "off"):
        return None
    return CheckRunner(
        portal=check_portal(config.portal_url, config.token, backlog_limit=config.backlog_limit),
        shard=config.shard,
        rrd=CheckRrdWriter(config.rrd_dir, rrdcached_address=config.rrdcached_address),
        concurrency=int(os.environ.get("COLLECTOR_CHECK_CONCURRENCY", "1000")),
        flush_every=config.flush_every,
        targets_every=config.targets_every,
    )


async def run_ipmi(config: Config, *, once: bool) -> int:
    """``python -m collector ipmi``: see collector/ipmi.py."""
    from collector.ipmi import IpmiCollector
    from collector.portal import PortalClient

    collector = IpmiCollector(
        portal=PortalClient(config.portal_url, config.token),
        rrd_dir=config.rrd_dir,
        shard=config.shard,
        step=config.rrd_step,
    )
    if once:
        print(json.dumps(await collector.run_once()))
        return 0
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await collector.run(stop)
    return 0


async def run(config: Config, *, once: bool) -> int:
    collector = Collector(config)
    checks = check_runner(config)
    try:
        if once:
            stats = await collector.run_once()
            if checks is not None:
                stats.update(await checks.run_once())
            print(json.dumps(stats))
            waiting = collector.portal.backlog or (checks is not None and checks.portal.backlog)
            return 0 if not waiting else 2
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await asyncio.gather(collector.run(stop), *([checks.run(stop)] if checks is not None else []))
        return 0
    finally:
        collector.client.close()
        if checks is not None:
            checks.prober.close()


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s collector %(levelname)s %(message)s")
    config = Config.from_env(shard=args.shard)
    if not config.token:
        print("COLLECTOR_TOKEN is not set: create one with 'manage.py collector_token'.", file=sys.stderr)
        return 1
    if args.command == "ipmi":
        return asyncio.run(run_ipmi(config, once=args.once))
    try:
        import uvloop  # optional: faster event loop when installed
    except ImportError:
        return asyncio.run(run(config, once=args.once))
    return uvloop.run(run(config, once=args.once))


if __name__ == "__main__":
    sys.exit(main())
