"""``python -m bot ...``: the command-line interface. It translates; the core decides."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.schema.yamlfile import DataError, use_cache
from bot.settings import SettingsError, cache_dir

EXIT_FAILURE = 1
EXIT_USAGE = 2
# The labelled set `report --add-example` appends to, under the knowledge root.
DEFAULT_LABELLED_SET = Path("tests/data/questions.yaml")


if TYPE_CHECKING:
    from bot.dialogue.assistant import Assistant
    from bot.tools.report import Report


def _assistant() -> Assistant:
    from bot.dialogue.assistant import Assistant
    from bot.settings import load_core

    return Assistant.load(load_core().root)


def cmd_ask(args: argparse.Namespace) -> int:
    """One answer, plain text."""
    from bot.channels.console import render_text

    reply = _assistant().reply("ask", " ".join(args.question))
    print(render_text(reply))
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """The terminal chat, or JSON lines with --jsonl."""
    from bot.channels.console import run_chat, run_jsonl

    assistant = _assistant()
    if args.jsonl:
        run_jsonl(assistant, sys.stdin, sys.stdout)
        return 0
    from bot.settings import load_core
    from bot.storage.question_log import QuestionLog

    log = QuestionLog.open(load_core().question_log)
    try:
        run_chat(assistant, sys.stdin, sys.stdout, interactive=sys.stdin.isatty(), log=log)
    finally:
        log.close()
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Accuracy on a labelled question file, or safety recall on a safety set; or every
    labelled set at once, saved (--save) or compared with another run (--diff)."""
    from bot.tools.evaluation import evaluate, load_turns
    from bot.tools.safety_eval import evaluate_safety, is_safety_set, load_messages

    if args.save or args.diff:
        return _eval_all(args)
    if args.file is None:
        print("error: eval needs a FILE, or --save FILE or --diff REF", file=sys.stderr)
        return EXIT_USAGE
    path = Path(args.file)
    if is_safety_set(path):
        safety = evaluate_safety(_assistant(), load_messages(path))
        print(safety.format(show_errors=not args.quiet))
        return 0
    report = evaluate(_assistant(), load_turns(path))
    print(report.format(show_errors=not args.quiet))
    return 0


def _eval_all(args: argparse.Namespace) -> int:
    """Every labelled set (or FILE's): --save the outcomes, --diff them with REF's."""
    from bot.dialogue.assistant import Assistant
    from bot.settings import load_core
    from bot.tools.eval_diff import (
        Diff,
        DiffError,
        labelled_sets,
        load_run,
        run_at_commit,
        run_here,
        save_run,
    )

    root = load_core().root
    sets = labelled_sets(root / "tests" / "data")
    if args.file is not None:
        wanted = Path(args.file).resolve()
        sets = [s for s in sets if (root / "tests" / "data" / s.name).resolve() == wanted]
    if not sets:
        where = args.file or root / "tests" / "data"
        print(f"error: no labelled set in {where}", file=sys.stderr)
        return EXIT_USAGE
    after = run_here(Assistant.load(root), sets)
    if args.save:
        save_run(after, Path(args.save))
        print(f"saved {len(after.outcomes)} outcomes from {len(sets)} sets to {args.save}")
    if not args.diff:
        return 0
    try:
        saved = Path(args.diff)
        before = load_run(saved) if saved.is_file() else run_at_commit(args.diff, root, sets)
    except DiffError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    diff = Diff.of(before, after)
    print(diff.format(saved.name if saved.is_file() else args.diff, "now"))
    return EXIT_FAILURE if diff.worse else 0


