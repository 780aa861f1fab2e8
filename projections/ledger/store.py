"""The ledger over the real event store: leaf and node hashes, signed checkpoints, proofs, export.

Tables (in the same SQLite file or PostgreSQL database as ``stored_events``)
    ``ledger_leaf(leaf_index, notification_id, leaf_hash)``
        One row per logged event. Leaf indexes are dense (0, 1, 2, ...) even where notification
        ids have gaps; ``leaf_hash`` is ``merkle.event_leaf_hash`` of the stored bytes.
        These rows are also level 0 of the tree: ``get_node(0, i)`` reads them.
    ``ledger_node(level, node_index, hash)``
        The hash of every complete perfect subtree above the leaves (level >= 1), as
        ``CompactRange.append_collecting`` yields them; append-only, about one row per leaf.
    ``ledger_checkpoint(tree_size, root_hash, note, signed_at)``
        Each signed checkpoint (C2SP signed note) as issued. A size is never signed twice.
    ``ledger_key(verifier_key, first_tree_size, added_at)``
        Every verifier key that signed a checkpoint (public keys only), so an export can carry
        the keyring after a rotation.

Who writes them
    ``LedgerFollower`` follows the notification log, the way the projection driver does, and
    appends each batch of events (leaf rows and node rows) in ONE transaction of its own: a
    crash leaves no half-written batch, and the next run continues from the last leaf row. It
    does not write in the event transaction: the eventsourcing recorder owns that one, and a
    follower keeps the command path's latency as it was. The tree lags the log by at most one
    poll (docs/ledger.md has the reasoning).

SQL
    ``?`` placeholders, ``INSERT ... ON CONFLICT DO NOTHING`` and ``ORDER BY ... LIMIT``, which
    SQLite and PostgreSQL both accept. The only dialect-specific text is the DDL's binary type
    (``BLOB`` / ``BYTEA``), chosen from ``store.dialect``.
"""

from __future__ import annotations

import base64
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from eventsourcing.application import Application
from eventsourcing.persistence import ApplicationRecorder

from projections.ledger import merkle
from projections.ledger.bundle import LedgerEvent, consistency_proof_json, write_bundle
from projections.ledger.note import (
    Checkpoint,
    NoteError,
    Signer,
    Verifier,
    open_checkpoint,
    read_keyring,
    sign_checkpoint,
)
from projections.postgres_store import lock_ddl, serialise
from projections.store import Tx

logger = logging.getLogger(__name__)

ORIGIN_ENV = "GONGKAI_LEDGER_ORIGIN"
KEYRING_ENV = "GONGKAI_LEDGER_KEYRING"
DEFAULT_ORIGIN = "gongkai-ledger.example/default"

_BINARY_TYPE = {"sqlite": "BLOB", "postgres": "BYTEA", "postgresql": "BYTEA"}
# PostgreSQL advisory lock: followers and signers of one ledger take turns (SQLite's writer
# lock does this there); found by two followers racing on PostgreSQL, both appending leaf 0.
LEDGER_LOCK_KEY = 0x6C6564676572  # "ledger"
_TABLES = ("ledger_leaf", "ledger_node", "ledger_checkpoint", "ledger_key")


def ledger_ddl(dialect: str) -> list[str]:
    """CREATE TABLE statements for ``dialect`` (``sqlite`` or ``postgres``)."""
    try:
        binary = _BINARY_TYPE[dialect]
    except KeyError:
        raise ValueError(f"no ledger tables for the SQL dialect {dialect!r}") from None
    return [
        "CREATE TABLE IF NOT EXISTS ledger_leaf ("
        "leaf_index BIGINT PRIMARY KEY, "
        "notification_id BIGINT NOT NULL UNIQUE, "
        f"leaf_hash {binary} NOT NULL)",
        "CREATE TABLE IF NOT EXISTS ledger_node ("
        "level INT NOT NULL, "
        "node_index BIGINT NOT NULL, "
        f"hash {binary} NOT NULL, "
        "PRIMARY KEY (level, node_index))",
        "CREATE TABLE IF NOT EXISTS ledger_checkpoint ("
        "tree_size BIGINT PRIMARY KEY, "
        f"root_hash {binary} NOT NULL, "
        "note TEXT NOT NULL, "
        "signed_at TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS ledger_key ("
        "verifier_key TEXT PRIMARY KEY, "
        "first_tree_size BIGINT NOT NULL, "
        "added_at TEXT NOT NULL)",
    ]


