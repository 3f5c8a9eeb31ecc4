"""A tender's file of bids is evaluated inside the web request, so it is held to the council's
HOMECARE_BIDS_MAX_ROWS: a longer file is refused on the bids field, naming the limit, and no
evaluation is kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from homecare.commissioning.models import TenderEvaluation

DATA = Path(__file__).resolve().parent / "data"
URL = "/tenders/"
BIDS = (DATA / "bids.csv").read_bytes()  # six bids under the header

pytestmark = pytest.mark.django_db


def _post(client: Any) -> Any:
    files = {
        "bids": SimpleUploadedFile("bids.csv", BIDS),
        "rules": SimpleUploadedFile("rules.toml", (DATA / "rules.toml").read_bytes()),
    }
    return client.post(URL, {"rules_source": "file", **files})


def test_a_bids_file_over_the_setting_s_row_limit_is_refused(
    signed_in: Any, commissioner: Any, settings: Any
) -> None:
    settings.HOMECARE_BIDS_MAX_ROWS = 5
    response = _post(signed_in(commissioner))
    assert response.status_code == 200
    page = response.content.decode()
    summary = page.split('<a href="#bids">', 1)[1].split("</a>", 1)[0]
    assert "more than 5 rows, the most one file may hold" in summary
    assert 'id="bids-error"' in page
    assert not TenderEvaluation.objects.exists()


def test_a_bids_file_within_the_setting_s_row_limit_is_evaluated(
    signed_in: Any, commissioner: Any, settings: Any
) -> None:
    settings.HOMECARE_BIDS_MAX_ROWS = 6
    assert _post(signed_in(commissioner)).status_code == 302
    assert TenderEvaluation.objects.count() == 1
