"""Shared test settings: quiet logs unless a test asks for them; Hypothesis's CI profile
(tests/profiles.py)."""

from tests import profiles
from tests.logs import configure_quiet_logs

profiles.load()
configure_quiet_logs()
