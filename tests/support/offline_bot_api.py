"""An in-process fake of the Bot API at python-telegram-bot's request seam (BaseRequest).

For handler tests that need no HTTP server: the real Application and handlers run, and
every call they make is answered here and recorded. The HTTP fake (fake_bot_api.py) stays
for end-to-end, fault and restart tests.
"""

from __future__ import annotations

import json
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT_ID = 4242
BOT_USERNAME = "inspection_qa_bot"


class OfflineBotApi(BaseRequest):
    """Answers Bot API calls in memory; ``calls`` holds (method, parameters) in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._message_id = 0

    @property
    def read_timeout(self) -> float | None:
        """No network, so nothing to wait for."""
        return 1.0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        """Record the call and answer it as Telegram would."""
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append((name, params))
        return 200, json.dumps({"ok": True, "result": self._result(name, params)}).encode()

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        """The parameters of every call to ``method``."""
        return [params for name, params in self.calls if name == method]

    def _result(self, name: str, params: dict[str, Any]) -> object:
        if name == "getMe":
            return {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Inspection Q&A",
                "username": BOT_USERNAME,
            }
        if name == "sendMessage":
            self._message_id += 1
            return {
                "message_id": self._message_id,
                "date": 0,
                "chat": {"id": params.get("chat_id"), "type": "private"},
                "text": params.get("text", ""),
            }
        if name == "getUpdates":
            return []
        return True
