"""The machine facts every benchmark report starts with (no heavy imports here)."""

from __future__ import annotations

import os
import platform
import sys

import trio


def machine_facts() -> str:
    """``nproc``, the CPU model, Python and trio versions: the first lines of a report."""
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"machine: nproc {os.cpu_count()}, CPU {model}, {platform.system()} "
        f"{platform.release()}; python {sys.version.split()[0]}, trio {trio.__version__}"
    )
