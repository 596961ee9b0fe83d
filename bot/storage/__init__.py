"""What outlives a run: the question log, handled-update ids, the heartbeat.

Receives settings as values. May import: bot.dialogue (Reply) and below.
"""
