"""django-q2 tasks of the catalog app: thin, they call services.

``cancellations_due`` runs daily (schedule "catalog: cancellations due", created by migration 0002).
"""

from catalog import services


def cancellations_due() -> str:
    """Cancel the services whose confirmed cancellation takes effect today (or earlier); a summary for the log."""
    return f"{services.service_cancel_due()} services cancelled"
