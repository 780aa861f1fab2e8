"""`Idempotency-Key` on POST: a retried command returns the first response instead of acting twice.

Keys are scoped to the official who sent them and stored, with the fingerprint of the request
(method, path, query, body) and the response, in `api_idempotency` in the service's store (the
SQLite file or the shared PostgreSQL database, so a retry sent to another API process replays).

- First use: a pending row is inserted, the command runs; a 2xx response is stored, anything else
  deletes the row (nothing was recorded, so the client may retry with the same key).
- Same key, same request, completed: the stored response is replayed (`Idempotent-Replayed: true`).
- Same key, different request: 422 `idempotency-key-reused`.
- Same key while the first is still running: 409 `idempotency-in-progress`.

Creating routes also derive the new aggregate's id from the key (`derived_id`), so even a crash
between the event save and the response save cannot create a second aggregate on retry.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import anyio.to_thread
import orjson
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import OfficialRegistry
from api.problems import (
    STORE_RETRY_AFTER,
    is_unavailable,
    problem_body,
    request_target,
    unavailable_body,
)
from projections.postgres_store import lock_ddl
from projections.store import SqlStore

logger = logging.getLogger("gongkai.api")

HEADER = "idempotency-key"
MAX_KEY_LENGTH = 200
# Response headers worth replaying; others (date, server, content-length) are regenerated.
REPLAYED_HEADERS = ("content-type", "etag", "location")

_BINARY_TYPE = {"sqlite": "BLOB", "postgres": "BYTEA"}


def schema(dialect: str) -> str:
    return f"""CREATE TABLE IF NOT EXISTS api_idempotency (
    official_id TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER,
    headers TEXT,
    body {_BINARY_TYPE[dialect]},
    created_at TEXT NOT NULL,
    PRIMARY KEY (official_id, key)
)"""


def derived_id(official_id: str, key: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"gongkai:idempotency:{official_id}:{key}")


def valid_key(key: str) -> bool:
    return 0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()


@dataclass(frozen=True)
class StoredResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming a key: new, a replay, a mismatch, or still in flight."""

    state: str  # "new" | "replay" | "mismatch" | "pending"
    response: StoredResponse | None = None


class IdempotencyStore:
    def __init__(self, store: SqlStore):
        self._store = store

    def create_tables(self) -> None:
        with self._store.transaction() as tx:
            lock_ddl(tx)
            tx.execute(schema(tx.dialect))

    def claim(self, official_id: str, key: str, fingerprint: str) -> Claim:
        with self._store.transaction() as tx:
            # Insert-or-nothing first: two processes claiming one key at once cannot both
            # see "no row" (PostgreSQL's READ COMMITTED would let them; SQLite serialises).
            inserted = tx.fetchone(
                "INSERT INTO api_idempotency (official_id, key, fingerprint, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (official_id, key) DO NOTHING RETURNING 1",
                (official_id, key, fingerprint, datetime.now(UTC).isoformat()),
            )
            if inserted is not None:
                return Claim("new")
            row = tx.fetchone(
                "SELECT fingerprint, status, headers, body FROM api_idempotency"
                " WHERE official_id = ? AND key = ?",
                (official_id, key),
            )
        if row is None:  # released by its first request in between: the client may retry
            return Claim("pending")
        stored_fingerprint, status, headers, body = row
        if stored_fingerprint != fingerprint:
            return Claim("mismatch")
        if status is None:
            return Claim("pending")
        pairs = [(str(k), str(v)) for k, v in orjson.loads(headers)]
        return Claim("replay", StoredResponse(int(status), pairs, bytes(body)))

    def complete(self, official_id: str, key: str, response: StoredResponse) -> None:
        with self._store.transaction() as tx:
            tx.execute(
                "UPDATE api_idempotency SET status = ?, headers = ?, body = ?"
                " WHERE official_id = ? AND key = ?",
                (
                    response.status,
                    orjson.dumps(response.headers).decode(),
                    response.body,
                    official_id,
                    key,
                ),
            )

    def release(self, official_id: str, key: str) -> None:
        with self._store.transaction() as tx:
            tx.execute(
                "DELETE FROM api_idempotency WHERE official_id = ? AND key = ? AND status IS NULL",
                (official_id, key),
            )


