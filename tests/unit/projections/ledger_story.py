"""Set-up for the driver, catalogue, decision-history and statistics tests: officials, an
applicant whose personal data must never reach a read model, item and request stories told
through the application service, and a dump of every read-model table for comparisons."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

from domain.application import GongkaiLedger
from domain.base import Actor, Approval
from domain.codes import (
    ApplicantType,
    Attribute,
    Channel,
    DocumentType,
    NonDisclosureGround,
    RequestChannel,
    ReviewConclusion,
    Role,
)
from domain.disclosure_request import Applicant
from projections.store import SqlStore

ZHENGZHOU = "005253103"  # 郑州市工业和信息化局, 20 working days from forming (000 §二(三)2)
ZHONGWEI = "640500ZW"  # 中卫市科学技术局, 10 working days from passing review (002 Art 6)

DRAFTER = Actor(official_id="drafter-zhao", role=Role.DRAFTER, department="规划处")
OFFICE = Actor(official_id="office-wang", role=Role.DISCLOSURE_OFFICE, department="办公室")
REVIEWER = Actor(
    official_id="reviewer-qian", role=Role.CONFIDENTIALITY_REVIEWER, department="保密办"
)
LEADER = Actor(official_id="leader-liu", role=Role.LEADER_IN_CHARGE, department="局领导")

APPLICANT = Applicant(
    applicant_type=ApplicantType.NATURAL_PERSON,
    name="欧阳秀英",
    id_document="110101199001011234",
    address="北京市东城区某街1号",
    contact="13812345678",
)
REQUEST_DESCRIPTION = "申请公开欧阳秀英所在村的补助发放明细"
PERSONAL_DATA = (
    APPLICANT.name,
    APPLICANT.id_document,
    APPLICANT.address,
    APPLICANT.contact,
    REQUEST_DESCRIPTION,
)


def approval(on: date, collective: bool = False) -> Approval:
    return Approval(
        approver=LEADER,
        approved_on=on,
        collective=collective,
        meeting_ref="局党组会议2025年第3次" if collective else "",
    )


def register(
    app: GongkaiLedger,
    title: str = "关于印发郑州市工业互联网发展规划的通知",
    *,
    agency: str = ZHENGZHOU,
    formed_on: date = date(2025, 3, 3),
    department: str = "规划处",
    theme: str = "工业",
    document_type: DocumentType = DocumentType.NORMATIVE,
) -> UUID:
    return app.register_item(
        DRAFTER,
        agency_code=agency,
        title=title,
        department=department,
        formed_on=formed_on,
        document_number="郑工信〔2025〕7号",
        theme=theme,
        document_type=document_type,
        summary="规划期为2025-2027年。",
    ).id


def review_approve_publish(app: GongkaiLedger, item_id: UUID, on: date) -> int | None:
    """先审查、后公开 (002 Art 8): review, approve, publish, register in the catalogue."""
    app.review_confidentiality(item_id, REVIEWER, on, ReviewConclusion.PROACTIVE)
    app.approve_item(item_id, LEADER, on, approval(on))
    app.publish_item(
        item_id,
        OFFICE,
        on,
        (Channel.PORTAL, Channel.GAZETTE),
        url=f"https://gov.example.cn/{item_id}",
    )
    return app.register_in_catalogue(item_id, OFFICE, on).notification_id


def publish(
    app: GongkaiLedger, title: str = "关于印发郑州市工业互联网发展规划的通知", **kw: Any
) -> UUID:
    on: date = kw.get("formed_on", date(2025, 3, 3))
    item_id = register(app, title, **kw)
    app.mark_attribute(item_id, DRAFTER, on, Attribute.PROACTIVE)
    app.audit_attribute(item_id, OFFICE, on)
    review_approve_publish(app, item_id, on)
    return item_id


def withhold(app: GongkaiLedger, title: str = "关于某企业技术秘密的内部请示", **kw: Any) -> UUID:
    """Marked 不予公开 with reason and ground (000 §一(三)2), confirmed by the office."""
    on: date = kw.get("formed_on", date(2025, 3, 3))
    item_id = register(app, title, **kw)
    app.mark_attribute(
        item_id,
        DRAFTER,
        on,
        Attribute.NOT_DISCLOSED,
        reason="属于过程性信息",
        legal_ground=NonDisclosureGround.PROCESS_INFORMATION,
    )
    app.audit_attribute(item_id, OFFICE, on)
    return item_id


def receive(app: GongkaiLedger, on: date = date(2025, 3, 10), agency: str = ZHENGZHOU) -> UUID:
    request_id = app.receive_request(
        OFFICE,
        agency_code=agency,
        channel=RequestChannel.ONLINE,
        applicant=APPLICANT,
        description=REQUEST_DESCRIPTION,
        department="办公室",
        purpose="了解补助发放情况",
        confirmed_on=on,
    ).id
    app.register_request(request_id, OFFICE, on)
    return request_id


SKIPPED_TABLES = frozenset({"stored_events", "projection_tracking", "projection_rebuilds"})


def read_model_tables(store: SqlStore) -> list[str]:
    """Every read-model table and view (the catalogue serves its entries and feed through
    views): not the event store, the driver's bookkeeping, nor FTS5's internal shadow tables
    (their layout depends on merge history, their content does not)."""
    with store.reading() as tx:
        if tx.dialect != "sqlite":
            rows = tx.fetchall(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type IN ('BASE TABLE', 'VIEW')"
            )
            names = [str(row[0]) for row in rows]
            return sorted(n for n in names if n not in SKIPPED_TABLES and not n.endswith("_events"))
        rows = tx.fetchall("SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'view')")
    virtual = [name for name, sql in rows if str(sql).upper().startswith("CREATE VIRTUAL")]
    return sorted(
        name
        for name, _ in rows
        if name not in SKIPPED_TABLES
        and not name.startswith("sqlite_")
        and not any(name.startswith(f"{table}_") for table in virtual)
    )


def dump(store: SqlStore, tables: Iterable[str] | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every read-model table, sorted, for comparing two stores."""
    with store.reading() as tx:
        fts = {"catalogue_search"} if tx.dialect == "sqlite" else set()
        return {
            table: sorted(
                tx.fetchall(f"SELECT {'rowid, ' if table in fts else ''}* FROM {table}"),
                key=repr,
            )
            for table in tables or read_model_tables(store)
        }


def cells(store: SqlStore) -> list[str]:
    """Every value of every read-model table, as text."""
    return [str(value) for rows in dump(store).values() for row in rows for value in row]
