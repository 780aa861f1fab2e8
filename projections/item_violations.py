"""Violations in a disclosure item's history (domain.md §2): publication late or missing by the
agency's clock; published without a passed review or the leader's approval, or although
non-disclosable; the catalogue not following a change or revocation; a late reading-room
transfer; a March-review item undecided on 31 March.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from domain.base import Actor, DomainEvent
from domain.calendar import WorkingDayCalendar
from domain.codes import (
    AnnualReviewOutcome,
    Attribute,
    Channel,
    ReadingRoomMode,
    ReviewConclusion,
)
from domain.deadlines import ClockState, publication_clock
from domain.disclosure_item import NON_PUBLIC, DisclosureItem
from domain.policy import AgencyPolicy
from projections.violation_model import (
    CHINA,
    ONE_DAY,
    Conduct,
    EventRef,
    Kind,
    Objection,
    Violation,
    business_date,
    days_text,
    first_late_day,
    objections_in,
    replay,
)

Item = DisclosureItem


@dataclass
class _ItemContext:
    events: list[DomainEvent]
    states: list[DisclosureItem]
    refs: list[EventRef]
    policy: AgencyPolicy
    calendar: WorkingDayCalendar
    as_of: date
    objections: tuple[Objection, ...]

    @property
    def item(self) -> DisclosureItem:
        return self.states[-1]

    def violation(
        self,
        kind: Kind,
        citation: str,
        occurred_on: date,
        detail: str,
        evidence: Iterable[EventRef],
        problem: tuple[str, ...],
        conduct: Conduct,
    ) -> Violation:
        return Violation(
            kind,
            citation,
            self.item.id,
            "item",
            self.item.agency_code,
            occurred_on,
            detail,
            tuple(evidence),
            ("item", str(self.item.id), *problem),
            conduct,
            self.objections,
        )

    def next_index(self, start: int, *types: type[DomainEvent]) -> int | None:
        for index in range(start, len(self.events)):
            if isinstance(self.events[index], types):
                return index
        return None

    def state_on(self, day: date) -> DisclosureItem | None:
        """The item as its events dated up to `day` left it."""
        found = None
        for event, state in zip(self.events, self.states, strict=True):
            if business_date(event) > day:
                break
            found = state
        return found


def _starts_publication_clock(event: DomainEvent) -> bool:
    return (
        isinstance(event, (Item.Registered, Item.Changed, Item.ExemptionLifted))
        or (isinstance(event, Item.ConfidentialityReviewed) and event.publication_clock_starts)
        or (
            isinstance(event, Item.AnnualReviewDecided)
            and event.outcome is AnnualReviewOutcome.RECLASSIFIED
        )
    )


def _violations(ctx: _ItemContext) -> list[Violation]:
    found: list[Violation] = []
    clock_ref = ctx.refs[0]
    review_ref: EventRef | None = None
    approval_ref: EventRef | None = None
    for event, state, ref in zip(ctx.events, ctx.states, ctx.refs, strict=True):
        if _starts_publication_clock(event):
            clock_ref = ref
        if state.review is None:
            review_ref = None
        elif isinstance(event, Item.ConfidentialityReviewed):
            review_ref = ref
        if state.approval is None:
            approval_ref = None
        elif getattr(event, "approval", None) is state.approval:
            approval_ref = ref
        if isinstance(event, Item.Published):
            found += _publication_faults(ctx, event, state, ref, review_ref, approval_ref)
            found += _late_publication(ctx, event, state, ref, clock_ref, approval_ref)
    found += _unpublished(ctx, clock_ref)
    found += _catalogue_after_change(ctx)
    found += _catalogue_after_revocation(ctx)
    if Channel.READING_ROOM in ctx.policy.channels:
        found += _reading_room(ctx)
    found += _annual_review(ctx)
    return found


def _publication_faults(
    ctx: _ItemContext,
    event: Item.Published,
    state: DisclosureItem,
    ref: EventRef,
    review_ref: EventRef | None,
    approval_ref: EventRef | None,
) -> list[Violation]:
    faults = []
    non_disclosable = state.attribute is Attribute.NOT_DISCLOSED or state.review in (
        ReviewConclusion.EXEMPT,
        ReviewConclusion.REFER_UPWARD,
    )
    if state.attribute is Attribute.NOT_DISCLOSED:
        faults.append("the attribute is 不予公开")
    if state.review is None:
        faults.append("no confidentiality review")  # 先审查、后公开 (002 Art 8; 001 Art 8)
    elif state.review is not ReviewConclusion.PROACTIVE:
        faults.append(f"the confidentiality review concluded {state.review.value}")
    if state.approval is None:
        faults.append("no leader's approval")  # 002 Art 4; 003 Art 12(二)
    if not faults:
        return []
    if non_disclosable:  # 公开不应当公开的政府信息 (004 att.3 Art 5(五); att.11: 3 points)
        kind, citation = Kind.PUBLISHED_NOT_DISCLOSABLE, "004 att.3 Art 5(五); 004 att.6 Art 9"
    elif state.review is not ReviewConclusion.PROACTIVE:
        kind, citation = Kind.PUBLISHED_WITHOUT_REVIEW, "002 Art 8; 001 Art 8; 004 att.6 Art 3"
    else:
        kind, citation = Kind.PUBLISHED_WITHOUT_APPROVAL, "002 Art 4; 003 Art 12(二)"
    evidence = [r for r in (review_ref, approval_ref) if r is not None] + [ref]
    conduct = Conduct(
        event.actor,
        ref,
        state.approval,
        approval_ref,
        review_skipped=state.review is None,
    )
    detail = f"published on {event.on}: " + "; ".join(faults)
    problem = ("improper", str(ref.version))
    return [ctx.violation(kind, citation, event.on, detail, evidence, problem, conduct)]


def _late_publication(
    ctx: _ItemContext,
    event: Item.Published,
    state: DisclosureItem,
    ref: EventRef,
    clock_ref: EventRef,
    approval_ref: EventRef | None,
) -> list[Violation]:
    reading = publication_clock(state, ctx.policy, ctx.calendar, event.on)
    if reading.state is not ClockState.PUBLISHED or not reading.overdue:
        return []
    assert reading.due_on is not None
    # The late act was done on the leader's approval only if that approval itself came after
    # the deadline; an approval given in time leaves the delay to the one who published.
    approval = state.approval
    late_approval = approval is not None and approval.approved_on > reading.due_on
    conduct = Conduct(
        event.actor,
        ref,
        approval if late_approval else None,
        approval_ref if late_approval else None,
    )
    detail = (
        f"due {reading.due_on} ({ctx.policy.publication_days} working days from "
        f"{reading.started_on}), published {event.on}: "
        f"{days_text(reading.late_by_working_days)} late [{reading.calendar_version}]"
    )
    evidence = [clock_ref, *([approval_ref] if late_approval and approval_ref else []), ref]
    return [
        ctx.violation(
            Kind.LATE_PUBLICATION,
            ctx.policy.publication_citation,
            first_late_day(reading.due_on),
            detail,
            evidence,
            ("content", str(state.content_version)),
            conduct,
        )
    ]


def _unpublished(ctx: _ItemContext, clock_ref: EventRef) -> list[Violation]:
    item = ctx.item
    reading = publication_clock(item, ctx.policy, ctx.calendar, ctx.as_of)
    if reading.state is not ClockState.RUNNING or not reading.overdue:
        return []
    assert reading.due_on is not None
    if item.validity_on is not None and item.validity_on <= reading.due_on:
        return []  # revoked in time: nothing left to publish (003 Art 14)
    # 谁制作、谁公开 (000 §二(二); 003 Art 8): the official who formed the item holds the duty.
    conduct = Conduct(ctx.events[0].actor, ctx.refs[0])
    detail = (
        f"due {reading.due_on}, still unpublished on {ctx.as_of}: "
        f"{days_text(reading.late_by_working_days)} late [{reading.calendar_version}]"
    )
    return [
        ctx.violation(
            Kind.UNPUBLISHED_PAST_DUE,
            ctx.policy.publication_citation,
            first_late_day(reading.due_on),
            detail,
            [clock_ref],
            ("content", str(item.content_version)),
            conduct,
        )
    ]


def _catalogue_keeper(ctx: _ItemContext, before: int) -> tuple[Actor, EventRef]:
    for index in range(before - 1, -1, -1):
        if isinstance(ctx.events[index], Item.CatalogueRegistered):
            return ctx.events[index].actor, ctx.refs[index]
    return ctx.events[0].actor, ctx.refs[0]


def _catalogue_after_change(ctx: _ItemContext) -> list[Violation]:
    """003 Art 14: the catalogue follows a change, within the agency's publication clock."""
    found = []
    for index, event in enumerate(ctx.events):
        if not isinstance(event, Item.Changed) or ctx.states[index - 1].catalogued_version == 0:
            continue
        version = ctx.states[index].content_version
        end = ctx.next_index(index + 1, Item.CatalogueRegistered, Item.Changed, Item.ValidityEnded)
        before = ctx.states[end - 1] if end is not None else ctx.item
        until = business_date(ctx.events[end]) if end is not None else ctx.as_of
        if before.attribute is not Attribute.PROACTIVE:
            continue
        reading = publication_clock(before, ctx.policy, ctx.calendar, until)
        if reading.due_on is None or until <= reading.due_on:
            continue
        resolved = end is not None and isinstance(ctx.events[end], Item.CatalogueRegistered)
        what = f"registered {until}" if resolved else f"not registered by {until}"
        keeper, keeper_ref = _catalogue_keeper(ctx, index)
        evidence = [ctx.refs[index], *([ctx.refs[end]] if end is not None else [])]
        found.append(
            ctx.violation(
                Kind.CATALOGUE_NOT_UPDATED,
                "003 Art 14; 004 att.3 Art 5(二)",
                first_late_day(reading.due_on),
                f"changed {event.on}; the catalogue entry for version {version} was due "
                f"{reading.due_on} and {what}",
                evidence,
                ("content", str(version)),
                Conduct(keeper, keeper_ref),
            )
        )
    return found


