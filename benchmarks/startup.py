"""Start-up: wall time of ``python -m bot ask``, an import-time breakdown, and the Telegram
bot's time from launch to its first getUpdates."""

from __future__ import annotations

import json
import statistics
import subprocess
import time
from dataclasses import asdict, dataclass

from benchmarks.common import Options, Row, Section, clean_env, ms

QUESTION = "why was staffs chosen"
TARGET_ASK_S = 0.3
TARGET_POLL_S = 1.5
ASK_RUNS = 15
QUICK_ASK_RUNS = 10
POLL_RUNS = 5
QUICK_POLL_RUNS = 2
TOP_IMPORTS = 10
# Packages reported on their own in the import-time breakdown; the rest is "stdlib".
THIRD_PARTY_AND_OURS = frozenset(
    {"bot", "yaml", "_yaml", "rapidfuzz", "telegram", "httpx", "httpcore", "anyio", "h11"}
)
# Prints how long each phase of `ask` takes, measured inside one fresh interpreter.
PHASES_SCRIPT = """
import json, time
t0 = time.perf_counter()
import bot.cli, bot.dialogue.assistant, bot.channels.console
t1 = time.perf_counter()
from bot.dialogue.assistant import Assistant
from bot.schema.knowledge import load_knowledge
from bot.schema.intents import load_intents
from bot.dialogue.answers import ANSWERS
from bot.schema.yamlfile import use_cache
from bot.settings import cache_dir, default_root
use_cache(cache_dir())  # as the CLI does: the parsed files from the cache when unchanged
root = default_root()
knowledge = load_knowledge(root / "knowledge")
t2 = time.perf_counter()
intents = load_intents(root / "intents.yaml", ANSWERS.keys())
t3 = time.perf_counter()
assistant = Assistant(knowledge, intents)
t4 = time.perf_counter()
bot.channels.console.render_text(assistant.reply("ask", QUESTION))
t5 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "knowledge_yaml": t2 - t1, "intents_yaml": t3 - t2,
                  "index": t4 - t3, "first_reply": t5 - t4}))
"""


@dataclass(frozen=True, slots=True)
class ImportCost:
    """One line of ``python -X importtime``."""

    module: str
    self_us: int
    cumulative_us: int
    depth: int


def parse_importtime(stderr: str) -> list[ImportCost]:
    """The lines of ``-X importtime`` output, in the order Python printed them."""
    costs: list[ImportCost] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "[us]" in line:
            continue
        self_us, cumulative_us, name = line.removeprefix("import time:").split("|", 2)
        depth = (len(name) - len(name.lstrip(" ")) - 1) // 2
        costs.append(ImportCost(name.strip(), int(self_us), int(cumulative_us), depth))
    return costs


def by_top_package(costs: list[ImportCost]) -> dict[str, int]:
    """Self import time summed per top-level package, largest first (stdlib as one)."""
    totals: dict[str, int] = {}
    for cost in costs:
        top = cost.module.split(".", 1)[0]
        name = top if top in THIRD_PARTY_AND_OURS else "stdlib"
        totals[name] = totals.get(name, 0) + cost.self_us
    return dict(sorted(totals.items(), key=lambda item: -item[1]))


def _wall(
    command: list[str],
    options: Options,
    runs: int,
    *,
    bytecode: bool = True,
    env: dict[str, str] | None = None,
) -> list[float]:
    times: list[float] = []
    env = clean_env(env, bytecode=bytecode)
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=options.root, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def time_to_first_poll(options: Options, runs: int) -> list[float]:
    """Seconds from launching ``python -m bot telegram`` to its first getUpdates."""
    from benchmarks.telegram_process import BotProcess, TimedBotApi

    times: list[float] = []
    for _ in range(runs):
        api = TimedBotApi()
        api.start()
        try:
            with BotProcess(options, api, rate_limit=False) as bot:
                times.append(bot.wait_for_polling())
        finally:
            api.stop()
    return times


