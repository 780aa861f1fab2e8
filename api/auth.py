"""Officials and their bearer tokens, kept in the service's store (SQLite file or PostgreSQL).

A token is shown once when `gongkai token` issues it; only its SHA-256 is stored. The acting
official (and so the `Actor` recorded on every event) always comes from the token, never from a
request body (004 att.3 Art 6: responsibility follows who actually decided).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field

from domain.base import Actor
from domain.codes import Role
from projections.postgres_store import lock_ddl
from projections.store import SqlStore

TOKEN_PREFIX = "gk_"

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS api_officials (
        official_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        department TEXT NOT NULL,
        agency_code TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS api_tokens (
        token_sha256 TEXT PRIMARY KEY,
        official_id TEXT NOT NULL REFERENCES api_officials(official_id),
        issued_at TEXT NOT NULL,
        revoked_at TEXT
    )""",
)


class Official(BaseModel):
    """A configured official: who a token speaks for."""

    model_config = ConfigDict(frozen=True)

    official_id: str = Field(min_length=1, max_length=64)
    name: str = Field(default="", max_length=64)
    role: Role
    department: str = Field(min_length=1, max_length=128)
    agency_code: str = Field(min_length=1, max_length=64)

    def actor(self) -> Actor:
        return Actor(
            official_id=self.official_id,
            role=self.role,
            department=self.department,
            name=self.name,
        )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class OfficialRegistry:
    def __init__(self, store: SqlStore):
        self._store = store

    def create_tables(self) -> None:
        with self._store.transaction() as tx:
            lock_ddl(tx)
            for statement in SCHEMA:
                tx.execute(statement)

    def save(self, official: Official) -> None:
        with self._store.transaction() as tx:
            tx.execute(
                "INSERT INTO api_officials (official_id, name, role, department, agency_code,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (official_id) DO UPDATE SET"
                " name = excluded.name, role = excluded.role, department = excluded.department,"
                " agency_code = excluded.agency_code, updated_at = excluded.updated_at",
                (
                    official.official_id,
                    official.name,
                    official.role.value,
                    official.department,
                    official.agency_code,
                    datetime.now(UTC).isoformat(),
                ),
            )

    def issue_token(self, official: Official) -> str:
        """Save the official and return a new token (shown once; only its hash is kept)."""
        if official.role is Role.SYSTEM:
            raise ValueError("no token is issued for the system role")
        self.save(official)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._store.transaction() as tx:
            tx.execute(
                "INSERT INTO api_tokens (token_sha256, official_id, issued_at) VALUES (?, ?, ?)",
                (token_hash(token), official.official_id, datetime.now(UTC).isoformat()),
            )
        return token

    def revoke(self, token: str) -> bool:
        with self._store.transaction() as tx:
            found = tx.fetchone(
                "SELECT 1 FROM api_tokens WHERE token_sha256 = ? AND revoked_at IS NULL",
                (token_hash(token),),
            )
            tx.execute(
                "UPDATE api_tokens SET revoked_at = ? WHERE token_sha256 = ?",
                (datetime.now(UTC).isoformat(), token_hash(token)),
            )
        return found is not None

    def authenticate(self, token: str) -> Official | None:
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        with self._store.reading() as tx:
            row = tx.fetchone(
                "SELECT o.official_id, o.name, o.role, o.department, o.agency_code"
                " FROM api_tokens t JOIN api_officials o ON o.official_id = t.official_id"
                " WHERE t.token_sha256 = ? AND t.revoked_at IS NULL",
                (token_hash(token),),
            )
        return self._official(row)

    def get(self, official_id: str) -> Official | None:
        with self._store.reading() as tx:
            row = tx.fetchone(
                "SELECT official_id, name, role, department, agency_code FROM api_officials"
                " WHERE official_id = ?",
                (official_id,),
            )
        return self._official(row)

    def all(self) -> list[Official]:
        with self._store.reading() as tx:
            rows = tx.fetchall(
                "SELECT official_id, name, role, department, agency_code FROM api_officials"
                " ORDER BY agency_code, official_id"
            )
        return [o for o in (self._official(r) for r in rows) if o is not None]

    @staticmethod
    def _official(row: tuple[object, ...] | None) -> Official | None:
        if row is None:
            return None
        official_id, name, role, department, agency_code = row
        return Official(
            official_id=str(official_id),
            name=str(name),
            role=Role(str(role)),
            department=str(department),
            agency_code=str(agency_code),
        )
