"""The running bot's pid file in BOT_DATA_DIR, and the signal ``python -m bot reload`` sends.

The file says which process to signal, and when that process started, so a pid the
system has since given to another program is never signalled. The bot writes the outcome
of each reload beside it, for the command to print.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

PID_FILE = "bot.pid"
RELOAD_RESULT_FILE = "last-reload.txt"
PID_HEADER = "inspection-qa-bot"  # first word: a file of ours, not some other program's
FILE_MODE = 0o600  # only the bot's user may read or replace it
# Seconds ``reload`` waits for the bot to write the outcome (it takes well under one).
RELOAD_WAIT = 15.0
RELOAD_POLL = 0.05


class PidFileError(Exception):
    """No running bot to signal; str() says why and what to do, in one line."""


@dataclass(frozen=True, slots=True)
class PidRecord:
    """What the pid file holds: the process id and its start time (None where unknown)."""

    pid: int
    started: str | None

    def line(self) -> str:
        """The file's one line."""
        return f"{PID_HEADER} {self.pid} {self.started or '-'}\n"


def start_time(pid: int) -> str | None:
    """When process ``pid`` started, in clock ticks since boot (Linux); None elsewhere or gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # the command name (field 2) is in parentheses and may hold spaces: split after it
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None  # field 22 of the whole line


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (mode 0600) through a temporary file and a rename."""
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)  # an older file of another mode is reused by O_CREAT
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)
    temporary.replace(path)


class PidFile:
    """This process's pid file: written at start-up, removed on a clean exit."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / PID_FILE
        self.record = PidRecord(os.getpid(), start_time(os.getpid()))

    def write(self) -> None:
        """Write (or replace) the file; raises OSError if the directory is not writable."""
        _write_private(self.path, self.record.line())

    def remove(self) -> None:
        """Delete the file if it is still ours (another bot may have replaced it since)."""
        with contextlib.suppress(OSError, PidFileError):
            if read_pid_file(self.path) == self.record:
                self.path.unlink()


def read_pid_file(path: Path) -> PidRecord:
    """The record in ``path``; PidFileError if it is missing or not one of ours."""
    try:
        words = path.read_text(encoding="utf-8").split()
    except FileNotFoundError:
        raise PidFileError(
            f"no bot is running with this data directory: {path} does not exist "
            f"(start the bot with python -m bot, or set BOT_DATA_DIR to the bot's)"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise PidFileError(f"cannot read {path}: {error}") from None
    if len(words) != 3 or words[0] != PID_HEADER or not words[1].isdigit():
        raise PidFileError(f"{path} is not a pid file of this bot: delete it, then start the bot")
    return PidRecord(int(words[1]), None if words[2] == "-" else words[2])


def running_bot(directory: Path) -> PidRecord:
    """The bot that wrote ``directory``'s pid file, checked to be running still and ours."""
    path = directory / PID_FILE
    record = read_pid_file(path)
    stale = f"{path} is stale: delete it, then start the bot (python -m bot)"
    try:
        os.kill(record.pid, 0)  # signal 0: is there such a process, and may we signal it?
    except ProcessLookupError:
        raise PidFileError(f"the bot (pid {record.pid}) is no longer running; {stale}") from None
    except PermissionError:
        raise PidFileError(
            f"pid {record.pid} in {path} belongs to another user: run this as the bot's user"
        ) from None
    now = start_time(record.pid)
    if record.started is not None and now is not None and now != record.started:
        raise PidFileError(
            f"pid {record.pid} is now another program, not the bot (it stopped without "
            f"removing its pid file); {stale}"
        )
    return record


def write_reload_result(directory: Path, ok: bool, message: str) -> None:
    """Record a reload's outcome for ``python -m bot reload`` (a failure to write is ignored)."""
    verdict = "ok" if ok else "refused"
    with contextlib.suppress(OSError):
        _write_private(directory / RELOAD_RESULT_FILE, f"{verdict}\n{message}\n")


def _result_stamp(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def signal_reload(directory: Path, wait: float = RELOAD_WAIT) -> tuple[bool | None, str]:
    """SIGHUP the running bot and wait for its outcome: (ok, message); ok is None when the
    bot did not report within ``wait`` seconds. PidFileError when there is no bot to signal."""
    hangup = getattr(signal, "SIGHUP", None)
    if hangup is None:
        raise PidFileError("this system has no SIGHUP: use /reload in Telegram instead")
    record = running_bot(directory)
    result = directory / RELOAD_RESULT_FILE
    before = _result_stamp(result)
    os.kill(record.pid, hangup)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if _result_stamp(result) != before:
            with contextlib.suppress(OSError):
                verdict, _, message = result.read_text(encoding="utf-8").partition("\n")
                return verdict == "ok", message.strip()
        time.sleep(RELOAD_POLL)
    return None, f"sent SIGHUP to the bot (pid {record.pid}); it has not reported yet: see its log"
