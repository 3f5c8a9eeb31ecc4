"""Settings for the test suite: the project's settings in development mode.

``config.settings`` fails closed (production unless ``HOMECARE_ENVIRONMENT=development``), so
the tests say development here, before those settings are read. A test that needs production
runs ``manage.py`` in a subprocess with its own environment (``test_security_settings``).
"""

from __future__ import annotations

import os

os.environ.setdefault("HOMECARE_ENVIRONMENT", "development")

from config.settings import *  # noqa: F403
