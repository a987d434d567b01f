"""Shared test configuration: hypothesis profiles and the database banner."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# CI runs every property with at least 1,000 examples (issue 2); local runs stay quick.
settings.register_profile(
    "ci", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=200, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