def fingerprint(scope: Scope, body: bytes) -> str:
    digest = hashlib.sha256()
    digest.update(scope["method"].encode())
    digest.update(b" ")
    digest.update(scope["path"].encode())
    digest.update(b"?")
    digest.update(scope.get("query_string", b""))
    digest.update(b"\n")
    digest.update(body)
    return digest.hexdigest()


class IdempotencyMiddleware:
    """Pure ASGI middleware: does nothing unless a POST carries an Idempotency-Key."""

    def __init__(self, app: ASGIApp, store: IdempotencyStore, officials: OfficialRegistry):
        self.app = app
        self.store = store
        self.officials = officials

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get(HEADER)
        authorization = headers.get("authorization", "")
        if key is None or not authorization.lower().startswith("bearer "):
            # No key, or no token (the route answers 401): nothing to remember.
            await self.app(scope, receive, send)
            return
        if not valid_key(key):
            await self._problem(
                scope,
                send,
                "validation-error",
                f"Idempotency-Key must be 1-{MAX_KEY_LENGTH} printable ASCII characters",
                field="header.Idempotency-Key",
            )
            return
        try:
            official = await anyio.to_thread.run_sync(
                self.officials.authenticate, authorization[7:].strip()
            )
        except Exception as error:
            if not is_unavailable(error):
                raise
            await _send_problem_body(send, unavailable_body(request_target(scope)))
            return
        if official is None:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        try:
            claim = await anyio.to_thread.run_sync(
                self.store.claim, official.official_id, key, fingerprint(scope, body)
            )
        except Exception as error:
            if not is_unavailable(error):
                raise
            await _send_problem_body(send, unavailable_body(request_target(scope)))
            return
        if claim.state == "mismatch":
            await self._problem(
                scope,
                send,
                "idempotency-key-reused",
                "this Idempotency-Key was used with a different request",
                field="header.Idempotency-Key",
            )
            return
        if claim.state == "pending":
            await self._problem(
                scope,
                send,
                "idempotency-in-progress",
                "a request with this Idempotency-Key is still being processed",
                headers={"Retry-After": "1"},
            )
            return
        if claim.state == "replay":
            assert claim.response is not None
            await _send_stored(send, claim.response)
            return
        await self._run_and_remember(scope, body, send, official.official_id, key)

    async def _run_and_remember(
        self, scope: Scope, body: bytes, send: Send, official_id: str, key: str
    ) -> None:
        start: Message = {}
        chunks: list[bytes] = []
        replayed = False

        async def receive_once() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive_once, capture)
        finally:
            status = int(start.get("status", 500))
            if 200 <= status < 300:
                kept = [
                    (k.decode("latin-1"), v.decode("latin-1"))
                    for k, v in start.get("headers", [])
                    if k.decode("latin-1").lower() in REPLAYED_HEADERS
                ]
                stored = StoredResponse(status, kept, b"".join(chunks))
                await _after_response(self.store.complete, official_id, key, stored)
            else:
                await _after_response(self.store.release, official_id, key)

    @staticmethod
    async def _problem(
        scope: Scope,
        send: Send,
        kind: str,
        detail: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        body = problem_body(kind, detail=detail, instance=request_target(scope), field=field)
        await _send_problem_body(send, body, headers)


async def _send_problem_body(
    send: Send, body: dict[str, Any], headers: dict[str, str] | None = None
) -> None:
    payload = orjson.dumps(body)
    extra = STORE_RETRY_AFTER if body["status"] == 503 and headers is None else headers or {}
    raw_headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(payload)).encode()),
        *((k.lower().encode(), v.encode()) for k, v in extra.items()),
    ]
    await send({"type": "http.response.start", "status": body["status"], "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


async def _after_response(action: Callable[..., None], *args: Any) -> None:
    """Remember or release the key once the response went out. If the store fails now, the
    pending row stays: a retry with the key gets 409 `idempotency-in-progress` instead of
    running the command twice (safe; the operator can clear old pending rows)."""
    try:
        await anyio.to_thread.run_sync(action, *args)
    except Exception as error:
        if not is_unavailable(error):
            raise
        logger.warning("idempotency key not %s: the store is unavailable", action.__name__)


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _send_stored(send: Send, response: StoredResponse) -> None:
    headers: list[tuple[bytes, bytes]] = [
        (k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers
    ]
    headers.append((b"content-length", str(len(response.body)).encode()))
    headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})
