"""Files in the data directory, readable by the bot's user alone: 0600 under a 0700 directory.

Every module that writes to ``BOT_DATA_DIR`` creates its directory with ``private_dir``
and its files with ``private_file``, ``open_private`` or ``write_private``. SQLite gives a
database's -wal and -shm files the mode of the database file, so creating the database
file with ``private_file`` first is enough for those.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

DIR_MODE = 0o700  # the bot's user alone may list, read or create files here
FILE_MODE = 0o600  # the bot's user alone may read or write


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) 0700, or narrow an existing one to 0700.

    Raises OSError if it cannot be created; one we cannot narrow (someone else's) is kept
    as it is, with a warning.
    """
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _narrow(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty if missing, 0600; narrow an existing file to 0600.

    The directory must exist (``private_dir``): a missing one raises FileNotFoundError.
    """
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), FILE_MODE))
    _narrow(path, FILE_MODE)
    return path


def open_private(path: Path, mode: str = "a") -> IO[str]:
    """``path`` opened for text in ``mode`` ("a" or "w"), created 0600 if it is new."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode == "a" else os.O_TRUNC)
    handle = os.fdopen(os.open(path, flags, FILE_MODE), mode, encoding="utf-8")
    _narrow(path, FILE_MODE)
    return handle


def write_private(path: Path, text: str) -> None:
    """Replace ``path``'s content with ``text`` (a new file is created 0600)."""
    with open_private(path, "w") as handle:
        handle.write(text)


def touch_private(path: Path) -> None:
    """Set ``path``'s modification time to now, creating it 0600 if it is missing."""
    private_file(path)
    os.utime(path)


def narrow_if_present(path: Path) -> None:
    """Narrow an existing file to 0600 (one left by an older version); a missing one is fine."""
    with contextlib.suppress(FileNotFoundError):
        _narrow(path, FILE_MODE)


def _narrow(path: Path, mode: int) -> None:
    """Take away group and other permissions from ``path``, if it has any."""
    current = stat.S_IMODE(path.stat().st_mode)
    if current & ~mode:
        try:
            path.chmod(current & mode)
        except PermissionError:
            log.warning("%s is mode %o and cannot be narrowed to %o", path, current, mode)
