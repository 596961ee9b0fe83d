"""Hot reload of knowledge/ and intents.yaml: on SIGHUP or an admin's /reload."""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from bot.dialogue.assistant import Assistant
from bot.schema.yamlfile import DataError

logger = logging.getLogger(__name__)

# Problems listed in the reply to /reload; the log gets them all.
MAX_PROBLEMS_SHOWN = 8


@dataclass(frozen=True, slots=True)
class ReloadResult:
    """How a reload went, with a short message for the admin and the log."""

    ok: bool
    message: str

    def __str__(self) -> str:
        return self.message


def reload_knowledge(assistant: Assistant, root: Path | None = None) -> ReloadResult:
    """Reload ``assistant`` from ``root``; on invalid files keep answering from the old ones.

    Never raises for bad data: the result says what was loaded, or which file, entry and
    field are wrong. The outcome is logged too.
    """
    root = root or assistant.root
    started = time.perf_counter()
    try:
        assistant.reload(root)
    except DataError as exc:
        shown = [str(p) for p in exc.problems[:MAX_PROBLEMS_SHOWN]]
        more = len(exc.problems) - len(shown)
        if more > 0:
            shown.append(f"... and {more} more (see the log)")
        logger.error("reload refused, still answering from the last good knowledge:\n%s", exc)
        lines = "\n".join(shown)
        return ReloadResult(
            False, f"Reload refused; still answering from the last good knowledge.\n{lines}"
        )
    except Exception as exc:  # a loader bug must not take the bot down either
        logger.exception("reload failed, still answering from the last good knowledge")
        return ReloadResult(
            False,
            f"Reload failed ({type(exc).__name__}: {exc}); "
            f"still answering from the last good knowledge.",
        )
    elapsed = time.perf_counter() - started
    k = assistant.knowledge
    message = (
        f"Reloaded {len(k.forces)} forces, {len(k.bodies)} bodies and "
        f"{len(assistant.intents)} intents from {root} in {elapsed * 1000:.0f} ms."
    )
    logger.info("%s", message)
    return ReloadResult(True, message)


def add_sighup_handler(
    loop: asyncio.AbstractEventLoop, assistant: Assistant, root: Path | None = None
) -> bool:
    """Reload on SIGHUP, in the event loop; False where there is no SIGHUP (Windows)."""
    hangup = getattr(signal, "SIGHUP", None)
    if hangup is None:
        return False
    try:
        loop.add_signal_handler(hangup, reload_knowledge, assistant, root)
    except (NotImplementedError, RuntimeError, ValueError):
        # not the main thread, or a loop without signal support
        return False
    return True
