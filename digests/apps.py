from django.apps import AppConfig


class DigestsConfig(AppConfig):
    name = "digests"

    def ready(self):
        from celery.signals import worker_ready

        from digests import panels  # noqa: F401 - registers its panels (core.panels)

        worker_ready.connect(_resume_after_restart, dispatch_uid="digests.resume_after_restart", weak=False)


def _resume_after_restart(**kwargs):
    """A worker that starts (or restarts after being killed) picks up unfinished runs at once.

    Its dead self's claims are taken back straight away (core.workers), not after DIGEST_CLAIM_TIMEOUT.
    """
    from digests.tasks import resume_unfinished_runs

    resume_unfinished_runs.delay()
