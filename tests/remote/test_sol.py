"""The SOL bridge against a simulated BMC whose answers are held back (its process frozen with SIGSTOP): a console
of a session shared with earlier consoles opens while the session's keepalive is still unanswered, and a console
closed before the BMC answered its activation gives the payload back."""

import asyncio
import os
import signal
import time

import pytest

from collector.ipmi import BmcTarget
from remote.console import ConsoleError, SolBridge
from remote.simulator import start_simulator

pytestmark = pytest.mark.slow


@pytest.fixture
def held_bmc():
    """A BMC of its own (its pyghmi session is shared by this test's consoles only), thawed and stopped after."""
    sim = start_simulator([{"name": "held-host", "username": "admin", "password": "held-pw"}])
    yield sim
    os.kill(sim.process.pid, signal.SIGCONT)
    sim.stop()


def _target(sim) -> BmcTarget:
    return BmcTarget(host="127.0.0.1", port=sim.port, username="admin", password="held-pw")


def _bridge(sim, output: list[bytes]) -> SolBridge:
    return SolBridge(
        _target(sim), loop=asyncio.get_running_loop(), on_output=output.append, on_error=lambda message: None
    )


def _shared_session(sim):
    from pyghmi.ipmi.private import session

    found = [
        entry["ipmisession"]
        for entry in list(session.Session.keepalive_sessions.values())
        if getattr(entry.get("ipmisession"), "port", None) == sim.port
    ]
    assert len(found) == 1, found
    return found[0]


async def _eventually(predicate, *, within: float = 10.0) -> bool:
    end = time.monotonic() + within
    while not predicate():
        if time.monotonic() > end:
            return False
        await asyncio.sleep(0.05)
    return True


def test_a_console_opens_while_its_sessions_keepalive_is_unanswered(held_bmc):
    """pyghmi's own activation waited for the keepalive's answer, which only the waiting thread would have processed:
    the open failed after 12 s ("the BMC did not answer") and every console of the process stalled with it."""

    async def scenario():
        first = _bridge(held_bmc, [])
        await first.open()
        await first.close()
        session = _shared_session(held_bmc)
        os.kill(held_bmc.process.pid, signal.SIGSTOP)
        from pyghmi.ipmi.private import session as ipmisession

        ipmisession.Session.keepalive_sessions[session]["timeout"] = 0  # the loop sends it on its next turn
        in_command = await _eventually(lambda: session._isincommand(), within=5)
        output: list[bytes] = []
        second = _bridge(held_bmc, output)
        opening = asyncio.ensure_future(second.open())
        await asyncio.sleep(0.3)
        os.kill(held_bmc.process.pid, signal.SIGCONT)
        await opening  # ConsoleError before: the loop waited out the keepalive
        await second.send(b"hostname\r")
        answered = await _eventually(lambda: b"\r\nheld-host\r\n" in b"".join(output))
        await second.close()
        return in_command, answered

    in_command, answered = asyncio.run(scenario())
    assert in_command, "the keepalive was never in flight: the test did not set up what it checks"
    assert answered
    assert held_bmc.state()["console_active"] is False


def test_a_console_closed_before_its_activation_was_answered_gives_the_payload_back(held_bmc):
    async def scenario():
        first = _bridge(held_bmc, [])
        await first.open()
        await first.close()
        os.kill(held_bmc.process.pid, signal.SIGSTOP)
        second = _bridge(held_bmc, [])
        opening = asyncio.ensure_future(second.open())
        activating = await _eventually(lambda: second.console is not None and second.console.activation_sent, within=5)
        await second.close()
        with pytest.raises(ConsoleError):
            await opening
        os.kill(held_bmc.process.pid, signal.SIGCONT)
        # The thawed BMC activates the payload for the closed console, which gives it back when the answer
        # arrives (pyghmi's console kept it, and its keepalive, for good).
        await asyncio.sleep(1.0)
        released = await _eventually(lambda: held_bmc.state()["console_active"] is False)
        return activating, released

    activating, released = asyncio.run(scenario())
    assert activating
    assert released, held_bmc.state()
