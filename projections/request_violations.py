"""Violations in a request's history (domain.md §3) and in an annual-report record: a reply late
or still missing, a reply without basis, reasons or remedy, an irregular extension, a fee above
the ceiling; an annual report published late.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from domain.annual_report_record import AnnualReportRecord, ReportLevel
from domain.base import DomainEvent
from domain.calendar import WorkingDayCalendar
from domain.codes import LEADERS, Role
from domain.deadlines import request_clock
from domain.disclosure_request import DisclosureRequest
from domain.fees import maximum_fee
from domain.policy import AgencyPolicy
from projections.violation_model import (
    EXTENSION_APPROVERS,
    Conduct,
    EventRef,
    Kind,
    Violation,
    business_date,
    days_text,
    first_late_day,
    objections_in,
    replay,
)

Request = DisclosureRequest


def request_violations(
    events: list[DomainEvent],
    policy: AgencyPolicy,
    calendar: WorkingDayCalendar,
    as_of: date,
) -> list[Violation]:
    """Every violation a request's history (already cut at `as_of`) shows."""
    states: list[DisclosureRequest] = replay(events)
    refs = [EventRef.of(e) for e in events]
    request = states[-1]
    objections = objections_in(events)
    found: list[Violation] = []

    def violation(
        kind: Kind,
        citation: str,
        occurred_on: date,
        detail: str,
        evidence: Iterable[EventRef],
        problem: str,
        conduct: Conduct,
    ) -> Violation:
        return Violation(
            kind,
            citation,
            request.id,
            "request",
            request.agency_code,
            occurred_on,
            detail,
            tuple(evidence),
            ("request", str(request.id), problem),
            conduct,
            objections,
        )

    clock_ref, extension_ref = refs[0], None
    for index, (event, state, ref) in enumerate(zip(events, states, refs, strict=True)):
        before = states[index - 1] if index else None
        if isinstance(event, Request.Corrected):
            clock_ref = ref  # the Regulation Art 30: the clock restarts on the correction
        elif isinstance(event, Request.Extended) and before is not None:
            extension_ref = ref
            faults = []
            if before.extension_days:
                faults.append("a second extension")
            if event.days > policy.extension_days:
                faults.append(f"{event.days} working days, over the {policy.extension_days} limit")
            due = request_clock(before, policy, calendar, event.on).due_on
            if due is not None and event.on > due:
                faults.append(f"decided {event.on}, after the period ended {due}")
            approver = event.approval.approver
            approved = (
                approver.role in EXTENSION_APPROVERS
                and approver.official_id != event.actor.official_id
            )
            if not approved:
                faults.append("not approved by the head of the disclosure office")
            if faults:
                found.append(
                    violation(
                        Kind.EXTENSION_IRREGULAR,
                        f"{policy.reply_citation}; the Regulation Art 33",
                        event.on,
                        "extension: " + "; ".join(faults),
                        [ref],
                        "handling",
                        Conduct(
                            event.actor,
                            ref,
                            event.approval if approved else None,
                            ref if approved else None,
                            approver_roles=EXTENSION_APPROVERS,
                        ),
                    )
                )
        elif isinstance(event, Request.FeeNoticed) and before is not None:
            ceiling = maximum_fee(event.basis, event.count)
            faults = []
            if event.amount > ceiling:
                faults.append(
                    f"{event.amount} yuan for {event.count} ({event.basis.value}), "
                    f"ceiling {ceiling}"
                )
            if before.fee_amount is not None:
                faults.append("a second fee notice (per application or per page, never both)")
            if faults:
                found.append(
                    violation(
                        Kind.FEE_ABOVE_STANDARD,
                        "the Regulation Art 42; 004 att.3 Art 5(三); 002 Art 40",
                        event.on,
                        "fee: " + "; ".join(faults),
                        [ref],
                        "fee",
                        Conduct(event.actor, ref),
                    )
                )
        elif isinstance(event, Request.Replied):
            missing = [
                name
                for name in ("legal_basis", "reasons", "remedy")
                if not str(getattr(event, name, "") or "").strip()
            ]
            if missing:
                found.append(
                    violation(
                        Kind.REPLY_INCOMPLETE,
                        "002 Art 39",
                        event.on,
                        "the reply lacks: " + ", ".join(missing),
                        [ref],
                        "handling",
                        Conduct(event.actor, ref),
                    )
                )
            reading = request_clock(state, policy, calendar, event.on)
            if reading.overdue and reading.due_on is not None:
                found.append(
                    violation(
                        Kind.REPLY_LATE,
                        policy.reply_citation,
                        first_late_day(reading.due_on),
                        f"due {reading.due_on}, answered {event.on}: "
                        f"{days_text(reading.late_by_working_days)} late "
                        f"[{reading.calendar_version}]",
                        [clock_ref, *([extension_ref] if extension_ref else []), ref],
                        "handling",
                        Conduct(event.actor, ref),
                    )
                )
    if not request.is_closed:
        reading = request_clock(request, policy, calendar, as_of)
        if reading.overdue and reading.due_on is not None:
            due = reading.due_on
            # The official who held the file at the deadline: the last handling step by
            # anyone but a leader (an approval is not handling) or the system.
            handling = [
                i
                for i, e in enumerate(events)
                if business_date(e) <= due
                and e.actor.role not in LEADERS | {Role.SYSTEM, Role.INVESTIGATOR}
                and not isinstance(e, Request.ObjectionRecorded)
            ]
            holder = handling[-1] if handling else 0
            found.append(
                violation(
                    Kind.REQUEST_OVERDUE,
                    policy.reply_citation,
                    first_late_day(due),
                    f"due {due}, still unanswered on {as_of}: "
                    f"{days_text(reading.late_by_working_days)} late "
                    f"[{reading.calendar_version}]",
                    [clock_ref, *([extension_ref] if extension_ref else [])],
                    "handling",
                    Conduct(events[holder].actor, refs[holder]),
                )
            )
    return found


# ---- annual report ------------------------------------------------------------------------


def annual_report_violations(events: list[DomainEvent], as_of: date) -> list[Violation]:
    """004 att.9 Art 3: an agency publishes its report on year Y by 31 January of Y+1."""
    record: AnnualReportRecord = replay(events)[-1]
    if record.level is not ReportLevel.AGENCY:
        return []
    deadline = record.deadline
    published = [e for e in events if isinstance(e, AnnualReportRecord.ReportPublished)]
    holder: DomainEvent
    if published:
        if published[0].on <= deadline:
            return []
        holder = published[0]
        detail = f"report on {record.year} due {deadline}, published {published[0].on}"
    elif as_of > deadline:
        holder = events[-1]
        detail = f"report on {record.year} due {deadline}, unpublished on {as_of}"
    else:
        return []
    return [
        Violation(
            Kind.ANNUAL_REPORT_LATE,
            "004 att.9 Art 3",
            record.id,
            "annual_report",
            record.subject,
            first_late_day(deadline),
            detail,
            tuple(EventRef.of(e) for e in [events[0], *published[:1]]),
            ("annual_report", str(record.id)),
            Conduct(holder.actor, EventRef.of(holder)),
        )
    ]
