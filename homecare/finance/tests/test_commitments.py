"""Commitments against budgets: the figures by hand, budgets, the page and its CSV, and the
demo's budgets and uplift.

The market (one zone, west-leicester): every package is daily 08:00 for 30 minutes at £20.00
an hour from Monday 9 March 2026, placed on 2 March: 7000p a week (210 carer minutes).

    person  provider  who pays
    P-0001  Prime 1   council
    P-0002  Prime 1   council
    P-0003  Prime 2   council
    P-0004  Prime 2   NHS continuing healthcare
    P-0005  Prime 2   joint: the NHS pays 33.33%
    P-0006  Prime 2   a direct payment (not committed)

Worked by hand:

- 2025-26 (to 31 March 2026), 23 days from 9 March: 7000 x 23 / 7 = 23000p an order. P-0005
  splits 23000 into NHS 23000 x 0.3333 = 7665.9, down to 7665, and council 15335. Council
  committed 3 x 23000 + 15335 = 84335p; NHS 23000 + 7665 = 30665p.
- 2026-27, 365 days: 7000 x 365 / 7 = 365000p an order; P-0005: NHS 121654 (121654.5 down),
  council 243346. Council 3 x 365000 + 243346 = 1338346p; NHS 365000 + 121654 = 486654p.
- Prime 1's period 9 March to 5 April is approved with two visits of P-0001: 08:02 for 31
  minutes (1033p) and 08:00 for 30 minutes (1000p), spent 2033p in 2025-26. Still to invoice
  in 2025-26: Prime 2's three committed orders (23000 + 23000 + 23000, split as above):
  council 23000 + 15335 = 38335p, NHS 30665p. In 2026-27 Prime 1's orders lose 1 to 5 April:
  7000 x 360 / 7 = 360000p each, so council 720000 + 365000 + 243346 = 1328346p.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from carecore.errors import InputError
from homecare.brokerage import actions as brokerage
from homecare.brokerage import lifecycle
from homecare.brokerage.models import Person
from homecare.brokerage.testing import LONDON, NOW, make_request, other_council, persona
from homecare.commissioning.models import Provider, Zone
from homecare.delivery import actions, reconciliation
from homecare.delivery.models import InvoiceLine
from homecare.delivery.testing import PERIOD_START, at, csv_bytes, log_row
from homecare.delivery.tests.conftest import *  # noqa: F403 (the delivery tests' fixtures)
from homecare.delivery.tests.conftest import _immediate_tasks  # noqa: F401 (autouse)
from homecare.finance import commitment_views, commitments, demo_commitments
from homecare.finance.models import Budget, FeeUplift, Stream
from homecare.finance.tests.test_commitments_wiring import URLS

pytestmark = pytest.mark.urls(URLS)
COUNCIL, NHS = Stream.COUNCIL, Stream.NHS_CHC
ZONE = "west-leicester"


def place(framework: Any, ref: str, funding: str = "council") -> Any:
    kind = "council" if funding == "joint" else funding
    request = make_request(framework, ref, visits="Daily 08:00 30m", funding=kind)
    placement = brokerage.place_manually(
        request,
        Provider.objects.get(name="Prime 2 (test)"),
        reason="test",
        rate=Decimal("20.00"),
        now=NOW,
        acting_user=None,
    )
    lifecycle.start_package(request.package, at=NOW, acting_user=None)
    if funding == "joint":  # the share is set where people are made; here by hand
        Person.objects.filter(pk=request.package.person_id).update(
            funding="joint", nhs_share_percent=Decimal("33.33")
        )
    return placement


@pytest.fixture
def market(framework: Any, placed: dict[str, Any]) -> dict[str, Any]:
    made = dict(placed)
    for ref, funding in (("P-0004", "nhs_chc"), ("P-0005", "joint"), ("P-0006", "direct_payment")):
        made[ref] = place(framework, ref, funding)
    return made


@pytest.fixture
def approved(council: Any, market: Any, prime_1: Any, finance: Any) -> Any:
    rows = [log_row(prime_1, "P-0001", at(1, 8, 2), 31), log_row(prime_1, "P-0001", at(3, 8), 30)]
    upload = actions.create_upload(prime_1, "logs.csv", csv_bytes(rows), now=NOW, acting_user=None)
    actions.import_upload(upload.pk, now=NOW)
    run = reconciliation.run_reconciliation(
        council, prime_1, PERIOD_START, now=NOW, acting_user=finance
    )
    reconciliation.approve_invoice(run, now=NOW, acting_user=finance)
    return run


def figures(result: commitments.Commitments, stream: str) -> tuple[Any, ...]:
    row = result.total(stream)
    return (row.committed_pence, row.spent_pence, row.to_invoice_pence)


def test_the_years_commitments_by_hand(council: Any, market: Any) -> None:
    before = commitments.commitments(council, 2025)
    assert figures(before, COUNCIL) == (84335, 0, 84335)
    assert figures(before, NHS) == (30665, 0, 30665)
    assert before.direct_payment_orders == 1 and before.orders == 5
    year = commitments.commitments(council, 2026)
    assert figures(year, COUNCIL) == (1338346, 0, 1338346)
    assert figures(year, NHS) == (486654, 0, 486654)
    (row,) = [r for r in year.rows_of(COUNCIL) if r.zone_code == ZONE]
    assert row.committed_pence == 1338346 and row.budget_pence is None
    assert row.remaining_pence is None
    assert commitments.commitments(council, 2024).total().committed_pence == 0


def test_approved_invoices_are_spent_and_no_longer_still_to_invoice(
    council: Any, approved: Any
) -> None:
    before = commitments.commitments(council, 2025)
    assert figures(before, COUNCIL) == (84335, 2033, 38335)
    assert figures(before, NHS) == (30665, 0, 30665)
    # The line's zone is where its person lives (lines made before zones were recorded on
    # them have none).
    spent = {r.zone_code: r.spent_pence for r in before.rows_of(COUNCIL) if r.spent_pence}
    assert list(spent.values()) == [2033] and set(spent) <= {ZONE, ""}
    assert figures(commitments.commitments(council, 2026), COUNCIL) == (1338346, 0, 1328346)


def test_a_budget_leaves_what_remains_after_spend_and_what_is_still_to_invoice(
    council: Any, approved: Any, commissioner: Any
) -> None:
    zone = Zone.objects.get(council=council, code=ZONE)
    commitments.set_budget(council, zone, COUNCIL, 2025, 100000, now=NOW, acting_user=None)
    budget = commitments.set_budget(
        council, zone, COUNCIL, 2025, 50000, now=NOW, acting_user=commissioner
    )
    assert Budget.objects.get().amount_pence == 50000 == budget.amount_pence
    assert budget.history.first().history_user == commissioner  # the latest version's
    assert budget.history.count() == 2
    row = commitments.commitments(council, 2025).total(COUNCIL)
    assert row.budget_pence == 50000
    assert row.remaining_pence == 50000 - 2033 - 38335 == 9632


def test_joint_funded_lines_are_spent_by_their_split(council: Any, approved: Any) -> None:
    # Lines as the run writes them with streams (by hand here: one joint, one NHS).
    first, second = InvoiceLine.objects.filter(run=approved).order_by("visit_start")
    InvoiceLine.objects.filter(pk=first.pk).update(
        zone_code=ZONE, funding="joint", council_pence=600, nhs_pence=433
    )
    InvoiceLine.objects.filter(pk=second.pk).update(
        zone_code=ZONE, funding="nhs_chc", council_pence=0, nhs_pence=1000
    )
    result = commitments.commitments(council, 2025)
    assert [(r.zone_code, r.spent_pence) for r in result.rows if r.spent_pence] == [
        (ZONE, 600),
        (ZONE, 1433),
    ]
    spend = commitments.spend_by_stream(council, date(2026, 3, 1), date(2026, 3, 31))
    assert (spend.council_pence, spend.nhs_pence, spend.total_pence) == (600, 1433, 2033)
    assert (spend.joint_council_pence, spend.joint_nhs_pence, spend.lines) == (600, 433, 2)
    assert commitments.spend_by_stream(council, date(2026, 4, 1), date(2026, 4, 30)).lines == 0


@pytest.mark.parametrize(
    ("values", "key", "message"),
    [
        ({"amount_pence": -1}, "amount", "less than £0"),
        ({"amount_pence": 10**12}, "amount", "at most £1,000,000,000"),
        ({"amount_pence": Decimal("1.5")}, "amount", "amount in pounds"),
        ({"stream": "direct_payment"}, "stream", "Choose the council or NHS"),
        ({"year": 1999}, "year", "from 2000"),
    ],
)
def test_a_bad_budget_is_refused(
    council: Any, geography: Any, values: dict[str, Any], key: str, message: str
) -> None:
    zone = Zone.objects.filter(council=council).first()
    asked = {"stream": COUNCIL, "year": 2026, "amount_pence": 100} | values
    with pytest.raises(InputError, match=message) as caught:
        commitments.set_budget(council, zone, now=NOW, acting_user=None, **asked)
    assert caught.value.key == key


def test_another_councils_zone_is_refused(council: Any, geography: Any) -> None:
    theirs = Zone.objects.get(council=other_council(), code=ZONE)
    with pytest.raises(InputError, match="council's zones"):
        commitments.set_budget(council, theirs, COUNCIL, 2026, 1, now=NOW, acting_user=None)


# --- the page, the CSV and the budget form ------------------------------------------------


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(commitment_views, "today", lambda: date(2026, 7, 15))


def test_a_finance_officer_reads_this_years_commitments(
    market: Any, finance: Any, signed_in: Any
) -> None:
    response = signed_in(finance).get(reverse("finance:commitments"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "April 2026 to March 2027" in html
    table = html.split('id="table-council"')[1].split("</table>")[0]
    row = table.split(f'data-zone="{ZONE}"')[1].split("</tr>")[0]
    assert '"budget">Not set<' in row and '"committed">£13,383.46<' in row
    assert "£4,866.54" in html.split('id="table-nhs_chc"')[1]
    assert "1 placement of people who hold a direct payment is left out" in html
    assert "Set<span" not in html  # only commissioners set budgets


def test_a_commissioner_sets_a_budget_and_the_page_and_csv_show_what_remains(
    market: Any, commissioner: Any, signed_in: Any
) -> None:
    client = signed_in(commissioner)
    form = client.get(reverse("finance:budget"), {"zone": ZONE, "stream": "council"})
    assert form.status_code == 200
    response = client.post(
        reverse("finance:budget"),
        {"zone": ZONE, "stream": "council", "year": "2026", "amount": "£15,000"},
    )
    assert response.status_code == 302
    budget = Budget.objects.get()
    assert (budget.amount_pence, budget.set_by) == (1500000, commissioner)
    page = client.get(reverse("finance:commitments"), {"year": "2026"}).content.decode()
    row = page.split('id="table-council"')[1].split(f'data-zone="{ZONE}"')[1].split("</tr>")[0]
    assert '"budget">£15,000.00<' in row and '"remaining">£1,616.54<' in row
    download = client.get(reverse("finance:commitments-csv"), {"year": "2026"})
    assert download.status_code == 200
    assert 'filename="commitments-2026-27.csv"' in download["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0] == commitment_views.CSV_HEADER
    mine = next(r for r in rows if r[1] == ZONE and r[3] == "Council")
    assert mine == [
        "2026-27",
        ZONE,
        mine[2],
        "Council",
        "15000.00",
        "13383.46",
        "0.00",
        "13383.46",
        "1616.54",
    ]
    assert rows[-1][2:4] == ["All zones", "All streams"]
    assert rows[-1][5] == "18250.00"  # 1338346 + 486654 pence


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": "lots"}, "amount", "Budget must be an amount in pounds"),
        ({"amount": "-5"}, "amount", "cannot be less than £0"),
        ({"amount": "1.234"}, "amount", "to the penny"),
        ({"zone": "nowhere"}, "zone", "Choose a zone"),
        ({"year": "1999"}, "year", "Choose a financial year"),
    ],
)
def test_a_bad_budget_on_the_page_is_an_error_on_its_field(
    geography: Any,
    commissioner: Any,
    signed_in: Any,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    data = {"zone": ZONE, "stream": "council", "year": "2026", "amount": "100"} | changes
    response = signed_in(commissioner).post(reverse("finance:budget"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and f'href="#{field}"' in html
    assert not Budget.objects.exists()


def test_a_year_not_offered_is_an_error(geography: Any, finance: Any, signed_in: Any) -> None:
    response = signed_in(finance).get(reverse("finance:commitments"), {"year": "1999"})
    assert response.status_code == 400 and b"Choose a financial year" in response.content
    csv_page = signed_in(finance).get(reverse("finance:commitments-csv"), {"year": "x"})
    assert csv_page.status_code == 400


@pytest.mark.parametrize("who", ["broker", "prime_1_user", "outsider"])
@pytest.mark.parametrize("name", ["finance:commitments", "finance:commitments-csv"])
def test_brokers_providers_and_outsiders_are_refused(
    geography: Any, framework: Any, who: str, name: str, request: Any, signed_in: Any
) -> None:
    user = request.getfixturevalue(who)
    assert signed_in(user).get(reverse(name)).status_code == 403


def test_finance_officers_do_not_set_budgets(geography: Any, finance: Any, signed_in: Any) -> None:
    data = {"zone": ZONE, "stream": "council", "year": "2026", "amount": "100"}
    assert signed_in(finance).post(reverse("finance:budget"), data).status_code == 403


def test_another_council_sees_only_its_own(market: Any, signed_in: Any) -> None:
    theirs = persona("their_commissioner", other_council(), "commissioner")
    html = signed_in(theirs).get(reverse("finance:commitments")).content.decode()
    assert "£13,383.46" not in html and "Otherton West" in html
    response = signed_in(theirs).post(
        reverse("finance:budget"),
        {"zone": ZONE, "stream": "council", "year": "2026", "amount": "100"},
    )
    assert response.status_code == 302
    assert Budget.objects.get().zone.council.name.startswith("Otherton")


# --- the demo -----------------------------------------------------------------------------

JULY = datetime(2026, 7, 15, 12, tzinfo=LONDON)


def test_the_demo_uplifts_from_april_and_budgets_near_the_commitments(
    council: Any, framework: Any, placed: Any, commissioner: Any
) -> None:
    made = demo_commitments.load_commitments(council, now=JULY, acting_user=commissioner)
    assert made.year == 2026 and made.uplift is not None
    assert (made.uplift.effective_from, made.uplift.percent) == (date(2026, 4, 6), Decimal("4.50"))
    # Each order: 1 to 5 April at 2000p (7000 x 5 / 7 = 5000) and 360 days at 2090p (7315 x
    # 360 / 7 = 376200): 381200p; three orders 1143600p. West Leicester is the fourth zone,
    # whose budget is 1.03 times that, 1177908p, up to the £1,000.
    budget = Budget.objects.get()
    assert (budget.zone.code, budget.stream, budget.year) == (ZONE, COUNCIL, 2026)
    zones = list(Zone.objects.filter(council=council).order_by("position", "code"))
    assert [z.code for z in zones].index(ZONE) == 3
    assert budget.amount_pence == 1200000
    again = demo_commitments.load_commitments(council, now=JULY, acting_user=None)
    assert (again.uplift, again.budgets_set) == (made.uplift, 0)
    # This year's uplift and next year's, set in advance (and still withdrawable).
    assert list(FeeUplift.objects.values_list("effective_from", flat=True)) == [
        date(2026, 4, 6),
        date(2027, 4, 5),
    ]
    assert Budget.objects.count() == 1


def test_the_demo_goes_without_an_uplift_an_approved_invoice_blocks(
    council: Any, framework: Any, placed: Any, prime_1: Any, finance: Any
) -> None:
    run = reconciliation.run_reconciliation(
        council, prime_1, date(2026, 4, 6), now=JULY, acting_user=finance
    )
    reconciliation.approve_invoice(run, now=JULY, acting_user=finance)
    made = demo_commitments.load_commitments(council, now=JULY, acting_user=None)
    assert made.uplift is None and "approved up to 3 May 2026" in made.uplift_skipped
    assert made.budgets_set == 1
