"""Forms: they read what the user typed and hand the engine a mapping; the engine judges it.

Numbers are read by the engine (``carecore.units.to_decimal``, which accepts "£8.72" and
"1,200"), so a bad number and a bad combination are reported the same way: the engine's
InputError, placed on the field its key names.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django import forms

from carecore.errors import InputError
from homecare.accounts import bounds

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # bids and rules are small; a bigger file is a mistake
_PLAIN_NUMBER = re.compile(r"^-?(0|[1-9]\d*)(\.\d+)?$")

BANDS = (
    ("URBAN", "Urban"),
    ("FRINGE", "Fringe"),
    ("RURAL", "Rural"),
    ("ISOLATED", "Isolated"),
)

# The Homecare Association's minimum price for homecare, 2020-21 (£20.69 per contact hour).
HCA_2020_21 = {
    "hourly_wage": "8.72",
    "travel_minutes": "11.7",
    "employer_ni_and_pension": "10.9",
    "holiday_sickness_training_other": "18.9",
    "mileage": "1.36",
    "overheads_percent": "25.1",
    "surplus_percent": "3",
}


class GovukForm(forms.Form):
    """A form whose input ids are their names (the error summary links to ``#name``), and
    whose every field has the shared bounds (:mod:`homecare.accounts.bounds`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)

    def full_clean(self) -> None:
        bounds.bound_form(self)  # here, so fields a subclass's __init__ adds are bounded too
        super().full_clean()

    def add_input_error(self, exc: InputError, fields: dict[str, str], fallback: str) -> None:
        """Put the engine's error on the field its key names, starting with the field's label.

        An error whose key names no field goes on ``fallback`` in full (file, row and key), so
        the user still learns where the problem is.
        """
        field = fields.get(exc.key or "")
        if field is None:
            self.add_error(fallback, str(exc))
            return
        self.add_error(field, f"{self.fields[field].label}: {exc.message}")


def _text(label: str, *, required: bool = True, message: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        strip=True,
        error_messages={"required": message or f"Enter {label[0].lower()}{label[1:]}"},
    )


class CostOfCareForm(GovukForm):
    """The cost-of-care inputs: one wage, on-costs, overheads and surplus; travel per band."""

    hourly_wage = _text("Care worker's hourly wage")
    travel_minutes = _text("Travel time between visits")
    employer_ni_and_pension = _text("Employer's National Insurance and pension")
    holiday_sickness_training_other = _text("Holiday, sickness, training and other on-costs")
    mileage = _text("Mileage")
    overheads_percent = _text("Business overheads")
    surplus_percent = _text("Surplus")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, name in BANDS:
            self.fields[f"travel_{code}"] = _text(f"{name} travel time", required=False)
            self.fields[f"mileage_{code}"] = _text(f"{name} mileage", required=False)

    # Engine keys (as InputError names them) to the field that holds the value.
    KEYS = {
        "pay.hourly_wage": "hourly_wage",
        "time.travel_minutes_per_contact_hour": "travel_minutes",
        "time": "travel_minutes",
        "on_costs.employer_ni_and_pension": "employer_ni_and_pension",
        "on_costs.holiday_sickness_training_other": "holiday_sickness_training_other",
        "mileage.cost_per_contact_hour": "mileage",
        "mileage": "mileage",
        "overheads.share_of_price_percent": "overheads_percent",
        "overheads": "overheads_percent",
        "surplus.percent": "surplus_percent",
        **{f"bands.{c}.travel_minutes_per_contact_hour": f"travel_{c}" for c, _ in BANDS},
        **{f"bands.{c}": f"travel_{c}" for c, _ in BANDS},
        **{f"bands.{c}.mileage.cost_per_contact_hour": f"mileage_{c}" for c, _ in BANDS},
        **{f"bands.{c}.mileage": f"mileage_{c}" for c, _ in BANDS},
    }

    def band_fields(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(name, self[f"travel_{code}"], self[f"mileage_{code}"]) for code, name in BANDS]

    def as_mapping(self, values: dict[str, Any] | None = None) -> dict[str, Any]:
        """The engine's input mapping (the TOML shape of ``CostOfCareInputs``)."""
        data = self.cleaned_data if values is None else values
        bands: dict[str, Any] = {}
        for code, _ in BANDS:
            band: dict[str, Any] = {}
            if data.get(f"travel_{code}"):
                band["travel_minutes_per_contact_hour"] = data[f"travel_{code}"]
            if data.get(f"mileage_{code}"):
                band["mileage"] = {"cost_per_contact_hour": data[f"mileage_{code}"]}
            bands[code] = band
        return {
            "pay": {"hourly_wage": data["hourly_wage"]},
            "time": {"travel_minutes_per_contact_hour": data["travel_minutes"]},
            "on_costs": {
                "employer_ni_and_pension": data["employer_ni_and_pension"],
                "holiday_sickness_training_other": data["holiday_sickness_training_other"],
            },
            "mileage": {"cost_per_contact_hour": data["mileage"]},
            "overheads": {"share_of_price_percent": data["overheads_percent"]},
            "surplus": {"percent": data["surplus_percent"], "of": "cost"},
            "bands": bands,
        }

    def clean(self) -> dict[str, Any]:
        """Every problem at once: the engine judges the inputs; after each error the field is
        set aside (the 2020 to 2021 figure stands in for it) and the rest judged again."""
        cleaned = super().clean() or {}
        from carecore.pricing.cost_of_care import CostOfCareInputs

        self.inputs = None
        values: dict[str, Any] = {}
        for name in self.fields:
            value = cleaned.get(name) or ""
            if value and not self.has_error(name) and bounds.decimal_or_none(value) is None:
                label = str(self.fields[name].label)
                self.add_error(name, f"{label} must be a number, like {_example(name)}")
            if self.has_error(name) or not value:  # missing or refused: judge the others
                value = HCA_2020_21.get(name, "")
            values[name] = value
        for _ in range(len(self.fields) + 1):
            try:
                inputs = CostOfCareInputs.from_mapping(self.as_mapping(values), source="form")
            except InputError as exc:
                field = self.KEYS.get(exc.key or "")
                if field is None or self.has_error(field):
                    self.add_input_error(exc, self.KEYS, "hourly_wage")
                    break
                self.add_error(field, _in_words(str(self.fields[field].label), exc.message, field))
                values[field] = HCA_2020_21.get(field, "")
                continue
            if not self.errors:
                self.inputs = inputs
            break
        return cleaned


_EXAMPLES = {**HCA_2020_21, "travel": "15", "mileage_band": "1.50"}
_GOT = re.compile(r",? got .*$")


def _example(field: str) -> str:
    if field.startswith("travel_"):
        return _EXAMPLES["travel"]
    if field.startswith("mileage_"):
        return _EXAMPLES["mileage_band"]
    return _EXAMPLES.get(field, "10")


def _in_words(label: str, message: str, field: str) -> str:
    """The engine's message as a sentence about the field: "Surplus must be 0 or more"."""
    if message.startswith("expected a"):
        return f"{label} must be a number, like {_example(field)}"
    if message.startswith("must be more than zero"):
        return f"{label} must be more than 0"
    if message.startswith("cannot be negative"):
        return f"{label} must be 0 or more"
    if message.startswith("must be below 100"):
        return f"{label} must be less than 100%"
    if message.startswith("overheads (") and "take 100% or more" in message:
        return (
            f"{label} and surplus together take 100% or more of the price, so no price covers "
            "them: lower one of them"
        )
    return f"{label}: {_GOT.sub('', message)}"


class PriceVisitForm(GovukForm):
    """A visit to price: band, length, carers and when it starts (date and time)."""

    band = forms.ChoiceField(
        label="Band",
        error_messages={
            "required": "Select a band",
            "invalid_choice": "Select one of this card's bands",
        },
    )
    minutes = forms.IntegerField(
        label="Length of the visit",
        min_value=1,
        max_value=1440,
        error_messages={
            "required": "Enter the length of the visit in minutes",
            "invalid": "Length of the visit must be a whole number of minutes, like 30",
            "min_value": "Length of the visit must be at least 1 minute",
            "max_value": "Length of the visit must be 1,440 minutes (a day) or less",
        },
    )
    carers = forms.ChoiceField(
        label="Carers",
        choices=[(str(n), str(n)) for n in range(1, 5)],
        error_messages={"required": "Select how many carers attend"},
    )
    # Day, month and year are read together in clean(); every date error goes on "day".
    day = forms.CharField(label="Date of the visit", required=False)
    month = forms.CharField(label="Month", required=False)
    year = forms.CharField(label="Year", required=False)
    start_time = forms.CharField(
        label="Start time",
        error_messages={"required": "Enter the start time, like 08:30"},
    )

    def __init__(self, *args: Any, bands: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["band"].choices = [(band, band.title()) for band in bands]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        parts = [cleaned.get(name) or "" for name in ("day", "month", "year")]
        if not all(parts):
            self.add_error("day", "Enter the date of the visit, including a day, month and year")
            return cleaned
        try:
            day = bounds.read_date(*parts, example="7 6 2021")
        except InputError as exc:
            self.add_error("day", f"Date of the visit {exc.message}")
            return cleaned
        moment = _parse_time(cleaned.get("start_time") or "")
        if moment is None:
            if "start_time" in cleaned:
                self.add_error("start_time", "Start time must be a time like 08:30 or 17:45")
            return cleaned
        cleaned["start"] = datetime.combine(day, moment)
        return cleaned

    KEYS = {"band": "band", "minutes": "minutes", "carers": "carers", "start": "day", "date": "day"}


def _parse_time(text: str) -> time | None:
    text = text.strip().replace(".", ":")
    for pattern in ("%H:%M", "%H%M"):
        try:
            return datetime.strptime(text, pattern).time()
        except ValueError:
            continue
    return None


class TenderForm(GovukForm):
    """Bids file, and the rules: an uploaded TOML file, or answers to a few questions."""

    RULES_SOURCES = (("file", "Upload a rules file"), ("form", "Answer questions about the rules"))
    FORMULAS = (
        ("lowest", "Lowest price gets full marks; others in proportion (lowest ÷ price)"),
        ("relative_to_ceiling", "Marks for how far below the ceiling the price is"),
        ("linear", "Straight line from full marks at the floor to none at the ceiling"),
    )

    bids = forms.FileField(
        label="Bids file",
        error_messages={
            "required": "Select a bids file (CSV or XLSX)",
            "empty": "The bids file is empty",
        },
    )
    rules_source = forms.ChoiceField(
        label="How you will give the rules",
        choices=RULES_SOURCES,
        initial="file",
        error_messages={"required": "Select how you will give the rules"},
    )
    rules = forms.FileField(required=False, label="Rules file")
    title = forms.CharField(required=False, label="Title of the tender", max_length=200)
    price_weight = _text("Price weight", required=False)
    quality_weight = _text("Quality weight", required=False)
    formula = forms.ChoiceField(
        label="How price is scored", choices=FORMULAS, initial="lowest", required=False
    )
    floor = _text("Floor price", required=False)
    ceiling = _text("Ceiling price", required=False)
    max_score = _text("Highest quality score", required=False)
    min_score = _text("Lowest acceptable quality score", required=False)
    prime_places = _text("Prime providers per lot", required=False)
    supplementary_places = _text("Supplementary providers per lot", required=False)

    KEYS = {
        "title": "title",
        "weights.price": "price_weight",
        "weights.quality": "quality_weight",
        "weights": "price_weight",
        "price.formula": "formula",
        "price.floor": "floor",
        "price.ceiling": "ceiling",
        "price": "floor",
        "quality.max_score": "max_score",
        "quality.min_score": "min_score",
        "appointment": "prime_places",
        "appointment.appoint.prime": "prime_places",
        "appointment.appoint.supplementary": "supplementary_places",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rules_source"].error_anchor = "rules_source"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        source = cleaned.get("rules_source")
        if source == "file" and not cleaned.get("rules") and not self.has_error("rules"):
            self.add_error("rules", "Select a rules file")
        for name, what in (("bids", "bids file"), ("rules", "rules file")):
            upload = cleaned.get(name)
            if upload is not None and upload.size > MAX_UPLOAD_BYTES:
                self.add_error(name, f"The {what} must be smaller than 5 MB")
        if source == "form":
            for name, message in (
                ("price_weight", "Enter the price weight"),
                ("quality_weight", "Enter the quality weight"),
            ):
                if not cleaned.get(name):
                    self.add_error(name, message)
            self._check_answers(cleaned)
        return cleaned

    def _check_answers(self, cleaned: dict[str, Any]) -> None:
        """Every problem with the answers at once, in words; the engine judges them again."""
        read = _Reader(self, cleaned)
        price, quality = read.number("price_weight", 0, 100), read.number("quality_weight", 0, 100)
        if price is not None and quality is not None and price + quality != 100:
            self.add_error(
                "price_weight",
                f"Price and quality weights must add up to 100 (they add up to {price + quality})",
            )
        floor, ceiling = read.money("floor"), read.money("ceiling")
        formula = cleaned.get("formula") or "lowest"
        if floor is not None and ceiling is not None and floor > ceiling:
            self.add_error(
                "floor", f"Floor price must be no more than the ceiling price ({_pounds(ceiling)})"
            )
        if formula in ("relative_to_ceiling", "linear") and read.blank("ceiling"):
            self.add_error("ceiling", "Enter the ceiling price: the way price is scored needs it")
        if formula == "linear" and read.blank("floor"):
            self.add_error("floor", "Enter the floor price: the straight-line scoring needs it")
        if formula == "linear" and floor is not None and floor == ceiling:
            self.add_error("floor", "Floor price must be less than the ceiling price")
        top = read.number("max_score", 0, None, above=True)
        low = read.number("min_score", 0, None)
        if low is not None and low > (top if top is not None else 100):
            self.add_error(
                "min_score",
                "Lowest acceptable quality score must be no more than the highest quality score",
            )
        places = [read.whole(name) for name in ("prime_places", "supplementary_places")]
        if all(p is not None for p in places) and not sum(p or 0 for p in places):
            self.add_error("prime_places", "Enter how many providers to appoint in each lot")

    def rules_mapping(self) -> dict[str, Any]:
        """The answers as the rules' TOML shape (only what was given)."""
        data = self.cleaned_data
        price: dict[str, Any] = {"formula": data.get("formula") or "lowest"}
        for key in ("floor", "ceiling"):
            if data.get(key):
                price[key] = data[key]
        quality: dict[str, Any] = {}
        if data.get("max_score"):
            quality["max_score"] = data["max_score"]
        if data.get("min_score"):
            quality["min_score"] = data["min_score"]
        appoint = {
            tier: _count(data.get(f"{tier}_places"), f"appointment.appoint.{tier}")
            for tier in ("prime", "supplementary")
            if data.get(f"{tier}_places")
        }
        mapping: dict[str, Any] = {
            "weights": {"price": data["price_weight"], "quality": data["quality_weight"]},
            "price": price,
            "quality": quality,
            "appointment": {"appoint": appoint},
        }
        if data.get("title"):
            mapping = {"title": data["title"], **mapping}
        return mapping


def _pounds(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


class _Reader:
    """Reads one answer of the tender form, putting any problem on its field in words."""

    def __init__(self, form: forms.Form, cleaned: dict[str, Any]) -> None:
        self.form, self.cleaned = form, cleaned

    def blank(self, name: str) -> bool:
        return not str(self.cleaned.get(name) or "").strip() and not self.form.has_error(name)

    def _text(self, name: str) -> str | None:
        if self.form.has_error(name):
            return None
        text = str(self.cleaned.get(name) or "").strip().replace(",", "")
        return text or None

    def _label(self, name: str) -> str:
        return str(self.form.fields[name].label)

    def number(
        self, name: str, low: int, high: int | None, *, above: bool = False
    ) -> Decimal | None:
        text = self._text(name)
        if text is None:
            return None
        value = bounds.decimal_or_none(text)
        label = self._label(name)
        if value is None:
            self.form.add_error(name, f"{label} must be a number, like 60")
            return None
        if (value <= low) if above else (value < low):
            self.form.add_error(
                name,
                f"{label} must be more than {low}" if above else f"{label} must be {low} or more",
            )
            return None
        if high is not None and value > high:
            self.form.add_error(name, f"{label} must be {low} to {high}")
            return None
        return value

    def money(self, name: str) -> Decimal | None:
        text = self._text(name)
        if text is None:
            return None
        value = bounds.decimal_or_none(text)
        label = self._label(name)
        if value is None:
            self.form.add_error(name, f"{label} must be an amount in pounds, like 18.50")
            return None
        if value <= 0:
            self.form.add_error(name, f"{label} must be more than £0")
            return None
        return value

    def whole(self, name: str) -> int | None:
        text = self._text(name)
        if text is None:
            return 0 if not self.form.has_error(name) else None
        if not (text.isdecimal() and text.isascii() and len(text) <= 3):
            label = self._label(name)
            self.form.add_error(name, f"{label} must be a whole number of providers, like 2")
            return None
        return int(text)


def _count(text: str | None, key: str) -> int:
    try:
        value = int(str(text).strip())
    except ValueError:
        raise InputError(f"must be a whole number of providers, got {text!r}", key=key) from None
    if value < 0:
        raise InputError(f"must be 0 or more, got {value}", key=key)
    return value


def to_toml(mapping: dict[str, Any]) -> str:
    """The rules mapping as TOML text (strings, numbers and tables of them), to keep on record."""
    lines: list[str] = []
    tables: list[tuple[str, dict[str, Any]]] = []
    for key, value in mapping.items():
        if isinstance(value, dict):
            tables.append((key, value))
        else:
            lines.append(f"{key} = {_toml_value(value)}")
    for name, table in tables:
        lines.append(f"\n[{name}]")
        for key, value in table.items():
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines).lstrip("\n") + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value).strip()
    if _PLAIN_NUMBER.match(text):
        return text  # a TOML number, exactly as typed
    # Anything else stays a string; the engine reads "£17.50" or says what is wrong with it.
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
