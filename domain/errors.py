"""Domain errors. Each refusal names the rule it enforces and the seed article behind it."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""


class RuleViolation(DomainError):
    """A command was refused because it breaks a rule of the seeds or the Regulation.

    `rule` is a stable machine-readable identifier, `citation` the seed article
    (e.g. "002 Art 8"), `detail` a sentence for people; `field` names the input at fault.
    Messages never include applicant personal data.
    """

    def __init__(self, rule: str, citation: str, detail: str, field: str | None = None):
        super().__init__(f"{detail} [{rule}; {citation}]")
        self.rule = rule
        self.citation = citation
        self.detail = detail
        self.field = field


class NotFound(DomainError):
    def __init__(self, kind: str, identifier: object):
        super().__init__(f"{kind} {identifier} not found")
        self.kind = kind
        self.identifier = identifier


class ConcurrentWrite(DomainError):
    """Another writer saved the aggregate first (optimistic concurrency): HTTP 409."""

    def __init__(self, aggregate_id: object):
        super().__init__(
            f"aggregate {aggregate_id} was changed by another writer; reload and retry"
        )
        self.aggregate_id = aggregate_id


class StaleVersion(DomainError):
    """The caller's expected version (If-Match) is not the current one: HTTP 412."""

    def __init__(self, aggregate_id: object, expected: int, actual: int):
        super().__init__(f"aggregate {aggregate_id} is at version {actual}, not {expected}")
        self.aggregate_id = aggregate_id
        self.expected = expected
        self.actual = actual


class CalendarYearUnknown(DomainError):
    """The working-day calendar has no holiday schedule for a year: fail loudly, never guess."""

    def __init__(self, year: int):
        super().__init__(
            f"no State Council holiday schedule is loaded for {year}; add it to the calendar "
            f"data file (see docs/operations.md) before computing deadlines in {year}"
        )
        self.year = year


class UnknownAgency(DomainError):
    def __init__(self, code: str):
        super().__init__(f"agency {code!r} has no policy configured")
        self.code = code
