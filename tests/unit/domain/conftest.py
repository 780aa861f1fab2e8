from __future__ import annotations

from datetime import date

import pytest

from domain.application import GongkaiLedger
from domain.base import Actor, Approval
from domain.codes import ApplicantType, Role
from domain.disclosure_request import Applicant

ARXAN = "11152200ARXS"  # 20 + 20 working days (004 att.2 Art 6)
ZHONGWEI = "640500ZW"  # 15 + 15 working days (002 Art 35(二)); publication 10 from review (Art 6)
ZHENGZHOU = "005253103"  # 20 working days from forming (000 §二(三)2)


def actor(role: Role, official_id: str | None = None, department: str = "规划处") -> Actor:
    return Actor(official_id=official_id or role.value, role=role, department=department)


@pytest.fixture
def app() -> GongkaiLedger:
    return GongkaiLedger.in_memory()


@pytest.fixture
def drafter() -> Actor:
    return actor(Role.DRAFTER)


@pytest.fixture
def office() -> Actor:
    return actor(Role.DISCLOSURE_OFFICE, department="办公室")


@pytest.fixture
def reviewer() -> Actor:
    return actor(Role.CONFIDENTIALITY_REVIEWER, department="保密办")


@pytest.fixture
def leader() -> Actor:
    return actor(Role.LEADER_IN_CHARGE, department="局领导")


@pytest.fixture
def approval(leader: Actor) -> Approval:
    return Approval(approver=leader, approved_on=date(2025, 3, 3))


@pytest.fixture
def applicant() -> Applicant:
    return Applicant(
        applicant_type=ApplicantType.NATURAL_PERSON,
        name="李秀英",
        id_document="110101199001011234",
        address="北京市东城区某街1号",
        contact="13800000000",
    )


# ---- added for the request, deadline and fee tests: one actor per role ----------------------


@pytest.fixture
def section_head() -> Actor:
    return actor(Role.SECTION_HEAD)


@pytest.fixture
def signer() -> Actor:
    return actor(Role.SIGNER, department="局领导")


@pytest.fixture
def principal() -> Actor:
    return actor(Role.PRINCIPAL_LEADER, department="局领导")


@pytest.fixture
def investigator() -> Actor:
    return actor(Role.INVESTIGATOR, department="纪检监察组")


@pytest.fixture
def system_actor() -> Actor:
    return actor(Role.SYSTEM, department="系统")


@pytest.fixture
def actors() -> dict[Role, Actor]:
    """Every role of domain.md §1, keyed by role."""
    return {role: actor(role) for role in Role}


@pytest.fixture
def organisation_applicant() -> Applicant:
    """A legal person applying with an authorisation letter (004 att.2 Art 3-4)."""
    return Applicant(
        applicant_type=ApplicantType.LEGAL_SERVICE_INSTITUTION,
        name="王建国",
        organisation="某某律师事务所",
        address="宁夏中卫市沙坡头区某路2号",
        contact="0955-0000000",
        authorisation_letter=True,
    )
