"""Per-agency policy (domain.md §5): clocks, windows, index-number pattern, channels.

Policy is data, never hard-coded: the five seed agencies ship in `data/agencies.json`; a
deployment adds its own agencies with `GONGKAI_AGENCIES_FILE` (same shape, later entries win).
"""

from __future__ import annotations

import json
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from domain.codes import Channel
from domain.errors import UnknownAgency

DEFAULT_AGENCIES_FILE = Path(__file__).parent / "data" / "agencies.json"


class PublicationClockStart(StrEnum):
    FORMED = "formed"  # from forming or changing (000 §二(三)2; 003 Art 11; 004 att.1 Art 10)
    REVIEW_PASSED = "review_passed"  # from passing the confidentiality review (002 Art 6)


class ObjectionPolicy(StrEnum):
    """What a handler's recorded objection to a leader's instruction does to their share."""

    NONE = "none"  # bears no responsibility (004 att.3 Art 6)
    REDUCED = "reduced"  # may be reduced or exempted (002 Art 64(二))


class AgencyPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(min_length=1, description="organisation code used in index numbers")
    name: str
    name_en: str
    seed: str = Field(description="the seed file this policy is read from")
    index_pattern: str = Field(description="format string with {org}, {year}, {serial}")
    publication_days: int = Field(gt=0)
    publication_clock_start: PublicationClockStart
    publication_citation: str
    reply_days: int = Field(gt=0)
    extension_days: int = Field(ge=0)
    reply_citation: str
    correction_notice_days: int = 7  # the Regulation Art 30
    third_party_answer_days: int = 15  # the Regulation Art 32
    third_party_consult_start_days: int | None = None  # Arxan: 5 (004 att.2 Art 7)
    agency_consultation_days: int = 15  # the Regulation Art 34
    co_issuer_ask_days: int = 5  # 004 att.7 Art 9
    co_issuer_answer_days: int = 5  # 004 att.7 Art 9
    interpretation_days: int = 3  # 004 att.4 §五
    interpretation_working_days: bool = True
    reading_room_days: int = 20  # 002 Art 58
    fee_payment_days: int = 20  # local implementing rule (domain.md §7)
    objection_policy: ObjectionPolicy = ObjectionPolicy.REDUCED
    channels: tuple[Channel, ...] = (Channel.PORTAL,)
    city: str = ""

    def index_number(self, year: int, serial: int) -> str:
        return self.index_pattern.format(org=self.code, year=year, serial=serial)


class PolicyBook:
    def __init__(self, policies: dict[str, AgencyPolicy]):
        self._policies = policies

    def get(self, code: str) -> AgencyPolicy:
        try:
            return self._policies[code]
        except KeyError:
            raise UnknownAgency(code) from None

    def __contains__(self, code: object) -> bool:
        return code in self._policies

    def all(self) -> list[AgencyPolicy]:
        return list(self._policies.values())


def load_policies(*paths: Path) -> PolicyBook:
    policies: dict[str, AgencyPolicy] = {}
    for path in (DEFAULT_AGENCIES_FILE, *paths):
        for entry in json.loads(path.read_text(encoding="utf-8"))["agencies"]:
            policy = AgencyPolicy.model_validate(entry)
            policies[policy.code] = policy
    return PolicyBook(policies)


@lru_cache(maxsize=4)
def default_policies(extra_file: str | None = None) -> PolicyBook:
    return load_policies(*([Path(extra_file)] if extra_file else []))
