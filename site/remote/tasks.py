"""django-q2 tasks of the remote app: thin wrappers around services."""

from remote import services
from remote.models import PowerJob


def power_job_run(job_id: int) -> str:
    """Queued by ``power_job_request``: run the job against the BMC and record the answer."""
    job = PowerJob.objects.filter(pk=job_id).first()
    if job is None:
        return "gone"
    return services.power_job_run(job=job).status
