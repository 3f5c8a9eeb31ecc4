"""Market simulations: set one up from the live market, watch it run, read its report.

Only a council's commissioners (``simulation_council_for``); the views parse, call
:mod:`homecare.insight.simulation_actions` and render. A run's page refreshes its progress
through htmx and offers a plain link for the same without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from carecore.market import DELIVERY_MODELS, default_scenario
from carecore.reports.committee import committee_report_css
from carecore.reports.committee_parts import MODEL_NAMES
from homecare.accounts import access
from homecare.commissioning.forms import GovukForm
from homecare.insight import access as insight_access
from homecare.insight import simulation_actions as actions
from homecare.insight.scenarios import LIVE, live_scenario
from homecare.insight.simulation_models import SimulationRun

REFRESH_SECONDS = 3
MAX_HORIZON_WEEKS = 520
MAX_SEED = 2**32 - 1


def _whole(label: str, low: int, high: int, default: int) -> forms.IntegerField:
    words = f"{label} must be a whole number from {low:,} to {high:,}"
    return forms.IntegerField(
        min_value=low,
        max_value=high,
        initial=default,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": words,
            "min_value": words,
            "max_value": words,
        },
    )


class SimulationForm(GovukForm):
    models = forms.MultipleChoiceField(
        choices=[(name, MODEL_NAMES.get(name, name)) for name in DELIVERY_MODELS],
        label="Delivery models to compare",
        error_messages={
            "required": "Choose at least one delivery model",
            "invalid_choice": "Choose delivery models from the list",
        },
    )
    replications = _whole("Replications", 1, actions.MAX_REPLICATIONS, 10)
    horizon_weeks = _whole("Weeks to simulate", 1, MAX_HORIZON_WEEKS, 52)
    seed = _whole("Seed", 0, MAX_SEED, 1)


def _initial() -> dict[str, Any]:
    return {
        "models": list(DELIVERY_MODELS),
        "replications": 10,
        "horizon_weeks": 52,
        "seed": default_scenario().seed,
    }


@access.require_council_role(access.Role.COMMISSIONER)
def simulations(request: HttpRequest) -> HttpResponse:
    council = insight_access.simulation_council_for(access.scope_of(request))
    runs = SimulationRun.objects.filter(council=council).select_related("created_by")[:50]
    return render(request, "insight/simulations.html", {"council": council, "runs": runs})


@access.require_council_role(access.Role.COMMISSIONER)
def new_simulation(request: HttpRequest) -> HttpResponse:
    council = insight_access.simulation_council_for(access.scope_of(request))
    now = timezone.now()
    form = SimulationForm(request.POST or None, initial=_initial())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = actions.start_simulation(
                council=council,
                models=[m for m in DELIVERY_MODELS if m in data["models"]],
                replications=data["replications"],
                horizon_weeks=data["horizon_weeks"],
                seed=data["seed"],
                now=now,
                acting_user=request.user,
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(None if field == "__all__" else field, messages)
        else:
            return redirect("insight:simulation", pk=run.pk)
    preview = live_scenario(council, now=now, horizon_weeks=52, seed=1)
    context = {
        "council": council,
        "form": form,
        "sources": preview.sources,
        # Said plainly above the table: a simulation on another council's rates misleads.
        "rates_missing": next(
            (s.detail for s in preview.sources if s.part == "Band rates" and s.origin != LIVE),
            "",
        ),
        "providers": preview.mapping.get("supply", {}).get("providers", []),
    }
    return render(
        request, "insight/simulation_new.html", context, status=400 if form.errors else 200
    )


@access.require_council_role(access.Role.COMMISSIONER)
def simulation(request: HttpRequest, pk: int) -> HttpResponse:
    run = insight_access.simulation_run_for(access.scope_of(request), pk)
    context = {
        "run": run,
        "model_names": [MODEL_NAMES.get(m, m) for m in run.delivery_models],
        "refresh_seconds": REFRESH_SECONDS,
        "report_css": committee_report_css() if run.report_html else "",
    }
    return render(request, "insight/simulation.html", context)


@access.require_council_role(access.Role.COMMISSIONER)
def simulation_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from carecore.reports.committee import committee_report_pdf

    run = insight_access.simulation_run_for(access.scope_of(request), pk)
    if run.status != SimulationRun.Status.DONE:
        return redirect("insight:simulation", pk=run.pk)
    pdf = committee_report_pdf(
        actions.comparison_of(run),
        actions.scenario_of(run),
        background_notes=actions.report_notes(run),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="simulation-{run.pk}-report.pdf"'
    return response
