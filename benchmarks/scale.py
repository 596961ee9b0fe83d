"""Scale: synthetic knowledge bases at 10x, 100x and 1000x today's size.

Each size is written to a temporary directory (knowledge/ and intents.yaml) and measured
in a child process of its own, so load time, index build, memory and latency are those of
a fresh bot: ``python -m benchmarks.scale measure DIR QUESTIONS.json``.

What grows, per factor k: forces (3k, each with invented place names as aliases, towns,
facts and "which force" look-up phrases), forces the page does not cover (43k) and
intents (26k, each with invented keywords and examples and a real handler). The words are
invented (pronounceable, unique, seeded), so no two entries share an alias or a keyword.
"""

from __future__ import annotations

import argparse
import copy
import gc
import itertools
import json
import math
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from benchmarks.common import Latency, Options, Row, Section, clean_env, ms, us
from benchmarks.core_latency import load_conversations

FACTORS = (1, 10, 100, 1000)
QUICK_FACTORS = (1, 10, 100)
TARGET_P99_MS_AT_1000 = 5.0
# Growth exponent (log cost ratio / log size ratio) still called linear: 1 is linear;
# the slack absorbs timer noise and fixed costs that shrink in relative terms.
LINEAR_EXPONENT = 1.2
# Longest one size may take in its child process before it is reported as not finishing.
MEASURE_TIMEOUT = 240.0
QUICK_MEASURE_TIMEOUT = 120.0
# Synthetic questions asked at each size (beside the real ones).
SYNTHETIC_QUESTIONS = 400
SEED = 2012
# What the child process measures, in order (see measure()).
PHASES = ("load_knowledge_s", "load_intents_s", "build_index_s", "warm", "cold", "peak_rss_kib")
# Per synthetic force (a copy of the fullest real force with invented names): aliases are
# name, short name, "x police", "x constabulary" and towns.
TOWNS_PER_FORCE = 4
LOOKUP_PHRASES_PER_FACET = 6  # for the facets below; 2 for any other facet
MAIN_FACETS = ("selection", "findings")
# Copied from a real intent into its synthetic clones; everything else is invented.
INTENT_SHAPE_FIELDS = ("answer", "slot", "slot_optional", "requires_slot", "reply", "max_tokens")
FORCE_TEMPLATE = "Why was {force} chosen?"  # a real suggestion template, reused

_ONSETS = ("b", "br", "c", "ch", "cl", "d", "dr", "f", "fl", "g", "gr", "h", "k", "l", "m",
           "n", "p", "pl", "pr", "r", "s", "sh", "sk", "st", "t", "th", "tr", "v", "w", "y",
           "z")  # fmt: skip
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "ee", "ia", "oa", "ou")
_CODAS = ("", "", "n", "r", "l", "s", "m", "nd", "rk", "st", "th", "x")
_SUFFIXES = ("ford", "ton", "by", "ham", "wick", "bury", "field", "worth", "ley", "mouth",
             "stow", "dale", "mere", "holt")  # fmt: skip
# The dash the real report titles use.
EN_DASH = "\u2013"


class Namer:
    """Unique, pronounceable invented words that clash with no word the bot knows."""

    def __init__(self, taken: set[str], seed: int = SEED) -> None:
        self._rng = random.Random(seed)
        self._taken = set(taken)

    def word(self, *, place: bool = False) -> str:
        """A new lower-case word of 5 to 14 letters."""
        while True:
            parts = [self._syllable() for _ in range(self._rng.choice((2, 2, 3)))]
            if place:
                parts.append(self._rng.choice(_SUFFIXES))
            word = "".join(parts)
            if 5 <= len(word) <= 14 and word not in self._taken:
                self._taken.add(word)
                return word

    def _syllable(self) -> str:
        rng = self._rng
        return rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)


@dataclass(slots=True)
class Generated:
    """A synthetic knowledge base on disk and questions about what was added."""

    root: Path
    factor: int
    forces: int = 0
    other_forces: int = 0
    intents: int = 0
    questions: list[str] = field(default_factory=list)
    bytes: int = 0


