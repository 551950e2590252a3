"""Shared test settings: quiet logs unless a test asks for them; Hypothesis's CI profile
(tests/profiles.py)."""

import logging

import structlog

from tests import profiles

profiles.load()
structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
