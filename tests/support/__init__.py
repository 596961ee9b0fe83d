"""Test support code: a fake Telegram Bot API server and a Telegram HTML validator."""
