"""Shared pytest configuration.

Hypothesis runs derandomized under CI (``CI`` set) so that a red build is
reproducible; locally it explores freely. No deadlines: exact arithmetic on
an unlucky draw can be slow, and speed targets live in ``benchmarks/``.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")
