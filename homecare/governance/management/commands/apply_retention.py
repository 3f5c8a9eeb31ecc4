"""Apply the retention rules: ``--dry-run`` (the default) prints what each rule would do;
``--apply`` does it, all or nothing, and records the run."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from homecare.governance import actions, retention
from homecare.governance.trail import LONDON


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--now must be a date and time such as 2032-04-01T02:00, not {text!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=LONDON)


def _lines(findings: list[retention.Finding], done: bool) -> list[str]:
    verb = "Done" if done else "Would do"
    lines = []
    for finding in findings:
        oldest = f", the oldest from {finding.oldest:%-d %B %Y}" if finding.oldest else ""
        cutoff = f" (before {finding.cutoff:%-d %B %Y})" if finding.cutoff else ""
        lines.append(
            f"{verb}: {finding.title}, kept for {finding.kept_for}{cutoff}: "
            f"{finding.count:,}{oldest}"
        )
    return lines


class Command(BaseCommand):
    help = "Anonymise and delete records older than the retention rules allow (dry run first)."

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--dry-run", action="store_true", help="Only report what would be done (default)"
        )
        mode.add_argument("--apply", action="store_true", help="Do it, and record the run")
        parser.add_argument(
            "--now", help="Measure ages from this time instead of now (ISO, London time)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = _moment(options["now"]) if options["now"] else timezone.now()
        try:
            if options["apply"]:
                run = actions.apply_retention(now=now, acting_user=None)
                findings = [retention.Finding(**_finding(item)) for item in run.report]
                lines = _lines(findings, done=True)
            else:
                lines = _lines(retention.report(now), done=False)
                lines.append("Nothing was changed. Run again with --apply to do it.")
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Retention rules as of {now.astimezone(LONDON):%-d %B %Y %H:%M}")
        for line in lines:
            self.stdout.write(line)


def _finding(item: dict[str, Any]) -> dict[str, Any]:
    values = dict(item)
    for key in ("cutoff", "oldest"):
        values[key] = date.fromisoformat(values[key]) if values[key] else None
    return values
