"""Travel and carbon: route a week of carers' rounds, see what travel costs per band.

Only a council's commissioners (the same rule as tender evaluation); another council's run is
not found (404). The views parse, call :mod:`homecare.commissioning.travel_actions` and render.
A run's page refreshes its progress through htmx and offers a plain link for the same without
JavaScript; the map's zone chooser is a plain GET form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone

from carecore.errors import InputError
from carecore.rostering.calibrate import DayRounds
from carecore.rostering.round_map import (
    DAY_NAMES,
    render_rounds_svg,
    round_km,
    round_style,
    round_style_words,
)
from homecare.accounts import access
from homecare.commissioning import access as commissioning_access
from homecare.commissioning import travel_actions as actions
from homecare.commissioning.forms import GovukForm
from homecare.commissioning.models import PricingBand, Zone
from homecare.commissioning.travel_data import live_package_count
from homecare.commissioning.travel_models import TravelCalibration

REFRESH_SECONDS = 3
LEGIBLE_ROUNDS = 12  # rounds on the map first shown
DEFAULT_PEOPLE = 1667  # seed 002: people receiving home care in Leicestershire
DEFAULT_SECONDS_PER_VISIT = 0.01


class TravelForm(GovukForm):
    source = forms.ChoiceField(
        choices=TravelCalibration.Source.choices,
        label="Which visits to route",
        error_messages={
            "required": "Choose which visits to route",
            "invalid_choice": "Choose which visits to route",
        },
    )
    people = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=actions.MAX_PEOPLE,
        label="People in the synthetic market",
        error_messages={
            "invalid": f"People must be a whole number from 1 to {actions.MAX_PEOPLE:,}",
            "min_value": f"People must be a whole number from 1 to {actions.MAX_PEOPLE:,}",
            "max_value": f"People must be a whole number from 1 to {actions.MAX_PEOPLE:,}",
        },
    )
    seconds_per_visit = forms.FloatField(
        min_value=actions.MIN_SECONDS_PER_VISIT,
        max_value=actions.MAX_SECONDS_PER_VISIT,
        label="Solver time per visit, in seconds",
        error_messages={
            "required": "Enter the solver time per visit",
            "invalid": "Solver time per visit must be a number of seconds, like 0.01",
            "min_value": f"Solver time per visit must be from {actions.MIN_SECONDS_PER_VISIT} "
            f"to {actions.MAX_SECONDS_PER_VISIT:g} seconds",
            "max_value": f"Solver time per visit must be from {actions.MIN_SECONDS_PER_VISIT} "
            f"to {actions.MAX_SECONDS_PER_VISIT:g} seconds",
        },
    )
    seed = forms.IntegerField(
        min_value=0,
        max_value=actions.MAX_SEED,
        label="Seed",
        error_messages={
            "required": "Enter the seed",
            "invalid": f"Seed must be a whole number from 0 to {actions.MAX_SEED:,}",
            "min_value": f"Seed must be a whole number from 0 to {actions.MAX_SEED:,}",
            "max_value": f"Seed must be a whole number from 0 to {actions.MAX_SEED:,}",
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        demo = data.get("source") == TravelCalibration.Source.DEMO
        if demo and data.get("people") is None and "people" not in self.errors:
            self.add_error("people", "Enter how many people the synthetic market has")
        return data


INITIAL = {
    "source": TravelCalibration.Source.DEMO,
    "people": DEFAULT_PEOPLE,
    "seconds_per_visit": DEFAULT_SECONDS_PER_VISIT,
    "seed": actions.DEFAULT_SEED,
}


@access.require_council_role(access.Role.COMMISSIONER)
def travel(request: HttpRequest) -> HttpResponse:
    scope = access.scope_of(request)
    council = access.council_for_commissioner(scope)
    form = TravelForm(request.POST or None, initial=INITIAL)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = actions.start_travel_calibration(
                council,
                source=data["source"],
                people=data["people"],
                seconds_per_visit=data["seconds_per_visit"],
                seed=data["seed"],
                acting_user=request.user,
                now=timezone.now(),
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(None if field == "__all__" else field, messages)
        else:
            return redirect("commissioning:travel-run", pk=run.pk)
    context = {
        "council": council,
        "form": form,
        "runs": commissioning_access.travel_calibrations_for(scope).filter(council=council)[:20],
        "live_packages": live_package_count(council),
    }
    return render(request, "commissioning/travel.html", context, status=400 if form.errors else 200)


@access.require_council_role(access.Role.COMMISSIONER)
def travel_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = commissioning_access.travel_calibration_for(access.scope_of(request), pk)
    context: dict[str, Any] = {
        "run": run,
        "report": run.report,
        "refresh_seconds": REFRESH_SECONDS,
    }
    if run.status == TravelCalibration.Status.DONE:
        context["zone_names"] = _zone_names(run)
        context["band_names"] = dict(PricingBand.objects.values_list("code", "name"))
        if run.maps:
            context.update(
                _map_context(run, request.GET.get("rounds", ""), request.GET.get("zone", ""))
            )
    return render(request, "commissioning/travel_run.html", context)


def _zone_names(run: TravelCalibration) -> dict[str, str]:
    """The names of the run's council's zones, by code."""
    return dict(Zone.objects.filter(council=run.council).values_list("code", "name"))


def _map_context(run: TravelCalibration, wanted: str, zone_wanted: str) -> dict[str, Any]:
    """The chooser's options (each provider's rounds in each zone, grouped by zone) and the
    chosen rounds' map and table. One provider in one zone is one routing problem: all the
    providers of a busy zone at once would be a hundred lines on one map."""
    rounds = actions.map_rounds(run)
    names = _zone_names(run)
    shown = [k for k, day in enumerate(rounds) if day.paths]
    if not shown:
        return {}
    groups: dict[str, list[tuple[str, str]]] = {}
    for k in sorted(
        shown, key=lambda k: (names.get(rounds[k].zone, rounds[k].zone), rounds[k].provider)
    ):
        day = rounds[k]
        count = len(day.paths)
        groups.setdefault(names.get(day.zone, day.zone), []).append(
            (str(k), f"{day.provider} ({count} round{pluralize(count)})")
        )
    in_zone = [k for k in shown if rounds[k].zone == zone_wanted] or shown
    # Unless asked, rounds of a size a map can show legibly (a big provider in a busy zone
    # has a hundred carers out on a Monday: lines on lines).
    index = min(in_zone, key=lambda k: (abs(len(rounds[k].paths) - LEGIBLE_ROUNDS), k))
    if wanted.isdigit() and int(wanted) in shown:
        index = int(wanted)
    day = rounds[index]
    day_name = DAY_NAMES[day.day]
    zone_name = names.get(day.zone, day.zone)
    return {
        "map_groups": sorted(groups.items()),
        "map_choice": str(index),
        "zone_name": zone_name,
        "map_provider": day.provider,
        "day_name": day_name,
        "choice_unknown": bool(wanted) and wanted != str(index),
        "map_svg": _map_svg(
            run, day, f"{day.provider}: carers' rounds in {zone_name} on a {day_name}"
        ),
        "map_rows": _map_rows(day),
        "late_visits": day.late_visits,
    }


def _map_svg(run: TravelCalibration, day: DayRounds, title: str) -> str:
    from homecare.commissioning.engine import NoGeography, geography_from_db

    try:
        geography = geography_from_db(Zone.objects.filter(council=run.council))
        geography.zone(day.zone)
    except (NoGeography, InputError):
        geography = None  # a synthetic zone the database does not hold: rounds alone
    return render_rounds_svg([day], geography=geography, zone_code=day.zone, title=title)


def _map_rows(day: DayRounds) -> list[dict[str, Any]]:
    """One row per round, in the map's order and colours (its table alternative)."""
    rows = []
    for k, path in enumerate(day.paths):
        colour, dash = round_style(k)
        rows.append(
            {
                "carer": path.carer,
                "visits": len(path.stops),
                "km": f"{round_km(path):,.1f}",
                "colour": colour,
                "dash": dash,
                "line": round_style_words(k),
            }
        )
    return rows
