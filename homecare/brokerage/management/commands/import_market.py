"""``manage.py import_market KIND FILE [--good-rows-only]``: load a market from spreadsheets.

KIND is providers, appointments, people or packages; FILE a .csv or .xlsx. By default nothing
is written if any row is bad; ``--good-rows-only`` writes the good rows. Every rejected row is
printed with its row number, column and reason; the exit status is 1 when any row was bad.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from carecore.errors import InputError
from homecare.brokerage.imports import KINDS, import_file


class Command(BaseCommand):
    help = "Import providers, appointments, people or packages from a CSV or XLSX file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("file")
        parser.add_argument(
            "--good-rows-only",
            action="store_true",
            help="write the good rows even if some are bad (default: all or nothing)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = import_file(
                options["kind"],
                options["file"],
                good_rows_only=options["good_rows_only"],
                now=timezone.now(),
                acting_user=None,
            )
        except (InputError, OSError) as exc:
            raise CommandError(str(exc)) from None
        for line in report.lines():
            self.stdout.write(line)
        if report.rejected:
            raise SystemExit(1)
