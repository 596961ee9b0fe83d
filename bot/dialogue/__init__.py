"""Analysis plus chat state to a Reply: policy, answers from facts, buttons.

Pure after load. May import: bot.nlu, bot.schema, bot.lang, bot.settings.
"""
