"""Language, not domain: normalisation, tokens, stems and typo correction.

May import: bot.settings.
"""
