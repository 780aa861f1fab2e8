"""The annual report over HTTP and the CLI: the agency report as JSON, HTML and XLSX (read back
with openpyxl, equal to the JSON), the report as of a cut-off before a later correction, the city
aggregate, the comparison of two cut-offs, the office's commands, and who may read or write."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import UUID

import orjson
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from api.cli import app as cli
from api.demo import DemoYear, SimulatedClock
from api.schemas_reports import AnnualReportOut, ReportComparisonOut
from api.settings import Settings
from api.views_reports import XLSX
from domain.annual_report_record import ReportLevel, ReportSection, YearlyFigures
from domain.application import GongkaiLedger
from domain.base import Actor
from domain.codes import Outcome, RequestChannel, Role
from domain.disclosure_request import Applicant
from projections.annual_report_asof import agency_report_as_of, city_report_as_of
from tests.api.conftest import AGENCY, APPLICANT_JSON, CITY, OTHER_AGENCY, Api, Given
from tests.unit.reports.test_annual_report_render import expected, read_back

REPORT = f"/reports/annual/{AGENCY}/2025"
CITY_REPORT = f"/reports/annual/city/{quote(CITY)}/2025"
PROBLEM = "application/problem+json"


def cell(document: dict[str, Any], table: str, row: str, column: str = "total") -> int:
    rows = {r["key"]: r["values"] for r in document[table]["rows"]}
    value: int = rows[row][column]
    return value


def decisions(document: dict[str, Any], key: str) -> Any:
    return next(r["decisions"] for r in document["proactive"]["decisions"] if r["key"] == key)


def iso(moment: datetime) -> str:
    return quote(moment.isoformat())


@dataclass(frozen=True)
class Story:
    """A 2025 at the Zhengzhou bureau: one request answered in March, one received in December
    and answered on 30 December — recorded only after the report was published — and the
    yearly figures corrected after publication."""

    published_at: datetime  # after publication, before the late-recorded reply
    corrected_at: datetime  # after the correction
    late_request: UUID


def _pause() -> None:
    time.sleep(0.01)  # record times on either side of a cut-off differ


@pytest.fixture(scope="module")
def story(api: Api) -> Story:
    g = Given(api)
    g.replied()  # received 3 March, answered 10 March
    late = g.ledger.receive_request(
        g.office,
        agency_code=AGENCY,
        channel=RequestChannel.ONLINE,
        applicant=Applicant.model_validate(APPLICANT_JSON),
        description="申请公开2025年12月会议纪要",
        department="规划科",
        confirmed_on=date(2025, 12, 1),
    ).id
    g.ledger.register_request(late, g.office, date(2025, 12, 1))
    g.report_ready()  # sections 一, 五 and figures (penalty decisions: 3)
    g.city_section()
    g.ledger.publish_annual_report(
        g.office, level=ReportLevel.AGENCY, subject=AGENCY, year=2025, on=date(2026, 1, 20)
    )
    _pause()
    published_at = datetime.now(UTC)
    _pause()
    # Corrections recorded afterwards: the reply dated 30 December, and the figures.
    g.ledger.reply_to_request(
        late,
        g.office,
        date(2025, 12, 30),
        Outcome.DISCLOSED,
        "《条例》第三十六条",
        "予以公开",
        "可申请行政复议或提起行政诉讼",
    )
    g.ledger.record_yearly_figures(
        g.office,
        agency_code=AGENCY,
        year=2025,
        on=date(2026, 2, 3),
        figures=YearlyFigures(
            licensing_decisions=12,
            penalty_decisions=4,
            enforcement_decisions=0,
            fee_amount_10k_yuan=Decimal("0.25"),
        ),
        note="更正：漏报行政处罚决定1件",
    )
    _pause()
    return Story(published_at, datetime.now(UTC), late)


def get(api: Api, path: str, who: str | None = "disclosure_office") -> Any:
    return api.get(path, who)


def document(api: Api, path: str, who: str = "disclosure_office") -> dict[str, Any]:
    separator = "&" if "?" in path else "?"
    response = get(api, f"{path}{separator}wait=true", who)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    AnnualReportOut.model_validate(body)  # the documented schema
    return body


# ---- the agency report ---------------------------------------------------------------------


def test_agency_report_as_json(api: Api, story: Story) -> None:
    doc = document(api, REPORT)
    assert doc["title"] == "郑州市工业和信息化局2025年政府信息公开工作年度报告"
    assert doc["origin"] == "read_model" and doc["as_of"] is None
    assert doc["publication"]["status"] == "on_time"
    assert doc["publication"]["first_published_on"] == "2026-01-20"
    assert cell(doc, "requests", "new") == 2
    assert cell(doc, "requests", "new", "natural_person") == 2
    assert cell(doc, "requests", "disclosed") == 2  # both answered, one recorded late
    assert cell(doc, "requests", "carried_forward") == 0
    assert decisions(doc, "penalty") == 4  # the corrected figure
    assert doc["proactive"]["fees"]["amount_10k_yuan"] == "0.2500"
    assert doc["checks"]["passed"] is True
    assert doc["incomplete"] == []


def test_agency_report_as_html(api: Api, story: Story) -> None:
    response = get(api, f"{REPORT}?format=html&wait=true", "leader_in_charge")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    html = response.text
    assert "<title>郑州市工业和信息化局2025年政府信息公开工作年度报告</title>" in html
    headings = re.findall(r"<h2>([^<]*)</h2>", html)
    assert headings[0] == "一、总体情况" and headings[-1] == "六、其他需要报告的事项"
    assert "本机关认真贯彻落实政府信息公开条例" in html
    assert len(re.findall(r'<td class="n">([^<]*)</td>', html)) == 10 + 175 + 15


def test_agency_report_as_xlsx_reads_back_as_the_json(api: Api, story: Story) -> None:
    response = get(api, f"{REPORT}?format=xlsx&wait=true", "investigator")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="annual-report-agency-005253103-2025.xlsx"')
    found = read_back(response.content)
    doc = document(api, REPORT)
    assert found == expected(doc)
    assert found[("行政处罚", "本年处理决定数量")] == 4
    assert found[("三、本年度办理结果", "（一）予以公开", "总计")] == 2


def test_the_report_as_published_differs_from_now(api: Api, story: Story) -> None:
    before = document(api, f"{REPORT}?as_of={iso(story.published_at)}")
    now = document(api, REPORT)
    assert before["origin"] == "log"
    assert datetime.fromisoformat(before["as_of"]) == story.published_at
    # As published on 20 January: the December request was open (结转), 3 penalty decisions.
    assert cell(before, "requests", "carried_forward") == 1
    assert cell(before, "requests", "disclosed") == 1
    assert decisions(before, "penalty") == 3
    assert before["publication"]["status"] == "on_time"
    # Now: the reply dated 30 December closes it in 2025; the figure was corrected.
    assert cell(now, "requests", "carried_forward") == 0
    assert cell(now, "requests", "disclosed") == 2
    assert decisions(now, "penalty") == 4
    # The log folded to the latest cut-off is the read model's answer.
    latest = document(api, f"{REPORT}?as_of={iso(story.corrected_at)}")
    for key in ("publication", "text", "proactive", "requests", "appeals", "checks"):
        assert latest[key] == now[key], key


def test_a_cut_off_before_anything_was_recorded(api: Api, story: Story) -> None:
    early = document(api, f"{REPORT}?as_of=2025-01-01T00:00:00%2B08:00")
    assert cell(early, "requests", "new") == 0
    assert early["publication"]["status"] == "not_published"
    assert set(early["incomplete"]) == {f"figures:{AGENCY}", "text:overview", "text:problems"}


def test_comparison_lists_exactly_the_corrected_lines(api: Api, story: Story) -> None:
    path = f"{REPORT}/comparison?from={iso(story.published_at)}&to={iso(story.corrected_at)}"
    response = get(api, path, "principal_leader")
    assert response.status_code == 200, response.text
    body = ReportComparisonOut.model_validate(response.json())
    changes = {c.path: (c.before, c.after) for c in body.changes}
    assert changes == {
        "requests/disclosed/natural_person": (1, 2),
        "requests/disclosed/total": (1, 2),
        "requests/handled_total/natural_person": (1, 2),
        "requests/handled_total/total": (1, 2),
        "requests/carried_forward/natural_person": (1, 0),
        "requests/carried_forward/total": (1, 0),
        "proactive/penalty": (3, 4),
    }
    labels = {c.path: c.labels for c in body.changes}
    assert labels["requests/carried_forward/total"] == ["四、结转下年度继续办理", "总计"]
    reverse = get(api, path.replace("from=", "x=").replace("to=", "from=").replace("x=", "to="))
    assert {c["path"]: (c["after"], c["before"]) for c in reverse.json()["changes"]} == changes


# ---- the city aggregate ------------------------------------------------------------------------


def test_city_report_in_three_formats(api: Api, story: Story) -> None:
    doc = document(api, CITY_REPORT, "confidentiality_reviewer")
    assert doc["level"] == "city" and doc["subject"] == CITY
    assert doc["agencies"] == [AGENCY]  # the one seed agency in 郑州市
    assert cell(doc, "requests", "disclosed") == 2
    assert decisions(doc, "penalty") == 4
    [agency] = doc["agency_publication"]
    assert (agency["code"], agency["status"]) == (AGENCY, "on_time")
    assert doc["text"]["overview"] == "全市政府信息公开工作总体情况。"
    assert doc["incomplete"] == ["text:problems"]
    html = get(api, f"{CITY_REPORT}?format=html&wait=true")
    assert html.headers["content-type"].startswith("text/html")
    assert "郑州市2025年政府信息公开工作年度报告" in html.text
    xlsx = get(api, f"{CITY_REPORT}?format=xlsx&wait=true")
    assert xlsx.headers["content-type"] == XLSX
    disposition = xlsx.headers["content-disposition"]
    assert "filename*=UTF-8''" + quote("annual-report-city-郑州市-2025.xlsx") in disposition
    workbook = load_workbook(__import__("io").BytesIO(xlsx.content))
    assert workbook.sheetnames[:4] == ["文字部分", "二 主动公开", "三 依申请公开", "四 复议诉讼"]
    as_published = document(api, f"{CITY_REPORT}?as_of={iso(story.published_at)}")
    assert cell(as_published, "requests", "carried_forward") == 1


# ---- commands ----------------------------------------------------------------------------------


def test_the_office_records_and_publishes_a_report(api: Api) -> None:
    base = f"/reports/annual/{AGENCY}/2024"
    office = "disclosure_office"
    text = {"on": "2025-01-06", "section": "overview", "text": "2024年总体情况。"}
    first = api.post(f"{base}/sections", office, text)
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 2 and first.headers["etag"] == '"2"'  # Opened + text
    record_id = first.json()["id"]
    early = api.post(f"{base}/publication", office, {"on": "2025-01-10"})
    assert early.status_code == 409
    assert early.json()["rule"] == "report_needs_required_content"
    during = api.post(f"{base}/publication", office, {"on": "2024-12-31"})
    assert during.json()["rule"] == "publish_after_year_end"
    stale = api.post(
        f"{base}/sections",
        office,
        {**text, "section": "problems", "text": "存在的问题。"},
        **{"If-Match": '"1"'},
    )
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    problems = api.post(
        f"{base}/sections",
        office,
        {**text, "section": "problems", "text": "存在的问题。"},
        **{"If-Match": '"2"'},
    )
    assert problems.status_code == 200, problems.text
    figures = {
        "on": "2025-01-08",
        "licensing_decisions": 5,
        "penalty_decisions": 1,
        "enforcement_decisions": 0,
        "fee_amount_10k_yuan": "0",
    }
    once = api.post(f"{base}/figures", office, figures, **{"Idempotency-Key": "figures-2024"})
    again = api.post(f"{base}/figures", office, figures, **{"Idempotency-Key": "figures-2024"})
    assert once.status_code == again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == once.json() == {**once.json(), "version": 4}
    published = api.post(f"{base}/publication", office, {"on": "2025-02-05", "url": "https://x"})
    assert published.status_code == 200, published.text
    assert published.json()["id"] == record_id
    doc = document(api, f"{base}?as_of={iso(datetime.now(UTC))}")
    assert doc["publication"] | {"citation": None} == {
        "deadline": "2025-01-31",
        "citation": None,
        "first_published_on": "2025-02-05",
        "last_published_on": "2025-02-05",
        "editions": 1,
        "status": "late",
        "days_late": 5,
    }
    events = [type(e).__name__ for e in api.ledger.history(UUID(record_id))]
    assert events == [
        "Opened",
        "SectionTextRecorded",
        "SectionTextRecorded",
        "YearlyFiguresRecorded",
        "ReportPublished",
    ]


def test_the_city_office_records_the_city_report(api: Api) -> None:
    base = f"/reports/annual/city/{quote(CITY)}/2024"
    for section in ("overview", "problems"):
        body = {"on": "2025-02-10", "section": section, "text": f"全市{section}。"}
        assert api.post(f"{base}/sections", "disclosure_office", body).status_code == 200
    published = api.post(f"{base}/publication", "disclosure_office", {"on": "2025-02-18"})
    assert published.status_code == 200, published.text
    doc = document(api, f"/reports/annual/city/{quote(CITY)}/2024?as_of={iso(datetime.now(UTC))}")
    assert doc["publication"]["status"] == "on_time"
    # Figures belong to agencies (汇总): the city record refuses them — there is no such route.
    other_city = api.post(
        f"/reports/annual/city/{quote('长春市')}/2024/sections",
        "disclosure_office",
        {"on": "2025-02-10", "section": "overview", "text": "x"},
    )
    assert other_city.status_code == 403
    assert other_city.json()["rule"] == "own_agency_only"


# ---- who may read --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [REPORT, CITY_REPORT, f"{REPORT}/comparison?from=2025-06-01T00:00:00Z&to=2026-06-01T00:00:00Z"],
)
def test_drafters_are_refused_and_the_public_needs_a_token(api: Api, path: str) -> None:
    for who in ("drafter", "section_head"):
        refused = get(api, path, who)
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"] == PROBLEM
        assert refused.json()["rule"] == "role_not_allowed"
    public = get(api, path, None)
    assert public.status_code == 401
    assert public.headers["content-type"] == PROBLEM
    assert public.headers["www-authenticate"].startswith("Bearer")


def test_officials_read_their_own_agency_investigators_any(api: Api) -> None:
    other = f"/reports/annual/{OTHER_AGENCY}/2025"
    refused = get(api, other, "disclosure_office")
    assert refused.status_code == 403
    assert refused.json()["rule"] == "own_agency_only"
    other_city = get(api, f"/reports/annual/city/{quote('长春市')}/2025", "leader_in_charge")
    assert other_city.json()["rule"] == "own_agency_only"
    assert get(api, f"{other}?wait=true", "investigator").json()["subject"] == OTHER_AGENCY
    city = get(api, f"/reports/annual/city/{quote('长春市')}/2025?wait=true", "investigator")
    assert city.json()["agencies"] == ["000014349", "01527918X"]
    for path in ("/reports/annual/NO-SUCH/2025", "/reports/annual/city/NOWHERE/2025"):
        missing = get(api, path, "investigator")
        assert missing.status_code == 404, missing.text
        assert missing.headers["content-type"] == PROBLEM
    figures = api.post(
        f"/reports/annual/{AGENCY}/2025/figures",
        "office_other_agency",
        {
            "licensing_decisions": 1,
            "penalty_decisions": 1,
            "enforcement_decisions": 1,
            "fee_amount_10k_yuan": "1",
        },
    )
    assert figures.status_code == 403
    assert figures.json()["rule"] == "own_agency_only"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("/reports/annual/005253103/1999", "path.year"),
        ("/reports/annual/005253103/twenty", "path.year"),
        ("/reports/annual/005253103/2025?format=pdf", "query.format"),
        ("/reports/annual/005253103/2025?as_of=2026-01-31T16:00:00", "query.as_of"),
        ("/reports/annual/005253103/2025?as_of=2026-01-31", "query.as_of"),
        ("/reports/annual/005253103/2025?as_of=1769846400", "query.as_of"),
        (f"/reports/annual/city/{quote(CITY)}/2025?as_of=yesterday", "query.as_of"),
        ("/reports/annual/005253103/2025/comparison?from=2026-01-31T16:00:00Z", "query.to"),
        ("/reports/annual/005253103/2025/comparison?from=x&to=2026-01-31T16:00:00Z", "query.from"),
    ],
)
def test_bad_year_format_or_cut_off_is_422(api: Api, query: str, field: str) -> None:
    response = get(api, query, "investigator")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert field in {e["field"] for e in response.json()["errors"]}


def test_bad_figures_are_422(api: Api) -> None:
    body = {
        "on": "2026-01-12",
        "licensing_decisions": -1,
        "penalty_decisions": "3",
        "enforcement_decisions": 0,
        "fee_amount_10k_yuan": "0.00001",
    }
    response = api.post(f"{REPORT}/figures", "disclosure_office", body)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"licensing_decisions", "penalty_decisions", "fee_amount_10k_yuan"}


# ---- the CLI -----------------------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An event store with a published 2025 report at the Zhengzhou bureau."""
    directory = tmp_path_factory.mktemp("cli-reports")
    ledger = GongkaiLedger.embedded(str(Settings(data_dir=directory).database))
    office = Actor(official_id="o-1", role=Role.DISCLOSURE_OFFICE, department="办公室")
    request_id = ledger.receive_request(
        office,
        agency_code=AGENCY,
        channel=RequestChannel.ONLINE,
        applicant=Applicant.model_validate(APPLICANT_JSON),
        description="申请公开某项目批复",
        department="规划科",
        confirmed_on=date(2025, 5, 6),
    ).id
    ledger.register_request(request_id, office, date(2025, 5, 6))
    for section in (ReportSection.OVERVIEW, ReportSection.PROBLEMS):
        ledger.record_report_section(
            office,
            level=ReportLevel.AGENCY,
            subject=AGENCY,
            year=2025,
            on=date(2026, 1, 5),
            section=section,
            text="正文。",
        )
    ledger.record_yearly_figures(
        office,
        agency_code=AGENCY,
        year=2025,
        on=date(2026, 1, 5),
        figures=YearlyFigures(
            licensing_decisions=7,
            penalty_decisions=2,
            enforcement_decisions=1,
            fee_amount_10k_yuan=Decimal("1.5"),
        ),
    )
    ledger.publish_annual_report(
        office, level=ReportLevel.AGENCY, subject=AGENCY, year=2025, on=date(2026, 1, 28)
    )
    ledger.close()
    return directory