def cmd_check(args: argparse.Namespace) -> int:
    """Validate knowledge/ and intents.yaml."""
    from bot.dialogue.assistant import Assistant
    from bot.schema.knowledge import force_count_warnings
    from bot.settings import load_core

    root = load_core().root
    assistant = Assistant.load(root)
    paths = [*sorted((root / "knowledge").glob("*.yaml")), root / "intents.yaml"]
    for warning in force_count_warnings(paths, len(assistant.knowledge.forces)):
        print(f"warning: {warning}", file=sys.stderr)
    misses = assistant.misrouted_examples()
    for example, wanted, got in misses:
        print(
            f"error: intents.yaml: {wanted}.examples: {example!r} is answered as {got}",
            file=sys.stderr,
        )
    if misses:
        return EXIT_FAILURE
    print(
        f"ok: {len(assistant.knowledge.forces)} forces, {len(assistant.knowledge.bodies)} bodies, "
        f"{len(assistant.intents)} intents in {root}"
    )
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """The logged unanswered questions, grouped by similarity; and their triage."""
    import json

    from bot.settings import SettingsError, load_core
    from bot.storage.question_log import QuestionLog, QuestionLogError, utc_now
    from bot.tools.report import (
        DEFAULT_SINCE_DAYS,
        UnknownGroup,
        build_report,
        format_text,
        recheck,
        review,
        to_json,
    )

    try:
        core = load_core()
        settings = core.question_log
        log = QuestionLog(settings.path, retention_days=settings.retention_days)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    triage = bool(args.review or args.add_example)
    try:
        report = build_report(
            log,
            utc_now(),
            args.since or DEFAULT_SINCE_DAYS,
            show_reviewed=args.all or triage,
        )
        if args.review:
            for group in review(log, report, args.review):
                print(f"reviewed [{group.id}] {group.example} ({group.count} questions)")
        if args.add_example:
            to = Path(args.to) if args.to else core.root / DEFAULT_LABELLED_SET
            return _add_example(report, *args.add_example, to=to)
        if triage:
            return 0
    except UnknownGroup as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except QuestionLogError as exc:
        print(f"error: cannot read the question log: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        log.close()
    if args.recheck:
        report = recheck(report, _assistant())
    print(
        json.dumps(to_json(report), ensure_ascii=False, indent=2)
        if args.json
        else format_text(report)
    )
    return 0


def _add_example(report: Report, group_id: str, intent: str, *, to: Path) -> int:
    """``report --add-example ID INTENT``: the group's example joins a labelled set."""
    from bot.dialogue.assistant import CLARIFY, FALLBACK, PAGE_SENTENCE
    from bot.tools.labelled import LabelError, append_example, check_intent

    group = report.group(group_id)
    try:
        check_intent(intent, [*_assistant().intents, FALLBACK, CLARIFY, PAGE_SENTENCE])
        conversation = append_example(to, group.example, intent)
    except LabelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"added {group.example!r} as {intent} to {to} ({conversation})")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    """Why the bot gives the answer it gives: match, context, decision and reason."""
    import json

    from bot.tools.explain import explain, format_text, to_json

    assistant = _assistant()
    for earlier in args.previous:
        assistant.reply(args.chat, earlier)
    result = explain(assistant, " ".join(args.question), args.chat)
    print(
        json.dumps(to_json(result), ensure_ascii=False, indent=2)
        if args.json
        else format_text(result)
    )
    return 0


def _days(value: str) -> int:
    """An argparse type: a whole number of days, at least 1."""
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, not {value!r}")
    return int(value)


def cmd_health(args: argparse.Namespace) -> int:
    """Exit 0 if the running bot is healthy (Docker's HEALTHCHECK), else 1."""
    from bot.settings import load_core
    from bot.storage.heartbeat import health

    core = load_core()
    return health(core.data_dir, core.health_max_wait)


def cmd_reload(args: argparse.Namespace) -> int:
    """Signal the running bot (its pid file in BOT_DATA_DIR) to reload; print the outcome."""
    from bot.settings import load_core
    from bot.storage.pidfile import PidFileError, signal_reload

    try:
        ok, message = signal_reload(load_core().data_dir)
    except PidFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    print(message, file=sys.stdout if ok else sys.stderr)
    return 0 if ok else EXIT_FAILURE


