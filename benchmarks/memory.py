"""Memory: peak RSS of ``python -m bot ask`` and of the Telegram bot once it polls."""

from __future__ import annotations

import subprocess
import time

from benchmarks.common import Options, Row, Section, clean_env, wait_rusage
from benchmarks.startup import QUESTION

TARGET_MIB = 80.0
ASK_RUNS = 3
# How long the idle bot runs after its first getUpdates before it is stopped.
IDLE_SECONDS = 1.0
# Longest an `ask` may take before it is killed.
ASK_TIMEOUT = 60.0


def mib(kib: int) -> str:
    """KiB (ru_maxrss on Linux) as MiB for the table."""
    return f"{kib / 1024:.1f} MiB"


def peak_rss_of_ask(options: Options) -> int:
    """Peak RSS in KiB of one ``python -m bot ask`` (the largest of a few runs)."""
    peaks: list[int] = []
    for _ in range(ASK_RUNS):
        process = subprocess.Popen(
            [options.python, "-m", "bot", "ask", QUESTION],
            cwd=options.root,
            env=clean_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        status, peak = wait_rusage(process, ASK_TIMEOUT)
        if status != 0:
            raise RuntimeError(f"python -m bot ask exited with {status}")
        peaks.append(peak)
    return max(peaks)


def peak_rss_of_idle_bot(options: Options) -> int:
    """Peak RSS in KiB of the Telegram bot, from launch to a second after it polls."""
    from benchmarks.telegram_process import running_bot

    with running_bot(options) as (_, bot):
        time.sleep(IDLE_SECONDS)
        return bot.stop()


def run(options: Options) -> Section:
    """Peak RSS figures (the loaded bot's is reported by the end-to-end benchmark)."""
    from benchmarks.telegram_process import unavailable

    section = Section("memory")
    ask = peak_rss_of_ask(options)
    section.data["ask_peak_rss_kib"] = ask
    section.rows.append(
        Row("python -m bot ask: peak RSS", mib(ask), "< 80 MiB", ask / 1024 < TARGET_MIB)
    )
    reason = unavailable(options)
    if reason is not None:
        section.data["telegram_idle_peak_rss_kib"] = reason
        section.rows.append(Row("telegram bot, idle: peak RSS", reason, "< 80 MiB"))
        return section
    try:
        idle = peak_rss_of_idle_bot(options)
    except RuntimeError as exc:
        section.data["telegram_idle_peak_rss_kib"] = f"failed: {exc}"
        section.rows.append(Row("telegram bot, idle: peak RSS", "failed", "< 80 MiB", False))
        return section
    section.data["telegram_idle_peak_rss_kib"] = idle
    section.rows.append(
        Row("telegram bot, idle: peak RSS", mib(idle), "< 80 MiB", idle / 1024 < TARGET_MIB)
    )
    return section
