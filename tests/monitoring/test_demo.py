"""The demo's service checks are real: the collector's probes find the pings up and the closed port down,
and the demo shows an open incident and contacts; running it twice changes nothing."""

import asyncio
import os

import pytest
from django.core.management import call_command

from collector.checks import CheckTarget, Prober
from monitoring.check_selectors import check_targets
from monitoring.models import Check, Incident, MonitoringContact

pytestmark = pytest.mark.django_db


def test_demo_checks_contacts_and_an_open_incident(tmp_path, settings):
    # Both through the ``settings`` fixture: an @override_settings(DEBUG=True) around a test that also sets the
    # fixture's settings left DEBUG on for the tests after it (the fixture, undone last, restored the settings
    # it found, the decorator's).
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    devnull = open(os.devnull, "w")  # noqa: SIM115
    call_command("demo", stdout=devnull)
    counts = (Check.objects.count(), MonitoringContact.objects.count(), Incident.objects.count())
    call_command("demo", stdout=devnull)
    assert (Check.objects.count(), MonitoringContact.objects.count(), Incident.objects.count()) == counts
    assert counts[0] >= 4 and counts[1] >= 2
    down = Check.objects.get(state="down")
    assert down.company.name == "Acme Hosting" and down.port == 9
    assert Incident.objects.get(closed_at__isnull=True).service_check == down

    targets = [CheckTarget.from_payload({**item, "timeout": 2}) for item in check_targets()]

    async def probe_all():
        prober = Prober()
        try:
            return {target.id: await prober.run(target) for target in targets if target.kind in ("icmp", "tcp")}
        finally:
            prober.close()

    results = asyncio.run(probe_all())
    assert results[down.pk].ok is False and results[down.pk].message == "connection refused"
    pings = [result for check_id, result in results.items() if check_id != down.pk]
    assert pings and all(result.ok for result in pings)
