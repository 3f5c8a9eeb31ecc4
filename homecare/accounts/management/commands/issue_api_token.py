"""``manage.py issue_api_token ORG_SLUG NAME``: a new API token, printed once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from homecare.accounts import actions
from homecare.accounts.models import Organisation


class Command(BaseCommand):
    help = "Issue an API token for an organisation. The token is printed once and never stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organisation", metavar="ORG_SLUG", help="the organisation's slug")
        parser.add_argument("name", metavar="NAME", help="what the token is for")
        parser.add_argument(
            "--issued-by", metavar="USERNAME", help="the user recorded as issuing it"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["organisation"]
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            known = ", ".join(Organisation.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"ORG_SLUG: no organisation {slug!r} (known: {known})")
        acting_user = None
        if options["issued_by"]:
            acting_user = get_user_model().objects.filter(username=options["issued_by"]).first()
            if acting_user is None:
                raise CommandError(f"--issued-by: no user {options['issued_by']!r}")
        try:
            token, plaintext = actions.issue_api_token(
                organisation, options["name"], acting_user=acting_user
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stderr.write(
            f"Issued token {token.prefix} '{token.name}' for {organisation.name}; what it does "
            f"is recorded as {token.user.username}. "
            "Copy it now: it is not stored and cannot be shown again."
        )
        self.stdout.write(plaintext)
