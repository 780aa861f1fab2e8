"""HTTP test set-up: an app over a temporary SQLite file or PostgreSQL schema (each module runs
on both), officials with tokens for every role, and `Given`, which puts items and requests into a
state directly through the ledger (the "given" of a Given/When/Then test), so each HTTP test
exercises one command."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

with warnings.catch_warnings():
    # Starlette 1.x asks for `httpx2`; the httpx-based client works and is what FastAPI ships.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from api.auth import Official
from api.main import create_app
from api.permissions import MATRIX_ROLES
from api.services import Services
from api.settings import Settings
from domain.annual_report_record import ReportLevel, ReportSection, YearlyFigures
from domain.application import GongkaiLedger
from domain.base import Actor, Approval
from domain.codes import (
    Attribute,
    Channel,
    ConsultationAnswer,
    DocumentType,
    FeeBasis,
    NonDisclosureGround,
    Outcome,
    RequestChannel,
    ReviewConclusion,
    Role,
    ThirdPartyInterest,
)
from domain.disclosure_request import Applicant
from tests.backends import Backend

AGENCY = "005253103"  # Zhengzhou: 20 working days to publish, 20 + 20 to reply
CITY = "郑州市"  # the city of AGENCY in domain/data/agencies.json
OTHER_AGENCY = "000014349"
DEPT = "规划科"
OTHER_DEPT = "产业发展科"
FORMED = date(2025, 3, 3)  # a Monday, a working day
APPLICANT_NAME = "欧阳秀珍"
APPLICANT_ID = "410105198807071234"

APPLICANT_JSON: dict[str, Any] = {
    "applicant_type": "natural_person",
    "name": APPLICANT_NAME,
    "id_document": APPLICANT_ID,
    "address": "郑州市金水区文化路88号",
    "contact": "13912345678",
}


def role_key(role: Role) -> str:
    return role.value


@dataclass
class Api:
    client: TestClient
    services: Services
    headers: dict[str, dict[str, str]]
    officials: dict[str, Official]

    @property
    def ledger(self) -> GongkaiLedger:
        return self.services.ledger

    def auth(self, who: str | None, **extra: str) -> dict[str, str]:
        return {**(self.headers[who] if who else {}), **extra}

    def post(self, path: str, who: str | None, body: Any = None, **headers: str) -> Any:
        return self.client.post(path, json=body, headers=self.auth(who, **headers))

    def get(self, path: str, who: str | None = None, **headers: str) -> Any:
        return self.client.get(path, headers=self.auth(who, **headers))

    def actor(self, who: str) -> Actor:
        return self.officials[who].actor()


def make_api(store: Backend | Path, *, projections: bool) -> tuple[Any, Services]:
    """An app over a backend's store (SQLite file or PostgreSQL schema), or a SQLite data dir."""
    # Without the driver thread a consistent read can only time out: keep that short.
    timeout = 10.0 if projections else 0.3
    if isinstance(store, Backend):
        settings = store.settings(run_projections=projections, read_wait_timeout=timeout)
    else:
        settings = Settings(data_dir=store, run_projections=projections, read_wait_timeout=timeout)
    app = create_app(settings)
    services: Services = app.state.services
    return app, services


def issue_officials(services: Services) -> tuple[dict[str, dict[str, str]], dict[str, Official]]:
    people: dict[str, Official] = {}
    for role in MATRIX_ROLES:
        people[role_key(role)] = Official(
            official_id=f"t-{role.value}",
            name=f"测试{role.value}",
            role=role,
            department=DEPT,
            agency_code=AGENCY,
        )
    people["drafter_other_dept"] = Official(
        official_id="t-drafter-other", role=Role.DRAFTER, department=OTHER_DEPT, agency_code=AGENCY
    )
    people["section_head_other_dept"] = Official(
        official_id="t-section-other",
        role=Role.SECTION_HEAD,
        department=OTHER_DEPT,
        agency_code=AGENCY,
    )
    people["office_other_agency"] = Official(
        official_id="t-office-other-agency",
        role=Role.DISCLOSURE_OFFICE,
        department="办公室",
        agency_code=OTHER_AGENCY,
    )
    headers = {
        key: {"Authorization": f"Bearer {services.officials.issue_token(person)}"}
        for key, person in people.items()
    }
    return headers, people


