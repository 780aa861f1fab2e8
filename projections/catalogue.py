"""The public 政府信息公开目录 (catalogue) and its change feed for portals.

An item is listed while it has been published at least once, is in force, and its attribute is
主动公开. The listing shows what was published: after a change (变更) the entry keeps the last
published title until the new version is published (no unreviewed information goes online,
001 Art 8). Revocation and abolition remove the entry (003 Art 14: the catalogue follows
changes and revocations), and so does re-marking the item as not public, because publishing
what must not be published is a violation (004 att.3 Art 5). Nothing from requests is read.

Tables: `catalogue_entries` (public rows), `catalogue_search` (SQLite: FTS5 terms and filter
facets; PostgreSQL: the folded title, with the bigram posting lists in `catalogue_terms`),
`catalogue_feed` (one row per item: its latest change, keyed by the notification
id of that change), and `catalogue_item_state`, the fold state of every item including drafts
— used only to fill entries at publication, never served.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.base import DomainEvent
from domain.codes import AnnualReviewOutcome, Attribute, Validity
from domain.disclosure_item import DisclosureItem as Item
from domain.errors import UnknownAgency
from domain.policy import PolicyBook, default_policies
from projections.chinese_search import (
    MAX_QUERY_SEGMENTS,
    facet_token,
    index_terms,
    match_expression,
    segments,
)
from projections.driver import Positioned
from projections.sql import delete_in, fetch_in, id_key, key_of
from projections.store import Tx

ENTRY_COLUMNS = (
    "item_id",
    "doc_id",
    "agency_code",
    "issuing_body",
    "index_number",
    "title",
    "summary",
    "department",
    "document_number",
    "formed_on",
    "published_on",
    "year",
    "theme",
    "document_type",
    "channels",
    "validity",
    "interpretation_ref",
    "url",
)
STATE_COLUMNS = (
    "item_id",
    "agency_code",
    "title",
    "summary",
    "document_number",
    "department",
    "formed_on",
    "theme",
    "document_type",
    "attribute",
    "validity",
    "index_number",
    "public_title",
    "published_on",
    "channels",
    "url",
    "interpretation_ref",
    "doc_id",
)
MAX_PAGE = 200
PROACTIVE = Attribute.PROACTIVE.value
IN_FORCE = Validity.IN_FORCE.value


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    item_id: str
    doc_id: int
    agency_code: str
    issuing_body: str
    index_number: str | None
    title: str
    summary: str
    department: str
    document_number: str
    formed_on: date
    published_on: date
    year: int
    theme: str
    document_type: str
    channels: tuple[str, ...]
    validity: str
    interpretation_ref: str | None
    url: str

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> CatalogueEntry:
        values = dict(zip(ENTRY_COLUMNS, row, strict=True))
        values["formed_on"] = date.fromisoformat(values["formed_on"])
        values["published_on"] = date.fromisoformat(values["published_on"])
        values["channels"] = tuple(values["channels"].split(",")) if values["channels"] else ()
        return cls(**values)


@dataclass(frozen=True, slots=True)
class SearchPage:
    entries: list[CatalogueEntry]
    next_cursor: int | None  # pass as `cursor` for the next page; None on the last page


@dataclass(frozen=True, slots=True)
class CatalogueChange:
    cursor: int
    item_id: str
    op: str  # published | changed (upsert `entry`) — revoked | abolished | withdrawn (delete)
    entry: CatalogueEntry | None


@dataclass(frozen=True, slots=True)
class ChangePage:
    changes: list[CatalogueChange]
    next_cursor: int


class _ItemState:
    __slots__ = STATE_COLUMNS

    item_id: str
    agency_code: str
    title: str
    summary: str
    document_number: str
    department: str
    formed_on: str
    theme: str
    document_type: str
    attribute: str | None
    validity: str
    index_number: str | None
    public_title: str | None
    published_on: str | None
    channels: str
    url: str
    interpretation_ref: str | None
    doc_id: int

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> _ItemState:
        state = cls.__new__(cls)
        (
            state.item_id,
            state.agency_code,
            state.title,
            state.summary,
            state.document_number,
            state.department,
            state.formed_on,
            state.theme,
            state.document_type,
            state.attribute,
            state.validity,
            state.index_number,
            state.public_title,
            state.published_on,
            state.channels,
            state.url,
            state.interpretation_ref,
            state.doc_id,
        ) = row
        return state

    @classmethod
    def registered(cls, key: str, event: Item.Registered) -> _ItemState:
        return cls.from_row(
            (
                key,
                event.agency_code,
                event.title,
                event.summary,
                event.document_number,
                event.department,
                event.on.isoformat(),
                event.theme,
                event.document_type.value,
                None,
                IN_FORCE,
                None,
                None,
                None,
                "",
                "",
                None,
                0,
            )
        )

    def row(self) -> tuple[Any, ...]:
        return (
            self.item_id,
            self.agency_code,
            self.title,
            self.summary,
            self.document_number,
            self.department,
            self.formed_on,
            self.theme,
            self.document_type,
            self.attribute,
            self.validity,
            self.index_number,
            self.public_title,
            self.published_on,
            self.channels,
            self.url,
            self.interpretation_ref,
            self.doc_id,
        )

    def view(self) -> tuple[Any, ...] | None:
        """What the public sees of this item, or None while it is not listed."""
        if self.public_title is None or self.validity != IN_FORCE or self.attribute != PROACTIVE:
            return None
        return (
            self.public_title,
            self.index_number,
            self.published_on,
            self.channels,
            self.url,
            self.interpretation_ref,
        )


def _set_attribute(state: _ItemState, event: Any) -> None:
    state.attribute = event.attribute.value


def _reclassify(state: _ItemState, event: Any) -> None:
    if event.outcome is AnnualReviewOutcome.RECLASSIFIED:  # 002 Art 55-56
        state.attribute = PROACTIVE


def _lift(state: _ItemState, event: Any) -> None:
    state.attribute = PROACTIVE  # 004 att.6 Art 12


def _change(state: _ItemState, event: Any) -> None:
    if event.title:
        state.title = event.title  # a draft until published (001 Art 8)


def _publish(state: _ItemState, event: Any) -> None:
    state.public_title = state.title
    state.published_on = event.on.isoformat()
    state.channels = ",".join(channel.value for channel in event.channels)
    state.url = event.url


def _register(state: _ItemState, event: Any) -> None:
    state.index_number = event.index_number  # 003 Art 12(四)


def _end_validity(state: _ItemState, event: Any) -> None:
    state.validity = event.validity.value  # 003 Art 14


def _link(state: _ItemState, event: Any) -> None:
    state.interpretation_ref = event.interpretation_ref  # 004 att.4 §五


FOLDS: dict[type[DomainEvent], Callable[[_ItemState, Any], None]] = {
    Item.AttributeMarked: _set_attribute,
    Item.AttributeAudited: _set_attribute,
    Item.AnnualReviewDecided: _reclassify,
    Item.ExemptionLifted: _lift,
    Item.Changed: _change,
    Item.Published: _publish,
    Item.CatalogueRegistered: _register,
    Item.ValidityEnded: _end_validity,
    Item.InterpretationLinked: _link,
}


RELEVANT = frozenset({Item.Registered, *FOLDS})


def _change_op(
    before: tuple[Any, ...] | None, after: tuple[Any, ...] | None, state: _ItemState
) -> str:
    if before is None:
        return "published"
    if after is not None:
        return "changed"
    return state.validity if state.validity != IN_FORCE else "withdrawn"


class Catalogue:
    name = "catalogue"
    version = 1  # bump when the terms of `chinese_search` change: the index must be rebuilt

    def __init__(self, policies: PolicyBook | None = None) -> None:
        self._policies = policies or default_policies()
        self._issuers: dict[str, str] = {}

    # ---- schema ------------------------------------------------------------------------------

    def create(self, tx: Tx) -> None:
        tx.execute(
            "CREATE TABLE IF NOT EXISTS catalogue_item_state ("
            "item_id TEXT PRIMARY KEY, agency_code TEXT NOT NULL, title TEXT NOT NULL, "
            "summary TEXT NOT NULL, document_number TEXT NOT NULL, department TEXT NOT NULL, "
            "formed_on TEXT NOT NULL, theme TEXT NOT NULL, document_type TEXT NOT NULL, "
            "attribute TEXT, validity TEXT NOT NULL, index_number TEXT, public_title TEXT, "
            "published_on TEXT, channels TEXT NOT NULL, url TEXT NOT NULL, "
            "interpretation_ref TEXT, doc_id BIGINT NOT NULL)"
        )
        tx.execute(
            "CREATE TABLE IF NOT EXISTS catalogue_entries ("
            "item_id TEXT PRIMARY KEY, doc_id BIGINT NOT NULL UNIQUE, agency_code TEXT NOT NULL, "
            "issuing_body TEXT NOT NULL, index_number TEXT, title TEXT NOT NULL, "
            "summary TEXT NOT NULL, department TEXT NOT NULL, document_number TEXT NOT NULL, "
            "formed_on TEXT NOT NULL, published_on TEXT NOT NULL, year INT NOT NULL, "
            "theme TEXT NOT NULL, document_type TEXT NOT NULL, channels TEXT NOT NULL, "
            "validity TEXT NOT NULL, interpretation_ref TEXT, url TEXT NOT NULL)"
        )
        tx.execute(
            f"CREATE TABLE IF NOT EXISTS catalogue_feed (seq {id_key(tx)}, "
            "item_id TEXT NOT NULL UNIQUE, op TEXT NOT NULL)"
        )
        if tx.dialect == "sqlite":
            tx.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS catalogue_search "
                "USING fts5(terms, facets, columnsize=0, tokenize='unicode61')"
            )
            return
        # PostgreSQL: the same bigram terms as posting lists in a B-tree (byte order, so a
        # one-character query is a range scan), the folded title to confirm adjacency, and
        # the filters as indexed columns (docs/projections.md, "Searching Chinese titles").
        tx.execute(
            "CREATE TABLE IF NOT EXISTS catalogue_search ("
            "doc_id BIGINT PRIMARY KEY, folded TEXT NOT NULL)"
        )
        tx.execute(
            "CREATE TABLE IF NOT EXISTS catalogue_terms ("
            'term TEXT COLLATE "C" NOT NULL, doc_id BIGINT NOT NULL, PRIMARY KEY (term, doc_id))'
        )
        tx.execute("CREATE INDEX IF NOT EXISTS catalogue_terms_doc ON catalogue_terms (doc_id)")
        for column in ("agency_code", "department", "theme", "year"):
            tx.execute(
                f"CREATE INDEX IF NOT EXISTS catalogue_entries_{column} "
                f"ON catalogue_entries ({column}, doc_id)"
            )

    def drop(self, tx: Tx) -> None:
        for table in (
            "catalogue_search",
            "catalogue_terms",
            "catalogue_feed",
            "catalogue_entries",
            "catalogue_item_state",
        ):
            tx.execute(f"DROP TABLE IF EXISTS {table}")

    # ---- folding -----------------------------------------------------------------------------

    def handle(self, tx: Tx, event: DomainEvent, notification_id: int) -> None:
        self.handle_batch(tx, [(event, notification_id)])

    def handle_batch(self, tx: Tx, events: Sequence[Positioned]) -> None:
        relevant = [(key_of(e.originator_id), e, nid) for e, nid in events if type(e) in RELEVANT]
        if not relevant:
            return
        created = {key for key, e, _ in relevant if type(e) is Item.Registered}
        known = {key for key, _, _ in relevant} - created
        states = {
            row[0]: _ItemState.from_row(row)
            for row in fetch_in(
                tx, f"SELECT {', '.join(STATE_COLUMNS)} FROM catalogue_item_state", "item_id", known
            )
        }
        listed_doc = {key: state.doc_id for key, state in states.items() if state.view()}
        changes: dict[str, tuple[int, str]] = {}
        for key, event, nid in relevant:
            if type(event) is Item.Registered:
                states[key] = _ItemState.registered(key, event)
                continue
            state = states[key]
            before = state.view()
            FOLDS[type(event)](state, event)
            after = state.view()
            if after is not None and (before is None or type(event) is Item.Published):
                state.doc_id = nid  # ordering key: newest publication first
            if before != after:
                changes[key] = (nid, _change_op(before, after, state))
        self._write(tx, states, listed_doc, changes)

    def _write(
        self,
        tx: Tx,
        states: dict[str, _ItemState],
        listed_doc: dict[str, int],
        changes: dict[str, tuple[int, str]],
    ) -> None:
        updates = ", ".join(f"{c} = excluded.{c}" for c in STATE_COLUMNS[1:])
        tx.executemany(
            f"INSERT INTO catalogue_item_state ({', '.join(STATE_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(STATE_COLUMNS))}) "
            f"ON CONFLICT (item_id) DO UPDATE SET {updates}",
            [state.row() for state in states.values()],
        )
        now = {key: state for key, state in states.items() if state.view() is not None}
        gone = [key for key in listed_doc if key not in now]
        stale_docs = [
            doc for key, doc in listed_doc.items() if key not in now or now[key].doc_id != doc
        ]
        fresh = [s for key, s in now.items() if key in changes or listed_doc.get(key) != s.doc_id]
        delete_in(tx, "catalogue_entries", "item_id", gone)
        self._unindex(tx, stale_docs)
        entry_updates = ", ".join(f"{c} = excluded.{c}" for c in ENTRY_COLUMNS[1:])
        tx.executemany(
            f"INSERT INTO catalogue_entries ({', '.join(ENTRY_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(ENTRY_COLUMNS))}) "
            f"ON CONFLICT (item_id) DO UPDATE SET {entry_updates}",
            [self._entry_row(state) for state in fresh],
        )
        self._index(tx, [s for s in fresh if listed_doc.get(s.item_id) != s.doc_id])
        tx.executemany(
            "INSERT INTO catalogue_feed (seq, item_id, op) VALUES (?, ?, ?) "
            "ON CONFLICT (item_id) DO UPDATE SET seq = excluded.seq, op = excluded.op",
            [(seq, key, op) for key, (seq, op) in changes.items()],
        )

    def _entry_row(self, state: _ItemState) -> tuple[Any, ...]:
        return (
            state.item_id,
            state.doc_id,
            state.agency_code,
            self._issuer(state.agency_code),
            state.index_number,
            state.public_title,
            state.summary,
            state.department,
            state.document_number,
            state.formed_on,
            state.published_on,
            int(state.formed_on[:4]),
            state.theme,
            state.document_type,
            state.channels,
            state.validity,
            state.interpretation_ref,
            state.url,
        )

    def _issuer(self, agency_code: str) -> str:
        issuer = self._issuers.get(agency_code)
        if issuer is None:
            try:
                issuer = self._policies.get(agency_code).name
            except UnknownAgency:
                issuer = agency_code
            self._issuers[agency_code] = issuer
        return issuer

    def _unindex(self, tx: Tx, docs: list[int]) -> None:
        if tx.dialect == "sqlite":
            delete_in(tx, "catalogue_search", "rowid", docs)
            return
        delete_in(tx, "catalogue_terms", "doc_id", docs)
        delete_in(tx, "catalogue_search", "doc_id", docs)

    def _index(self, tx: Tx, states: list[_ItemState]) -> None:
        if tx.dialect == "sqlite":
            tx.executemany(
                "INSERT INTO catalogue_search (rowid, terms, facets) VALUES (?, ?, ?)",
                [(s.doc_id, index_terms(s.public_title or ""), _facets(s)) for s in states],
            )
            return
        tx.executemany(
            "INSERT INTO catalogue_search (doc_id, folded) VALUES (?, ?)",
            [(s.doc_id, " ".join(segments(s.public_title or ""))) for s in states],
        )
        tx.executemany(
            "INSERT INTO catalogue_terms (term, doc_id) VALUES (?, ?)",
            [
                (term, s.doc_id)
                for s in states
                for term in sorted(set(index_terms(s.public_title or "").split()))
            ],
        )


def _facets(state: _ItemState) -> str:
    tokens = [
        facet_token("a", state.agency_code),
        facet_token("d", state.department),
        facet_token("y", int(state.formed_on[:4])),
    ]
    if state.theme:
        tokens.append(facet_token("t", state.theme))
    return " ".join(tokens)


# ---- queries -------------------------------------------------------------------------------


def get_entry(tx: Tx, item_id: str) -> CatalogueEntry | None:
    row = tx.fetchone(
        f"SELECT {', '.join(ENTRY_COLUMNS)} FROM catalogue_entries WHERE item_id = ?",
        (str(item_id),),
    )
    return CatalogueEntry.from_row(row) if row else None


def search(
    tx: Tx,
    q: str | None = None,
    *,
    agency: str | None = None,
    department: str | None = None,
    theme: str | None = None,
    year: int | None = None,
    limit: int = 20,
    offset: int = 0,
    cursor: int | None = None,
) -> SearchPage:
    """Newest publication first. `q` matches titles containing each of its words (any length,
    Chinese or not); filters are exact; `year` is the year formed (as in the index number).
    Page with `cursor` (the previous page's `next_cursor`) or with `offset`."""
    limit = max(1, min(limit, MAX_PAGE))
    if q is not None and not segments(q):
        return SearchPage([], None)
    filters = {"a": agency, "d": department, "t": theme, "y": year}
    if tx.dialect == "sqlite" and (q or any(v is not None for v in filters.values())):
        rows = _search_fts(tx, q, filters, limit, offset, cursor)
    elif q:
        rows = _search_terms(tx, q, filters, limit, offset, cursor)
    else:
        rows = _search_portable(tx, q, filters, limit, offset, cursor)
    entries = [CatalogueEntry.from_row(row) for row in rows]
    return SearchPage(entries, entries[-1].doc_id if len(entries) == limit else None)


def _search_fts(
    tx: Tx,
    q: str | None,
    filters: dict[str, str | int | None],
    limit: int,
    offset: int,
    cursor: int | None,
) -> list[tuple[Any, ...]]:
    parts = []
    text = match_expression(q) if q else None
    if text:
        parts.append(f"terms : ({text})")
    facets = [facet_token(kind, value) for kind, value in filters.items() if value is not None]
    if facets:
        parts.append(f"facets : ({' AND '.join(facets)})")
    columns = ", ".join(f"e.{column}" for column in ENTRY_COLUMNS)
    sql = (
        f"SELECT {columns} FROM catalogue_search s "
        "JOIN catalogue_entries e ON e.doc_id = s.rowid WHERE catalogue_search MATCH ?"
    )
    params: list[Any] = [" AND ".join(parts)]
    if cursor is not None:
        sql += " AND s.rowid < ?"
        params.append(cursor)
    sql += " ORDER BY s.rowid DESC LIMIT ? OFFSET ?"
    return tx.fetchall(sql, [*params, limit, offset])


# Posting lists intersected per query word; the folded-title LIKE then confirms adjacency, so a
# long word needs only a few of its bigrams to narrow the rows.
MAX_TERMS_PER_WORD = 4


def _search_terms(
    tx: Tx,
    q: str,
    filters: dict[str, str | int | None],
    limit: int,
    offset: int,
    cursor: int | None,
) -> list[tuple[Any, ...]]:
    """PostgreSQL: every word of `q` as bigram posting lists (B-tree) plus a substring check on
    the folded title — the same matches as the FTS5 phrase query."""
    columns = {"a": "agency_code", "d": "department", "t": "theme", "y": "year"}
    where: list[str] = []
    params: list[Any] = []
    for word in segments(q)[:MAX_QUERY_SEGMENTS]:
        if len(word) == 1:
            # Every character of a title starts one of its terms (chinese_search.index_terms).
            where.append(
                "e.doc_id IN (SELECT doc_id FROM catalogue_terms WHERE term >= ? AND term < ?)"
            )
            params.extend([word, chr(ord(word) + 1)])
            continue
        bigrams = list(dict.fromkeys(word[i : i + 2] for i in range(len(word) - 1)))
        step = max(1, len(bigrams) // MAX_TERMS_PER_WORD)
        for bigram in bigrams[::step][:MAX_TERMS_PER_WORD]:
            where.append("e.doc_id IN (SELECT doc_id FROM catalogue_terms WHERE term = ?)")
            params.append(bigram)
        where.append("s.folded LIKE ?")
        params.append(f"%{word}%")  # letters and digits only: no LIKE wildcard from input
    for kind, value in filters.items():
        if value is not None:
            where.append(f"e.{columns[kind]} = ?")
            params.append(value)
    if cursor is not None:
        where.append("e.doc_id < ?")
        params.append(cursor)
    selected = ", ".join(f"e.{column}" for column in ENTRY_COLUMNS)
    sql = (
        f"SELECT {selected} FROM catalogue_entries e "
        "JOIN catalogue_search s ON s.doc_id = e.doc_id "
        f"WHERE {' AND '.join(where)} ORDER BY e.doc_id DESC LIMIT ? OFFSET ?"
    )
    return tx.fetchall(sql, [*params, limit, offset])


def _search_portable(
    tx: Tx,
    q: str | None,
    filters: dict[str, str | int | None],
    limit: int,
    offset: int,
    cursor: int | None,
) -> list[tuple[Any, ...]]:
    columns = {"a": "agency_code", "d": "department", "t": "theme", "y": "year"}
    where: list[str] = []
    params: list[Any] = []
    for word in segments(q or ""):
        where.append("LOWER(title) LIKE ?")
        params.append(f"%{word}%")
    for kind, value in filters.items():
        if value is not None:
            where.append(f"{columns[kind]} = ?")
            params.append(value)
    if cursor is not None:
        where.append("doc_id < ?")
        params.append(cursor)
    sql = f"SELECT {', '.join(ENTRY_COLUMNS)} FROM catalogue_entries"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY doc_id DESC LIMIT ? OFFSET ?"
    return tx.fetchall(sql, [*params, limit, offset])


def changes_since(tx: Tx, cursor: int = 0, limit: int = 100) -> ChangePage:
    """The catalogue's changes after `cursor`, oldest first, one per item (its latest).

    Cursors are notification ids, so they stay valid across rebuilds; gaps are normal. Apply
    `published`/`changed` as upserts of `entry` and the rest as deletions, then ask again from
    `next_cursor`."""
    limit = max(1, min(limit, MAX_PAGE * 5))
    columns = ", ".join(f"e.{column}" for column in ENTRY_COLUMNS)
    rows = tx.fetchall(
        f"SELECT f.seq, f.item_id, f.op, {columns} FROM catalogue_feed f "
        "LEFT JOIN catalogue_entries e ON e.item_id = f.item_id "
        "WHERE f.seq > ? ORDER BY f.seq LIMIT ?",
        (cursor, limit),
    )
    changes = [
        CatalogueChange(
            int(row[0]),
            str(row[1]),
            str(row[2]),
            CatalogueEntry.from_row(row[3:]) if row[3] is not None else None,
        )
        for row in rows
    ]
    return ChangePage(changes, changes[-1].cursor if changes else cursor)