class SqlStore(Protocol):
    """What the ledger needs of ``projections.store.SqliteStore`` (or a PostgreSQL store)."""

    dialect: str

    def transaction(self) -> AbstractContextManager[Tx]: ...

    def reading(self) -> AbstractContextManager[Tx]: ...


# ---- errors ------------------------------------------------------------------------------------


class LedgerError(Exception):
    """A ledger operation was refused."""


class NotInLedger(LedgerError, LookupError):
    """The event is not (yet) a leaf of the tree, or the tree is smaller than asked."""


class NoCheckpoint(LedgerError, LookupError):
    """No checkpoint has been signed (at that size)."""


class LedgerIntegrityError(LedgerError):
    """The stored tree, or a stored checkpoint, disagrees with what the ledger signed before.

    Never sign over it: someone changed the ledger tables outside the follower.
    """


class OriginMismatch(LedgerError):
    """The configured origin differs from the origin of the checkpoints already signed."""


# ---- values --------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class TreeHead:
    """How far the tree has followed the log."""

    size: int
    last_notification_id: int  # 0 when the tree is empty


@dataclass(frozen=True)
class Leaf:
    leaf_index: int
    notification_id: int
    leaf_hash: bytes


@dataclass(frozen=True)
class StoredCheckpoint:
    tree_size: int
    root_hash: bytes
    note: str
    signed_at: str


@dataclass(frozen=True)
class InclusionProof:
    """RFC 9162 inclusion proof of one event's leaf in the tree of ``tree_size`` leaves."""

    leaf_index: int
    notification_id: int
    tree_size: int
    leaf_hash: bytes
    root_hash: bytes
    proof: tuple[bytes, ...]
    checkpoint: str | None  # the signed checkpoint of ``tree_size``, when there is one

    def verify(self) -> bool:
        return merkle.verify_inclusion(
            self.leaf_hash, self.leaf_index, self.tree_size, self.proof, self.root_hash
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "inclusion",
            "leaf_index": self.leaf_index,
            "notification_id": self.notification_id,
            "tree_size": self.tree_size,
            "leaf_hash": _b64(self.leaf_hash),
            "root_hash": _b64(self.root_hash),
            "proof": [_b64(node) for node in self.proof],
            "checkpoint": self.checkpoint,
        }


@dataclass(frozen=True)
class ConsistencyProof:
    """RFC 9162 consistency proof: the tree of ``old_size`` is a prefix of ``new_size``'s."""

    old_size: int
    new_size: int
    old_root: bytes
    new_root: bytes
    proof: tuple[bytes, ...]
    old_checkpoint: str | None
    new_checkpoint: str | None

    def verify(self) -> bool:
        return merkle.verify_consistency(
            self.old_size, self.new_size, self.old_root, self.new_root, self.proof
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "consistency",
            "old_size": self.old_size,
            "new_size": self.new_size,
            "old_root": _b64(self.old_root),
            "new_root": _b64(self.new_root),
            "proof": [_b64(node) for node in self.proof],
            "old_checkpoint": self.old_checkpoint,
            "new_checkpoint": self.new_checkpoint,
        }


@dataclass
class ExportSummary:
    directory: Path
    events: int
    tree_size: int  # the largest checkpoint size in the bundle
    checkpoints: list[int]
    verifier_keys: list[str]
    warnings: list[str] = field(default_factory=list)


# ---- configuration -----------------------------------------------------------------------------


def origin_from_environment(environ: Mapping[str, str] | None = None) -> str | None:
    """The log's origin line from ``GONGKAI_LEDGER_ORIGIN`` (None when unset)."""
    environ = os.environ if environ is None else environ
    origin = environ.get(ORIGIN_ENV, "").strip()
    return origin or None


def keyring_from_environment(environ: Mapping[str, str] | None = None) -> list[str]:
    """Verifier keys from the keyring file named by ``GONGKAI_LEDGER_KEYRING`` (may be unset)."""
    environ = os.environ if environ is None else environ
    location = environ.get(KEYRING_ENV, "")
    if not location:
        return []
    text = Path(location).read_text(encoding="utf-8")
    return [verifier.encoded() for verifier in read_keyring(text)]


# ---- the ledger tables -------------------------------------------------------------------------


