"""Counts of 主动公开 / 依申请公开 / 不予公开 items per agency, department and year
(000 §一(六)1: the office keeps statistics of the items by attribute).

An item counts under its current attribute, in the year it was formed. Re-marking, the office's
audit correction (000 §一(三)3), reclassification at the March review (002 Art 55) and lifting
an exemption (004 att.6 Art 12) move it between columns; an item not yet marked is not counted.
Revoked items still count: revocation does not change what the item was marked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
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


def _new_attribute(event: Any) -> str | None:
    """The attribute an event gives the item, or None when it leaves it unchanged."""
    kind = type(event)
    if kind is Item.AttributeMarked or kind is Item.AttributeAudited:
        return str(event.attribute.value)
    if kind is Item.ExemptionLifted:
        return PROACTIVE
    if kind is Item.AnnualReviewDecided and event.outcome is AnnualReviewOutcome.RECLASSIFIED:
        return PROACTIVE
    return None


RELEVANT: frozenset[type[DomainEvent]] = frozenset(
    {
        Item.Registered,
        Item.AttributeMarked,
        Item.AttributeAudited,
        Item.ExemptionLifted,
        Item.AnnualReviewDecided,
    }
)


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

    def handle(self, tx: Tx, event: DomainEvent, notification_id: int) -> None:
        self.handle_batch(tx, [(event, notification_id)])

    def handle_batch(self, tx: Tx, events: Sequence[Positioned]) -> None:
        relevant = [(key_of(e.originator_id), e) for e, _ in events if type(e) in RELEVANT]
        if not relevant:
            return
        created = {key for key, e in relevant if type(e) is Item.Registered}
        known = {key for key, _ in relevant} - created
        states: dict[str, list[Any]] = {
            row[0]: list(row)
            for row in fetch_in(
                tx,
                "SELECT item_id, agency_code, department, year, attribute "
                "FROM statistics_item_state",
                "item_id",
                known,
            )
        }
        before = {key: state[4] for key, state in states.items()}
        for key, event in relevant:
            if type(event) is Item.Registered:
                assert isinstance(event, Item.Registered)
                states[key] = [key, event.agency_code, event.department, event.on.year, None]
                continue
            attribute = _new_attribute(event)
            if attribute is not None:
                states[key][4] = attribute
        self._write(tx, states, before)

    def _write(self, tx: Tx, states: dict[str, list[Any]], before: dict[str, str | None]) -> None:
        deltas: Counter[Key] = Counter()
        written = []
        for key, (_, agency, department, year, attribute) in states.items():
            old = before.get(key)
            if key in before and old == attribute:
                continue
            written.append(states[key])
            if old is not None:
                deltas[(agency, department, year, old)] -= 1
            if attribute is not None:
                deltas[(agency, department, year, attribute)] += 1
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
