from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import logins


class Command(BaseCommand):
    help = "Create demo people and content. Safe to run again: nothing is duplicated."

    def handle(self, *args, **options):
        # Each app may ship a demo.py with seed(*, stdout); they run in
        # INSTALLED_APPS order, which is the dependency order.
        for config in apps.get_app_configs():
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            with transaction.atomic():
                module.seed(stdout=self.stdout)
            self.stdout.write(f"  seeded {config.label}")
        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in with any of these:"))
        for email, password, role in logins():
            self.stdout.write(f"  {email:28} {password:16} {role}")
