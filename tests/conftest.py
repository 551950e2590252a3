"""Shared test settings: quiet logs unless a test asks for them."""

import logging

import structlog

structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
