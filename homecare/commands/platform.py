"""Platform commands: serve the pages and load the demo. Django is set up only when they run."""

from __future__ import annotations

import os

import typer

SETTINGS = "config.settings"
DEFAULT_PORT = 8000


def _django() -> None:
    """Point Django at the project's settings and set it up (heavy, so only when needed)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    # runserver and the demo are development tools: production settings fail closed.
    os.environ.setdefault("HOMECARE_ENVIRONMENT", "development")
    import django

    django.setup()


def serve(
    port: int = typer.Option(DEFAULT_PORT, "--port", min=1, max=65535, help="Port to listen on."),
) -> None:
    """Migrate the database, then serve the pages on http://127.0.0.1:PORT."""
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    typer.echo(f"Serving on http://127.0.0.1:{port}/ (Ctrl+C to stop)")
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)


def load_demo() -> None:
    """Load the demo council, invented providers, personas, zones and rate cards; print sign-ins."""
    _django()
    from django.core.management import call_command

    from homecare.commands._common import run

    call_command("migrate", interactive=False, verbosity=0)
    run(lambda: call_command("load_demo"))


def register(app: typer.Typer) -> None:
    app.command("serve", help="Migrate the database and serve the web pages on 127.0.0.1.")(serve)
    app.command("load-demo", help="Load the Leicestershire demo and print its sign-ins.")(load_demo)