def run(options: Options) -> Section:
    """Start-up figures and what dominates them."""
    from benchmarks.telegram_process import unavailable

    section = Section("start-up")
    ask = [options.python, "-m", "bot", "ask", QUESTION]
    ask_runs = QUICK_ASK_RUNS if options.quick else ASK_RUNS
    _wall(ask, options, 2)  # warm the page cache and the .pyc files
    ask_times = _wall(ask, options, ask_runs)
    ask_no_pyc = _wall(ask, options, max(ask_runs // 2, 3), bytecode=False)
    ask_no_cache = _wall(ask, options, max(ask_runs // 2, 3), env={"BOT_CACHE_DIR": ""})
    bare = _wall([options.python, "-c", "pass"], options, ask_runs)
    imports_only = _wall(
        [options.python, "-c", "import bot.cli, bot.dialogue.assistant"], options, 5
    )

    phase_runs = [
        json.loads(
            subprocess.run(
                [options.python, "-c", f"QUESTION = {QUESTION!r}\n{PHASES_SCRIPT}"],
                cwd=options.root,
                env=clean_env(),
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        for _ in range(5)
    ]
    phases = {key: statistics.median(run[key] for run in phase_runs) for key in phase_runs[0]}

    traced = subprocess.run(
        [options.python, "-X", "importtime", *ask[1:]],
        cwd=options.root,
        env=clean_env(),
        check=True,
        capture_output=True,
        text=True,
    )
    costs = parse_importtime(traced.stderr)
    top_level = sorted((c for c in costs if c.depth == 0), key=lambda c: -c.cumulative_us)
    heaviest_self = sorted(costs, key=lambda c: -c.self_us)
    by_package = by_top_package(costs)

    ask_median = statistics.median(ask_times)
    section.data = {
        "ask_command": " ".join(["python", *ask[1:]]),
        "ask_runs_s": ask_times,
        "ask_median_s": ask_median,
        "ask_without_pyc_median_s": statistics.median(ask_no_pyc),
        "ask_without_yaml_cache_median_s": statistics.median(ask_no_cache),
        "python_c_pass_median_s": statistics.median(bare),
        "import_bot_median_s": statistics.median(imports_only),
        "phases_median_s": phases,
        "importtime_total_us": sum(c.self_us for c in costs),
        "importtime_self_by_package_us": by_package,
        "importtime_top_level": [asdict(c) for c in top_level[:TOP_IMPORTS]],
        "importtime_heaviest_self": [asdict(c) for c in heaviest_self[:TOP_IMPORTS]],
    }
    section.rows = [
        Row(
            f"python -m bot ask '{QUESTION}' (median of {ask_runs})",
            ms(ask_median),
            "< 300 ms",
            ask_median < TARGET_ASK_S,
        ),
        Row(
            "  same, compiling the sources (no .pyc: PYTHONDONTWRITEBYTECODE=1)",
            ms(statistics.median(ask_no_pyc)),
        ),
        Row(
            "  same, parsing the YAML (no cache: BOT_CACHE_DIR empty)",
            ms(statistics.median(ask_no_cache)),
        ),
        Row("  of which interpreter start (python -c pass)", ms(statistics.median(bare))),
        Row(
            "  imports / knowledge YAML / intents YAML / index / reply",
            " / ".join(
                ms(phases[k])
                for k in ("import", "knowledge_yaml", "intents_yaml", "index", "first_reply")
            ),
        ),
        Row(
            "  import time by package (-X importtime, self)",
            ", ".join(
                f"{name} {cost / 1000:.0f} ms" for name, cost in list(by_package.items())[:5]
            ),
        ),
    ]

    reason = unavailable(options)
    if reason is not None:
        section.data["first_poll"] = reason
        section.rows.append(Row("telegram: launch to first getUpdates", reason, "< 1.5 s"))
        return section
    try:
        polls = time_to_first_poll(options, QUICK_POLL_RUNS if options.quick else POLL_RUNS)
    except RuntimeError as exc:
        section.data["first_poll"] = f"failed: {exc}"
        section.rows.append(Row("telegram: launch to first getUpdates", "failed", "< 1.5 s", False))
        return section
    poll_median = statistics.median(polls)
    section.data["first_poll_runs_s"] = polls
    section.data["first_poll_median_s"] = poll_median
    section.rows.append(
        Row(
            f"telegram: launch to first getUpdates (median of {len(polls)})",
            ms(poll_median),
            "< 1.5 s",
            poll_median < TARGET_POLL_S,
        )
    )
    return section
