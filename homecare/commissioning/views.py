"""Commissioning pages. Views only parse, ask access/the engine/actions, and render."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from carecore.errors import InputError
from homecare.accounts import access
from homecare.commissioning import access as commissioning_access
from homecare.commissioning import actions, presenters
from homecare.commissioning.engine import NoGeography, geography_from_db, rate_card_from_db
from homecare.commissioning.forms import HCA_2020_21, CostOfCareForm, PriceVisitForm, TenderForm

MAP_WIDTH = 640
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@access.require_member
def zones(request: HttpRequest) -> HttpResponse:
    from carecore.geography import render_svg_map, zones_summary

    try:
        geo = geography_from_db(commissioning_access.zones_for(access.scope_of(request)))
    except NoGeography:
        return render(request, "commissioning/zones.html", {"geo": None})
    band_codes = [band.code for band in geo.scheme.bands]
    return render(
        request,
        "commissioning/zones.html",
        {
            "geo": geo,
            "bands": geo.scheme.bands,
            "rows": presenters.zone_rows(zones_summary(geo), band_codes),
            "map_svg": render_svg_map(geo, width=MAP_WIDTH),
        },
    )


@access.require_member
def zone(request: HttpRequest, code: str) -> HttpResponse:
    from carecore.geography import render_svg_map

    scope = access.scope_of(request)
    row = commissioning_access.zone_for(scope, code)
    geo = geography_from_db(commissioning_access.zones_for(scope))
    areas = row.areas.select_related("band").order_by("band__rank", "name")
    return render(
        request,
        "commissioning/zone.html",
        {
            "zone": row,
            "kind": presenters.kind_label(row.kind),
            "areas": areas,
            "population": sum(area.population_65_plus for area in areas),
            "map_svg": render_svg_map(geo, width=MAP_WIDTH, highlight_zone=row.code),
        },
    )


@access.require_member
def cost_of_care(request: HttpRequest) -> HttpResponse:
    from carecore.pricing.cost_of_care import compute_cost_of_care

    submitted = request.POST if request.method == "POST" else request.GET
    asked = any(name in submitted for name in HCA_2020_21)
    form = CostOfCareForm(submitted if asked else HCA_2020_21)
    context: dict[str, object] = {"form": form, "share_url": None}
    if form.is_valid():
        result = compute_cost_of_care(form.inputs)
        context |= {
            "tables": presenters.cost_of_care_tables(result),
            "chart": presenters.cost_of_care_chart(result),
            "share_url": f"{reverse('commissioning:cost-of-care')}?{_query(form)}",
        }
    return render(request, "commissioning/cost_of_care.html", context)


def _query(form: CostOfCareForm) -> str:
    from urllib.parse import urlencode

    return urlencode({name: value for name, value in form.cleaned_data.items() if value})


@access.require_member
def rate_cards(request: HttpRequest) -> HttpResponse:
    scope = access.scope_of(request)
    cards = commissioning_access.rate_cards_for(scope).prefetch_related("periods__rates")
    changeable = set(
        commissioning_access.rate_cards_to_change_for(scope).values_list("pk", flat=True)
    )
    return render(
        request, "commissioning/rate_cards.html", {"cards": cards, "changeable": changeable}
    )


@access.require_member
def rate_card(request: HttpRequest, pk: int) -> HttpResponse:
    from carecore.pricing.visit_price import price_visit

    scope = access.scope_of(request)
    card = commissioning_access.rate_card_for(scope, pk)
    engine_card = rate_card_from_db(card)
    asked = "band" in request.GET
    form = PriceVisitForm(
        request.GET if asked else None,
        bands=list(engine_card.bands),
        initial=_visit_defaults(engine_card),
    )
    price = None
    if asked and form.is_valid():
        data = form.cleaned_data
        try:
            price = price_visit(
                engine_card,
                band=data["band"],
                minutes=data["minutes"],
                carers=int(data["carers"]),
                start=data["start"],
            )
        except InputError as exc:
            form.add_input_error(exc, PriceVisitForm.KEYS, "band")
    return render(
        request,
        "commissioning/rate_card.html",
        {
            "card": card,
            "periods": card.periods.prefetch_related("rates"),
            "form": form,
            "price": price,
            "lines": presenters.visit_lines(price) if price else [],
            "may_change": commissioning_access.rate_cards_to_change_for(scope)
            .filter(pk=pk)
            .exists(),
        },
    )


def _visit_defaults(card: object) -> dict[str, object]:
    """A 30-minute morning visit today when the card is in force today, else on the first
    day of the card's latest period."""
    from django.utils import timezone

    today = timezone.localdate()
    periods = card.periods  # type: ignore[attr-defined]
    in_force = any(period.covers(today) for period in periods)
    start = today if in_force else periods[-1].effective_from
    return {
        "minutes": 30,
        "carers": "1",
        "day": start.day,
        "month": start.month,
        "year": start.year,
        "start_time": "08:00",
    }


@access.require_council_role(access.Role.COMMISSIONER)
def tenders(request: HttpRequest) -> HttpResponse:
    scope = access.scope_of(request)
    council = access.council_for_commissioner(scope)
    form = TenderForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        evaluation = _evaluate(form, council, request.user)
        if evaluation is not None:
            messages.success(request, "The tender has been evaluated.")
            return redirect("commissioning:tender", pk=evaluation.pk)
    return render(
        request,
        "commissioning/tenders.html",
        {"form": form, "evaluations": commissioning_access.tender_evaluations_for(scope)[:20]},
    )


def _evaluate(form: TenderForm, council: object, user: object) -> object | None:
    """Run and record the evaluation; put any InputError on the field it concerns."""
    from homecare.commissioning.forms import to_toml

    data = form.cleaned_data
    bids = data["bids"]
    try:
        if data["rules_source"] == "file":
            rules_file = data["rules"]
            rules_name, rules_text = rules_file.name, _decode(rules_file.read(), rules_file.name)
        else:
            rules_name, rules_text = "", to_toml(form.rules_mapping())
        return actions.record_tender_evaluation(
            council=council,  # type: ignore[arg-type]
            bids_content=bids.read(),
            bids_file_name=bids.name,
            rules_text=rules_text,
            rules_file_name=rules_name,
            acting_user=user,
        )
    except InputError as exc:
        if exc.row is not None or exc.source == bids.name:
            form.add_error("bids", str(exc))
        elif data["rules_source"] == "form":
            form.add_input_error(exc, TenderForm.KEYS, "price_weight")
        else:
            form.add_error("rules", str(exc))
    return None


def _decode(content: bytes, name: str) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("is not a text file: save the rules as plain text", source=name) from None


@access.require_council_role(access.Role.COMMISSIONER)
def tender(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = commissioning_access.tender_evaluation_for(access.scope_of(request), pk)
    return render(
        request,
        "commissioning/tender.html",
        {
            "evaluation": evaluation,
            "result": evaluation.result,
            "formulas": dict(TenderForm.FORMULAS),
        },
    )


@access.require_council_role(access.Role.COMMISSIONER)
def tender_download(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = commissioning_access.tender_evaluation_for(access.scope_of(request), pk)
    response = HttpResponse(bytes(evaluation.result_xlsx), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="tender-evaluation-{evaluation.pk}.xlsx"'
    )
    return response