class LedgerStore:
    """The ledger's tables next to the events, and everything read from them.

    ``recorder`` is the application's recorder (``app.recorder``): export reads the events from
    it exactly as stored. ``origin`` names the log in checkpoints (``for_app`` reads
    ``GONGKAI_LEDGER_ORIGIN``); without one, the origin of the checkpoints already signed is
    kept, and a new log gets ``DEFAULT_ORIGIN``. ``trusted_keys`` are verifier keys (the
    published keyring, ``GONGKAI_LEDGER_KEYRING``) that exports check stored checkpoints
    against and put in ``public_key.txt``; without them, the keys recorded in ``ledger_key``.
    """

    def __init__(
        self,
        store: SqlStore,
        recorder: ApplicationRecorder,
        *,
        origin: str | None = None,
        trusted_keys: Sequence[str] = (),
    ) -> None:
        self.store = store
        self.recorder = recorder
        self.configured_origin = origin
        self.trusted_keys = list(trusted_keys)
        self._ready = False

    @classmethod
    def for_app(
        cls,
        app: Application[Any],
        store: SqlStore,
        environ: Mapping[str, str] | None = None,
    ) -> LedgerStore:
        """The ledger of ``app`` in ``store``, configured from the environment."""
        ledger = cls(
            store,
            app.recorder,
            origin=origin_from_environment(environ),
            trusted_keys=keyring_from_environment(environ),
        )
        ledger.create_tables()
        return ledger

    def create_tables(self) -> None:
        if self._ready:
            return
        with self.store.transaction() as tx:
            lock_ddl(tx)
            for statement in ledger_ddl(self.store.dialect):
                tx.execute(statement)
        self._ready = True

    # ---- the tree ------------------------------------------------------------------------------

    def head(self) -> TreeHead:
        with self.store.reading() as tx:
            return self._head(tx)

    @staticmethod
    def _head(tx: Tx) -> TreeHead:
        row = tx.fetchone(
            "SELECT leaf_index, notification_id FROM ledger_leaf ORDER BY leaf_index DESC LIMIT 1"
        )
        if row is None:
            return TreeHead(0, 0)
        return TreeHead(int(row[0]) + 1, int(row[1]))

    def get_node(self, level: int, index: int) -> bytes:
        """The stored hash of the perfect subtree ``(level, index)``; LookupError if absent."""
        with self.store.reading() as tx:
            return self._get_node(tx, level, index)

    @staticmethod
    def _get_node(tx: Tx, level: int, index: int) -> bytes:
        if level == 0:
            row = tx.fetchone("SELECT leaf_hash FROM ledger_leaf WHERE leaf_index = ?", (index,))
        else:
            row = tx.fetchone(
                "SELECT hash FROM ledger_node WHERE level = ? AND node_index = ?", (level, index)
            )
        if row is None:
            raise LookupError(f"the ledger holds no subtree at level {level}, index {index}")
        return bytes(row[0])

    def root(self, size: int | None = None) -> bytes:
        """Root hash of the first ``size`` leaves (default: the whole tree)."""
        with self.store.reading() as tx:
            head = self._head(tx)
            size = head.size if size is None else self._checked_size(size, head)
            return merkle.tree_root(size, lambda level, i: self._get_node(tx, level, i))

    @staticmethod
    def _checked_size(size: int, head: TreeHead) -> int:
        if not 0 <= size <= head.size:
            raise NotInLedger(f"tree size {size} is outside 0..{head.size}")
        return size

    def leaf(self, *, notification_id: int | None = None, leaf_index: int | None = None) -> Leaf:
        """The leaf of an event, by notification id or by leaf index (exactly one)."""
        if (notification_id is None) == (leaf_index is None):
            raise ValueError("give exactly one of notification_id and leaf_index")
        column, value = (
            ("notification_id", notification_id)
            if notification_id is not None
            else ("leaf_index", leaf_index)
        )
        with self.store.reading() as tx:
            row = tx.fetchone(
                "SELECT leaf_index, notification_id, leaf_hash FROM ledger_leaf "
                f"WHERE {column} = ?",
                (value,),
            )
        if row is None:
            raise NotInLedger(f"no leaf with {column} {value} in the ledger")
        return Leaf(int(row[0]), int(row[1]), bytes(row[2]))

    def leaf_hashes(self, start: int, count: int) -> list[bytes]:
        """Recorded leaf hashes of leaves ``start .. start + count - 1`` (fewer at the end)."""
        with self.store.reading() as tx:
            rows = tx.fetchall(
                "SELECT leaf_hash FROM ledger_leaf WHERE leaf_index >= ? AND leaf_index < ? "
                "ORDER BY leaf_index",
                (start, start + count),
            )
        return [bytes(row[0]) for row in rows]

    def append(
        self, expected: TreeHead, leaves: Sequence[Leaf], nodes: Sequence[merkle.NodeHash]
    ) -> bool:
        """Write one batch in one transaction, if the tree is still at ``expected``.

        Returns False (writing nothing) when another follower moved the tree meanwhile.
        """
        with self.store.transaction() as tx:
            serialise(tx, LEDGER_LOCK_KEY)  # then the head read below is the committed one
            if self._head(tx) != expected:
                return False
            self._insert_leaves(tx, leaves)
            self._insert_nodes(tx, nodes)
        return True

    @staticmethod
    def _insert_leaves(tx: Tx, leaves: Sequence[Leaf]) -> None:
        tx.executemany(
            "INSERT INTO ledger_leaf (leaf_index, notification_id, leaf_hash) VALUES (?, ?, ?)",
            [(leaf.leaf_index, leaf.notification_id, leaf.leaf_hash) for leaf in leaves],
        )

    @staticmethod
    def _insert_nodes(tx: Tx, nodes: Sequence[merkle.NodeHash]) -> None:
        tx.executemany(
            "INSERT INTO ledger_node (level, node_index, hash) VALUES (?, ?, ?)",
            [(node.level, node.index, node.digest) for node in nodes],
        )

    # ---- checkpoints ---------------------------------------------------------------------------

    def checkpoints(self) -> list[StoredCheckpoint]:
        """Every stored checkpoint, smallest first."""
        with self.store.reading() as tx:
            rows = tx.fetchall(
                "SELECT tree_size, root_hash, note, signed_at FROM ledger_checkpoint "
                "ORDER BY tree_size"
            )
        return [StoredCheckpoint(int(r[0]), bytes(r[1]), str(r[2]), str(r[3])) for r in rows]

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        with self.store.reading() as tx:
            return self._latest_checkpoint(tx)

    @staticmethod
    def _latest_checkpoint(tx: Tx, below: int | None = None) -> StoredCheckpoint | None:
        sql = "SELECT tree_size, root_hash, note, signed_at FROM ledger_checkpoint"
        params: tuple[int, ...] = ()
        if below is not None:
            sql += " WHERE tree_size < ?"
            params = (below,)
        row = tx.fetchone(sql + " ORDER BY tree_size DESC LIMIT 1", params)
        if row is None:
            return None
        return StoredCheckpoint(int(row[0]), bytes(row[1]), str(row[2]), str(row[3]))

    def checkpoint_at(self, tree_size: int) -> StoredCheckpoint | None:
        with self.store.reading() as tx:
            row = tx.fetchone(
                "SELECT tree_size, root_hash, note, signed_at FROM ledger_checkpoint "
                "WHERE tree_size = ?",
                (tree_size,),
            )
        if row is None:
            return None
        return StoredCheckpoint(int(row[0]), bytes(row[1]), str(row[2]), str(row[3]))

    def stored_verifier_keys(self) -> list[str]:
        """Every verifier key that signed a checkpoint here, oldest first."""
        with self.store.reading() as tx:
            return self._stored_keys(tx)

    @staticmethod
    def _stored_keys(tx: Tx) -> list[str]:
        rows = tx.fetchall(
            "SELECT verifier_key FROM ledger_key ORDER BY first_tree_size, verifier_key"
        )
        return [str(row[0]) for row in rows]

    def verifier_keys(self) -> list[str]:
        """The trusted keys given to this store, else the keys recorded in ``ledger_key``."""
        return _unique(self.trusted_keys) if self.trusted_keys else self.stored_verifier_keys()

    def checkpoint(self, signer: Signer, *more_signers: Signer, origin: str | None = None) -> str:
        """Sign the tree as it stands and store the checkpoint; return the signed note.

        The size is never signed twice: if the tree has not grown since the last checkpoint,
        that checkpoint is returned as issued. Before signing, the stored tree must be
        consistent with the previous checkpoint (else ``LedgerIntegrityError``), and the
        origin must be the one earlier checkpoints carry (else ``OriginMismatch``).
        """
        signers = (signer, *more_signers)
        with self.store.transaction() as tx:
            serialise(tx, LEDGER_LOCK_KEY)  # two signers at once: one signs, one gets its note
            head = self._head(tx)
            existing = self._checkpoint_row(tx, head.size)
            if existing is not None:
                return existing.note

            def get_node(level: int, index: int) -> bytes:
                return self._get_node(tx, level, index)

            root = merkle.tree_root(head.size, get_node)
            previous = self._latest_checkpoint(tx, below=head.size)
            later = tx.fetchone(
                "SELECT tree_size FROM ledger_checkpoint WHERE tree_size > ?", (head.size,)
            )
            if later is not None:
                raise LedgerIntegrityError(
                    f"a checkpoint of size {later[0]} exists but the tree holds {head.size} leaves"
                )
            if previous is not None:
                keys = [*self._stored_keys(tx), *self.trusted_keys]
                keys += [one.verifier().encoded() for one in signers]
                open_stored_checkpoint(previous, _unique(keys))
                self._check_consistent(previous, head.size, root, get_node)
            resolved_origin = self._resolve_origin(origin, previous)
            note = sign_checkpoint(Checkpoint(resolved_origin, head.size, root), *signers)
            tx.execute(
                "INSERT INTO ledger_checkpoint (tree_size, root_hash, note, signed_at) "
                "VALUES (?, ?, ?, ?)",
                (head.size, root, note, _utc_now()),
            )
            for one in signers:
                tx.execute(
                    "INSERT INTO ledger_key (verifier_key, first_tree_size, added_at) "
                    "VALUES (?, ?, ?) ON CONFLICT (verifier_key) DO NOTHING",
                    (one.verifier().encoded(), head.size, _utc_now()),
                )
        logger.info("ledger checkpoint signed: size %d root %s", head.size, _b64(root))
        return note

    @staticmethod
    def _checkpoint_row(tx: Tx, tree_size: int) -> StoredCheckpoint | None:
        row = tx.fetchone(
            "SELECT tree_size, root_hash, note, signed_at FROM ledger_checkpoint "
            "WHERE tree_size = ?",
            (tree_size,),
        )
        if row is None:
            return None
        return StoredCheckpoint(int(row[0]), bytes(row[1]), str(row[2]), str(row[3]))

    def _resolve_origin(self, requested: str | None, previous: StoredCheckpoint | None) -> str:
        established = _origin_of(previous.note) if previous is not None else None
        origin = requested or self.configured_origin or established or DEFAULT_ORIGIN
        if established is not None and origin != established:
            raise OriginMismatch(
                f"this log's checkpoints name the origin {established!r}, not {origin!r} "
                "(an origin never changes; set GONGKAI_LEDGER_ORIGIN accordingly)"
            )
        return origin

    @staticmethod
    def _check_consistent(
        previous: StoredCheckpoint, size: int, root: bytes, get_node: merkle.GetNode
    ) -> None:
        if previous.root_hash != _root_of(previous.note):
            raise LedgerIntegrityError(
                f"the stored root of checkpoint {previous.tree_size} differs from its note"
            )
        try:
            proof = merkle.consistency_proof(previous.tree_size, size, get_node)
        except LookupError as error:
            raise LedgerIntegrityError(f"the stored tree is incomplete: {error}") from error
        if not merkle.verify_consistency(previous.tree_size, size, previous.root_hash, root, proof):
            raise LedgerIntegrityError(
                f"the stored tree of size {size} does not extend the signed checkpoint of size "
                f"{previous.tree_size}: the ledger tables were changed; refusing to sign"
            )

    # ---- proofs --------------------------------------------------------------------------------

    def _default_size(self, tree_size: int | None) -> int:
        if tree_size is not None:
            return tree_size
        latest = self.latest_checkpoint()
        if latest is None:
            raise NoCheckpoint("no checkpoint has been signed yet")
        return latest.tree_size

    def inclusion_proof(
        self,
        notification_id: int | None = None,
        *,
        leaf_index: int | None = None,
        tree_size: int | None = None,
    ) -> InclusionProof:
        """Proof that an event (by notification id or leaf index) is in the tree of
        ``tree_size`` leaves (default: the latest checkpoint's size)."""
        size = self._default_size(tree_size)
        leaf = self.leaf(notification_id=notification_id, leaf_index=leaf_index)
        with self.store.reading() as tx:
            head = self._head(tx)
            self._checked_size(size, head)
            if leaf.leaf_index >= size:
                raise NotInLedger(
                    f"event {leaf.notification_id} is leaf {leaf.leaf_index}, after the tree "
                    f"of size {size}"
                )

            def get_node(level: int, index: int) -> bytes:
                return self._get_node(tx, level, index)

            proof = merkle.inclusion_proof(leaf.leaf_index, size, get_node)
            root = merkle.tree_root(size, get_node)
            stored = self._checkpoint_row(tx, size)
        return InclusionProof(
            leaf.leaf_index,
            leaf.notification_id,
            size,
            leaf.leaf_hash,
            root,
            tuple(proof),
            stored.note if stored else None,
        )

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> ConsistencyProof:
        """Proof that the tree of ``old_size`` is a prefix of the tree of ``new_size``
        (default: the latest checkpoint's size)."""
        new = self._default_size(new_size)
        with self.store.reading() as tx:
            head = self._head(tx)
            self._checked_size(new, head)
            if not 0 <= old_size <= new:
                raise NotInLedger(f"no consistency proof from size {old_size} to {new}")

            def get_node(level: int, index: int) -> bytes:
                return self._get_node(tx, level, index)

            proof = merkle.consistency_proof(old_size, new, get_node)
            old_root = merkle.tree_root(old_size, get_node)
            new_root = merkle.tree_root(new, get_node)
            old_cp, new_cp = self._checkpoint_row(tx, old_size), self._checkpoint_row(tx, new)
        return ConsistencyProof(
            old_size,
            new,
            old_root,
            new_root,
            tuple(proof),
            old_cp.note if old_cp else None,
            new_cp.note if new_cp else None,
        )

    # ---- export --------------------------------------------------------------------------------

    def export(
        self,
        directory: Path,
        *,
        tree_size: int | None = None,
        include_unsigned_tail: bool = False,
        progress: Callable[[int], None] | None = None,
        batch_size: int = 5_000,
    ) -> ExportSummary:
        """Write a bundle of the events through the checkpoint of ``tree_size`` (default: the
        latest checkpoint) with every checkpoint up to it; ``verify_bundle.py`` is copied in.

        The events are read from the event store as they are stored now: the first
        ``tree_size`` events in notification order. A row changed, deleted or inserted after
        it was logged therefore shows in the bundle, and the verifier names the first event out
        of place. Leaf hashes and checkpoints are copied as the ledger recorded and signed them,
        never recomputed. ``include_unsigned_tail`` adds the events the tree holds beyond the
        checkpoint (verify with ``--allow-unsigned-tail``). ``progress`` is called with the
        number of events written so far. ``ExportSummary.warnings`` says what the exporter
        noticed itself (rows deleted, with their notification ids, or inserted).
        """
        checkpoints = self.checkpoints()
        if tree_size is None:
            if not checkpoints:
                raise NoCheckpoint("no checkpoint has been signed yet: sign one before exporting")
            tree_size = checkpoints[-1].tree_size
        covered = [cp for cp in checkpoints if cp.tree_size <= tree_size]
        if not covered or covered[-1].tree_size != tree_size:
            raise NoCheckpoint(f"no checkpoint of size {tree_size}")
        leaves = self.head().size if include_unsigned_tail else tree_size
        last_logged = self.leaf(leaf_index=leaves - 1).notification_id if leaves else 0
        keys = self.verifier_keys()
        for stored in covered:
            open_stored_checkpoint(stored, keys)
        reader = _EventReader(self.recorder, leaves, batch_size, progress)
        try:
            count = write_bundle(
                directory,
                reader.events(),
                _LeafHashCache(self).get_node,
                [cp.note for cp in covered],
                keys,
            )
        except ValueError:
            # The bundle writer refuses checkpoints beyond the events it was given: logged
            # events are missing from the store.
            if not reader.ran_short:
                raise
            shutil.rmtree(directory, ignore_errors=True)
            count = self._write_short_bundle(
                directory, covered, keys, reader.written, leaves, batch_size, progress
            )
        warnings = _discrepancies(count, leaves, reader.last_id, last_logged)
        if count < leaves or reader.last_id > last_logged:
            missing = self._missing_events()
            warnings.append(
                "logged events missing from the store: notification ids "
                + ", ".join(map(str, missing[:20]))
                + (f" and {len(missing) - 20} more" if len(missing) > 20 else "")
            )
        if not self.trusted_keys:
            warnings.append(
                "public_key.txt holds the keys recorded in the database; auditors should verify "
                "with the published keyring (--public-key)"
            )
        return ExportSummary(
            directory, count, tree_size, [cp.tree_size for cp in covered], keys, warnings
        )

    def _missing_events(self) -> list[int]:
        """Logged notification ids the event store no longer holds (an error path: reads all)."""
        with self.store.reading() as tx:
            rows = tx.fetchall("SELECT notification_id FROM ledger_leaf ORDER BY leaf_index")
        logged = [int(row[0]) for row in rows]
        stored: set[int] = set()
        position = 0
        while notifications := self.recorder.select_notifications(
            position, 10_000, inclusive_of_start=False
        ):
            stored.update(n.id for n in notifications)
            position = notifications[-1].id
        return [n for n in logged if n not in stored]

    def _write_short_bundle(
        self,
        directory: Path,
        covered: Sequence[StoredCheckpoint],
        keys: Sequence[str],
        available: int,
        leaves: int,
        batch_size: int,
        progress: Callable[[int], None] | None,
    ) -> int:
        """A bundle of the ``available`` events a store that lost logged events still holds,
        completed with the recorded leaf hashes after them, the checkpoints beyond them and
        consistency proofs to those: the verifier then shows the loss instead of the writer
        refusing to write."""
        inside = [cp for cp in covered if cp.tree_size <= available]
        count = write_bundle(
            directory,
            _EventReader(self.recorder, available, batch_size, progress).events(),
            _LeafHashCache(self).get_node,
            [cp.note for cp in inside],
            keys,
        )
        beyond = covered[len(inside) :]
        with (directory / "leaf_hashes.bin").open("ab") as hashes:
            for start in range(count, leaves, 10_000):
                hashes.write(b"".join(self.leaf_hashes(start, min(10_000, leaves - start))))
        sizes = [cp.tree_size for cp in inside]
        for stored in beyond:
            path = directory / "checkpoints" / f"checkpoint-{stored.tree_size}.note"
            path.write_text(stored.note, encoding="utf-8", newline="\n")
            if sizes:
                proof = consistency_proof_json(sizes[-1], stored.tree_size, self.get_node)
                name = f"consistency-{sizes[-1]}-{stored.tree_size}.json"
                (directory / "proofs" / name).write_text(proof, encoding="utf-8")
            sizes.append(stored.tree_size)
        return count


