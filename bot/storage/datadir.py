"""The data directory itself: created private (0700), and created again if it vanishes.

Every file the bot keeps lives in BOT_DATA_DIR. Someone may delete the directory while the
bot runs (a clean-up script, a volume re-mounted); the heartbeat notices at its next touch
and calls ``recreate``, so the health check and the files written afterwards work again.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.storage.files import DIR_MODE, private_dir

log = logging.getLogger(__name__)

# Only the bot's own user may list or enter it: questions people asked are kept there.
DATA_DIR_MODE = DIR_MODE


def ensure_data_dir(path: Path) -> bool:
    """Create ``path`` (and its parents) with mode 0700 if missing; True if it was created.

    An existing one is narrowed to 0700; raises OSError if it cannot be created.
    """
    existed = path.is_dir()
    private_dir(path)  # created 0700, or an existing one narrowed to 0700
    return not existed


def recreate(path: Path) -> bool:
    """Create ``path`` again after it was deleted while the bot ran, with a warning.

    True if it exists now; a failure is logged (the caller logs its own consequence).
    """
    try:
        created = ensure_data_dir(path)
    except OSError as error:
        log.error("the data directory %s is gone and cannot be created again: %s", path, error)
        return False
    if created:
        log.warning(
            "the data directory %s was deleted while the bot was running; created it again "
            "(what was in it is lost: answered-update ids, the question log's earlier entries)",
            path,
        )
    return True
