"""A stand-in for an OpenAI-compatible chat completions endpoint, on 127.0.0.1.

A real HTTP server in a thread. Each test scripts its answers: `ChatServer(answer(...))`
or `ChatServer(error(500), answer(...))`; requests take the replies in order and the
last one repeats. Every request is recorded (path, lower-cased headers, JSON body) so
a test can check what newsdesk sent.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CHAT_PATH = "/v1/chat/completions"


@dataclass(frozen=True)
class Reply:
    status: int = 200
    content: str | None = None  # the assistant message's content, for a 200 answer
    body: bytes | None = None  # a raw body instead of a chat completion
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    finish_reason: str = "stop"


def answer(obj: Any, finish_reason: str = "stop") -> Reply:
    """A chat completion whose message content is `obj` as JSON text."""
    return Reply(content=json.dumps(obj), finish_reason=finish_reason)


def raw_answer(text: str) -> Reply:
    """A chat completion whose message content is `text` as it is."""
    return Reply(content=text)


def error(status: int, message: str = "", headers: dict[str, str] | None = None) -> Reply:
    body = json.dumps({"error": {"message": message or f"error {status}", "type": "test"}})
    return Reply(status=status, body=body.encode(), headers=headers or {})


def redirect(location: str, status: int = 307) -> Reply:
    return Reply(status=status, body=b"", headers={"Location": location})


def slow(reply: Reply, delay: float) -> Reply:
    return Reply(reply.status, reply.content, reply.body, reply.headers, delay, reply.finish_reason)


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    json: Any

    def prompt(self) -> str:
        """All message contents, joined."""
        messages = self.json.get("messages", []) if isinstance(self.json, dict) else []
        return "\n".join(str(m.get("content", "")) for m in messages)


class ChatServer:
    def __init__(self, *replies: Reply, host: str = "127.0.0.1") -> None:
        self.replies = list(replies) or [error(500, "no reply scripted")]
        self.requests: list[Received] = []
        self.host = host
        self._closing = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                headers = {k.lower(): v for k, v in self.headers.items()}
                with server._lock:
                    server.requests.append(Received(self.path, headers, body))
                    reply = server.replies.pop(0) if len(server.replies) > 1 else server.replies[0]
                if self.path.split("?", 1)[0] != CHAT_PATH:
                    reply = error(404, f"no route {self.path}")
                if reply.delay and server._closing.wait(reply.delay):
                    return
                server.send(self, reply, body)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that gave up (timeout) leaves a broken pipe: expected

        self.httpd = Server((host, 0), Handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def send(self, handler: BaseHTTPRequestHandler, reply: Reply, request: Any) -> None:
        if reply.body is not None:
            payload = reply.body
        else:
            model = request.get("model", "") if isinstance(request, dict) else ""
            payload = json.dumps(
                {
                    "id": "chatcmpl-standin",
                    "object": "chat.completion",
                    "created": 1767225600,
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": reply.content},
                            "finish_reason": reply.finish_reason,
                        }
                    ],
                    "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
                }
            ).encode()
        handler.send_response(reply.status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def __enter__(self) -> ChatServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
