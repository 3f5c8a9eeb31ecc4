"""The site's URLs with "Try this file again" wired in, for the tests until the delivery
URLs name it (``uploads/<pk>/again/``, ``delivery:upload-again``)."""

from django.urls import include, path

from config import urls as site
from homecare.delivery import upload_retry_views
from homecare.delivery import urls as delivery

_patterns = list(delivery.urlpatterns)
if not any(getattr(p, "name", None) == "upload-again" for p in _patterns):
    _patterns.append(
        path("uploads/<int:pk>/again/", upload_retry_views.retry_upload, name="upload-again")
    )

urlpatterns = [p for p in site.urlpatterns if getattr(p, "namespace", None) != "delivery"] + [
    path("delivery/", include((_patterns, "delivery")))
]
