"""Accountability (责任追究): violations found in an aggregate's events, and who bears them.

Pure functions over event histories, the agency's policy and the working-day calendar, computed
on demand per aggregate (`assess`) or per agency (`assess_agency`). There is no incremental
table: half of the violations are omissions that appear with no event (a deadline passes), so a
table would need a re-scan every day anyway; one aggregate's history is tens of events.

Violations (each with the events that prove it, and a `problem` key: one problem is deducted
once by the evaluation, 004 att.11 备注 2):
- publication late or still missing by the agency's clock; published without a passed
  confidentiality review or the leader's approval, or although non-disclosable;
- a request answered late or still open past its due date; a reply without legal basis, reasons
  or remedy; an extension over the limit, repeated, late or unapproved; a fee above the ceiling;
- the catalogue not following a change or revocation within the clock; a late reading-room
  transfer; a March-review item undecided on 31 March; a late annual report.
The domain refuses most of these acts, so they appear only in imported or irregular histories;
they are detected all the same.

Responsibility (`attribute`, 002 Art 64; 004 att.3 Art 6) reads the act, its approval and the
objections recorded on the aggregate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from uuid import UUID

from domain.annual_report_record import AnnualReportRecord, ReportLevel
from domain.base import Actor, DomainEvent
from domain.calendar import WorkingDayCalendar
from domain.disclosure_item import DisclosureItem
from domain.disclosure_request import DisclosureRequest
from domain.policy import AgencyPolicy, ObjectionPolicy, PolicyBook
from projections.item_violations import item_violations
from projections.request_violations import annual_report_violations, request_violations
from projections.violation_model import (
    CHINA,
    KIND_LABELS,
    SHARE_LABELS,
    Attribution,
    Conduct,
    EventRef,
    Kind,
    Objection,
    Responsibility,
    Share,
    Violation,
    business_date,
    objections_in,
    prefix,
)

__all__ = [
    "CHINA",
    "KIND_LABELS",
    "SHARE_LABELS",
    "Attribution",
    "Conduct",
    "EventRef",
    "Kind",
    "Objection",
    "Responsibility",
    "Share",
    "Violation",
    "agency_of",
    "assess",
    "assess_agency",
    "attribute",
    "business_date",
    "detect",
    "objections_in",
]

Item = DisclosureItem
Request = DisclosureRequest


# ---- entry points -------------------------------------------------------------------------


def agency_of(events: Sequence[DomainEvent]) -> str | None:
    """The agency an aggregate belongs to, read from its creation event."""
    first = events[0] if events else None
    if isinstance(first, (Item.Registered, Request.Received)):
        return first.agency_code
    if isinstance(first, AnnualReportRecord.Opened) and first.level is ReportLevel.AGENCY:
        return first.subject
    return None


def detect(
    events: Sequence[DomainEvent],
    policy: AgencyPolicy,
    calendar: WorkingDayCalendar,
    as_of: date,
) -> list[Violation]:
    """Every violation one aggregate's history shows, as things stood on `as_of`."""
    history = prefix(events, as_of)
    if not history:
        return []
    first = history[0]
    if isinstance(first, Item.Registered):
        return item_violations(history, policy, calendar, as_of)
    if isinstance(first, Request.Received):
        return request_violations(history, policy, calendar, as_of)
    if isinstance(first, AnnualReportRecord.Opened):
        return annual_report_violations(history, as_of)
    return []


def _dated_by(objection: EventRef, act: EventRef) -> bool:
    return objection.on is not None and act.on is not None and objection.on <= act.on


def _responsibility(actor: Actor, share: Share, reason: str, *refs: EventRef) -> Responsibility:
    return Responsibility(
        actor.official_id, actor.role.value, actor.department, share, reason, refs
    )


