"""``python manage.py send_digests [--period YYYY-MM] [--dry-run] [--user EMAIL]``.

Sends in this process (no worker needed), through the same claim-then-send
path as the Celery tasks, so it is safe to run beside them or twice.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from digests import services
from digests.emails import render_digest
from digests.periods import MONTHLY, InvalidPeriod, current_period, parse_period
from digests.selectors import digest_for


class Command(BaseCommand):
    help = "Send the digest for a period (default: this month) to every member who has not had it yet."

    def add_arguments(self, parser):
        parser.add_argument("--period", help="YYYY-MM for a monthly digest, YYYY-Www for a weekly one.")
        parser.add_argument("--dry-run", action="store_true", help="Compose and report; send and record nothing.")
        parser.add_argument("--user", metavar="EMAIL", help="Only this member.")

    def handle(self, *args, period=None, dry_run=False, user=None, **options):
        try:
            period = parse_period(period) if period else current_period(MONTHLY)
        except InvalidPeriod as exc:
            raise CommandError(str(exc)) from exc
        if user:
            member = User.objects.filter(email__iexact=user).first()
            if member is None:
                raise CommandError(f"No member has the email address “{user}”.")
            user_ids = [member.pk]
        else:
            user_ids = services.members_due(period=period)
        self.stdout.write(f"Digest {period.key} ({period.title}): {len(user_ids)} member(s) to go.")
        if dry_run:
            self._dry_run(period, user_ids)
        else:
            self._send(period, user_ids)

    def _dry_run(self, period, user_ids):
        shared = {}
        would_send = 0
        for position, member in enumerate(User.objects.filter(pk__in=user_ids).order_by("pk"), start=1):
            digest = digest_for(user=member, period=period, shared=shared)
            if digest is None:
                self.stdout.write(f"  {member.email or member.username}: nothing to say, no email")
            else:
                would_send += 1
                subject, _text, _html = render_digest(digest)
                self.stdout.write(
                    f"  {member.email or '(no email address)'}: “{subject}”, {digest.calls.count} call(s) to action, "
                    f"{len(digest.sections)} communit{'y' if len(digest.sections) == 1 else 'ies'}"
                )
            if position % 100 == 0:
                self.stdout.write(f"  … {position}/{len(user_ids)} composed")
        self.stdout.write(self.style.SUCCESS(f"Dry run: {would_send} email(s) would go out. Nothing was sent."))

    def _send(self, period, user_ids):
        if not user_ids:
            self.stdout.write(self.style.SUCCESS("Nothing to send: everyone has had this digest."))
            return
        services.open_run(period=period)
        totals = {"sent": 0, "skipped": 0, "failed": 0, "retry": 0, "busy": 0}
        started = time.monotonic()
        size = settings.DIGEST_BATCH_SIZE
        done = 0
        for start in range(0, len(user_ids), size):
            batch = user_ids[start : start + size]
            result = services.deliver_batch(period=period, user_ids=batch)
            for name in totals:
                totals[name] += len(getattr(result, name))
            done += len(batch)
            elapsed = time.monotonic() - started
            self.stdout.write(
                f"  {done}/{len(user_ids)} · sent {totals['sent']}, skipped {totals['skipped']}, "
                f"failed {totals['failed']}, to retry {totals['retry']} · {elapsed:.1f}s"
            )
        style = self.style.SUCCESS if not totals["failed"] and not totals["retry"] else self.style.WARNING
        self.stdout.write(
            style(
                f"Done: {totals['sent']} sent, {totals['skipped']} skipped, {totals['failed']} failed, "
                f"{totals['retry']} to retry later, {totals['busy']} already handled elsewhere."
            )
        )
