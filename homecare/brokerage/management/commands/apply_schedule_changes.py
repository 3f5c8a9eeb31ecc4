"""Bring each changed package's visit rows and hours to the schedule in force today.

Run daily (after midnight, London time) so a variation dated in advance shows on the
waiting list, the providers' lists and the API from its first day. The pages and planned
visits read the schedule in force from the stored versions whatever this has done.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from homecare.brokerage.changes import apply_due_schedules


class Command(BaseCommand):
    help = "Bring each changed package's hours a week to the schedule in force today."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = apply_due_schedules(now=timezone.now(), acting_user=None)
        noun = "package" if changed == 1 else "packages"
        self.stdout.write(f"{changed} {noun} brought to the schedule in force today.")