def invoke(*args: str) -> Any:
    return runner.invoke(cli, list(args))


def test_cli_report_annual_in_three_formats(data_dir: Path, tmp_path: Path) -> None:
    common = ["--agency", AGENCY, "--year", "2025", "--data-dir", str(data_dir)]
    as_json = invoke("report", "annual", *common, "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    doc = orjson.loads(as_json.stdout)
    AnnualReportOut.model_validate(doc)
    assert doc["origin"] == "log"
    assert cell(doc, "requests", "carried_forward") == 1
    assert decisions(doc, "enforcement") == 1
    assert doc["publication"]["status"] == "on_time"

    html_file = tmp_path / "report.html"
    as_html = invoke("report", "annual", *common, "--format", "html", "--out", str(html_file))
    assert as_html.exit_code == 0, as_html.output
    assert "郑州市工业和信息化局2025年政府信息公开工作年度报告" in html_file.read_text("utf-8")

    xlsx_file = tmp_path / "report.xlsx"
    as_xlsx = invoke("report", "annual", *common, "--format", "xlsx", "--out", str(xlsx_file))
    assert as_xlsx.exit_code == 0, as_xlsx.output
    assert read_back(xlsx_file.read_bytes()) == expected(doc)

    before = invoke("report", "annual", *common, "--as-of", "2025-01-01T00:00:00+08:00")
    assert before.exit_code == 0, before.output
    assert cell(orjson.loads(before.stdout), "requests", "new") == 0


def test_cli_report_city_and_refusals(data_dir: Path) -> None:
    city = invoke("report", "city", "--city", CITY, "--year", "2025", "--data-dir", str(data_dir))
    assert city.exit_code == 0, city.output
    assert orjson.loads(city.stdout)["agency_publication"][0]["status"] == "on_time"
    naive = invoke(
        "report", "annual", "--agency", AGENCY, "--year", "2025", "--as-of", "2026-01-31",
        "--data-dir", str(data_dir),
    )  # fmt: skip
    assert naive.exit_code == 2
    unknown = invoke(
        "report", "annual", "--agency", "NOPE", "--year", "2025", "--data-dir", str(data_dir)
    )
    assert unknown.exit_code == 1
    empty = invoke(
        "report", "annual", "--agency", AGENCY, "--year", "2025", "--data-dir", "/nonexistent"
    )
    assert empty.exit_code == 1


def test_the_demo_year_has_living_reports() -> None:
    """`make run` shows a report published on time and corrected, one late, one overdue, one
    barely begun, and the city aggregate published on time."""
    clock = SimulatedClock()
    ledger = GongkaiLedger.in_memory(clock=clock)
    year = DemoYear(ledger, clock)
    year.build()
    year.run()
    end = datetime(2026, 3, 14, tzinfo=UTC)
    status = {
        p.code: agency_report_as_of(ledger, p.code, 2025, end)["publication"]
        for p in ledger.policies.all()
    }
    assert {code: s["status"] for code, s in status.items()} == {
        "005253103": "on_time",
        "000014349": "late",
        "640500ZW": "on_time",
        "01527918X": "overdue",
        "11152200ARXS": "overdue",
    }
    assert status["005253103"]["editions"] == 2  # republished after the correction
    city = city_report_as_of(ledger, "长春市", 2025, end)
    assert city["publication"]["status"] == "on_time"
    assert {a["code"]: a["status"] for a in city["agency_publication"]} == {
        "000014349": "late",
        "01527918X": "overdue",
    }
    first = agency_report_as_of(ledger, "005253103", 2025, end)
    assert first["incomplete"] == [] and first["checks"]["passed"]
    ledger.close()
