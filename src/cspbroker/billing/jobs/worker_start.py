"""The start of a billing worker process: Django set up on the very database the run uses.

Its own module, importing nothing of the platform: the process imports it before Django is set up.
"""

from __future__ import annotations

import os
from typing import Any


def start_worker(database: dict[str, Any]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cspbroker.config.settings")
    import django
    from django.conf import settings

    settings.DATABASES["default"] = database  # type: ignore[assignment]  # a test database, say
    django.setup()