def known_words(root: Path) -> set[str]:
    """Every lower-case word of today's knowledge and intents (invented words avoid them)."""
    text = (root / "intents.yaml").read_text(encoding="utf-8")
    for path in sorted((root / "knowledge").glob("*.yaml")):
        text += path.read_text(encoding="utf-8")
    return set("".join(c if c.isalpha() else " " for c in text.lower()).split())


def generate(root: Path, dest: Path, factor: int, seed: int = SEED) -> Generated:
    """Write knowledge/ and intents.yaml ``factor`` times today's size under ``dest``."""
    rng = random.Random(seed + factor)
    namer = Namer(known_words(root), seed + factor)
    shutil.copytree(root / "knowledge", dest / "knowledge")
    out = Generated(dest, factor)
    forces_doc = _load(dest / "knowledge" / "forces.yaml")
    others_doc = _load(dest / "knowledge" / "other_forces.yaml")
    intents_doc = _load(root / "intents.yaml")
    real_forces, real_others, real_intents = (
        list(forces_doc["forces"]),
        list(others_doc["other_forces"]),
        list(intents_doc["intents"]),
    )
    template = _template_force(real_forces)
    new_forces = [_force(namer, i, template) for i in range(len(real_forces) * (factor - 1))]
    new_others = [
        f"{namer.word(place=True).title()} Police" for _ in range(len(real_others) * (factor - 1))
    ]
    shapes = [i for i in real_intents if not i.get("priority") and not i.get("lookup")]
    new_intents = [
        _intent(namer, rng, j, shapes[j % len(shapes)], new_forces or real_forces)
        for j in range(len(real_intents) * (factor - 1))
    ]
    for j, intent in enumerate(new_intents):  # each suggests the next one's first example
        if not intent.get("slot"):
            intent["suggestions"] = [new_intents[(j + 1) % len(new_intents)]["examples"][0]]
    forces_doc["forces"] = real_forces + new_forces
    others_doc["other_forces"] = real_others + new_others
    intents_doc["intents"] = real_intents + new_intents
    _dump(forces_doc, dest / "knowledge" / "forces.yaml")
    _dump(others_doc, dest / "knowledge" / "other_forces.yaml")
    _dump(intents_doc, dest / "intents.yaml")
    out.forces, out.other_forces, out.intents = (
        len(forces_doc["forces"]),
        len(others_doc["other_forces"]),
        len(intents_doc["intents"]),
    )
    out.bytes = sum(p.stat().st_size for p in dest.rglob("*.yaml"))
    out.questions = _questions(rng, new_forces, new_others, new_intents) if factor > 1 else []
    return out


def _load(path: Path) -> dict[str, Any]:
    loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    assert isinstance(loaded, dict)
    return loaded