class _EventReader:
    """The first ``limit`` stored events in notification order, as bundle events."""

    def __init__(
        self,
        recorder: ApplicationRecorder,
        limit: int,
        batch_size: int,
        progress: Callable[[int], None] | None,
    ) -> None:
        self.recorder = recorder
        self.limit = limit
        self.batch_size = batch_size
        self.progress = progress
        self.written = 0
        self.last_id = 0
        self.ran_short = False  # the store ended before ``limit`` events

    def events(self) -> Iterator[LedgerEvent]:
        while self.written < self.limit:
            notifications = self.recorder.select_notifications(
                self.last_id,
                min(self.batch_size, self.limit - self.written),
                inclusive_of_start=False,
            )
            if not notifications:
                self.ran_short = True
                return
            for notification in notifications:
                yield LedgerEvent(
                    notification.id,
                    notification.originator_id,
                    notification.originator_version,
                    notification.topic,
                    notification.state,
                )
                self.written += 1
                self.last_id = notification.id
            if self.progress is not None:
                self.progress(self.written)


def _discrepancies(count: int, leaves: int, last_id: int, last_logged: int) -> list[str]:
    """What the exporter itself noticed: fewer events than the ledger logged, or a bundle that
    ends on another event than the ledger's last one (the verifier names the first bad one)."""
    if count < leaves:
        return [f"the store holds only {count} of the {leaves} logged events: rows were deleted"]
    if last_id > last_logged:
        return [
            f"the store holds fewer events up to notification id {last_logged} than the "
            "ledger logged: rows were deleted"
        ]
    if last_id < last_logged:
        return [
            f"the store holds more events up to notification id {last_logged} than the "
            "ledger logged: rows were inserted"
        ]
    return []