def _catalogue_after_revocation(ctx: _ItemContext) -> list[Violation]:
    """The catalogue drops a revoked item when the revocation is recorded: recording it late
    left the item listed (003 Art 14; 004 att.3 Art 5(二))."""
    found = []
    for index, event in enumerate(ctx.events):
        if not isinstance(event, Item.ValidityEnded) or index == 0:
            continue
        listed = ctx.states[index - 1]
        if not (listed.catalogued_version and listed.attribute is Attribute.PROACTIVE):
            continue
        due = ctx.calendar.add_working_days(event.on, ctx.policy.publication_days)
        recorded = event.timestamp.astimezone(CHINA).date()
        if recorded <= due:
            continue
        found.append(
            ctx.violation(
                Kind.CATALOGUE_NOT_UPDATED,
                "003 Art 14; 004 att.3 Art 5(二)",
                first_late_day(due),
                f"{event.validity.value} on {event.on} but recorded only on {recorded}; the "
                f"catalogue listed the item past {due}",
                [ctx.refs[index]],
                ("validity", str(ctx.refs[index].version)),
                Conduct(event.actor, ctx.refs[index]),
            )
        )
    return found


def _reading_room(ctx: _ItemContext) -> list[Violation]:
    """002 Art 58, 61: an electronic copy to the reading room within 20 working days of
    forming, changing or abolishing (the agency's `reading_room_days`)."""
    found = []
    days = ctx.policy.reading_room_days
    electronic = [
        index
        for index, event in enumerate(ctx.events)
        if isinstance(event, Item.ReadingRoomTransferred)
        and event.mode is ReadingRoomMode.ELECTRONIC
    ]
    for index, event in enumerate(ctx.events):
        if isinstance(event, (Item.Registered, Item.Changed)):
            version = ctx.states[index].content_version
            published = [
                i
                for i, e in enumerate(ctx.events)
                if isinstance(e, Item.Published) and ctx.states[i].content_version == version
            ]
            if not published:
                continue  # never published: the publication clock reports it
            publisher, publisher_ref = ctx.events[published[0]].actor, ctx.refs[published[0]]
            scope = ("content", str(version))
            done = [i for i in electronic if ctx.states[i].content_version == version]
            superseded = ctx.next_index(index + 1, Item.Changed)
        elif isinstance(event, Item.ValidityEnded) and ctx.states[index - 1].is_published:
            publisher, publisher_ref = event.actor, ctx.refs[index]
            scope = ("validity", str(ctx.refs[index].version))
            done = [i for i in electronic if i > index]
            superseded = None
        else:
            continue
        due = ctx.calendar.add_working_days(event.on, days)
        if done:
            until = business_date(ctx.events[done[0]])
        else:
            until = business_date(ctx.events[superseded]) if superseded is not None else ctx.as_of
        if until <= due:
            continue
        what = f"transferred {until}" if done else f"not transferred by {until}"
        evidence = [ctx.refs[index], publisher_ref, *([ctx.refs[done[0]]] if done else [])]
        found.append(
            ctx.violation(
                Kind.READING_ROOM_LATE,
                "002 Art 58, 61",
                first_late_day(due),
                f"{type(event).__name__} {event.on}: electronic copy due {due} ({days} working "
                f"days), {what}",
                evidence,
                scope,
                Conduct(publisher, publisher_ref),
            )
        )
    return found