def _dump(doc: dict[str, Any], path: Path) -> None:
    path.write_text(
        yaml.dump(doc, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8",
    )


def _template_force(forces: list[dict[str, Any]]) -> dict[str, Any]:
    """The real force with the most fields filled in: synthetic forces are copies of it,
    so fields the benchmark does not know about (added to knowledge/ later) stay valid."""
    return max(forces, key=lambda f: (f.get("report") is not None, f.get("findings") is not None))


def _force(namer: Namer, index: int, template: dict[str, Any]) -> dict[str, Any]:
    place = namer.word(place=True).title()
    towns = [namer.word(place=True).title() for _ in range(TOWNS_PER_FORCE)]
    force = copy.deepcopy(template)
    force.update(
        {
            "id": f"synthetic-{index:05d}",
            "name": f"{place} Police",
            "short_name": place,
            "aliases": [
                f"{place} police".lower(),
                place.lower(),
                f"{place} constabulary".lower(),
                *(t.lower() for t in towns),
            ],
            "local_authority": towns[0],
            "area": f"the {towns[0]} local authority area",
            "selection_reason": (
                f"it was identified as a force covering {towns[0]} and {towns[1]}, each "
                f"authority responsible for individual child protection arrangements"
            ),
            "ofsted_note": None,
        }
    )
    if isinstance(force.get("findings"), dict):
        force["findings"]["summary"] = (
            f"The inspectors were satisfied that children and young people in {towns[0]} "
            f"were being helped and protected by {place} Police."
        )
        force["findings"]["impressed_by"] = [f"its {namer.word()} work with partners"]
    if isinstance(force.get("report"), dict):
        force["report"]["title"] = (
            f"Joint inspection of multi-agency child protection arrangements {EN_DASH} "
            f"{place} Police"
        )
    force["lookup"] = {
        facet: [
            namer.word() if n % 2 else f"{namer.word()} work"
            for n in range(LOOKUP_PHRASES_PER_FACET if facet in MAIN_FACETS else 2)
        ]
        for facet in (template.get("lookup") or {"selection": [], "findings": []})
    }
    return force


def _intent(
    namer: Namer,
    rng: random.Random,
    index: int,
    shape: dict[str, Any],
    forces: list[dict[str, Any]],
) -> dict[str, Any]:
    w = [namer.word() for _ in range(5)]
    intent: dict[str, Any] = {"id": f"synthetic_{index:05d}"}
    intent.update({key: shape[key] for key in INTENT_SHAPE_FIELDS if key in shape})
    intent["keywords"] = {w[0]: 4, w[1]: 3, w[2]: 3, f"{w[3]} {w[4]}": 5, f"{w[0]} details": 2}
    examples = [f"what is the {w[0]} about", f"tell me about {w[1]} and {w[2]}", f"{w[3]} {w[4]}?"]
    if shape.get("slot") == "force":
        name = rng.choice(forces)["short_name"]
        examples = [f"{example} for {name}" for example in examples]
        intent["suggestions"] = [FORCE_TEMPLATE]
    intent["examples"] = examples
    return intent


def _typo(word: str, rng: random.Random) -> str:
    """``word`` with one inner letter dropped, as a thumb on a phone does."""
    at = rng.randrange(1, len(word) - 1)
    return word[:at] + word[at + 1 :]


def _questions(
    rng: random.Random,
    forces: list[dict[str, Any]],
    others: list[str],
    intents: list[dict[str, Any]],
) -> list[str]:
    share = SYNTHETIC_QUESTIONS // 5
    questions = [rng.choice(rng.choice(intents)["examples"]) for _ in range(share)]
    for _ in range(share):
        force = rng.choice(forces)
        town = rng.choice(force["aliases"][3:])
        questions.append(
            rng.choice(
                (
                    f"why was {force['short_name']} chosen",
                    f"what did inspectors find in {town}",
                    f"which area was {force['name']} inspected in",
                    f"is there a report on {force['short_name']}",
                )
            )
        )
    for _ in range(share):  # misspelt names: typo correction and fuzzy aliases at work
        force = rng.choice(forces)
        questions.append(f"why was {_typo(force['short_name'].lower(), rng)} chosen")
    for _ in range(share):
        questions.append(f"what about {rng.choice(others)}?")
    for _ in range(share):
        force = rng.choice(forces)
        phrase = rng.choice([p for phrases in force["lookup"].values() for p in phrases])
        questions.append(f"which force stood out on {phrase}?")
    return questions


# ------------------------------------------------------------------ child process


def _rss_kib() -> int:
    resident_pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
    return resident_pages * (os.sysconf("SC_PAGE_SIZE") // 1024)


# The largest synthetic data file (1000x forces.yaml is about 3 MiB).
SYNTHETIC_MAX_FILE_BYTES = 64 * 1024 * 1024


def measure(root: Path, questions: list[str], passes: int) -> dict[str, Any]:
    """Load the bot from ``root`` and time everything (runs in the child process).

    After each phase the figures so far are printed as one JSON line, so a parent that
    gives up on a slow size still learns which phase was slow.
    """
    from benchmarks.common import core_caches
    from bot.dialogue.answers import ANSWERS
    from bot.dialogue.assistant import Assistant
    from bot.schema import yamlfile
    from bot.schema.intents import load_intents

    # the synthetic 1000x files pass the 1 MiB a real knowledge file may have (its limit
    # guards a running bot against a runaway file; here the size is the point)
    yamlfile.MAX_FILE_BYTES = SYNTHETIC_MAX_FILE_BYTES
    from bot.schema.knowledge import load_knowledge

    figures: dict[str, Any] = {}

    def done(name: str, value: object) -> None:
        figures[name] = value
        print(json.dumps(figures), flush=True)

    gc.collect()
    rss_before = _rss_kib()
    start = time.perf_counter()
    knowledge = load_knowledge(root / "knowledge")
    done("load_knowledge_s", time.perf_counter() - start)
    start = time.perf_counter()
    intents = load_intents(root / "intents.yaml", ANSWERS.keys())
    done("load_intents_s", time.perf_counter() - start)
    start = time.perf_counter()
    assistant = Assistant(knowledge, intents)
    done("build_index_s", time.perf_counter() - start)
    gc.collect()
    rss_loaded = _rss_kib()
    figures["rss_loaded_growth_kib"] = rss_loaded - rss_before
    figures["rss_loaded_kib"] = rss_loaded

    def one_pass(cold: bool) -> list[int]:
        samples: list[int] = []
        caches = core_caches(assistant) if cold else []
        for question in questions:
            assistant.reset("scale")
            for clear in caches:
                clear()
            start = time.perf_counter_ns()
            assistant.reply("scale", question)
            samples.append(time.perf_counter_ns() - start)
        return samples

    one_pass(cold=False)  # warm-up
    warm: list[int] = []
    for _ in range(passes):
        warm += one_pass(cold=False)
    done("warm", asdict(Latency.of_ns(warm)))
    done("cold", asdict(Latency.of_ns(one_pass(cold=True))))
    done("peak_rss_kib", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return figures


def _child_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale")
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("measure", help="measure one generated knowledge base")
    one.add_argument("root", type=Path)
    one.add_argument("questions", type=Path)
    one.add_argument("--passes", type=int, default=3)
    gen = sub.add_parser("generate", help="write a synthetic knowledge base to look at")
    gen.add_argument("factor", type=int)
    gen.add_argument("dest", type=Path)
    args = parser.parse_args(argv)
    if args.command == "generate":
        made = generate(Path(__file__).resolve().parent.parent, args.dest, args.factor)
        print(f"{made.forces} forces, {made.intents} intents, {made.bytes:,} bytes in {args.dest}")
        return
    questions = json.loads(args.questions.read_text(encoding="utf-8"))
    measure(args.root, questions, args.passes)


# ------------------------------------------------------------------ the benchmark


@dataclass(slots=True)
class Size:
    """One factor's figures (or why there are none)."""

    factor: int
    forces: int
    intents: int
    yaml_bytes: int
    generate_s: float
    figures: dict[str, Any] | None = None
    failure: str | None = None


def measure_size(
    options: Options, factor: int, real: list[str], timeout: float, workdir: Path
) -> Size:
    """Generate one size and measure it in a child process."""
    dest = workdir / f"x{factor}"
    start = time.perf_counter()
    made = generate(options.root, dest, factor)
    size = Size(factor, made.forces, made.intents, made.bytes, time.perf_counter() - start)
    questions_file = dest / "questions.json"
    questions_file.write_text(json.dumps(real + made.questions), encoding="utf-8")
    passes = 1 if options.quick or factor >= 1000 else 3
    command = [
        options.python, "-m", "benchmarks.scale", "measure", str(dest), str(questions_file),
        "--passes", str(passes),
    ]  # fmt: skip
    try:
        done = subprocess.run(
            command,
            cwd=options.root,
            env=clean_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        size.figures = _last_figures(exc.stdout)
        unfinished = next(
            (phase for phase in PHASES if phase not in (size.figures or {})), "the end"
        )
        size.failure = f"{unfinished} not done within {timeout:.0f} s"
        return size
    size.figures = _last_figures(done.stdout)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["(no output)"]
        size.failure = f"failed: {tail[0]}"
    return size


def _last_figures(output: str | bytes | None) -> dict[str, Any] | None:
    """The last JSON line the child printed (its figures so far), if any."""
    if isinstance(output, bytes):
        output = output.decode("utf-8", "replace")
    for line in reversed((output or "").splitlines()):
        try:
            figures = json.loads(line)
        except ValueError:
            continue
        if isinstance(figures, dict):
            return figures
    return None


def exponent(small: float, big: float, ratio: float) -> float:
    """How cost grows with size: 1.0 is linear, 2.0 quadratic (log big/small / log ratio)."""
    if small <= 0 or big <= 0:
        return math.nan
    return math.log(big / small) / math.log(ratio)


def run(options: Options) -> Section:
    """Every size, then growth between consecutive sizes."""
    section = Section("scale")
    real = [t.question for conv in load_conversations(options.root) for t in conv]
    factors = QUICK_FACTORS if options.quick else FACTORS
    timeout = QUICK_MEASURE_TIMEOUT if options.quick else MEASURE_TIMEOUT
    sizes: list[Size] = []
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as workdir:
        for factor in factors:
            sizes.append(measure_size(options, factor, real, timeout, Path(workdir)))
    section.data = {"sizes": [asdict(s) for s in sizes]}
    for size in sizes:
        label = f"{size.factor}x ({size.forces} forces, {size.intents} intents)"
        f = size.figures or {}
        if "build_index_s" in f:
            section.rows.append(
                Row(
                    f"{label}: load / index / RSS growth",
                    f"{ms(f['load_knowledge_s'] + f['load_intents_s'])} / "
                    f"{ms(f['build_index_s'])} / {f['rss_loaded_growth_kib'] / 1024:.1f} MiB",
                )
            )
        if "cold" in f:
            warm, cold = f["warm"], f["cold"]
            p99_ok = None
            if size.factor >= 1000:
                p99_ok = max(warm["p99_us"], cold["p99_us"]) / 1000 < TARGET_P99_MS_AT_1000
            section.rows.append(
                Row(
                    f"{label}: p99 warm / cold (p50 warm)",
                    f"{us(warm['p99_us'])} / {us(cold['p99_us'])} ({us(warm['p50_us'])})",
                    _target(size.factor),
                    p99_ok,
                )
            )
        if size.failure is not None:
            done_so_far = ", ".join(
                f"{k} {ms(v)}" for k, v in f.items() if k.endswith("_s") and isinstance(v, float)
            )
            section.rows.append(
                Row(
                    label,
                    size.failure + (f" (done: {done_so_far})" if done_so_far else ""),
                    _target(size.factor),
                    False,
                )
            )
    growth = _growth(sizes)
    section.data["growth_exponents"] = growth
    for name, values in growth.items():
        shown = ", ".join(f"{pair} {value:.2f}" for pair, value in values.items())
        worst = max(values.values(), default=math.nan)
        linear = name in ("load", "index", "rss")
        section.rows.append(
            Row(
                f"growth exponent of {name} (1 = linear)",
                shown or "n/a",
                f"<= {LINEAR_EXPONENT}" if linear else "",
                (worst <= LINEAR_EXPONENT) if linear and not math.isnan(worst) else None,
            )
        )
    return section


def _target(factor: int) -> str:
    return "p99 < 5 ms" if factor >= 1000 else ""


def _growth(sizes: list[Size]) -> dict[str, dict[str, float]]:
    measured = [s for s in sizes if s.figures and "warm" in s.figures and s.factor > 1]
    metrics: dict[str, Callable[[dict[str, Any]], float]] = {
        "load": lambda f: f["load_knowledge_s"] + f["load_intents_s"],
        "index": lambda f: f["build_index_s"],
        "rss": lambda f: f["rss_loaded_growth_kib"],
        "p99 warm": lambda f: f["warm"]["p99_us"],
    }
    growth: dict[str, dict[str, float]] = {name: {} for name in metrics}
    for small, big in itertools.pairwise(measured):
        assert small.figures is not None and big.figures is not None
        pair = f"{small.factor}x->{big.factor}x"
        for name, metric in metrics.items():
            growth[name][pair] = round(
                exponent(metric(small.figures), metric(big.figures), big.factor / small.factor), 2
            )
    return growth


if __name__ == "__main__":
    _child_main(sys.argv[1:])
