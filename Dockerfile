# The Telegram bot: python -m bot with TELEGRAM_BOT_TOKEN from the environment.
#   docker build -t inspection-qa-bot .
#   docker run -d --name qa-bot --restart unless-stopped --stop-timeout 10 \
#     -e TELEGRAM_BOT_TOKEN -v qa-bot-data:/app/data inspection-qa-bot
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies and the package first, so editing knowledge does not reinstall them.
COPY pyproject.toml README.md ./
COPY bot/ bot/
RUN pip install . && rm -rf bot build *.egg-info

COPY knowledge/ knowledge/
COPY intents.yaml ./

# A user without a password or a shell login; it owns only the data directory.
RUN useradd --system --uid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin bot \
    && mkdir -p /app/data \
    && chown bot:bot /app/data
USER bot

# BOT_ROOT: where knowledge/ and intents.yaml are. BOT_DATA_DIR: handled-update ids, the
# heartbeat and the question log (mount a volume there to keep them across restarts).
# BOT_CACHE_DIR: the parsed YAML, in the data directory the bot user owns (its default,
# under the home directory, is not writable here). WEBHOOK_LISTEN: in webhook mode the proxy
# is outside this container, so listen on all of the container's interfaces (the bot's
# default, 127.0.0.1, suits a proxy on the same host).
ENV BOT_ROOT=/app \
    BOT_DATA_DIR=/app/data \
    BOT_CACHE_DIR=/app/data/cache \
    WEBHOOK_LISTEN=0.0.0.0

# Healthy while the bot reaches Telegram (polling) or its loop runs (webhook): a file it
# touches, checked without the token and without the network.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "bot", "health"]

# Exec form: Python is PID 1 and gets docker stop's SIGTERM (answers in flight finish).
CMD ["python", "-m", "bot"]