def _annual_review(ctx: _ItemContext) -> list[Violation]:
    """002 Art 55: by 31 March of Y, every item marked 依申请公开 / 不予公开 during Y-1 is
    reviewed and a decision recorded."""
    found = []
    for year in sorted({day.year + 1 for day in ctx.item.non_public_marks}):
        deadline = date(year, 3, 31)
        if ctx.as_of <= deadline:
            continue
        state = ctx.state_on(deadline)
        if (
            state is None
            or not state.marked_non_public_in(year - 1)
            or state.attribute not in NON_PUBLIC
            or year in state.annual_reviews
        ):
            continue
        marks = [
            index
            for index, event in enumerate(ctx.events)
            if isinstance(event, (Item.AttributeMarked, Item.AttributeAudited))
            and event.attribute in NON_PUBLIC
            and event.on.year == year - 1
        ]
        audits = [i for i in marks if isinstance(ctx.events[i], Item.AttributeAudited)]
        holder = (audits or marks)[-1]  # the disclosure office, else the marking official
        decided = [
            index
            for index, event in enumerate(ctx.events)
            if isinstance(event, Item.AnnualReviewDecided) and event.review_year == year
        ]
        what = (
            f"decided late on {business_date(ctx.events[decided[0]])}" if decided else "no decision"
        )
        found.append(
            ctx.violation(
                Kind.ANNUAL_REVIEW_UNDECIDED,
                "002 Art 55-56",
                deadline + ONE_DAY,
                f"marked non-public in {year - 1}; the {year} review was due by {deadline}: {what}",
                [ctx.refs[i] for i in marks + decided[:1]],
                ("annual_review", str(year)),
                Conduct(ctx.events[holder].actor, ctx.refs[holder]),
            )
        )
    return found


def item_violations(
    events: list[DomainEvent],
    policy: AgencyPolicy,
    calendar: WorkingDayCalendar,
    as_of: date,
) -> list[Violation]:
    """Every violation an item's history (already cut at `as_of`) shows."""
    ctx = _ItemContext(
        events,
        replay(events),
        [EventRef.of(e) for e in events],
        policy,
        calendar,
        as_of,
        objections_in(events),
    )
    return _violations(ctx)
