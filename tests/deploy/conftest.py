"""Every test here runs on both transports (tests/endpoint/transports.py)."""

from tests.endpoint.transports import parametrize_transport, transport

pytest_generate_tests = parametrize_transport

__all__ = ["pytest_generate_tests", "transport"]
