"""``python -m benchmarks.run``: every benchmark, one table, JSON in benchmarks/results/.

Options: ``--quick`` (fewer passes and runs, scale up to 100x only, a couple of minutes),
``--only NAME`` (repeatable), ``--no-summary`` (do not rewrite benchmarks/RESULTS.md).
Benchmarks are not tests and never run in CI.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from benchmarks.common import ROOT, Options, Section

# name -> the module whose run(options) measures it. Imported only when run, in this
# order: the core latency is measured first, before the Telegram benchmarks bring
# python-telegram-bot and httpx into this process (with them loaded, the same core runs
# about 1.5x slower here: a bigger heap for the garbage collector and the CPU caches).
BENCHMARKS: dict[str, str] = {
    "core": "benchmarks.core_latency",
    "baseline": "benchmarks.baseline",
    "startup": "benchmarks.startup",
    "memory": "benchmarks.memory",
    "telegram": "benchmarks.telegram_e2e",
    "scale": "benchmarks.scale",
    "question-log": "benchmarks.question_log",
    "reliability": "benchmarks.reliability",
}


def benchmark(name: str) -> Callable[[Options], Section]:
    """The run function of benchmark ``name``, importing its module now."""
    run: Callable[[Options], Section] = importlib.import_module(BENCHMARKS[name]).run
    return run


RESULTS_DIR = ROOT / "benchmarks" / "results"
SUMMARY = ROOT / "benchmarks" / "RESULTS.md"


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    return {
        "nproc": str(os.cpu_count()),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "processor": _cpu_model(),
        # other work on the machine skews every figure: noted so a reader can tell
        "load_average_1_5_15": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def table(sections: list[Section]) -> str:
    """The results as a Markdown table (readable in a terminal too)."""
    lines = ["| benchmark | figure | value | target | |", "|---|---|---|---|---|"]
    for section in sections:
        for row in section.rows:
            cells = (section.name, row.metric, row.value, row.target, row.verdict)
            lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def summary_markdown(
    sections: list[Section],
    command: str,
    started: datetime.datetime,
    seconds: float,
    load_at_start: str,
) -> str:
    """benchmarks/RESULTS.md: the table with the machine, date and command."""
    info = machine()
    return (
        "# Benchmark results\n\n"
        "Written by `python -m benchmarks.run` (see benchmarks/README.md for what each figure\n"
        "means and what dominates it). Re-run it to refresh this file.\n\n"
        f"- command: `{command}`\n"
        f"- date: {started:%Y-%m-%d %H:%M} UTC, {seconds:.0f} s in all\n"
        f"- machine: {info['nproc']} cores ({info['processor']}), {info['platform']}\n"
        f"- load average (1, 5, 15 min) at the start: {load_at_start}; at the end: "
        f"{info['load_average_1_5_15']} (other work on the machine skews the figures)\n"
        f"- python: {info['implementation']} {info['python']}\n\n"
        f"{table(sections)}\n"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks; 0 even when a target is missed (they are not tests)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer runs, scale to 100x only")
    parser.add_argument(
        "--only", action="append", choices=sorted(BENCHMARKS), help="run just these"
    )
    parser.add_argument("--no-summary", action="store_true", help="leave RESULTS.md alone")
    args = parser.parse_args(argv)
    options = Options(quick=args.quick)
    started = datetime.datetime.now(datetime.UTC)
    load_at_start = " ".join(f"{x:.2f}" for x in os.getloadavg())
    clock = time.perf_counter()
    sections: list[Section] = []
    for name in args.only or list(BENCHMARKS):
        print(f"running {name} ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        try:
            section = benchmark(name)(options)
        except Exception as exc:  # one broken benchmark must not hide the others
            traceback.print_exc()
            section = Section(name, skipped=f"error: {exc!r}")
        section.seconds = time.perf_counter() - start
        sections.append(section)
        print(f"  {name}: {section.seconds:.1f} s", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - clock

    command = "python -m benchmarks.run" + "".join(f" {a}" for a in (argv or sys.argv[1:]))
    print(table(sections))
    missed = [f"{s.name}: {r.metric}" for s in sections for r in s.rows if r.ok is False] + [
        f"{s.name}: {s.skipped}" for s in sections if s.skipped and not s.rows
    ]
    if missed:
        print("\nmissed or not run:\n  " + "\n  ".join(missed))
    print(f"\n{seconds:.0f} s in all")

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    report = {
        "command": command,
        "date": started.isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "machine": machine(),
        "load_average_at_start": load_at_start,
        "sections": [asdict(s) for s in sections],
    }
    latest = RESULTS_DIR / "latest.json"
    latest.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"wrote {latest.relative_to(ROOT)}")
    if not args.no_summary and not args.quick and not args.only:
        SUMMARY.write_text(
            summary_markdown(sections, command, started, seconds, load_at_start), encoding="utf-8"
        )
        print(f"wrote {SUMMARY.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
