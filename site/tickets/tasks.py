"""django-q2 tasks of the tickets app: thin, they call services.

``sla_check`` is scheduled every five minutes by migration ``0002_seed_queues_calendar_policies`` (a
get-or-create of the Schedule named "tickets: SLA check", so it exists once on every database).
"""

from tickets import services


def sla_check() -> str:
    """Warn before SLA targets fall due and record breaches; returns a summary for the task log."""
    counts = services.ticket_sla_check()
    return f"{counts['warned']} warned, {counts['breached']} breached"
