"""The package as users install it: typed, licensed, and importable without the test extra."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import actorview

ROOT = Path(__file__).resolve().parent.parent

# Imports every actorview module in a fresh interpreter where hypothesis cannot be found,
# as after `pip install actorview` without the test extra.
_IMPORT_ALL_WITHOUT_HYPOTHESIS = """
import importlib, pkgutil, sys

class NoHypothesis:
    def find_spec(self, name, path=None, target=None):
        if name == "hypothesis" or name.startswith("hypothesis."):
            raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)")
        return None

sys.meta_path.insert(0, NoHypothesis())
import actorview
names = [m.name for m in pkgutil.walk_packages(actorview.__path__, "actorview.")]
for name in names:
    importlib.import_module(name)
assert "hypothesis" not in sys.modules
print(len(names))
"""


def test_every_module_imports_without_hypothesis() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL_WITHOUT_HYPOTHESIS],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 50, "every module was walked"


def test_hypothesis_is_a_test_dependency_only() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not any(dep.startswith("hypothesis") for dep in project["dependencies"])
    assert any(dep.startswith("hypothesis") for dep in project["optional-dependencies"]["test"])


def test_the_package_ships_its_types_and_its_license() -> None:
    assert (Path(actorview.__file__).parent / "py.typed").is_file()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


# Logs one supervisor-style event in a fresh interpreter where structlog is not configured.
_LOG_WITHOUT_STRUCTLOG_CONFIG = """
import logging, sys
from actorview.logging import get_logger
log = get_logger(supervisor="root").bind(child="a")
{setup}
log.debug("child_debug", n=1)
log.info("child_started", n=2)
"""


def _run_logging(setup: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _LOG_WITHOUT_STRUCTLOG_CONFIG.format(setup=setup)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_host_that_configures_nothing_sees_no_log_output() -> None:
    result = _run_logging("")
    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")


def test_the_hosts_logging_configuration_applies_with_every_field() -> None:
    result = _run_logging(
        "logging.basicConfig(stream=sys.stdout, level=logging.INFO,"
        " format='%(name)s %(levelname)s %(message)s')"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "actorview INFO event='child_started' supervisor='root' child='a' n=2"
    ], "info passes the host's level, debug does not"
    quiet = _run_logging(
        "logging.basicConfig(stream=sys.stdout, level=logging.DEBUG);"
        " logging.getLogger('actorview').setLevel(logging.WARNING)"
    )
    assert quiet.stdout == "", "a level set on the actorview logger applies"


_IMPORT_ALL_WITHOUT_ASGI_SERVERS = """
import importlib, pkgutil, sys

class NoServers:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("hypercorn", "starlette", "anyio"):
            raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)")
        return None

sys.meta_path.insert(0, NoServers())
import actorview
for module in pkgutil.walk_packages(actorview.__path__, "actorview."):
    importlib.import_module(module.name)
print("ok")
"""


def test_the_asgi_face_needs_no_asgi_server_or_framework_at_import() -> None:
    """hypercorn is the `asgi` extra, Starlette only a host: neither is imported."""
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL_WITHOUT_ASGI_SERVERS],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not any(dep.startswith(("hypercorn", "starlette")) for dep in project["dependencies"])
    assert any(dep.startswith("hypercorn") for dep in project["optional-dependencies"]["asgi"])
