"""The Telegram adapter: application, handlers, rendering, delivery, polling, logs.

The only package that imports python-telegram-bot.
"""
