"""The public catalogue (政府信息公开目录): what is listed, how it follows the item, how it is
searched in Chinese, and the change feed portals sync from."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from itertools import pairwise
from typing import Any, TypeVar
from uuid import UUID

import pytest

from domain.application import GongkaiLedger
from domain.codes import Attribute, NonDisclosureGround, ReviewConclusion, Validity
from projections.catalogue import (
    Catalogue,
    CatalogueEntry,
    ChangePage,
    changes_since,
    get_entry,
    search,
)
from projections.driver import ProjectionDriver
from projections.store import SqlStore
from tests.backends import Backend
from tests.unit.projections.ledger_story import (
    DRAFTER,
    LEADER,
    OFFICE,
    REVIEWER,
    ZHONGWEI,
    approval,
    dump,
    publish,
    register,
    review_approve_publish,
    withhold,
)

T = TypeVar("T")
ON = date(2025, 3, 3)
PLAN = "关于印发郑州市工业互联网发展规划的通知"


@pytest.fixture
def app(backend: Backend) -> GongkaiLedger:
    return backend.ledger()


@pytest.fixture
def store(backend: Backend) -> SqlStore:
    """Beside the events: the same SQLite file (the embedded default) or PostgreSQL schema."""
    return backend.store()


@pytest.fixture
def driver(app: GongkaiLedger, store: SqlStore) -> ProjectionDriver:
    return ProjectionDriver(app, store, [Catalogue()], batch_size=7)


def read(driver: ProjectionDriver, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Process what is new, then answer `query` from the store."""
    driver.catch_up()
    with driver.store.reading() as tx:
        return query(tx, *args, **kwargs)


def titles(driver: ProjectionDriver, q: str | None = None, **filters: Any) -> list[str]:
    return [entry.title for entry in read(driver, search, q, **filters).entries]


def entry(driver: ProjectionDriver, item_id: UUID) -> CatalogueEntry | None:
    return read(driver, get_entry, str(item_id))


def feed(driver: ProjectionDriver, cursor: int = 0, limit: int = 100) -> ChangePage:
    return read(driver, changes_since, cursor, limit)


class TestListing:
    def test_a_published_item_is_listed_with_its_catalogue_fields(
        self, app: GongkaiLedger, driver: ProjectionDriver
    ) -> None:
        """The Regulation Art 12 and 003 Art 12(四): index number, issuing body, title,
        document number, dates, theme, channel, validity."""
        item = publish(app, PLAN)
        listed = entry(driver, item)
        assert listed is not None
        assert listed.index_number == "005253103/2025-00001"
        assert listed.issuing_body == "郑州市工业和信息化局"
        assert (listed.title, listed.document_number) == (PLAN, "郑工信〔2025〕7号")
        assert (listed.formed_on, listed.published_on, listed.year) == (ON, ON, 2025)
        assert (listed.department, listed.theme, listed.document_type) == (
            "规划处",
            "工业",
            "normative",
        )
        assert listed.channels == ("portal", "gazette")
        assert listed.validity == "in_force"
        assert listed.url == f"https://gov.example.cn/{item}"
        assert listed.summary == "规划期为2025-2027年。"

    def test_nothing_unpublished_is_listed_searched_or_fed(
        self, app: GongkaiLedger, driver: ProjectionDriver
    ) -> None:
        """001 Art 8: no unreviewed information online; 003 Art 12(四): publish, then list."""
        drafted = register(app, "关于起草中的规划草案")
        app.mark_attribute(drafted, DRAFTER, ON, Attribute.PROACTIVE)
        approved = register(app, "关于已审批未发布的规划")
        app.mark_attribute(approved, DRAFTER, ON, Attribute.PROACTIVE)
        app.review_confidentiality(approved, REVIEWER, ON, ReviewConclusion.PROACTIVE)
        app.approve_item(approved, LEADER, ON, approval(ON))
        withhold(app, "关于规划的内部请示")
        assert titles(driver) == titles(driver, "规划") == []
        assert feed(driver).changes == []
        for item in (drafted, approved):
            assert entry(driver, item) is None

    def test_a_change_keeps_the_published_title_until_the_new_version_is_published(
        self, app: GongkaiLedger, driver: ProjectionDriver
    ) -> None:
        """001 Art 8: the changed draft is not online until reviewed and published again;
        003 Art 14: then the catalogue follows the change."""
        item = publish(app, PLAN)
        app.change_item(
            item, DRAFTER, date(2025, 4, 1), "调整规划期", "关于印发修订版数字经济规划的通知"
        )
        assert titles(driver) == [PLAN]
        assert titles(driver, "数字经济") == []

        review_approve_publish(app, item, date(2025, 4, 8))
        assert titles(driver, "数字经济") == ["关于印发修订版数字经济规划的通知"]
        assert titles(driver, "互联网") == []
        republished = entry(driver, item)
        assert republished is not None and republished.published_on == date(2025, 4, 8)
        assert republished.index_number == "005253103/2025-00001"  # the index number is kept

    @pytest.mark.parametrize("validity", [Validity.REVOKED, Validity.ABOLISHED])
    def test_revocation_and_abolition_remove_the_entry(
        self, app: GongkaiLedger, driver: ProjectionDriver, validity: Validity
    ) -> None:
        """003 Art 14: the catalogue follows revocation and abolition."""
        item = publish(app, PLAN)
        driver.catch_up()
        app.end_item_validity(item, LEADER, date(2025, 6, 1), validity, "已被新文件替代")
        assert entry(driver, item) is None
        assert titles(driver, "规划") == []
        assert [(c.item_id, c.op, c.entry) for c in feed(driver).changes] == [
            (str(item), validity.value, None)
        ]

    def test_remarking_as_not_disclosed_withdraws_and_lifting_the_exemption_relists(
        self, app: GongkaiLedger, driver: ProjectionDriver
    ) -> None:
        """Publishing what must not be published is a violation (004 att.3 Art 5), so an item
        re-marked 不予公开 leaves the catalogue; a lifted exemption opens it again
        (004 att.6 Art 12)."""
        item = publish(app, PLAN)
        app.mark_attribute(
            item,
            DRAFTER,
            date(2025, 4, 1),
            Attribute.NOT_DISCLOSED,
            "涉及商业秘密",
            NonDisclosureGround.THIRD_PARTY_RIGHTS,
        )
        assert entry(driver, item) is None
        assert [c.op for c in feed(driver).changes] == ["withdrawn"]

        app.lift_exemption(
            item, OFFICE, date(2025, 5, 6), "第三方同意公开", approval(date(2025, 5, 6))
        )
        assert titles(driver) == [PLAN]
        assert [c.op for c in feed(driver).changes] == ["published"]


