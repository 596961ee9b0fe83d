"""The question log at scale: /stats and ``python -m bot report`` over 200,000 logged
questions of distinct text (what anyone can fill the log with), and replies meanwhile.

``python -m benchmarks.question_log`` runs it alone and prints the figures.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import subprocess
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.common import Options, Row, Section, clean_env, ms, percentile, us
from bot.dialogue.assistant import Assistant
from bot.settings import QUESTION_LOG_FILENAME
from bot.storage.question_log import TIME_FORMAT, ChatKind, QuestionLog, utc_now
from bot.storage.question_log import _migrate as migrate
from bot.tools.stats import stats_text

ROWS = 200_000
QUICK_ROWS = 50_000
TARGET_STATS_S = 2.0
TARGET_REPORT_S = 5.0
RUNS = 5
QUICK_RUNS = 3
# Every question in the log falls in the last week, so /stats reads all of them.
SPREAD_DAYS = 6
# Replies (and their recording) timed while /stats runs in a thread, as the bot runs it.
REPLY_QUESTION = "why was staffs chosen"
REPORT_TIMEOUT = 120.0
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def fill(path: Path, rows: int, seed: int = 12) -> None:
    """A question log at ``path`` with ``rows`` questions of distinct text, and daily counts.

    Each is "what about" and three made-up words and a number: the common words are the
    worst case for grouping by shared words, the number makes each text distinct.
    """
    rng = random.Random(seed)
    now = datetime.now(UTC)

    def word() -> str:
        return "".join(rng.choices(LETTERS, k=rng.randint(3, 9)))

    questions = []
    for index in range(rows):
        asked = now - timedelta(seconds=rng.randint(0, SPREAD_DAYS * 86_400))
        text = f"what about {word()} {word()} {word()} {index}"
        questions.append(
            (asked.strftime(TIME_FORMAT), "private", "fallback", "fallback", text, "fallback")
        )
    days = {(now - timedelta(days=d)).date().isoformat() for d in range(SPREAD_DAYS + 1)}
    with sqlite3.connect(path) as conn:
        migrate(conn)  # the bot's own schema
        conn.executemany(
            "INSERT INTO questions (asked_at, chat_kind, reason, outcome, text, intent, "
            "best_intent, score, confidence, runner_up, runner_up_score) "
            "VALUES (?, ?, ?, ?, ?, ?, NULL, 0, 0, NULL, 0)",
            questions,
        )
        conn.executemany(
            "INSERT INTO daily_counts VALUES (?, 'private', 'fallback', 'fallback', ?)",
            [(day, rows // len(days)) for day in days],
        )
    conn.close()


def time_stats(path: Path, runs: int) -> list[float]:
    """Seconds for stats_text over the log, as /stats calls it; a fresh connection each run."""
    seconds = []
    for _ in range(runs):
        log = QuestionLog(path)
        start = time.perf_counter()
        stats_text(log, utc_now())
        seconds.append(time.perf_counter() - start)
        log.close()
    return seconds


def time_report(options: Options, data_dir: Path, runs: int) -> list[float]:
    """Wall seconds of ``python -m bot report`` (start-up included) over the log."""
    env = clean_env({"BOT_DATA_DIR": str(data_dir)})
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [options.python, "-m", "bot", "report"],
            cwd=options.root,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=REPORT_TIMEOUT,
        )
        seconds.append(time.perf_counter() - start)
    return seconds


def reply_latencies(assistant: Assistant, log: QuestionLog, seconds: float) -> list[float]:
    """Microseconds per reply and its recording, replying for ``seconds`` on end."""
    out = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter_ns()
        log.record(assistant.reply("other-chat", REPLY_QUESTION), ChatKind.PRIVATE)
        out.append((time.perf_counter_ns() - start) / 1000)
    return out


def replies_during_stats(options: Options, path: Path) -> tuple[list[float], list[float]]:
    """Reply-and-record latencies (µs) when idle, and while /stats runs in another thread.

    One QuestionLog is shared, as in the bot: /stats in a worker thread, replies in the
    event loop's.
    """
    assistant = Assistant.load(options.root)
    log = QuestionLog(path)
    idle = reply_latencies(assistant, log, 1.0)
    done = threading.Event()

    def stats() -> None:
        stats_text(log, utc_now())
        done.set()

    worker = threading.Thread(target=stats)
    busy: list[float] = []
    worker.start()
    while not done.is_set():
        busy += reply_latencies(assistant, log, 0.05)
    worker.join()
    log.close()
    return idle, busy


def run(options: Options) -> Section:
    """Fill a log, then time /stats, report, and replies while /stats runs."""
    section = Section("question log")
    rows = QUICK_ROWS if options.quick else ROWS
    runs = QUICK_RUNS if options.quick else RUNS
    with tempfile.TemporaryDirectory(prefix="question-log-bench-") as tmp:
        data_dir = Path(tmp)
        path = data_dir / QUESTION_LOG_FILENAME
        start = time.perf_counter()
        fill(path, rows)
        section.data["fill_seconds"] = time.perf_counter() - start
        stats = time_stats(path, runs)
        report = time_report(options, data_dir, runs)
        idle, busy = replies_during_stats(options, path)
    label = f"{rows:,} distinct questions"
    stats_median, report_median = statistics.median(stats), statistics.median(report)
    section.data.update(
        rows=rows, stats_seconds=stats, report_seconds=report, reply_idle_us=idle[:1000]
    )
    section.rows += [
        Row(
            f"/stats over {label}: median of {runs}",
            ms(stats_median),
            f"<= {TARGET_STATS_S:.0f} s",
            stats_median <= TARGET_STATS_S,
        ),
        Row(
            f"python -m bot report over {label}: median of {runs}",
            ms(report_median),
            f"<= {TARGET_REPORT_S:.0f} s",
            report_median <= TARGET_REPORT_S,
        ),
        Row(
            "reply + record p50 / p99, idle",
            f"{us(percentile(idle, 0.5))} / {us(percentile(idle, 0.99))}",
        ),
        Row(
            "reply + record p50 / p99, while /stats runs in a thread",
            f"{us(percentile(busy, 0.5))} / {us(percentile(busy, 0.99))}",
        ),
    ]
    return section


def main() -> int:
    """Run the benchmark alone and print its rows."""
    section = run(Options())
    for row in section.rows:
        print(f"{row.metric}: {row.value} {row.target} {row.verdict}".rstrip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
