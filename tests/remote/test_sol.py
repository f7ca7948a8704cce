"""The SOL bridge against a simulated BMC whose answers are held back (its process frozen with SIGSTOP): a console
of a session shared with earlier consoles opens while the session's keepalive is still unanswered, a console
closed before the BMC answered its activation gives the payload back, and a silent BMC holds up no other
console."""

import asyncio
import os
import signal
import time

import pytest

from collector.ipmi import BmcTarget
from remote.console import ConsoleError, SolBridge
from remote.simulator import start_simulator
from tests.remote.conftest import HELD_PASSWORD, shared_session

pytestmark = pytest.mark.slow


def _target(sim) -> BmcTarget:
    return BmcTarget(host="127.0.0.1", port=sim.port, username="admin", password=HELD_PASSWORD)


def _bridge(sim, output: list[bytes]) -> SolBridge:
    return SolBridge(
        _target(sim), loop=asyncio.get_running_loop(), on_output=output.append, on_error=lambda message: None
    )


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
        session = shared_session(held_bmc)
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


def test_a_bmc_that_stops_answering_holds_up_no_other_console(held_bmc):
    """Keystrokes are sent without waiting for the acknowledgement (pyghmi's console waits up to 12.5 s for it, on
    the one thread every console shares); unacknowledged ones are sent again, then the console says it was lost."""
    other = start_simulator([{"name": "other-host", "username": "admin", "password": HELD_PASSWORD}])

    async def scenario():
        held_output, other_output, errors = [], [], []
        held = SolBridge(
            _target(held_bmc), loop=asyncio.get_running_loop(), on_output=held_output.append, on_error=errors.append
        )
        await held.open()
        answering = _bridge(other, other_output)
        await answering.open()
        os.kill(held_bmc.process.pid, signal.SIGSTOP)
        await held.send(b"hostname\r")
        await asyncio.sleep(0.2)
        await answering.send(b"hostname\r")
        # Within 8 s: pyghmi's own send waited up to 12.5 s for the silent BMC's acknowledgement.
        answered = await _eventually(lambda: b"\r\nother-host\r\n" in b"".join(other_output), within=8)
        lost = await _eventually(lambda: bool(errors), within=10)
        await answering.close()
        await held.close()
        return answered, lost, errors

    try:
        answered, lost, errors = asyncio.run(scenario())
    finally:
        other.stop()
    assert answered, "the answering BMC's console waited for the silent one"
    assert lost and "Connection lost" in errors[0], errors
