"""Speed, memory and scale measurements of the bot: ``python -m benchmarks.run``.

Benchmarks are not tests: they never run in CI. See benchmarks/README.md.
"""
