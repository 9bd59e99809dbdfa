"""CPU seconds and energy of trials and fits: RAPL counters where the machine exposes them,
else a per-core power model (an estimate, flagged ``model``).

CPU seconds: a trial runs in a fork-server child (``automl/_limits.py``), a grandchild of the
fitting process that this process never reaps, so ``getrusage(RUSAGE_CHILDREN)`` here never
sees it. The child reports its own process time instead (``os.times()``: user and system time
of all its threads, plus the children it waited for); a child stopped at its time limit is
read from ``/proc/<pid>/stat`` just before it is killed.

Energy: with readable RAPL package counters (``/sys/class/powercap/intel-rapl:N/energy_uj``)
a trial's energy is the counters' increase over its wall-clock window. That is the whole
package's energy, idle power and any other load on the machine included. Without them (no
RAPL here, or counters only root may read), joules = CPU seconds x :data:`WATTS_PER_CORE`.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

WATTS_PER_CORE = 12.0
"""Watts drawn by one busy core in the power model: the Green Algorithms calculator's value
for an unknown CPU ("Any", 12 W, its thermal design power per core; Lannelongue, Grealey and
Inouye, "Green Algorithms: Quantifying the Carbon Footprint of Computation", Advanced Science
8, 2100707, 2021; data/TDP_cpu.csv of github.com/GreenAlgorithms/green-algorithms-tool). An
estimate of the CPU's draw only, no memory, disk or cooling; the environment variable
``AUTOML_WATTS_PER_CORE`` replaces it for a known machine."""

RAPL_ROOT = Path("/sys/class/powercap")
_PACKAGE = re.compile(r"intel-rapl:\d+")  # top-level (package) domains, not their sub-zones
SOURCES = ("rapl", "model")


def watts_per_core() -> float:
    """:data:`WATTS_PER_CORE`, or ``AUTOML_WATTS_PER_CORE`` where set to a positive number."""
    value = os.environ.get("AUTOML_WATTS_PER_CORE")
    try:
        watts = float(value) if value else WATTS_PER_CORE
    except ValueError:
        return WATTS_PER_CORE
    return watts if watts > 0 else WATTS_PER_CORE


def process_cpu_seconds() -> float:
    """User and system seconds of this process (all threads) and of its reaped children."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def cpu_seconds_of(pid: int) -> float | None:
    """User and system seconds of a live process ``pid`` and its reaped children, from
    ``/proc/<pid>/stat``; None where that cannot be read (not Linux, process gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()  # after the command name, from field 3
    try:
        ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    except (IndexError, ValueError):
        return None
    return ticks / os.sysconf("SC_CLK_TCK")


class Rapl:
    """The package energy counters of Intel/AMD RAPL in ``/sys/class/powercap``."""

    def __init__(self, domains: list[Path]):
        self.domains = domains
        self._ranges = [_read_int(d / "max_energy_range_uj") or 0 for d in domains]

    @classmethod
    def find(cls, root: Path = RAPL_ROOT) -> Rapl | None:
        """The readable package domains under ``root``, or None where there are none."""
        try:
            domains = sorted(p for p in root.iterdir() if _PACKAGE.fullmatch(p.name))
        except OSError:
            return None
        domains = [d for d in domains if _read_int(d / "energy_uj") is not None]
        return cls(domains) if domains else None

    def read(self) -> list[int] | None:
        """Each domain's counter in microjoules, or None if one cannot be read."""
        values = [_read_int(d / "energy_uj") for d in self.domains]
        return None if any(v is None for v in values) else values  # type: ignore[return-value]

    def joules(self, before: list[int], after: list[int]) -> float:
        """Joules between two readings, counting a counter that wrapped around once."""
        total = 0
        for b, a, span in zip(before, after, self._ranges):
            total += a - b if a >= b else a + span - b
        return total / 1e6


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


@dataclass
class EnergyMeter:
    """The CPU seconds and energy of one fit, from its creation on: this process's own
    process time plus every trial child's reported to :meth:`trial`, and RAPL's counters or
    the power model for joules."""

    watts: float = field(default_factory=watts_per_core)
    rapl: Rapl | None = field(default_factory=Rapl.find)

    def __post_init__(self) -> None:
        self._own_start = process_cpu_seconds()
        self._rapl_start = self.rapl.read() if self.rapl else None
        self.children_cpu = 0.0

    @property
    def source(self) -> str:
        """``rapl`` when the fit's joules come from the counters, else ``model``."""
        return "rapl" if self._rapl_start is not None else "model"

    def mark(self) -> list[int] | None:
        """A reading to give :meth:`trial` when the trial ends (None without RAPL)."""
        return self.rapl.read() if self._rapl_start is not None else None

    def trial(self, mark: list[int] | None, cpu_seconds: float) -> tuple[float, str]:
        """Joules of a trial that started at ``mark`` and used ``cpu_seconds`` in its child,
        and their source; the CPU seconds count towards the fit's."""
        if math.isfinite(cpu_seconds):
            self.children_cpu += cpu_seconds
        if mark is not None and (now := self.rapl.read()) is not None:
            return self.rapl.joules(mark, now), "rapl"
        return cpu_seconds * self.watts, "model"

    def cpu_seconds(self) -> float:
        """CPU seconds of the fit so far: this process's and its trials'."""
        return process_cpu_seconds() - self._own_start + self.children_cpu

    def joules(self) -> float:
        """Joules of the fit so far."""
        if self._rapl_start is not None and (now := self.rapl.read()) is not None:
            return self.rapl.joules(self._rapl_start, now)
        return self.cpu_seconds() * self.watts

    def summary(self) -> dict[str, float | str]:
        """The fit's totals, for ``energy_``."""
        return {
            "joules": self.joules(),
            "cpu_seconds": self.cpu_seconds(),
            "trial_cpu_seconds": self.children_cpu,
            "source": self.source,
            "watts_per_core": self.watts,
        }
