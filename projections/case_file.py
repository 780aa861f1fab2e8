"""The case file (案卷) for an item, a request or an official: timeline, violations, attribution
and the raw events, as JSON and as a printable HTML page.

The applicant's personal data (the Regulation Art 29; 004 att.2 Art 3-4: name, identity
document, organisation, address, contact, and what they asked for) is redacted by default —
from the raw events and, as text, from every other field. Only an investigator (纪检监察,
004 att.3 Art 4) may ask for it (`personal_data_for`), and the file then says who asked.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson

from domain.application import GongkaiLedger
from domain.base import Actor, DomainEvent
from domain.calendar import WorkingDayCalendar
from domain.codes import Role
from domain.disclosure_request import DisclosureRequest
from domain.policy import PolicyBook
from projections.accountability import (
    SHARE_LABELS,
    Attribution,
    EventRef,
    assess,
)
from projections.investigation import (
    PERSONAL_FIELDS,
    actions_of,
    describe,
    load_histories,
    owner,
)

REDACTED = "［已隐去 redacted］"


@dataclass(frozen=True, slots=True)
class Subject:
    kind: str  # item | request | official
    key: str  # aggregate id, or official id
    start: date | None = None
    end: date | None = None

    @classmethod
    def aggregate(cls, aggregate_id: UUID, kind: str = "item") -> Subject:
        return cls(kind, str(aggregate_id))

    @classmethod
    def official(cls, official_id: str, start: date, end: date) -> Subject:
        return cls("official", official_id, start, end)


def _ref(ref: EventRef) -> dict[str, Any]:
    return {
        "aggregate_id": str(ref.aggregate_id),
        "version": ref.version,
        "event": ref.event_type,
        "on": ref.on.isoformat() if ref.on else None,
        "recorded_at": ref.recorded_at.isoformat(),
    }


def _attribution(attribution: Attribution) -> dict[str, Any]:
    v = attribution.violation
    return {
        "violation": {
            "kind": v.kind.value,
            "label": v.label,
            "citation": v.citation,
            "aggregate_id": str(v.aggregate_id),
            "aggregate_type": v.aggregate_type,
            "agency_code": v.agency_code,
            "occurred_on": v.occurred_on.isoformat(),
            "detail": v.detail,
            "evidence": [_ref(r) for r in v.evidence],
        },
        "rule": attribution.rule,
        "citation": attribution.citation,
        "shares": [
            {
                "official_id": s.official_id,
                "role": s.role,
                "department": s.department,
                "share": s.share.value,
                "share_zh": SHARE_LABELS[s.share],
                "reason": s.reason,
                "evidence": [_ref(r) for r in s.evidence],
            }
            for s in attribution.shares
        ],
    }


def _entry(event: DomainEvent, raw: Mapping[str, Any], capacity: str) -> dict[str, Any]:
    return {
        **_ref(EventRef.of(event)),
        "official_id": event.actor.official_id,
        "role": event.actor.role.value,
        "department": event.actor.department,
        "capacity": capacity,
        "summary": describe(raw["event"], raw),  # from the (redacted) raw event
    }


def _raw(event: DomainEvent, reveal: bool) -> dict[str, Any]:
    data = event.model_dump(mode="json")
    data["event"] = type(event).__name__
    if isinstance(event, DisclosureRequest.Received) and not reveal:
        data["applicant"] = {"applicant_type": event.applicant.applicant_type.value}
        for name in PERSONAL_FIELDS - {"applicant"}:
            if data.get(name):
                data[name] = REDACTED
    return data


def _personal_strings(events: Sequence[DomainEvent]) -> list[str]:
    found: set[str] = set()
    for event in events:
        if isinstance(event, DisclosureRequest.Received):
            a = event.applicant
            values = (a.name, a.id_document, a.organisation, a.address, a.contact)
            found.update(v for v in (*values, event.description, event.purpose) if len(v) >= 2)
    return sorted(found, key=len, reverse=True)  # longest first: no half-replaced values


def _scrub(value: Any, secrets: Sequence[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, list):
        return [_scrub(v, secrets) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, secrets) for k, v in value.items()}
    return value


def build_case_file(
    histories: Mapping[UUID, Sequence[DomainEvent]],
    subject: Subject,
    policies: PolicyBook,
    calendar: WorkingDayCalendar,
    as_of: date,
    generated_at: datetime,
    personal_data_for: Actor | None = None,
) -> dict[str, Any]:
    """The case file as JSON-ready data (`to_json`, `to_html` render it)."""
    if personal_data_for is not None and personal_data_for.role is not Role.INVESTIGATOR:
        raise PermissionError("only a discipline inspector (纪检监察) may see applicant data")
    reveal = personal_data_for is not None
    if subject.kind == "official":
        assert subject.start is not None and subject.end is not None
        actions = actions_of(histories, subject.key, subject.start, subject.end)
        by_ref = {(e.originator_id, e.originator_version): e for h in histories.values() for e in h}
        chosen = [(by_ref[(a.ref.aggregate_id, a.ref.version)], a.capacity) for a in actions]
        involved = {a.ref.aggregate_id for a in actions}
        attributions = [
            a
            for key in involved
            for a in assess(histories[key], policies, calendar, as_of)
            if any(s.official_id == subject.key for s in a.shares)
            and subject.start <= a.violation.occurred_on <= subject.end
        ]
    else:
        events = list(histories[UUID(subject.key)])
        chosen = [(e, "") for e in events]
        involved = {UUID(subject.key)}
        attributions = assess(events, policies, calendar, as_of)
    raw = [_raw(e, reveal) for e, _ in chosen]
    secrets = [] if reveal else _personal_strings([e for k in involved for e in histories[k]])
    raw = [_scrub(r, secrets) for r in raw]
    agency = owner(histories[UUID(subject.key)]) if subject.kind != "official" else None
    period = (
        [subject.start.isoformat(), subject.end.isoformat()]
        if subject.start and subject.end
        else None
    )
    shown = f"shown to {personal_data_for.official_id}" if personal_data_for else "redacted"
    case = {
        "subject": {
            "kind": subject.kind,
            "key": subject.key,
            "agency_code": agency,
            "period": period,
        },
        "as_of": as_of.isoformat(),
        "generated_at": generated_at.isoformat(),
        "calendar_version": calendar.version,
        "personal_data": shown,
        "timeline": [_entry(e, r, c) for (e, c), r in zip(chosen, raw, strict=True)],
        "violations": [_attribution(a) for a in attributions],
        "raw_events": raw,
    }
    scrubbed: dict[str, Any] = _scrub(case, secrets)
    return scrubbed


def case_file(
    app: GongkaiLedger,
    subject: Subject,
    as_of: date,
    personal_data_for: Actor | None = None,
) -> dict[str, Any]:
    """`build_case_file` from the application: one aggregate's history, or for an official
    the whole log (one pass over the events)."""
    if subject.kind == "official":
        histories = load_histories(app)
    else:
        histories = {UUID(subject.key): app.history(UUID(subject.key))}
    return build_case_file(
        histories,
        subject,
        app.policies,
        app.calendar,
        as_of,
        app.clock(),
        personal_data_for,
    )


def to_json(case: Mapping[str, Any]) -> bytes:
    return orjson.dumps(case, option=orjson.OPT_INDENT_2)


def _cells(values: Sequence[Any]) -> str:
    return "".join(f"<td>{html.escape(str(v if v is not None else ''))}</td>" for v in values)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(f"<tr>{_cells(r)}</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _refs_text(refs: Sequence[Mapping[str, Any]]) -> str:
    return "; ".join(f"{r['aggregate_id'][:8]}…@{r['version']} {r['event']}" for r in refs)


STYLE = """
body{font-family:"Noto Serif CJK SC","Songti SC",serif;margin:2em;color:#111}
h1{font-size:1.4em}h2{font-size:1.1em;border-bottom:1px solid #444;margin-top:1.6em}
table{border-collapse:collapse;width:100%;font-size:.85em}
th,td{border:1px solid #999;padding:3px 5px;vertical-align:top;text-align:left}
pre{white-space:pre-wrap;font-size:.75em;background:#f6f6f6;padding:.5em}
.meta{font-size:.85em;color:#333}
@media print{body{margin:0}h2{page-break-after:avoid}tr,pre{page-break-inside:avoid}
.raw{page-break-before:always}}
"""


def to_html(case: Mapping[str, Any]) -> str:
    """A printable page; every value is escaped."""
    subject = case["subject"]
    title = f"案卷 Case file — {subject['kind']} {subject['key']}"
    meta = _table(
        ["as of 截至", "generated 生成", "calendar 日历", "personal data 个人信息"],
        [
            [
                case["as_of"],
                case["generated_at"],
                case["calendar_version"],
                case["personal_data"],
            ]
        ],
    )
    timeline = _table(
        ["日期 on", "记录 recorded", "对象 aggregate", "版本", "人员 official", "角色", "事项"],
        [
            [
                t["on"],
                t["recorded_at"][:19],
                t["aggregate_id"][:8],
                t["version"],
                t["official_id"],
                t["role"] + (f" / {t['capacity']}" if t["capacity"] else ""),
                t["summary"],
            ]
            for t in case["timeline"]
        ],
    )
    violations = _table(
        ["违规 violation", "依据 source", "发生 occurred", "说明 detail", "证据 evidence"],
        [
            [
                f"{v['violation']['label']} ({v['violation']['kind']})",
                v["violation"]["citation"],
                v["violation"]["occurred_on"],
                v["violation"]["detail"],
                _refs_text(v["violation"]["evidence"]),
            ]
            for v in case["violations"]
        ],
    )
    shares = _table(
        [
            "违规 violation",
            "人员 official",
            "角色 role",
            "责任 share",
            "理由 reason",
            "依据",
            "证据",
        ],
        [
            [
                v["violation"]["label"],
                s["official_id"],
                s["role"],
                f"{s['share_zh']} ({s['share']})",
                s["reason"],
                v["citation"],
                _refs_text(s["evidence"]),
            ]
            for v in case["violations"]
            for s in v["shares"]
        ],
    )
    raw = html.escape(orjson.dumps(case["raw_events"], option=orjson.OPT_INDENT_2).decode())
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="robots" content="noindex">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><div class='meta'>{meta}</div>"
        f"<h2>时间线 Timeline</h2>{timeline}"
        f"<h2>违规 Violations</h2>{violations}"
        f"<h2>责任认定 Attribution (002 Art 64; 004 att.3 Art 6)</h2>{shares}"
        f"<h2 class='raw'>原始事件 Raw events</h2><pre>{raw}</pre>"
        "</body></html>"
    )
