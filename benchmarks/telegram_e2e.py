"""End to end: the real Telegram bot process, many chats at once, through the fake Bot API.

Each chat sends its next message as soon as it has the reply to the previous one, as a
person would, so the bot always has as many messages waiting as there are chats. Reply
latency is from the moment a message is queued at the fake server to the moment the bot's
sendMessage for that chat reaches it.
"""

from __future__ import annotations

import queue
import time
from collections import deque
from dataclasses import asdict, dataclass, field

from benchmarks.common import Latency, Options, Row, Section, ms
from benchmarks.core_latency import load_conversations

TARGET_REPLIES_PER_S = 300.0
TARGET_RSS_MIB = 80.0
FIRST_CHAT_ID = 100_000
# Raw capacity: the limiter off, chats x messages each, all chats starting together.
CHATS, MESSAGES = 200, 5
QUICK_CHATS, QUICK_MESSAGES = 100, 3
# Limiter on against Telegram's limits (about 30 messages/s overall): kept small, as
# it takes chats x messages / 30 seconds at best.
LIMITED_CHATS, LIMITED_MESSAGES = 60, 3
QUICK_LIMITED_CHATS, QUICK_LIMITED_MESSAGES = 30, 2
# One message at a time (each from a new chat, so the bot's per-person flood guard never
# steps in): the latency a person sees when the bot is otherwise idle.
IDLE_MESSAGES, QUICK_IDLE_MESSAGES = 40, 15
IDLE_FIRST_CHAT_ID = 900_000
# Fewest replies worth a steady-state rate.
STEADY_MIN_REPLIES = 50
# No scenario runs longer than this, whatever happens.
SCENARIO_TIMEOUT = 60.0
# How long one idle message may wait for its reply.
IDLE_REPLY_TIMEOUT = 10.0


@dataclass(slots=True)
class Idle:
    """Replies to one message at a time."""

    messages: int
    replies: int
    latency: Latency


@dataclass(slots=True)
class Load:
    """What one scenario measured."""

    chats: int
    messages_per_chat: int
    sent: int = 0
    replies: int = 0
    unexpected_replies: int = 0
    elapsed_s: float = 0.0
    replies_per_s: float = 0.0
    steady_replies_per_s: float = 0.0  # between the 10th and 90th percentile of arrivals
    bot_cpu_ms_per_reply: float = 0.0
    latency: Latency | None = None
    too_many_requests: int = 0
    other_send_errors: int = 0
    timed_out: bool = False
    peak_rss_kib: int = 0
    notes: list[str] = field(default_factory=list)


def one_at_a_time(api: object, questions: list[str], messages: int) -> Idle:
    """Send ``messages`` questions one after another, each waiting for its reply."""
    from benchmarks.telegram_process import TimedBotApi

    assert isinstance(api, TimedBotApi)
    latencies: list[float] = []
    for index in range(messages):
        chat_id = IDLE_FIRST_CHAT_ID + index
        pushed = time.monotonic()
        api.push_message(chat_id, questions[index % len(questions)])
        deadline = pushed + IDLE_REPLY_TIMEOUT
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                delivery = api.deliveries.get(timeout=remaining)
            except queue.Empty:
                break
            if delivery.chat_id == chat_id:
                latencies.append(delivery.arrived - pushed)
                break
    return Idle(messages, len(latencies), Latency.of_seconds(latencies))


def drive(api: object, questions: list[str], chats: int, per_chat: int) -> Load:
    """Run one closed-loop load through ``api`` (a TimedBotApi) and measure it."""
    from benchmarks.telegram_process import TimedBotApi

    assert isinstance(api, TimedBotApi)
    load = Load(chats, per_chat)
    pushed: dict[int, deque[float]] = {}
    next_message: dict[int, int] = {}

    def send(chat_id: int) -> None:
        index = next_message[chat_id]
        text = questions[((chat_id - FIRST_CHAT_ID) * per_chat + index) % len(questions)]
        next_message[chat_id] = index + 1
        pushed[chat_id].append(time.monotonic())
        api.push_message(chat_id, text)
        load.sent += 1

    ids = range(FIRST_CHAT_ID, FIRST_CHAT_ID + chats)
    for chat_id in ids:
        pushed[chat_id], next_message[chat_id] = deque(), 0
    start = time.monotonic()
    deadline = start + SCENARIO_TIMEOUT
    for chat_id in ids:
        send(chat_id)
    latencies: list[float] = []
    arrivals: list[float] = []
    last = start
    while load.replies < chats * per_chat:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            load.timed_out = True
            break
        try:
            delivery = api.deliveries.get(timeout=min(remaining, 1.0))
        except queue.Empty:
            continue
        waiting = pushed.get(delivery.chat_id)
        if not waiting:
            load.unexpected_replies += 1
            continue
        latencies.append(delivery.arrived - waiting.popleft())
        arrivals.append(delivery.arrived)
        load.replies += 1
        last = delivery.arrived
        if next_message[delivery.chat_id] < per_chat:
            send(delivery.chat_id)
    load.elapsed_s = last - start
    load.replies_per_s = load.replies / load.elapsed_s if load.elapsed_s > 0 else 0.0
    load.latency = Latency.of_seconds(latencies)
    load.steady_replies_per_s = steady_rate(arrivals)
    load.too_many_requests = api.too_many_requests
    load.other_send_errors = len(api.other_send_errors)
    load.notes += api.other_send_errors[:3]
    return load