def attribute(violation: Violation, objection_policy: ObjectionPolicy) -> Attribution:
    """Who bears a violation, and how much (002 Art 64; 004 att.3 Art 6).

    `objection_policy` is the agency's: NONE reads 004 att.3 Art 6, REDUCED reads 002 Art 64.
    """
    conduct = violation.conduct
    handler, act = conduct.handler, conduct.handler_ref
    approval = conduct.approval
    if conduct.review_skipped:
        # 不履行保密审查程序 → 直接承办人承担全部责任 (004 att.3 Art 6(一)).
        full = _responsibility(handler, Share.FULL, "acted without the confidentiality review", act)
        return Attribution(violation, "review_skipped", "004 att.3 Art 6(一); 002 Art 8", (full,))
    unapproved = (
        approval is None
        or conduct.approval_ref is None
        or approval.approver.role not in conduct.approver_roles
        or approval.approver.official_id == handler.official_id
    )
    if unapproved:
        # 未经主管领导审核批准 → 承办人承担全部责任 (004 att.3 Art 6(一); 002 Art 64(一)).
        reason = "acted without the leader's approval"
        if approval is not None:
            reason += f" ({approval.approver.official_id} cannot approve this act)"
        full = _responsibility(handler, Share.FULL, reason, act)
        return Attribution(violation, "no_approval", "004 att.3 Art 6(一); 002 Art 64(一)", (full,))
    assert approval is not None and conduct.approval_ref is not None
    approval_ref = conduct.approval_ref
    # An objection counts if it names the instruction and is dated no later than the act.
    objected = {
        o.official_id: o
        for o in violation.objections
        if o.objected_version == approval_ref.version and _dated_by(o.ref, act)
    }
    if approval.collective and approval.members:
        return _collective(violation, objection_policy, objected)
    leader = _responsibility(
        approval.approver, Share.MAIN, "approved the act (审核批准)", approval_ref
    )
    objection = objected.get(handler.official_id)
    if objection is None:
        share, reason = Share.SECONDARY, "acted on the leader's approval"
        citation = "004 att.3 Art 6(二); 002 Art 64(二)"
    elif objection_policy is ObjectionPolicy.NONE:
        share, reason = Share.NONE, "objected to the leader's instruction (提出异议)"
        citation = "004 att.3 Art 6(二)"
    else:
        share, reason = Share.REDUCED, "objected to the leader's instruction (提出正确意见)"
        citation = "002 Art 64(二)"
    refs = (act, *((objection.ref,) if objection else ()))
    rule = "objection" if objection else "leader_approval"
    return Attribution(
        violation, rule, citation, (leader, _responsibility(handler, share, reason, *refs))
    )


def _collective(
    violation: Violation, objection_policy: ObjectionPolicy, objected: Mapping[str, Objection]
) -> Attribution:
    conduct = violation.conduct
    approval, approval_ref = conduct.approval, conduct.approval_ref
    assert approval is not None and approval_ref is not None
    principal = approval.approver
    shares = [
        _responsibility(principal, Share.MAIN, "chaired the collective decision", approval_ref)
    ]
    handler = conduct.handler
    follows_002 = objection_policy is ObjectionPolicy.REDUCED
    citation = "002 Art 64(三)" if follows_002 else "004 att.3 Art 6(三)"
    members = [m for m in approval.members if m != principal.official_id]
    for member in members:
        if follows_002 and member == handler.official_id:
            continue  # the handler's own share follows
        objection = objected.get(member) if follows_002 else None
        share = Share.REDUCED if objection else Share.SECONDARY
        reason = "objected in the meeting" if objection else "member of the leadership collective"
        refs = (approval_ref, *((objection.ref,) if objection else ()))
        shares.append(
            Responsibility(member, "collective_member", principal.department, share, reason, refs)
        )
    if handler.official_id != principal.official_id:
        if follows_002:
            # 002 Art 64(三): 主要领导和承办人承担主要责任; an objection may reduce it.
            objection = objected.get(handler.official_id)
            share = Share.REDUCED if objection else Share.MAIN
            reason = "objected to the decision" if objection else "carried out the decision"
            refs = (conduct.handler_ref, *((objection.ref,) if objection else ()))
            shares.append(_responsibility(handler, share, reason, *refs))
        elif handler.official_id not in members:
            # 004 att.3 Art 6(三) names only the principal leader and the other members.
            shares.append(
                _responsibility(
                    handler,
                    Share.NONE,
                    "carried out a collective decision (not named by 004 att.3 Art 6(三))",
                    conduct.handler_ref,
                )
            )
    return Attribution(violation, "collective", citation, tuple(shares))


def assess(
    events: Sequence[DomainEvent],
    policies: PolicyBook,
    calendar: WorkingDayCalendar,
    as_of: date,
) -> list[Attribution]:
    """Violations of one aggregate with their attribution."""
    agency = agency_of(events)
    if agency is None or agency not in policies:
        return []
    policy = policies.get(agency)
    return [attribute(v, policy.objection_policy) for v in detect(events, policy, calendar, as_of)]


def assess_agency(
    histories: Mapping[UUID, Sequence[DomainEvent]],
    agency_code: str,
    policies: PolicyBook,
    calendar: WorkingDayCalendar,
    as_of: date,
) -> list[Attribution]:
    """Every violation of an agency's aggregates, oldest first."""
    found = [
        attribution
        for events in histories.values()
        if agency_of(events) == agency_code
        for attribution in assess(events, policies, calendar, as_of)
    ]
    return sorted(found, key=lambda a: (a.violation.occurred_on, str(a.violation.aggregate_id)))
