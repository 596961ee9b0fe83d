"""What outlives a run: the question log, the update journal, the heartbeat.

Receives settings as values. May import: bot.dialogue (Reply) and below.
"""
