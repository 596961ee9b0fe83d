"""Core latency: every labelled question answered in one process, warm and cold."""

from __future__ import annotations

import gc
import time
from pathlib import Path

from benchmarks.common import (
    Latency,
    Options,
    Row,
    Section,
    clear_core_caches,
    core_caches,
    question_files,
    us,
)
from bot.dialogue.assistant import Assistant
from bot.tools.evaluation import Turn, load_turns

# Targets from issue 4.
TARGET_P50_US = 100.0
TARGET_P99_US = 1000.0
# Timed passes over all questions (each question once per pass, in conversation order).
PASSES = 20
QUICK_PASSES = 4


def load_conversations(root: Path) -> list[list[Turn]]:
    """The conversations of every labelled file, in file order."""
    conversations: list[list[Turn]] = []
    for name in question_files(root):
        conversations += load_turns(root / name)
    return conversations


def time_pass(
    assistant: Assistant, conversations: list[list[Turn]], *, cold: bool = False
) -> list[int]:
    """Answer every turn as ``evaluate`` does (fresh chat per conversation); ns per turn.

    With ``cold``, every cache of the core is cleared before each question, so each one
    pays for normalisation and typo correction as if its words were new.
    """
    samples: list[int] = []
    clock = time.perf_counter_ns
    caches = core_caches(assistant) if cold else []
    for index, turns in enumerate(conversations):
        chat = f"bench-{index}"
        assistant.reset(chat)
        for turn in turns:
            for clear in caches:
                clear()
            start = clock()
            assistant.reply(chat, turn.question)
            samples.append(clock() - start)
        assistant.reset(chat)
    return samples


def run(options: Options) -> Section:
    """Warm and cold per-question latency of ``Assistant.reply``."""
    section = Section("core latency")
    assistant = Assistant.load(options.root)
    conversations = load_conversations(options.root)
    questions = sum(len(turns) for turns in conversations)
    passes = QUICK_PASSES if options.quick else PASSES

    time_pass(assistant, conversations)  # warm-up: fills the caches, as in a running bot
    gc.collect()
    warm: list[int] = []
    for _ in range(passes):
        warm += time_pass(assistant, conversations)
    cold: list[int] = []
    for _ in range(max(passes // 4, 1)):
        cold += time_pass(assistant, conversations, cold=True)
    fresh = Assistant.load(options.root)  # a new process's first pass, caches empty
    clear_core_caches(fresh)
    first = time_pass(fresh, conversations)

    warm_s, cold_s, first_s = Latency.of_ns(warm), Latency.of_ns(cold), Latency.of_ns(first)
    section.data = {
        "questions": questions,
        "passes": passes,
        "warm": warm_s.json(),
        "cold_every_question": cold_s.json(),
        "first_pass_fresh_assistant": first_s.json(),
        "caches_found": clear_core_caches(assistant),
    }
    section.rows = [
        Row(
            f"warm p50 ({questions} questions x {passes} passes)",
            us(warm_s.p50_us),
            "< 100 µs",
            warm_s.p50_us < TARGET_P50_US,
        ),
        Row("warm p99", us(warm_s.p99_us), "< 1 ms", warm_s.p99_us < TARGET_P99_US),
        Row("warm max", us(warm_s.max_us)),
        Row("warm questions/s on one core", f"{warm_s.per_second:,}"),
        Row(
            "cold p50 / p99 (every cache cleared before each question)",
            f"{us(cold_s.p50_us)} / {us(cold_s.p99_us)}",
        ),
        Row(
            "first pass of a fresh assistant p50 / p99",
            f"{us(first_s.p50_us)} / {us(first_s.p99_us)}",
        ),
    ]
    return section
