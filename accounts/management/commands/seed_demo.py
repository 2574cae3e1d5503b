import importlib

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import DEMO_PASSWORD


# In INSTALLED_APPS order: later apps may build on earlier ones' demo rows.
DEMO_APPS = ("negotiation", "disputes", "legal", "documents", "notifications", "overview")


class Command(BaseCommand):
    help = "Create or refresh the demo organisations, logins and cases (idempotent)."

    def handle(self, *args, **opts):
        from accounts import demo

        with transaction.atomic():
            result = demo.seed()
            # Each workflow app may ship a `demo.seed(base)` that builds on the organisations above.
            for config in apps.get_app_configs():
                if config.name not in DEMO_APPS:
                    continue
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError:
                    continue
                summary = module.seed(result)
                if summary:
                    self.stdout.write(f"  {config.verbose_name}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo logins (password for all: %s):" % DEMO_PASSWORD))
        for username, name, role, org, _ in result["logins"]:
            self.stdout.write(f"  {username:<22} {role.label if hasattr(role, 'label') else role:<12} {name}")
