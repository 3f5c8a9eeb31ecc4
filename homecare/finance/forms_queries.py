"""Forms of queries on invoice lines, and of credit notes and re-invoices (GOV.UK markup:
input ids are their names). Amounts are typed in pounds and kept in pence."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from carecore.units import to_pence
from homecare.accounts import bounds
from homecare.commissioning.forms import GovukForm
from homecare.finance.models import InvoiceQuery, Stream

TEXT = 4000
ROWS = 5  # lines a credit note or re-invoice form offers at once


def _text(label: str, message: str, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT,
        strip=True,
        widget=forms.Textarea,
        error_messages={"required": message},
    )


class QueryForm(GovukForm):
    text = _text("What is wrong", "Say what is wrong with the line")


class ReplyForm(GovukForm):
    text = _text("Your message", "Write your message")


COUNCIL_OUTCOMES = [
    (InvoiceQuery.Outcome.UPHELD.value, InvoiceQuery.Outcome.UPHELD.label),
    (InvoiceQuery.Outcome.NOT_UPHELD.value, InvoiceQuery.Outcome.NOT_UPHELD.label),
]
PROVIDER_OUTCOMES = [
    (InvoiceQuery.Outcome.WITHDRAWN.value, "Withdraw the query: nothing needs correcting"),
]


class CloseForm(GovukForm):
    """The council closes a query upheld or not upheld, saying why; the provider withdraws."""

    outcome = forms.ChoiceField(
        label="Outcome", widget=forms.RadioSelect, error_messages={"required": "Choose an outcome"}
    )
    note = _text("Why", "Say why, for the provider", required=False)

    def __init__(self, *args: Any, council: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = COUNCIL_OUTCOMES if council else PROVIDER_OUTCOMES
        first = (COUNCIL_OUTCOMES if council else PROVIDER_OUTCOMES)[0][0]
        self.fields["outcome"].error_anchor = (  # type: ignore[attr-defined]
            f"{self.add_prefix('outcome')}-{first}"
        )
        if council:
            self.fields["note"].required = True
            self.fields["note"].label = "Why, for the provider"
        else:
            self.fields["note"].label = "Anything to add (optional)"


AMOUNT = re.compile(r"[0-9]{1,9}(\.[0-9]{1,2})?")


def pence_of(text: str) -> int | None:
    """Pounds typed (``£1,234.50``, ``12``) as pence; None unless it is a plain amount of
    more than nothing with at most two decimal places."""
    plain = "".join(str(text or "").split()).replace("£", "").replace(",", "")
    if not AMOUNT.fullmatch(plain):
        return None
    value = bounds.decimal_or_none(plain)
    if value is None or value <= 0:
        return None
    return to_pence(value)


class _RowsForm(GovukForm):
    """A reason and up to :data:`ROWS` rows; a row left wholly empty is ignored."""

    reason = _text("Reason", "Give the reason for the correction")
    query = forms.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput
    )
    ROW_FIELDS: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, ROWS + 1):
            self.add_row(n)

    def add_row(self, n: int) -> None:
        raise NotImplementedError

    def row_numbers(self) -> list[int]:
        return list(range(1, ROWS + 1))

    def filled(self, n: int) -> bool:
        return any(str(self.data.get(f"{name}_{n}", "")).strip() for name in self.ROW_FIELDS)

    def amount(self, n: int) -> int | None:
        text = str(self.cleaned_data.get(f"amount_{n}") or "")
        pence = pence_of(text)
        if pence is None:
            self.add_error(f"amount_{n}", f"Row {n}: give an amount in pounds, like 12.50")
        return pence

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.rows: list[tuple[Any, ...]] = []
        rows = [n for n in self.row_numbers() if self.filled(n)]
        if not rows:
            self.add_error(f"{self.ROW_FIELDS[0]}_1", "Fill in at least one row")
        for n in rows:
            row = self.read_row(n)
            if row is not None:
                self.rows.append((n, *row))
        return cleaned

    def read_row(self, n: int) -> tuple[Any, ...] | None:
        raise NotImplementedError


class CreditNoteForm(_RowsForm):
    """Rows of (line number, amount, why); ``lines`` maps a line number to its line."""

    ROW_FIELDS = ("line", "amount", "why")

    def __init__(self, *args: Any, lines: Any, **kwargs: Any) -> None:
        self.lines = lines
        super().__init__(*args, **kwargs)

    def add_row(self, n: int) -> None:
        self.fields[f"line_{n}"] = forms.CharField(
            label=f"Row {n}: line number", required=False, max_length=10
        )
        self.fields[f"amount_{n}"] = forms.CharField(
            label=f"Row {n}: amount to credit", required=False, max_length=20
        )
        self.fields[f"why_{n}"] = forms.CharField(
            label=f"Row {n}: why (optional)", required=False, max_length=200
        )

    def read_row(self, n: int) -> tuple[Any, ...] | None:
        number = str(self.cleaned_data.get(f"line_{n}") or "").strip()
        line = None
        if number.isascii() and number.isdecimal() and len(number) <= 9:
            line = self.lines(int(number))
        if line is None:
            self.add_error(f"line_{n}", f"Row {n}: give the number of a line of this invoice")
        amount = self.amount(n)
        if line is None or amount is None:
            return None
        return line, amount, self.cleaned_data.get(f"why_{n}") or ""


class ReinvoiceForm(_RowsForm):
    """Rows of (description, amount, funding stream)."""

    ROW_FIELDS = ("description", "amount")

    def add_row(self, n: int) -> None:
        self.fields[f"description_{n}"] = forms.CharField(
            label=f"Row {n}: what is invoiced", required=False, max_length=300
        )
        self.fields[f"amount_{n}"] = forms.CharField(
            label=f"Row {n}: amount", required=False, max_length=20
        )
        self.fields[f"stream_{n}"] = forms.ChoiceField(
            label=f"Row {n}: who pays", required=False, choices=Stream.choices
        )

    def read_row(self, n: int) -> tuple[Any, ...] | None:
        description = str(self.cleaned_data.get(f"description_{n}") or "").strip()
        if not description:
            self.add_error(f"description_{n}", f"Row {n}: say what is invoiced")
        amount = self.amount(n)
        if not description or amount is None:
            return None
        return description, amount, self.cleaned_data.get(f"stream_{n}") or Stream.COUNCIL
