"""Counts of 主动公开 / 依申请公开 / 不予公开 items per agency, department and year
(000 §一(六)1: the office keeps statistics of the items by attribute).

An item counts under its current attribute, in the year it was formed. Re-marking, the office's
audit correction (000 §一(三)3), reclassification at the March review (002 Art 55) and lifting
an exemption (004 att.6 Art 12) move it between columns; an item not yet marked is not counted.
Revoked items still count: revocation does not change what the item was marked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from domain.base import DomainEvent
from domain.codes import AnnualReviewOutcome, Attribute
from domain.disclosure_item import DisclosureItem as Item
from projections.driver import Positioned
from projections.sql import fetch_in, key_of
from projections.store import Tx

PROACTIVE = Attribute.PROACTIVE.value
Key = tuple[str, str, int, str]  # agency, department, year, attribute


@dataclass(frozen=True, slots=True)
class AttributeCounts:
    agency_code: str
    department: str | None  # None when summed over departments
    year: int
    proactive: int
    on_request: int
    not_disclosed: int

    @property
    def total(self) -> int:
        return self.proactive + self.on_request + self.not_disclosed


_VALUES = {attribute: attribute.value for attribute in Attribute}  # no enum property per event


def _marked(event: Any) -> str:
    return _VALUES[event.attribute]  # 000 §一(三)2-3: marked, or corrected by the office


def _reviewed(event: Any) -> str | None:
    # 002 Art 55: reclassified to 主动公开 at the March review; a kept item stays where it is.
    return PROACTIVE if event.outcome is AnnualReviewOutcome.RECLASSIFIED else None


def _exemption_lifted(event: Any) -> str:
    return PROACTIVE  # 004 att.6 Art 12


# The attribute each event gives the item (None: unchanged).
NEW_ATTRIBUTE: dict[type[DomainEvent], Callable[[Any], str | None]] = {
    Item.AttributeMarked: _marked,
    Item.AttributeAudited: _marked,
    Item.AnnualReviewDecided: _reviewed,
    Item.ExemptionLifted: _exemption_lifted,
}
RELEVANT: frozenset[type[DomainEvent]] = frozenset({Item.Registered, *NEW_ATTRIBUTE})

_ItemState = tuple[str, str, int, str | None]  # agency, department, year formed, attribute


class Statistics:
    name = "statistics"
    version = 1

    def create(self, tx: Tx) -> None:
        tx.execute(
            "CREATE TABLE IF NOT EXISTS statistics_item_state (item_id TEXT PRIMARY KEY, "
            "agency_code TEXT NOT NULL, department TEXT NOT NULL, year INT NOT NULL, "
            "attribute TEXT)"
        )
        tx.execute(
            "CREATE TABLE IF NOT EXISTS statistics_counts (agency_code TEXT NOT NULL, "
            "department TEXT NOT NULL, year INT NOT NULL, attribute TEXT NOT NULL, "
            "items INT NOT NULL, PRIMARY KEY (agency_code, department, year, attribute))"
        )

    def drop(self, tx: Tx) -> None:
        tx.execute("DROP TABLE IF EXISTS statistics_counts")
        tx.execute("DROP TABLE IF EXISTS statistics_item_state")

    def wants(self, event_class: type) -> bool:
        """Whether this model folds events of `event_class` (the driver decodes no others)."""
        return event_class in RELEVANT

    def handle(self, tx: Tx, event: DomainEvent, notification_id: int) -> None:
        self.handle_batch(tx, [(event, notification_id)])

    def handle_batch(self, tx: Tx, events: Sequence[Positioned]) -> None:
        """Only each touched item's attribute before and after the batch matters: the batch
        moves it once, from the stored state (or from nowhere, when registered in the batch)."""
        batch = _BatchMoves()
        batch.fold(events)
        if batch.registered or batch.attributes:
            batch.read_stored(tx)
            batch.write(tx)


class _BatchMoves:
    """One batch's effect on the statistics, by item key."""

    def __init__(self) -> None:
        self.registered: dict[str, _ItemState] = {}
        self.attributes: dict[str, str] = {}  # the last attribute given in the batch
        self.stored: dict[str, _ItemState] = {}

    def fold(self, events: Sequence[Positioned]) -> None:
        registered, attributes = self.registered, self.attributes
        for event in [event for event, _ in events if type(event) in RELEVANT]:
            kind = type(event)
            if kind is Item.Registered:
                assert isinstance(event, Item.Registered)
                state = (event.agency_code, event.department, event.on.year, None)
                registered[key_of(event.originator_id)] = state
                continue
            attribute = NEW_ATTRIBUTE[kind](event)
            if attribute is not None:
                attributes[key_of(event.originator_id)] = attribute

    def read_stored(self, tx: Tx) -> None:
        """The stored state of the items the batch re-marks but did not register."""
        wanted = [key for key in self.attributes if key not in self.registered]
        for key, agency, department, year, attribute in fetch_in(
            tx,
            "SELECT item_id, agency_code, department, year, attribute FROM statistics_item_state",
            "item_id",
            wanted,
        ):
            self.stored[key] = (agency, department, int(year), attribute)
        if len(self.stored) != len(wanted):
            unknown = sorted(set(wanted) - set(self.stored))
            raise RuntimeError(f"statistics never saw these items registered: {unknown[:5]}")

    def write(self, tx: Tx) -> None:
        deltas: Counter[Key] = Counter()
        written = []
        for key, (agency, department, year, _) in self.registered.items():
            attribute = self.attributes.get(key)
            written.append((key, agency, department, year, attribute))
            if attribute is not None:
                deltas[(agency, department, year, attribute)] += 1
        for key, (agency, department, year, old) in self.stored.items():
            new = self.attributes[key]
            if new != old:
                written.append((key, agency, department, year, new))
                if old is not None:
                    deltas[(agency, department, year, old)] -= 1
                deltas[(agency, department, year, new)] += 1
        tx.executemany(
            "INSERT INTO statistics_item_state (item_id, agency_code, department, year, "
            "attribute) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (item_id) DO UPDATE SET attribute = excluded.attribute",
            written,
        )
        tx.executemany(
            "INSERT INTO statistics_counts (agency_code, department, year, attribute, items) "
            "VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (agency_code, department, year, attribute) "
            "DO UPDATE SET items = statistics_counts.items + excluded.items",
            [(*key, delta) for key, delta in deltas.items() if delta],
        )
        if any(delta < 0 for delta in deltas.values()):
            tx.execute("DELETE FROM statistics_counts WHERE items = 0")


# ---- queries -------------------------------------------------------------------------------


def counts(
    tx: Tx,
    *,
    agency: str | None = None,
    year: int | None = None,
    by_department: bool = True,
) -> list[AttributeCounts]:
    """Items per agency, year (formed) and, unless `by_department` is False, department."""
    group = "agency_code, year, department" if by_department else "agency_code, year"
    where: list[str] = []
    params: list[Any] = []
    if agency is not None:
        where.append("agency_code = ?")
        params.append(agency)
    if year is not None:
        where.append("year = ?")
        params.append(year)
    sums = ", ".join(
        f"SUM(CASE WHEN attribute = '{attribute.value}' THEN items ELSE 0 END)"
        for attribute in (Attribute.PROACTIVE, Attribute.ON_REQUEST, Attribute.NOT_DISCLOSED)
    )
    department = "department" if by_department else "NULL"
    sql = f"SELECT agency_code, {department}, year, {sums} FROM statistics_counts"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" GROUP BY {group} ORDER BY {group}"
    return [
        AttributeCounts(row[0], row[1], int(row[2]), int(row[3]), int(row[4]), int(row[5]))
        for row in tx.fetchall(sql, params)
    ]
