"""Loads and validates knowledge/ and intents.yaml into typed records.

May import: bot.lang, bot.settings.
"""
