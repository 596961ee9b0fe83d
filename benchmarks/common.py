"""Shared pieces of the benchmarks: options, result rows, percentiles and child processes."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bot.dialogue.assistant import Assistant

ROOT = Path(__file__).resolve().parent.parent
# The labelled question files: the one the matcher was tuned on first, then the unseen
# ones (a file not in the checkout is skipped).
QUESTION_FILES = ("tests/data/questions.yaml", "tests/data/holdout.yaml", "tests/data/fresh.yaml")


def question_files(root: Path) -> list[str]:
    """The labelled files present under ``root``, tuning file first."""
    return [name for name in QUESTION_FILES if (root / name).is_file()]


# Environment variables of the bot that must not leak from the caller into a measured child.
BOT_ENV_PREFIXES = ("TELEGRAM_", "BOT_")

# Where measured children keep their compiled .pyc files.
PYCACHE = Path(tempfile.gettempdir()) / "inspection-bot-benchmarks-pycache"

Json = dict[str, object]


@dataclass(frozen=True, slots=True)
class Options:
    """How one benchmark run is done."""

    quick: bool = False
    root: Path = ROOT
    python: str = sys.executable


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the printed table."""

    metric: str
    value: str
    target: str = ""
    ok: bool | None = None  # None: no target

    @property
    def verdict(self) -> str:
        """ "ok", "MISSED" or "" when the figure has no target."""
        if self.ok is None:
            return ""
        return "ok" if self.ok else "MISSED"


@dataclass(slots=True)
class Section:
    """The result of one benchmark module: rows for the table, data for the JSON."""

    name: str
    rows: list[Row] = field(default_factory=list)
    data: Json = field(default_factory=dict)
    skipped: str | None = None
    seconds: float = 0.0


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of ``values`` (share in 0..1); nan for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(math.ceil(share * len(ordered)), 1)
    return float(ordered[rank - 1])


@dataclass(frozen=True, slots=True)
class Latency:
    """Percentiles of a set of timings, in microseconds, and the rate one core sustains."""

    n: int
    p50_us: float
    p99_us: float
    max_us: float
    mean_us: float
    per_second: int

    @classmethod
    def of_ns(cls, samples_ns: Sequence[int]) -> Latency:
        """Summarise timings taken with time.perf_counter_ns."""
        total = sum(samples_ns)
        return cls(
            n=len(samples_ns),
            p50_us=round(percentile(samples_ns, 0.50) / 1e3, 1),
            p99_us=round(percentile(samples_ns, 0.99) / 1e3, 1),
            max_us=round(max(samples_ns, default=0) / 1e3, 1),
            mean_us=round(total / max(len(samples_ns), 1) / 1e3, 1),
            per_second=round(len(samples_ns) * 1e9 / total) if total else 0,
        )

    @classmethod
    def of_seconds(cls, samples_s: Sequence[float]) -> Latency:
        """Summarise timings in seconds (e.g. time.monotonic differences)."""
        return cls.of_ns([round(s * 1e9) for s in samples_s])

    def json(self) -> Json:
        """The figures as a JSON object."""
        return asdict(self)


def us(number: float) -> str:
    """A microsecond figure for the table, in ms past 1,000."""
    if math.isnan(number):
        return "n/a"
    if number >= 1000:
        return f"{number / 1000:.2f} ms"
    return f"{number:.0f} µs"


def ms(seconds: float) -> str:
    """A duration in seconds for the table, in ms below 10 s."""
    if math.isnan(seconds):
        return "n/a"
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def clean_env(
    overrides: Mapping[str, str] | None = None, *, bytecode: bool = True
) -> dict[str, str]:
    """The caller's environment without the bot's settings, plus ``overrides``.

    With ``bytecode`` (the default, as a deployed bot runs), compiled .pyc files are
    written and reused, under a cache of the benchmarks' own (PYTHONPYCACHEPREFIX) so
    the work tree is untouched; without it every start compiles the sources again, as
    happens where PYTHONDONTWRITEBYTECODE=1 is set and no .pyc files were shipped.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(BOT_ENV_PREFIXES)}
    env.pop("PYTHONPATH", None)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    env.update(overrides or {})
    return env


def wait_rusage(process: subprocess.Popen[bytes], timeout: float) -> tuple[int, int]:
    """Reap ``process`` with wait4: (exit status, peak RSS in KiB of that child alone).

    resource.getrusage(RUSAGE_CHILDREN) is the maximum over every child ever reaped, so
    each child is reaped on its own here. A child still running at ``timeout`` is killed.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid == process.pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return process.returncode, int(usage.ru_maxrss)
        time.sleep(0.01)
    process.kill()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, int(usage.ru_maxrss)


def core_caches(assistant: Assistant) -> list[Callable[[], None]]:
    """The cache_clear of every lru_cache of the core: module functions and the objects
    the assistant holds (found by looking, not by name, so it keeps up as the core changes).
    """
    caches: dict[int, Callable[[], None]] = {}
    for name, module in list(sys.modules.items()):
        if name == "bot" or name.startswith("bot."):
            for value in vars(module).values():
                _collect_cache(value, caches)
    seen: set[int] = set()
    stack: list[object] = [assistant]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or len(seen) > 10_000:
            continue
        seen.add(id(obj))
        attributes = dict(getattr(obj, "__dict__", {}))
        for slot in getattr(type(obj), "__slots__", ()):
            if hasattr(obj, slot):
                attributes[slot] = getattr(obj, slot)
        for value in attributes.values():
            _collect_cache(value, caches)
            if type(value).__module__.startswith("bot."):
                stack.append(value)
    return list(caches.values())


def clear_core_caches(assistant: Assistant) -> int:
    """Clear every cache of the core; returns how many there were."""
    caches = core_caches(assistant)
    for clear in caches:
        clear()
    return len(caches)


def _collect_cache(value: object, caches: dict[int, Callable[[], None]]) -> None:
    if isinstance(value, type):
        return  # a cache class itself (bot.bounded.BoundedCache), not a cache
    clear = getattr(value, "cache_clear", None)
    if callable(clear) and hasattr(value, "cache_info"):
        caches[id(value)] = clear