class TestSearch:
    @pytest.fixture
    def listed(self, app: GongkaiLedger, driver: ProjectionDriver) -> ProjectionDriver:
        publish(app, PLAN)
        publish(app, "关于做好2025年安全生产专项检查的通知", department="办公室", theme="安全生产")
        publish(
            app,
            "中卫市科学技术局关于2024年科技专项资金安排的公示",
            agency=ZHONGWEI,
            formed_on=date(2024, 11, 4),
            theme="科技",
        )
        publish(app, "关于印发中小企业发展规划（2024-2026年）的通知", formed_on=date(2024, 6, 3))
        return driver

    def test_a_two_character_word_finds_chinese_titles(self, listed: ProjectionDriver) -> None:
        """Most Chinese search words are two characters, below FTS5 trigram's minimum."""
        assert titles(listed, "规划") == [
            "关于印发中小企业发展规划（2024-2026年）的通知",
            PLAN,
        ]
        assert titles(listed, "专项") == [
            "中卫市科学技术局关于2024年科技专项资金安排的公示",
            "关于做好2025年安全生产专项检查的通知",
        ]

    def test_longer_words_single_characters_and_several_words(
        self, listed: ProjectionDriver
    ) -> None:
        assert titles(listed, "互联网发展规划") == [PLAN]
        assert titles(listed, "卫") == ["中卫市科学技术局关于2024年科技专项资金安排的公示"]
        assert titles(listed, "规划 中小企业") == ["关于印发中小企业发展规划（2024-2026年）的通知"]
        assert titles(listed, "２０２６") == ["关于印发中小企业发展规划（2024-2026年）的通知"]
        assert titles(listed, "规划局") == []
        assert titles(listed, "《》") == []

    def test_filters_by_agency_department_theme_and_year_formed(
        self, listed: ProjectionDriver
    ) -> None:
        """The year is the year formed, the year in the index number (000, header:
        005253103/2020-00396); the issuing body and department as the Regulation Art 12 and
        000 §二(二) name them."""
        assert titles(listed, agency=ZHONGWEI) == [
            "中卫市科学技术局关于2024年科技专项资金安排的公示"
        ]
        assert titles(listed, department="办公室") == ["关于做好2025年安全生产专项检查的通知"]
        assert titles(listed, theme="工业") == [
            "关于印发中小企业发展规划（2024-2026年）的通知",
            PLAN,
        ]
        assert titles(listed, "规划", year=2024) == [
            "关于印发中小企业发展规划（2024-2026年）的通知"
        ]
        assert titles(listed, "规划", agency=ZHONGWEI) == []

    def test_results_page_newest_first_by_cursor_or_offset(self, listed: ProjectionDriver) -> None:
        everything = titles(listed, limit=50)
        assert len(everything) == 4
        seen: list[str] = []
        cursor = None
        while True:
            page = read(listed, search, limit=3, cursor=cursor)
            seen += [entry.title for entry in page.entries]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert seen == everything
        assert titles(listed, limit=2, offset=2) == everything[2:]


