"""Maintainers' tools: eval, safety eval, explain, report, stats.

They format traces and never re-derive decisions. May import: bot.storage and below.
"""