class _LeafHashCache:
    """``get_node`` for the bundle writer, which asks for every leaf in order: reads the
    recorded leaf hashes a chunk at a time instead of one query per event."""

    def __init__(self, ledger: LedgerStore, chunk: int = 10_000) -> None:
        self._ledger = ledger
        self._chunk = chunk
        self._start = 0
        self._hashes: list[bytes] = []

    def get_node(self, level: int, index: int) -> bytes:
        if level != 0:
            return self._ledger.get_node(level, index)
        if not self._start <= index < self._start + len(self._hashes):
            self._start = index
            self._hashes = self._ledger.leaf_hashes(index, self._chunk)
            if not self._hashes:
                raise LookupError(f"the ledger holds no leaf {index}")
        return self._hashes[index - self._start]


def _origin_of(note: str) -> str:
    return note.split("\n", 1)[0]


def _root_of(note: str) -> bytes:
    lines = note.split("\n")
    try:
        return base64.b64decode(lines[2], validate=True)
    except (IndexError, ValueError):
        return b""


def _unique(keys: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(keys))


def open_stored_checkpoint(stored: StoredCheckpoint, verifier_keys: Sequence[str]) -> Checkpoint:
    """Verify a stored checkpoint's signature and that its row matches its note."""
    verifiers = [Verifier.from_encoded(key) for key in verifier_keys]
    try:
        checkpoint = open_checkpoint(stored.note, verifiers)
    except NoteError as error:
        raise LedgerIntegrityError(f"checkpoint {stored.tree_size}: {error}") from error
    if checkpoint.size != stored.tree_size or checkpoint.root_hash != stored.root_hash:
        raise LedgerIntegrityError(f"checkpoint {stored.tree_size}: row and note disagree")
    return checkpoint