class TestChangeFeed:
    def test_pages_follow_cursors_across_gaps_and_list_each_item_once(
        self, app: GongkaiLedger, driver: ProjectionDriver
    ) -> None:
        """A portal syncs incrementally (003 Art 14: the catalogue follows changes): cursors
        are notification ids, so they have gaps, and an item changed twice appears once, at
        its latest change."""
        items = [publish(app, f"关于第{n}批专项资金的公示") for n in range(5)]
        first = feed(driver, 0, limit=2)
        second = feed(driver, first.next_cursor, limit=2)
        third = feed(driver, second.next_cursor, limit=2)
        fourth = feed(driver, third.next_cursor, limit=2)
        cursors = [c.cursor for page in (first, second, third) for c in page.changes]
        assert [c.item_id for page in (first, second, third) for c in page.changes] == [
            str(item) for item in items
        ]
        assert cursors == sorted(cursors)
        assert any(later - earlier > 1 for earlier, later in pairwise(cursors))
        assert fourth.changes == [] and fourth.next_cursor == third.next_cursor

        app.link_interpretation(items[1], OFFICE, date(2025, 3, 5), "https://gov.example.cn/jd/1")
        app.end_item_validity(items[3], LEADER, date(2025, 3, 6), Validity.REVOKED, "已废止")
        update = feed(driver, fourth.next_cursor)
        assert [(c.item_id, c.op) for c in update.changes] == [
            (str(items[1]), "changed"),
            (str(items[3]), "revoked"),
        ]
        linked = update.changes[0].entry
        assert linked is not None and linked.interpretation_ref == "https://gov.example.cn/jd/1"
        assert [c.item_id for c in feed(driver).changes] == [str(items[n]) for n in (0, 2, 4, 1, 3)]

    def test_cursors_survive_a_rebuild(self, app: GongkaiLedger, driver: ProjectionDriver) -> None:
        for n in range(3):
            publish(app, f"关于第{n}批试点名单的公示")
        before = feed(driver)
        driver.rebuild(progress=False)
        assert feed(driver) == before


def test_handle_and_handle_batch_give_the_same_tables(app: GongkaiLedger, backend: Backend) -> None:
    """`handle` is the one-event batch: the same fold, the same writes."""
    item: UUID = publish(app, PLAN)
    app.change_item(item, DRAFTER, date(2025, 4, 1), "调整", "关于印发新规划的通知")
    review_approve_publish(app, item, date(2025, 4, 2))
    withhold(app)
    batched = backend.store("batched")
    single = backend.store("single")
    ProjectionDriver(app, batched, [Catalogue()]).catch_up()
    ProjectionDriver(app, single, [Catalogue()], batch_size=1).catch_up()
    assert dump(batched) == dump(single)


def test_a_store_written_by_version_1_is_rebuilt_with_views(
    app: GongkaiLedger, store: SqlStore
) -> None:
    """Version 1 kept `catalogue_entries` and `catalogue_feed` as tables beside a state table;
    version 2 serves them as views over `catalogue_items`, so its reset drops either kind."""
    item = publish(app, PLAN)
    with store.transaction() as tx:
        tx.execute("CREATE TABLE catalogue_item_state (item_id TEXT PRIMARY KEY)")
        tx.execute("CREATE TABLE catalogue_entries (item_id TEXT PRIMARY KEY, title TEXT)")
        tx.execute("CREATE TABLE catalogue_feed (seq BIGINT PRIMARY KEY, item_id TEXT, op TEXT)")
        tx.execute("INSERT INTO catalogue_entries VALUES ('stale', 'stale')")
    driver = ProjectionDriver(app, store, [Catalogue()])
    listed = entry(driver, item)
    assert listed is not None and listed.title == PLAN
    assert [change.item_id for change in feed(driver).changes] == [str(item)]
    assert "catalogue_item_state" not in dump(store)
