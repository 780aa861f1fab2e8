"""The public 政府信息公开目录 (catalogue) and its change feed for portals.

An item is listed while it has been published at least once, is in force, and its attribute is
主动公开. The listing shows what was published: after a change (变更) the entry keeps the last
published title until the new version is published (no unreviewed information goes online,
001 Art 8). Revocation and abolition remove the entry (003 Art 14: the catalogue follows
changes and revocations), and so does re-marking the item as not public, because publishing
what must not be published is a violation (004 att.3 Art 5). Nothing from requests is read.

Tables: `catalogue_items`, the fold state of every item including drafts — one row per item,
written once per batch that touches it — read only through two views: `catalogue_entries`
(the public rows: listed items, `listed = 1`) and `catalogue_feed` (each item's latest listing
change, keyed by the notification id of that change); and `catalogue_search` (SQLite: FTS5
terms and filter facets; PostgreSQL: the folded title and the bigram terms under a GIN index of
their `tsvector`). One row per item instead of a state, an entry and a feed row: half the
rows to write per batch (docs/projections.md has the numbers).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import islice
from operator import attrgetter
from typing import Any
from uuid import UUID

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
    tsquery_expression,
)
from projections.driver import Positioned
from projections.sql import delete_in, fetch_in, key_of
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
# An entry's columns, then the fold's own: `title` is the published title (NULL until the first
# publication), `draft_title` the current title while it differs (001 Art 8), `doc_id` 0 until
# first listed, `feed_seq`/`feed_op` NULL until the listing first changes.
ITEM_COLUMNS = (*ENTRY_COLUMNS, "draft_title", "attribute", "listed", "feed_seq", "feed_op")
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
    __slots__ = ITEM_COLUMNS

    item_id: str
    doc_id: int
    agency_code: str
    issuing_body: str
    index_number: str | None
    title: str | None
    summary: str
    department: str
    document_number: str
    formed_on: str
    published_on: str | None
    year: int
    theme: str
    document_type: str
    channels: str
    validity: str
    interpretation_ref: str | None
    url: str
    draft_title: str | None
    attribute: str | None
    listed: int
    feed_seq: int | None
    feed_op: str | None

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> _ItemState:
        state = cls.__new__(cls)
        for column, value in zip(ITEM_COLUMNS, row, strict=True):
            setattr(state, column, value)
        return state

    @classmethod
    def registered(cls, key: str, event: Item.Registered, issuing_body: str) -> _ItemState:
        state = cls.__new__(cls)
        state.item_id = key
        state.doc_id = 0
        state.agency_code = event.agency_code
        state.issuing_body = issuing_body
        state.index_number = None
        state.title = None
        state.summary = event.summary
        state.department = event.department
        state.document_number = event.document_number
        state.formed_on = event.on.isoformat()
        state.published_on = None
        state.year = event.on.year
        state.theme = event.theme
        state.document_type = event.document_type.value
        state.channels = ""
        state.validity = IN_FORCE
        state.interpretation_ref = None
        state.url = ""
        state.draft_title = event.title
        state.attribute = None
        state.listed = 0
        state.feed_seq = None
        state.feed_op = None
        return state

    def view(self) -> tuple[Any, ...] | None:
        """What the public sees of this item, or None while it is not listed."""
        if self.title is None or self.validity != IN_FORCE or self.attribute != PROACTIVE:
            return None
        return (
            self.title,
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
    if event.title:  # a draft until published (001 Art 8)
        state.draft_title = event.title if event.title != state.title else None


def _publish(state: _ItemState, event: Any) -> None:
    if state.draft_title is not None:
        state.title, state.draft_title = state.draft_title, None
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
_row = attrgetter(*ITEM_COLUMNS)  # a state as the row to write


def _change_op(
    before: tuple[Any, ...] | None, after: tuple[Any, ...] | None, state: _ItemState
) -> str:
    if before is None:
        return "published"
    if after is not None:
        return "changed"
    return state.validity if state.validity != IN_FORCE else "withdrawn"


def _fold(state: _ItemState, event: Any, nid: int) -> None:
    """One event into the item's state; a change of what the public sees moves the item's feed
    row to this notification, and a new listing or publication its ordering key."""
    fold = FOLDS[type(event)]
    if state.title is None and fold is not _publish:
        fold(state, event)  # never published: not listed before nor after
        return
    before = state.view()
    fold(state, event)
    after = state.view()
    if before == after:
        return
    if after is not None and (before is None or fold is _publish):
        state.doc_id = nid  # ordering key: newest publication first
    state.feed_seq, state.feed_op = nid, _change_op(before, after, state)


class _StateCache:
    """Item states kept between batches, so that a rebuild reads none of its own rows back.

    They stand for the table only while the model's committed position (`projection_tracking`,
    moved by the driver in the batch's transaction) is the one this instance wrote last: a
    rollback, another driver's batch or a reset in between changes it, and the cache starts
    over. Bounded: the oldest half goes when full."""

    LIMIT = 10_000

    def __init__(self) -> None:
        self._states: dict[int, _ItemState] = {}
        self._position: int | None = None

    def valid(self, tx: Tx, name: str) -> dict[int, _ItemState]:
        row = tx.fetchone("SELECT position FROM projection_tracking WHERE name = ?", (name,))
        if row is None or self._position is None or int(row[0]) != self._position:
            self._states.clear()
        self._position = None  # unknown until this batch has been written
        return self._states

    def written(self, position: int) -> None:
        """The batch ending at `position` is written (committed with the driver's position)."""
        excess = len(self._states) - self.LIMIT
        if excess > 0:
            for number in list(islice(self._states, excess + self.LIMIT // 2)):
                del self._states[number]
        self._position = position


class Catalogue:
    name = "catalogue"
    # 2: one `catalogue_items` row per item behind the `catalogue_entries`/`catalogue_feed` views.
    # 3: PostgreSQL searches a GIN index of the terms' `tsvector`, built once caught up, instead
    # of ~20 `catalogue_terms` rows per title (docs/projections.md, "Searching Chinese titles").
    # Bump when the terms of `chinese_search` change: the index must be rebuilt.
    version = 3

    def __init__(self, policies: PolicyBook | None = None) -> None:
        self._policies = policies or default_policies()
        self._issuers: dict[str, str] = {}
        self._cache = _StateCache()

    # ---- schema ------------------------------------------------------------------------------

    def create(self, tx: Tx) -> None:
        tx.execute(
            "CREATE TABLE IF NOT EXISTS catalogue_items ("
            "item_id TEXT PRIMARY KEY, doc_id BIGINT NOT NULL, agency_code TEXT NOT NULL, "
            "issuing_body TEXT NOT NULL, index_number TEXT, title TEXT, summary TEXT NOT NULL, "
            "department TEXT NOT NULL, document_number TEXT NOT NULL, formed_on TEXT NOT NULL, "
            "published_on TEXT, year INT NOT NULL, theme TEXT NOT NULL, "
            "document_type TEXT NOT NULL, channels TEXT NOT NULL, validity TEXT NOT NULL, "
            "interpretation_ref TEXT, url TEXT NOT NULL, draft_title TEXT, attribute TEXT, "
            "listed INT NOT NULL, feed_seq BIGINT, feed_op TEXT)"
        )
        view = "CREATE VIEW IF NOT EXISTS" if tx.dialect == "sqlite" else "CREATE OR REPLACE VIEW"
        tx.execute(
            f"{view} catalogue_entries AS SELECT {', '.join(ENTRY_COLUMNS)} "
            "FROM catalogue_items WHERE listed = 1"
        )
        tx.execute(
            f"{view} catalogue_feed AS SELECT feed_seq AS seq, item_id, feed_op AS op "
            "FROM catalogue_items WHERE feed_seq IS NOT NULL"
        )
        if tx.dialect == "sqlite":
            tx.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS catalogue_search "
                "USING fts5(terms, facets, columnsize=0, tokenize='unicode61')"
            )
            return
        # PostgreSQL: the same bigram terms as FTS5's, indexed as a `tsvector` once caught up
        # (`create_indexes`), the folded title to confirm a word, and the filters as indexed
        # columns (docs/projections.md, "Searching Chinese titles").
        tx.execute(
            "CREATE TABLE IF NOT EXISTS catalogue_search ("
            "doc_id BIGINT PRIMARY KEY, folded TEXT NOT NULL, terms TEXT NOT NULL, "
            "lexemes TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED)"
        )

    def create_indexes(self, tx: Tx) -> None:
        """The queries' indexes, over listed items only; after a reset the driver builds them
        once the model has caught up (one sort instead of an update per batch)."""
        tx.execute(
            "CREATE INDEX IF NOT EXISTS catalogue_items_listed "
            "ON catalogue_items (doc_id) WHERE listed = 1"
        )
        tx.execute(
            "CREATE INDEX IF NOT EXISTS catalogue_items_feed "
            "ON catalogue_items (feed_seq) WHERE feed_seq IS NOT NULL"
        )
        if tx.dialect == "postgres":  # the search terms and filters (SQLite: in FTS5)
            # One GIN build, not a row per term: the catalogue's rebuild of 200,000 events took
            # 2.9–3.45 s instead of 4.3–4.8 s with a (term, doc_id) B-tree.
            tx.execute(
                "CREATE INDEX IF NOT EXISTS catalogue_search_terms "
                "ON catalogue_search USING gin (lexemes)"
            )
            for column in ("agency_code", "department", "theme", "year"):
                tx.execute(
                    f"CREATE INDEX IF NOT EXISTS catalogue_items_{column} "
                    f"ON catalogue_items ({column}, doc_id) WHERE listed = 1"
                )
            # Fresh statistics for the planner: without them a common one-character word
            # (通) took 35 ms instead of 0.7 ms, until autovacuum would have analysed the tables.
            tx.execute("ANALYZE catalogue_items")
            tx.execute("ANALYZE catalogue_search")

    def drop(self, tx: Tx) -> None:
        # Version 1 kept `catalogue_entries` and `catalogue_feed` as tables.
        for name in ("catalogue_feed", "catalogue_entries"):
            _drop_table_or_view(tx, name)
        # `catalogue_terms`: version 2's posting rows on PostgreSQL.
        for table in ("catalogue_search", "catalogue_terms", "catalogue_items"):
            tx.execute(f"DROP TABLE IF EXISTS {table}")
        tx.execute("DROP TABLE IF EXISTS catalogue_item_state")  # version 1

    # ---- folding -----------------------------------------------------------------------------

    def wants(self, event_class: type) -> bool:
        """Whether this model folds events of `event_class` (the driver decodes no others)."""
        return event_class in RELEVANT

    def handle(self, tx: Tx, event: DomainEvent, notification_id: int) -> None:
        self.handle_batch(tx, [(event, notification_id)])

    def handle_batch(self, tx: Tx, events: Sequence[Positioned]) -> None:
        if not events:
            return
        cached = self._cache.valid(tx, self.name)
        states, missing, steps = self._gather(events, cached)
        if states or missing:
            states.update(_read_states(tx, missing))
            cached.update(states)
            indexed = {number: s.doc_id for number, s in states.items() if s.listed}
            for number, event, nid in steps:
                _fold(states[number], event, nid)
            self._write(tx, states, indexed)
        self._cache.written(events[-1][1])

    def _gather(
        self, events: Sequence[Positioned], cached: dict[int, _ItemState]
    ) -> tuple[dict[int, _ItemState], dict[int, UUID], list[tuple[int, Any, int]]]:
        """One pass over the batch: the states of the items it touches, by the id's integer —
        created by their `Registered` (first in an item's log) or taken from the cache —, the
        items to read from the table, and the events to fold."""
        states: dict[int, _ItemState] = {}
        missing: dict[int, UUID] = {}
        steps: list[tuple[int, Any, int]] = []
        for event, nid in events:
            kind = type(event)
            if kind not in RELEVANT:
                continue
            originator = event.originator_id
            number = originator.int
            if kind is Item.Registered:
                states[number] = self._registered(originator, event)
                continue
            if number not in states:
                state = cached.get(number)
                if state is None:
                    missing[number] = originator
                else:
                    states[number] = state
            steps.append((number, event, nid))
        return states, missing, steps

    def _registered(self, originator: UUID, event: Any) -> _ItemState:
        return _ItemState.registered(key_of(originator), event, self._issuer(event.agency_code))

    def _write(self, tx: Tx, states: dict[int, _ItemState], indexed: dict[int, int]) -> None:
        """Each touched item's row once; the search index follows the listing: documents that
        left it or were republished go, the new ones come in ascending order."""
        for state in states.values():
            state.listed = 1 if state.view() is not None else 0
        updates = ", ".join(f"{c} = excluded.{c}" for c in ITEM_COLUMNS[1:])
        tx.executemany(
            f"INSERT INTO catalogue_items ({', '.join(ITEM_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(ITEM_COLUMNS))}) "
            f"ON CONFLICT (item_id) DO UPDATE SET {updates}",
            [_row(state) for state in states.values()],
        )
        listed = {number: s for number, s in states.items() if s.listed}
        stale = [
            doc
            for number, doc in indexed.items()
            if number not in listed or listed[number].doc_id != doc
        ]
        fresh = [s for number, s in listed.items() if indexed.get(number) != s.doc_id]
        self._unindex(tx, stale)
        # FTS5 flushes its pending terms whenever a rowid is not above the last one written:
        # out of order, a batch's inserts cost five times as much (measured).
        self._index(tx, sorted(fresh, key=attrgetter("doc_id")))

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
        delete_in(tx, "catalogue_search", "doc_id", docs)

    def _index(self, tx: Tx, states: list[_ItemState]) -> None:
        if tx.dialect == "sqlite":
            tx.executemany(
                "INSERT INTO catalogue_search (rowid, terms, facets) VALUES (?, ?, ?)",
                [(s.doc_id, index_terms(s.title or ""), _facets(s)) for s in states],
            )
            return
        tx.executemany(
            "INSERT INTO catalogue_search (doc_id, folded, terms) VALUES (?, ?, ?)",
            [
                (s.doc_id, " ".join(segments(s.title or "")), index_terms(s.title or ""))
                for s in states
            ],
        )


def _facets(state: _ItemState) -> str:
    tokens = [
        facet_token("a", state.agency_code),
        facet_token("d", state.department),
        facet_token("y", state.year),
    ]
    if state.theme:
        tokens.append(facet_token("t", state.theme))
    return " ".join(tokens)


def _read_states(tx: Tx, missing: dict[int, UUID]) -> dict[int, _ItemState]:
    select = f"SELECT {', '.join(ITEM_COLUMNS)} FROM catalogue_items"
    rows = fetch_in(tx, select, "item_id", [key_of(originator) for originator in missing.values()])
    return {UUID(row[0]).int: _ItemState.from_row(row) for row in rows}


def _drop_table_or_view(tx: Tx, name: str) -> None:
    if tx.dialect == "sqlite":
        row = tx.fetchone("SELECT type FROM sqlite_master WHERE name = ?", (name,))
        kind = str(row[0]).upper() if row else None
    else:
        row = tx.fetchone(
            "SELECT table_type FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_name = ?",
            (name,),
        )
        kind = "VIEW" if row and row[0] == "VIEW" else ("TABLE" if row else None)
    if kind in ("VIEW", "TABLE"):
        tx.execute(f"DROP {kind} {name}")


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


def _search_terms(
    tx: Tx,
    q: str,
    filters: dict[str, str | int | None],
    limit: int,
    offset: int,
    cursor: int | None,
) -> list[tuple[Any, ...]]:
    """PostgreSQL: the words of `q` as one text-search query over the titles' bigram terms
    (the GIN index `catalogue_search_terms`), each word of two characters or more confirmed by
    a substring check on the folded title — the same matches as the FTS5 phrase query."""
    columns = {"a": "agency_code", "d": "department", "t": "theme", "y": "year"}
    where = ["s.lexemes @@ to_tsquery('simple', ?)"]
    params: list[Any] = [tsquery_expression(q)]
    for word in segments(q)[:MAX_QUERY_SEGMENTS]:
        if len(word) > 1:
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
    rows = tx.fetchall(
        f"SELECT feed_seq, feed_op, listed, {', '.join(ENTRY_COLUMNS)} FROM catalogue_items "
        "WHERE feed_seq > ? ORDER BY feed_seq LIMIT ?",
        (cursor, limit),
    )
    changes = [
        CatalogueChange(
            int(row[0]),
            str(row[3]),
            str(row[1]),
            CatalogueEntry.from_row(row[3:]) if row[2] == 1 else None,
        )
        for row in rows
    ]
    return ChangePage(changes, changes[-1].cursor if changes else cursor)
