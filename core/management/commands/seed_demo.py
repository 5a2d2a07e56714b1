from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule


def _demo_modules():
    """Each installed app's ``demo`` module, in INSTALLED_APPS order (the dependency order)."""
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "demo"):
            yield config, import_module(f"{config.name}.demo")


class Command(BaseCommand):
    help = "Create demo people and content. Safe to run again: nothing is duplicated."

    def handle(self, *args, **options):
        # Each app may ship a demo.py with seed(*, stdout) and, for the people it
        # creates, logins() -> [(email, password, role)].
        modules = list(_demo_modules())
        for config, module in modules:
            with transaction.atomic():
                module.seed(stdout=self.stdout)
            self.stdout.write(f"  seeded {config.label}")
        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in with any of these:"))
        for _config, module in modules:
            for email, password, role in getattr(module, "logins", list)():
                self.stdout.write(f"  {email:28} {password:16} {role}")
