"""``manage.py import_market KIND FILE [--good-rows-only]``: load a market from spreadsheets.

KIND is providers, appointments, people or packages; FILE a .csv or .xlsx. By default nothing
is written if any row is bad; ``--good-rows-only`` writes the good rows. ``--council`` names
the council the market is imported for (its name or short name); it may be left out when
there is only one council. Every rejected row is
printed with its row number, column and reason; the exit status is 1 when any row was bad.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from carecore.errors import InputError
from homecare.brokerage.imports import KINDS, import_file, importing_council


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
        parser.add_argument(
            "--council",
            default="",
            help="the council the market is for, by name or short name (needed if there are two)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        council = _council(options["council"])
        try:
            report = import_file(
                options["kind"],
                options["file"],
                good_rows_only=options["good_rows_only"],
                council=council,
                now=timezone.now(),
                acting_user=None,
            )
        except (InputError, OSError) as exc:
            raise CommandError(str(exc)) from None
        for line in report.lines():
            self.stdout.write(line)
        if report.rejected:
            raise SystemExit(1)


def _council(text: str) -> Any:
    """The council named by ``text`` (name or slug, any case); None when not named."""
    from django.db.models import Q

    from homecare.accounts.models import Organisation

    if not text.strip():
        if importing_council(None) is None:
            raise CommandError("say which council the market is for with --council")
        return None
    found = Organisation.objects.filter(
        Q(name__iexact=text.strip()) | Q(slug__iexact=text.strip()),
        kind=Organisation.Kind.COUNCIL,
    ).first()
    if found is None:
        raise CommandError(f"no council called {text!r}")
    return found
