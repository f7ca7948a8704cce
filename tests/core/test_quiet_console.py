"""`make run`'s console: the banner, warnings and errors; not Wagtail's task lines, WeasyPrint's steps or
the collectors' requests (``core.logs``)."""

import logging
import logging.config

import pytest
from django.core.management import call_command

from core.logs import QuietRoutineRequests, logging_config


def _record(name: str, level: int, msg: str, args) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, None)


@pytest.fixture
def console(capfd):
    """Call it in the test body: the project's console logging at WARNING (as with DEBUG=1), its handlers bound
    to the captured stderr of the call phase; the test settings' logging is restored afterwards."""
    from django.conf import settings

    def configure():
        logging.config.dictConfig(logging_config("WARNING"))
        return capfd

    yield configure
    logging.config.dictConfig(settings.LOGGING)


def test_routine_requests_are_dropped_failures_kept():
    quiet = QuietRoutineRequests()
    daphne = "HTTP %(method)s %(path)s %(status)s [%(time_taken).2f, %(client)s]"
    ingest = {
        "method": "POST",
        "path": "/api/monitoring/collector/ingest/",
        "status": 200,
        "time_taken": 0.01,
        "client": "127.0.0.1:5",
    }
    assert not quiet.filter(_record("django.channels.server", logging.INFO, daphne, ingest))
    assert quiet.filter(_record("django.channels.server", logging.INFO, daphne, {**ingest, "path": "/portal/"}))
    assert quiet.filter(_record("django.channels.server", logging.ERROR, daphne, {**ingest, "status": 500}))
    line = ('"%s" %s %s', ("GET /api/monitoring/collector/targets/ HTTP/1.1", "200", "512"))
    assert not quiet.filter(_record("django.server", logging.INFO, *line))
    assert quiet.filter(_record("django.server", logging.WARNING, line[0], (line[1][0], "403", "10")))


def test_levels_follow_log_level():
    quiet = logging_config("WARNING")
    assert quiet["root"]["level"] == "WARNING" and quiet["loggers"]["weasyprint"]["level"] == "WARNING"
    assert logging_config("info")["loggers"]["wagtail"]["level"] == "WARNING"  # still quiet at INFO
    assert logging_config("DEBUG")["loggers"]["wagtail"]["level"] == "DEBUG"


def test_chatty_libraries_are_quiet_and_warnings_show(console):
    console = console()
    logging.getLogger("django.tasks").info("Task id=1 state=RUNNING")
    logging.getLogger("weasyprint.progress").info("Step 1 - Fetching and parsing HTML")
    logging.getLogger("billing").info("overdue handling: 0 marked overdue")
    logging.getLogger("billing").warning("card declined for Acme")
    err = console.readouterr().err
    assert err.strip().splitlines() == ["card declined for Acme"], err


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_load_prints_a_line_per_step_and_little_else(console, settings):
    settings.DEBUG = True
    console = console()
    call_command("demo")
    out, err = console.readouterr()
    lines = out.strip().splitlines()
    assert lines[-1].startswith("Demo data ready") and all(line.startswith("[") for line in lines[:-1]), out
    assert "Task id=" not in out + err and "Step 1" not in out + err and "state=" not in err
    assert len(err.strip().splitlines()) <= 3, err


def test_serve_starts_the_others_once_the_web_server_answers():
    """The collector would print "connection refused" until the web server listens: serve waits for the port."""
    import socket
    import subprocess
    import sys
    import time

    from core.management.commands.serve import _wait_for_port

    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            address = f"127.0.0.1:{listener.getsockname()[1]}"
            started = time.monotonic()
            assert not _wait_for_port(address, sleeper, deadline=started + 0.6)  # bound, not listening yet
            listener.listen()
            assert _wait_for_port(address, sleeper, deadline=time.monotonic() + 5)
            assert not _wait_for_port(address, sleeper, deadline=time.monotonic() + 5, stopped=lambda: True)
    finally:
        sleeper.terminate()
        sleeper.wait(timeout=10)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait(timeout=10)
    assert not _wait_for_port("127.0.0.1:9", dead, deadline=time.monotonic() + 5)