def cmd_telegram(args: argparse.Namespace) -> int:
    """The Telegram bot."""
    from bot.channels.hangup import catch_early_hangups

    early = catch_early_hangups()  # before the slow imports: a SIGHUP now must not kill it
    from bot.channels.telegram.app import main as telegram_main

    return telegram_main(early_hangups=early)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description=(
            "Answers questions about HMIC's 2012 pilot joint inspections of multi-agency "
            "child protection arrangements. With no command: the Telegram bot if "
            "TELEGRAM_BOT_TOKEN is set, otherwise the terminal chat."
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    ask = sub.add_parser("ask", help="answer one question and exit")
    ask.add_argument("question", nargs="+", help="the question, quoted or not")
    ask.set_defaults(func=cmd_ask)
    chat = sub.add_parser("chat", help="chat in the terminal")
    chat.add_argument(
        "--jsonl", action="store_true", help='read {"chat","text"} JSON lines on stdin'
    )
    chat.set_defaults(func=cmd_chat)
    ev = sub.add_parser("eval", help="measure accuracy on a labelled question file")
    ev.add_argument(
        "file",
        nargs="?",
        help="a YAML file like tests/data/questions.yaml (with --save or --diff: "
        "that set only; default: every set in tests/data and tests/data/blind)",
    )
    ev.add_argument("--quiet", action="store_true", help="do not list each error")
    ev.add_argument(
        "--save", metavar="OUT", help="write every question's outcome to OUT (JSON), to diff later"
    )
    ev.add_argument(
        "--diff",
        metavar="REF",
        help="compare with a run saved by --save, or with a git commit (HEAD, a branch, a "
        "hash): lists every question whose outcome changed; exit 1 if any got worse",
    )
    ev.set_defaults(func=cmd_eval)
    check = sub.add_parser("check", help="validate knowledge/ and intents.yaml")
    check.set_defaults(func=cmd_check)
    rep = sub.add_parser("report", help="list unanswered questions, grouped by similarity")
    rep.add_argument("--since", type=_days, metavar="DAYS", help="the last DAYS days (default: 30)")
    rep.add_argument("--json", action="store_true", help="JSON for scripts")
    rep.add_argument(
        "--recheck", action="store_true", help="answer each group again now: is it fixed?"
    )
    rep.add_argument(
        "--review",
        action="append",
        metavar="ID",
        help="mark a group reviewed, so it is no longer listed (repeatable)",
    )
    rep.add_argument("--all", action="store_true", help="list reviewed groups too")
    rep.add_argument(
        "--add-example",
        nargs=2,
        metavar=("ID", "INTENT"),
        help="add the group's question to a labelled set, labelled INTENT",
    )
    rep.add_argument(
        "--to",
        metavar="FILE",
        help=f"the labelled set --add-example appends to (default: {DEFAULT_LABELLED_SET})",
    )
    rep.set_defaults(func=cmd_report)
    exp = sub.add_parser("explain", help="show why a question gets the answer it gets")
    exp.add_argument("question", nargs="+", help="the question, quoted or not")
    exp.add_argument(
        "--chat", default="explain", metavar="ID", help="the chat whose context to use"
    )
    exp.add_argument(
        "--previous",
        action="append",
        default=[],
        metavar="TEXT",
        help="an earlier message in the same chat (repeatable), to explain a follow-up",
    )
    exp.add_argument("--json", action="store_true", help="JSON for scripts")
    exp.set_defaults(func=cmd_explain)
    hl = sub.add_parser("health", help="exit 0 if the running bot answered recently, else 1")
    hl.set_defaults(func=cmd_health)
    rl = sub.add_parser(
        "reload", help="make the running bot reload knowledge/ and intents.yaml (via its pid file)"
    )
    rl.set_defaults(func=cmd_reload)
    tg = sub.add_parser("telegram", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    tg.set_defaults(func=cmd_telegram)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from bot.settings import telegram_requested

        if telegram_requested():
            args.func = cmd_telegram
        else:
            args.func, args.jsonl = cmd_chat, False
    use_cache(cache_dir())  # parsed knowledge files, for every command that reads them
    if args.func is not cmd_telegram:
        from bot.channels.hangup import release_early_hangups

        release_early_hangups()  # SIGHUP ends every other command, as usual
    try:
        status: int = args.func(args)
    except DataError as exc:
        print(f"error: invalid knowledge or intents:\n{exc}", file=sys.stderr)
        return EXIT_FAILURE
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (`python -m bot ask ... | head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILURE
    return status