def _api(store: Backend, *, projections: bool) -> Iterator[Api]:
    app, services = make_api(store, projections=projections)
    try:
        headers, people = issue_officials(services)
        with TestClient(app) as client:
            yield Api(client, services, headers, people)
    finally:
        services.close()


@pytest.fixture(scope="module")
def api(module_backend: Backend) -> Iterator[Api]:
    """An app with the projection driver running (read routes, ?wait=true), once per module on
    each store: SQLite and PostgreSQL (tests/conftest.py)."""
    yield from _api(module_backend.child("api"), projections=True)


@pytest.fixture(scope="module")
def commands_api(module_backend: Backend) -> Iterator[Api]:
    """An app without the projection driver, for command-only tests (faster)."""
    yield from _api(module_backend.child("commands"), projections=False)


class Given:
    """Items and requests brought into a state through the ledger, as the test officials."""

    def __init__(self, api: Api):
        self.api = api
        self.ledger = api.ledger
        self.drafter = api.actor("drafter")
        self.office = api.actor("disclosure_office")
        self.reviewer = api.actor("confidentiality_reviewer")
        self.leader = api.actor("leader_in_charge")

    def approval(self, on: date = FORMED) -> Approval:
        return Approval(approver=self.leader, approved_on=on)

    # ---- items -----------------------------------------------------------------------------

    def item(self, *, co_issuers: tuple[str, ...] = (), normative: bool = False) -> UUID:
        return self.ledger.register_item(
            self.drafter,
            agency_code=AGENCY,
            title="关于印发2025年数字经济发展实施方案的通知",
            department=DEPT,
            formed_on=FORMED,
            document_type=DocumentType.NORMATIVE if normative else DocumentType.ORDINARY,
            co_issuers=co_issuers,
        ).id

    def marked(self, attribute: Attribute = Attribute.PROACTIVE, **kwargs: Any) -> UUID:
        item_id = self.item(**kwargs)
        if attribute is Attribute.NOT_DISCLOSED:
            self.ledger.mark_attribute(
                item_id,
                self.drafter,
                FORMED,
                attribute,
                "属于过程性信息",
                NonDisclosureGround.PROCESS_INFORMATION,
            )
        else:
            self.ledger.mark_attribute(item_id, self.drafter, FORMED, attribute)
        return item_id

    def reviewed(self, **kwargs: Any) -> UUID:
        item_id = self.marked(**kwargs)
        self.ledger.review_confidentiality(
            item_id, self.reviewer, date(2025, 3, 4), ReviewConclusion.PROACTIVE
        )
        return item_id

    def consulted(self, answer: ConsultationAnswer | None = None) -> UUID:
        item_id = self.marked(co_issuers=("郑州市财政局",))
        self.ledger.consult_co_issuer(item_id, self.office, date(2025, 3, 4), "郑州市财政局")
        if answer is not None:
            self.ledger.record_co_issuer_answer(
                item_id, self.office, date(2025, 3, 6), "郑州市财政局", answer
            )
        return item_id

    def approved(self, **kwargs: Any) -> UUID:
        item_id = self.reviewed(**kwargs)
        self.ledger.approve_item(item_id, self.leader, date(2025, 3, 5), self.approval())
        return item_id

    def published(self, **kwargs: Any) -> UUID:
        item_id = self.approved(**kwargs)
        self.ledger.publish_item(item_id, self.office, date(2025, 3, 6), (Channel.PORTAL,))
        return item_id

    # ---- requests --------------------------------------------------------------------------

    def request(self, department: str = DEPT) -> UUID:
        return self.ledger.receive_request(
            self.office,
            agency_code=AGENCY,
            channel=RequestChannel.ONLINE,
            applicant=Applicant.model_validate(APPLICANT_JSON),
            description="申请公开2025年中小企业扶持资金分配结果",
            department=department,
            confirmed_on=FORMED,
        ).id

    def registered_request(self) -> UUID:
        request_id = self.request()
        self.ledger.register_request(request_id, self.office, FORMED)
        return request_id

    def correction_requested(self) -> UUID:
        request_id = self.request()
        self.ledger.request_correction(
            request_id, self.office, date(2025, 3, 4), ("请补充身份证明",), date(2025, 3, 14)
        )
        return request_id

    def third_party_consulted(self, answer: ConsultationAnswer | None = None) -> UUID:
        request_id = self.request()
        self.ledger.consult_third_party(
            request_id,
            self.office,
            date(2025, 3, 4),
            "第三方-甲公司",
            ThirdPartyInterest.COMMERCIAL_SECRET,
        )
        if answer is not None:
            self.ledger.record_third_party_answer(
                request_id, self.office, date(2025, 3, 10), "第三方-甲公司", answer
            )
        return request_id

    def agency_consulted(self) -> UUID:
        request_id = self.request()
        self.ledger.consult_agency(request_id, self.office, date(2025, 3, 4), "郑州市财政局")
        return request_id

    def excessiveness_queried(self) -> UUID:
        request_id = self.request()
        self.ledger.query_excessiveness(request_id, self.office, date(2025, 3, 4), "数量过多")
        return request_id

    def fee_noticed(self) -> UUID:
        request_id = self.request()
        self.ledger.notice_fee(
            request_id, self.office, date(2025, 3, 4), FeeBasis.PER_PAGE, 50, Decimal("200")
        )
        return request_id

    def replied(self) -> UUID:
        request_id = self.registered_request()
        self.ledger.reply_to_request(
            request_id,
            self.office,
            date(2025, 3, 10),
            Outcome.DISCLOSED,
            "《条例》第三十六条",
            "予以公开",
            "可申请行政复议或提起行政诉讼",
        )
        return request_id

    # ---- annual-report and evaluation records ------------------------------------------------

    def report_section(
        self, section: ReportSection = ReportSection.OVERVIEW, *, year: int = 2025
    ) -> UUID:
        return self.ledger.record_report_section(
            self.office,
            level=ReportLevel.AGENCY,
            subject=AGENCY,
            year=year,
            on=date(year + 1, 1, 10),
            section=section,
            text=f"{year}年，本机关认真贯彻落实政府信息公开条例。",
        ).id

    def report_ready(self, *, year: int = 2025) -> UUID:
        """Sections 一 and 五 and the yearly figures: the report may be published."""
        self.report_section(ReportSection.OVERVIEW, year=year)
        self.report_section(ReportSection.PROBLEMS, year=year)
        return self.ledger.record_yearly_figures(
            self.office,
            agency_code=AGENCY,
            year=year,
            on=date(year + 1, 1, 12),
            figures=YearlyFigures(
                licensing_decisions=12,
                penalty_decisions=3,
                enforcement_decisions=0,
                fee_amount_10k_yuan=Decimal("0.25"),
            ),
        ).id

    def city_section(self, *, year: int = 2025) -> UUID:
        return self.ledger.record_report_section(
            self.office,
            level=ReportLevel.CITY,
            subject=CITY,
            year=year,
            on=date(year + 1, 2, 10),
            section=ReportSection.OVERVIEW,
            text="全市政府信息公开工作总体情况。",
        ).id

    def evaluation_cleared(self, criterion: str = "1.1", *, year: int = 2025) -> UUID:
        return self.ledger.clear_evaluation_criterion(
            self.office,
            agency_code=AGENCY,
            year=year,
            on=date(year, 12, 20),
            criterion=criterion,
            note="机构健全，经费有保障",
        ).id

    def evaluation_finding(self, criterion: str = "3.2", *, year: int = 2025) -> UUID:
        return self.ledger.record_evaluation_finding(
            self.office,
            agency_code=AGENCY,
            year=year,
            on=date(year, 12, 20),
            criterion=criterion,
            description="办公场所未公开办事指南",
        ).id


@pytest.fixture
def given(api: Api) -> Given:
    return Given(api)


@pytest.fixture
def given_commands(commands_api: Api) -> Given:
    return Given(commands_api)
