"""Adapters: the terminal (console) and Telegram (channels.telegram).

Only channels.telegram imports python-telegram-bot. May import: bot.tools and below.
"""
