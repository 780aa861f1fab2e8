"""The `gongkai` command: tokens, the demo year, history, projections."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.auth import OfficialRegistry
from api.cli import app
from api.demo import DemoYear, SimulatedClock
from api.settings import Settings
from domain.application import GongkaiLedger
from domain.codes import AnnualReviewOutcome, Outcome, Role
from projections.store import SqliteStore

runner = CliRunner()


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args))


def test_token_is_printed_once_and_authenticates(tmp_path: Path) -> None:
    result = invoke(
        "token",
        "--official",
        "zhang-wei",
        "--role",
        "disclosure_office",
        "--department",
        "办公室",
        "--agency",
        "005253103",
        "--name",
        "张伟",
        "--data-dir",
        str(tmp_path),
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    store = SqliteStore(str(Settings(data_dir=tmp_path).database))
    official = OfficialRegistry(store).authenticate(token)
    assert official is not None
    assert official.role is Role.DISCLOSURE_OFFICE
    assert official.agency_code == "005253103"
    raw = store.path
    assert token not in Path(raw).read_bytes().decode("latin-1")  # only the hash is stored


@pytest.mark.parametrize(
    ("role", "agency"), [("drafter", "NO-SUCH-AGENCY"), ("system", "005253103"), ("mayor", "x")]
)
def test_token_refuses_unknown_agencies_and_roles(tmp_path: Path, role: str, agency: str) -> None:
    result = invoke(
        "token",
        "--official",
        "o1",
        "--role",
        role,
        "--department",
        "办公室",
        "--agency",
        agency,
        "--data-dir",
        str(tmp_path),
    )
    assert result.exit_code == 2


def run_in_memory(seed: int = 2025) -> tuple[GongkaiLedger, DemoYear]:
    clock = SimulatedClock()
    ledger = GongkaiLedger.in_memory(clock=clock)
    year = DemoYear(ledger, clock, seed)
    year.build()
    year.run()
    return ledger, year


def stream(ledger: GongkaiLedger) -> list[tuple[str, int, str, bytes]]:
    notifications = ledger.recorder.select_notifications(0, 100_000)
    return [(str(n.originator_id), n.originator_version, n.topic, n.state) for n in notifications]


def test_the_demo_year_is_deterministic_and_complete() -> None:
    ledger, year = run_in_memory()
    again, _ = run_in_memory()
    assert stream(ledger) == stream(again)
    events = [
        ledger.mapper.to_domain_event(n) for n in ledger.recorder.select_notifications(0, 100_000)
    ]
    replied = {
        getattr(e, "outcome", None)
        for e in events
        if type(e).__name__ in ("Replied", "DeemedWithdrawn")
    }
    assert replied >= set(Outcome)  # all 21 sub-reasons of the national template
    reviews = {e.outcome for e in events if type(e).__name__ == "AnnualReviewDecided"}
    assert reviews == set(AnnualReviewOutcome)
    agencies = {getattr(e, "agency_code", None) for e in events if type(e).__name__ == "Registered"}
    assert {p.code for p in ledger.policies.all()} <= agencies
    kinds = Counter(type(e).__name__ for e in events)
    for name in (
        "ThirdPartyConsulted",
        "Extended",
        "Corrected",
        "DeemedWithdrawn",
        "PublicInterestOverridden",
        "FeeWaived",
        "ExcessivenessAssessed",
        "Transferred",
        "ReconsiderationDecided",
        "LitigationDecided",
        "CoIssuerDisagreementResolved",
        "InterpretationLinked",
        "ReadingRoomTransferred",
        "ValidityEnded",
        "ExemptionLifted",
        "ObjectionRecorded",
        "YearlyFiguresRecorded",
        "SectionTextRecorded",
        "ReportPublished",
        "FindingRecorded",
        "FindingWithdrawn",
        "CriterionCleared",
    ):
        assert kinds[name] > 0, name
    # Record times follow the business dates: day by day through the log, each aggregate's
    # events in order, from 2025 into early 2026.
    days = [e.timestamp.date() for e in events]
    assert days == sorted(days)
    assert days[0].year == 2025 and days[-1].year == 2026
    for aggregate_id in {e.originator_id for e in events}:
        own = [e.timestamp for e in events if e.originator_id == aggregate_id]
        assert own == sorted(own)
    assert {"open and overdue", "open, paused for a third party", "answered late (overdue)"} <= (
        year.summary.situations
    )


def test_demo_command_loads_and_prints_tokens(tmp_path: Path) -> None:
    result = invoke("demo", "--data-dir", str(tmp_path), "--fresh")
    assert result.exit_code == 0, result.output
    assert "21/21 reply outcomes" in result.output
    tokens = json.loads((tmp_path / "demo-tokens.json").read_text(encoding="utf-8"))
    assert {t["role"] for t in tokens} == {
        "drafter",
        "section_head",
        "leader_in_charge",
        "signer",
        "principal_leader",
        "disclosure_office",
        "confidentiality_reviewer",
        "investigator",
    }
    for entry in tokens:
        assert entry["token"] in result.output
    assert invoke("demo", "--data-dir", str(tmp_path)).exit_code == 1  # refuses to overwrite

    ledger = GongkaiLedger.embedded(str(Settings(data_dir=tmp_path).database))
    request_id = next(
        n.originator_id
        for n in ledger.recorder.select_notifications(0, 10_000)
        if n.topic.endswith("DisclosureRequest.Received")
    )
    applicant = ledger.get_request(request_id).applicant.name
    ledger.close()
    history = invoke("history", str(request_id), "--data-dir", str(tmp_path))
    assert history.exit_code == 0, history.output
    assert "Received" in history.output
    assert applicant not in history.output

    rebuilt = invoke("projections", "rebuild", "catalogue", "--data-dir", str(tmp_path))
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "rebuilt" in rebuilt.output
    unknown = invoke("projections", "rebuild", "no_such_model", "--data-dir", str(tmp_path))
    assert unknown.exit_code == 2


def test_history_of_an_unknown_id(tmp_path: Path) -> None:
    result = invoke("history", "00000000-0000-0000-0000-000000000001", "--data-dir", str(tmp_path))
    assert result.exit_code == 1
