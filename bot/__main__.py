"""``python -m bot``."""

import sys

from bot.channels.hangup import catch_early_hangups

# First thing: a SIGHUP (reload) sent while the bot starts must not end it. The CLI gives
# SIGHUP its default back for every command but the Telegram bot.
catch_early_hangups()

from bot.cli import main  # noqa: E402 - after the SIGHUP handler, on purpose

sys.exit(main())
