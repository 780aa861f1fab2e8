"""Number sequences (index numbers 索引号, request registration numbers) per agency and year.

One aggregate per sequence with a deterministic id, saved in the same transaction as the
aggregate that takes a number: two writers taking the same number conflict, never duplicate.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from domain.base import CreationEvent, DomainEvent, LedgerAggregate


def sequence_id(kind: str, agency_code: str, year: int) -> UUID:
    return uuid5(NAMESPACE_URL, f"gongkai:sequence:{kind}:{agency_code}:{year}")


class NumberSequence(LedgerAggregate):
    kind: str
    agency_code: str
    year: int
    last: int

    class Started(CreationEvent):
        kind: str
        agency_code: str
        year: int

        def apply(self, sequence: NumberSequence) -> None:
            sequence.kind = self.kind
            sequence.agency_code = self.agency_code
            sequence.year = self.year
            sequence.last = 0

    class NumberTaken(DomainEvent):
        number: int
        taken_by: UUID

        def apply(self, sequence: NumberSequence) -> None:
            sequence.last = self.number

    def take(self, actor: object, taken_by: UUID) -> int:
        event = self.trigger(self.NumberTaken, actor=actor, number=self.last + 1, taken_by=taken_by)
        return event.number


NumberSequence.Started.aggregate_class = NumberSequence
