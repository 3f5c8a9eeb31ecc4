"""The `homecare` command: engine commands import only carecore; platform commands set up Django.

Heavy libraries are imported inside each command so that `homecare --help` starts fast.
"""

from __future__ import annotations

import typer

from homecare.commands import ecm, geography, platform, pricing, procurement, roster, simulate

app = typer.Typer(
    name="homecare",
    help="Commission home care: zones and bands, cost of care, rates, tenders and the platform.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

for module in (geography, pricing, procurement, ecm, simulate, roster, platform):
    module.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