def steady_rate(arrivals: list[float]) -> float:
    """Replies per second between the 10th and 90th percentile of arrival times: the rate
    once every chat is busy, without the ramp-up or the last stragglers."""
    if len(arrivals) < STEADY_MIN_REPLIES:
        return 0.0
    ordered = sorted(arrivals)
    low, high = len(ordered) // 10, len(ordered) * 9 // 10
    span = ordered[high] - ordered[low]
    return (high - low) / span if span > 0 else 0.0


def run(options: Options) -> Section:
    """Raw capacity with the limiter off; no 429s with it on against enforced limits."""
    from benchmarks.telegram_process import running_bot, unavailable

    section = Section("telegram end to end")
    reason = unavailable(options)
    if reason is not None:
        section.skipped = reason
        section.rows.append(Row("telegram end to end", reason))
        return section
    questions = [t.question for conv in load_conversations(options.root) for t in conv]
    quick = options.quick
    chats, per_chat = (QUICK_CHATS, QUICK_MESSAGES) if quick else (CHATS, MESSAGES)
    limited_chats, limited_per_chat = (
        (QUICK_LIMITED_CHATS, QUICK_LIMITED_MESSAGES)
        if quick
        else (LIMITED_CHATS, LIMITED_MESSAGES)
    )
    try:
        with running_bot(options) as (api, bot):
            idle = one_at_a_time(api, questions, QUICK_IDLE_MESSAGES if quick else IDLE_MESSAGES)
            cpu = bot.cpu_seconds()
            raw = drive(api, questions, chats, per_chat)
            raw.bot_cpu_ms_per_reply = (bot.cpu_seconds() - cpu) * 1000 / max(raw.replies, 1)
            raw.peak_rss_kib = bot.stop()
        with running_bot(options, rate_limit=True, enforce_limits=True) as (api, bot):
            limited = drive(api, questions, limited_chats, limited_per_chat)
            limited.peak_rss_kib = bot.stop()
            violations = api.limit_violations
    except RuntimeError as exc:
        section.skipped = f"failed: {exc}"
        section.rows.append(Row("telegram end to end", f"failed: {exc}", "", False))
        return section

    section.data = {
        "idle": {"messages": idle.messages, "replies": idle.replies, **idle.latency.json()},
        "raw": _json(raw),
        "limited": {**_json(limited), "server_limit_violations": violations},
    }
    assert raw.latency and limited.latency
    section.rows = [
        Row(
            f"one message at a time: reply latency p50 / p99 ({idle.replies}/{idle.messages})",
            f"{ms(idle.latency.p50_us / 1e6)} / {ms(idle.latency.p99_us / 1e6)}",
            "every message answered",
            idle.replies == idle.messages,
        ),
        Row(
            f"limiter off, {chats} chats x {per_chat}: replies/s",
            f"{raw.replies_per_s:.0f} ({raw.replies}/{chats * per_chat} in {raw.elapsed_s:.1f} s"
            f"{', TIMED OUT' if raw.timed_out else ''})",
            "> 300/s",
            raw.replies_per_s > TARGET_REPLIES_PER_S and not raw.timed_out,
        ),
        Row(
            "limiter off: steady-state replies/s; bot CPU per reply",
            f"{raw.steady_replies_per_s:.0f}; {raw.bot_cpu_ms_per_reply:.2f} ms",
        ),
        Row(
            "limiter off: reply latency p50 / p99",
            f"{ms(raw.latency.p50_us / 1e6)} / {ms(raw.latency.p99_us / 1e6)}",
        ),
        Row(
            "limiter off: telegram bot peak RSS under load",
            f"{raw.peak_rss_kib / 1024:.1f} MiB",
            "< 80 MiB",
            raw.peak_rss_kib / 1024 < TARGET_RSS_MIB,
        ),
        Row(
            f"limiter on, enforced limits, {limited_chats} chats x {limited_per_chat}: replies/s",
            f"{limited.replies_per_s:.1f} ({limited.replies}/{limited_chats * limited_per_chat}"
            f" in {limited.elapsed_s:.1f} s{', TIMED OUT' if limited.timed_out else ''})",
            "about 30/s",
        ),
        Row(
            "limiter on: reply latency p50 / p99",
            f"{ms(limited.latency.p50_us / 1e6)} / {ms(limited.latency.p99_us / 1e6)}",
        ),
        Row(
            "limiter on: 429 Too Many Requests received",
            str(limited.too_many_requests),
            "0",
            limited.too_many_requests == 0 and not limited.timed_out,
        ),
    ]
    return section


def _json(load: Load) -> dict[str, object]:
    data = asdict(load)
    data["latency"] = load.latency.json() if load.latency else None
    return data