# ---- the follower --------------------------------------------------------------------------------


class LedgerFollower:
    """Appends the events of the notification log to the ledger, batch by batch, exactly once.

    ``run_once`` reads the notifications after the last leaf's notification id, hashes the
    stored bytes, extends a ``CompactRange`` (resumed from the store) and writes the leaf rows
    and the perfect subtrees they complete in one transaction. ``start`` runs it in a daemon
    thread; ``wait_until`` blocks until an event is in the tree.
    """

    def __init__(
        self, app: Application[Any], store: LedgerStore, *, batch_size: int = 1_000
    ) -> None:
        self.app = app
        self.ledger = store
        self.batch_size = batch_size
        self._compact: merkle.CompactRange | None = None
        self._advanced = threading.Condition()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run_once(self, batch: int | None = None) -> int:
        """Append the next batch of events; return how many (0 when the tree is current)."""
        self.ledger.create_tables()
        with self._lock:
            for _ in range(5):
                appended = self._append_batch(batch or self.batch_size)
                if appended is not None:
                    return appended
                self._compact = None  # another follower moved the tree: start from the store
        return 0

    def _append_batch(self, limit: int) -> int | None:
        head = self.ledger.head()
        compact = self._compact
        if compact is None or compact.size != head.size:
            compact = merkle.CompactRange.from_store(head.size, self.ledger.get_node)
        notifications = self.app.recorder.select_notifications(
            head.last_notification_id, limit, inclusive_of_start=False
        )
        if not notifications:
            self._compact = compact
            return 0
        self._compact = None  # the range runs ahead of the store until the batch commits
        leaves: list[Leaf] = []
        nodes: list[merkle.NodeHash] = []
        for notification in notifications:
            digest = merkle.event_leaf_hash(
                notification.id,
                notification.originator_id,
                notification.originator_version,
                notification.topic,
                notification.state,
            )
            leaves.append(Leaf(compact.size, notification.id, digest))
            nodes.extend(compact.append_collecting(digest)[1:])
        if not self.ledger.append(head, leaves, nodes):
            return None
        self._compact = compact
        with self._advanced:
            self._advanced.notify_all()
        return len(notifications)

    def catch_up(self, progress: Callable[[int], None] | None = None) -> int:
        """Append batches until the tree holds every event stored so far."""
        total = 0
        while appended := self.run_once():
            total += appended
            if progress is not None:
                progress(total)
        return total

    def lag(self) -> int:
        """Events stored but not yet in the tree (counted over notification ids)."""
        head = self.ledger.head()
        newest = int(self.app.recorder.max_notification_id() or 0)
        return max(newest - head.last_notification_id, 0)

    def wait_until(self, notification_id: int | None, timeout: float = 5.0) -> bool:
        """Wait until the tree holds the event ``notification_id``; False on timeout."""
        if notification_id is None:
            return True
        deadline = time.monotonic() + timeout
        while True:
            if self.ledger.head().last_notification_id >= notification_id:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self._advanced:
                self._advanced.wait(min(remaining, 0.05))

    def start(self, poll_interval: float = 0.5) -> None:
        """Follow the log in a daemon thread."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._follow, args=(poll_interval,), name="ledger-follower", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def run_forever(self, poll_interval: float = 0.5) -> None:
        """Follow the log in this thread until ``stop()``."""
        self._stopping.clear()
        self._follow(poll_interval)

    def _follow(self, poll_interval: float) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                appended = self.run_once()
                failures = 0
            except Exception:
                # The batch rolled back as a whole; retry it rather than skip an event.
                failures += 1
                logger.exception("ledger batch failed (attempt %d); will retry", failures)
                self._stopping.wait(min(poll_interval * 2**failures, 30.0))
                continue
            if appended < self.batch_size:
                self._stopping.wait(poll_interval)
