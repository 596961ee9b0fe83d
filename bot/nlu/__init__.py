"""Text to analysis: the safety screen, entities and the intent matcher (pure).

May import: bot.schema, bot.lang, bot.settings.
"""
