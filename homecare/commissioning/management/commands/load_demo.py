"""``manage.py load_demo``: the demo's two councils, idempotent, then the sign-ins to use."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from homecare.accounts.models import Membership
from homecare.commissioning.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load (or refresh) the demo councils, invented providers, personas, zones and rates."

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo's clock is the moment it is loaded: its history runs up to now.
        summary = load_demo(now=timezone.now())
        self.stdout.write(
            f"Loaded {summary.zones} zones, {summary.areas} areas and rate cards "
            f"{', '.join(summary.rate_cards)}."
        )
        self.stdout.write("")
        self.stdout.write("Demo sign-ins (every persona and provider is invented):")
        width = max(len(p.username) for p in summary.personas)
        self.stdout.write(f"  {'username'.ljust(width)}  password        role")
        for persona in summary.personas:
            self.stdout.write(
                f"  {persona.username.ljust(width)}  {DEMO_PASSWORD.ljust(14)}  "
                f"{Membership.Role(persona.role).label.lower()} at {persona.organisation}"
            )
