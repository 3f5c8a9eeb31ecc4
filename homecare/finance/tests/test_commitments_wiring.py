"""The URL wiring the commitments, uplift and purchase order tests use: the site's own URLs,
with the finance pages of :mod:`homecare.finance.commitment_urls` under ``/finance/`` until
the site includes them itself (then the site's own are used as they are)."""

from __future__ import annotations

from django.urls import NoReverseMatch, include, path, reverse

import config.urls

urlpatterns = list(config.urls.urlpatterns)
try:
    reverse("finance:commitments", urlconf=config.urls)
except NoReverseMatch:
    # First, so that these names win over another "finance" namespace the site may have.
    urlpatterns.insert(0, path("finance/", include("homecare.finance.commitment_urls")))

URLS = __name__


def test_the_pages_have_their_names() -> None:
    from django.urls import reverse as named

    assert named("finance:commitments", urlconf=URLS).endswith("/commitments/")
    assert named("finance:purchase-order", args=[7], urlconf=URLS).endswith("/purchase-orders/7/")
    assert named("finance:uplifts", args=[3], urlconf=URLS).endswith("/frameworks/3/uplifts/")


def test_every_page_here_has_an_access_rule() -> None:
    from homecare.finance import commitment_urls

    for pattern in commitment_urls.urlpatterns:
        assert getattr(pattern.callback, "access_rule", ""), pattern.name
