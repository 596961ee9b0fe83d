"""Start-up details of the Telegram process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a subprocess

ROOT = Path(__file__).resolve().parents[3]


def test_missing_sniffio_is_remembered_and_httpcore_still_picks_asyncio() -> None:
    code = (
        "import importlib.util, sys\n"
        "missing = importlib.util.find_spec('sniffio') is None\n"
        "from bot.channels.telegram.app import remember_missing_sniffio\n"
        "remember_missing_sniffio()\n"
        "from httpcore._synchronization import current_async_library\n"
        "print(missing, sys.modules.get('sniffio', 'absent') is None, current_async_library())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    missing, marked, library = result.stdout.split()
    assert library == "asyncio"
    assert marked == missing  # marked only when it really is not installed
