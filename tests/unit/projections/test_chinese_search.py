"""Bigram terms for Chinese titles: what is indexed and what a query becomes."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest

from projections.chinese_search import (
    facet_token,
    index_terms,
    match_expression,
    segments,
    tsquery_expression,
)
from tests.backends import Backend

Matcher = Callable[[str, str], bool]


def fts5_matches(title: str, query: str) -> bool:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(terms, tokenize='unicode61')")
    connection.execute("INSERT INTO t (terms) VALUES (?)", (index_terms(title),))
    expression = match_expression(query)
    assert expression is not None
    return bool(connection.execute("SELECT 1 FROM t WHERE t MATCH ?", (expression,)).fetchall())


@pytest.fixture
def matches(module_backend: Backend) -> Matcher:
    """Whether a title's terms match a query: FTS5 on SQLite, a tsquery on PostgreSQL."""
    if not module_backend.is_postgres:
        return fts5_matches
    store = module_backend.store("search_terms")

    def tsquery_matches(title: str, query: str) -> bool:
        expression = tsquery_expression(query)
        assert expression is not None
        with store.reading() as tx:
            row = tx.fetchone(
                "SELECT to_tsvector('simple', ?) @@ to_tsquery('simple', ?)",
                (index_terms(title), expression),
            )
        return bool(row and row[0])

    return tsquery_matches


class TestTerms:
    def test_segments_fold_width_and_case_and_split_on_punctuation(self) -> None:
        assert segments("关于印发《ＡＢＣ规划》的通知（2025年）") == [
            "关于印发",
            "abc规划",
            "的通知",
            "2025年",
        ]

    def test_a_segment_becomes_its_overlapping_bigrams_and_its_last_character(self) -> None:
        assert index_terms("发展规划") == "发展 展规 规划 划"
        assert index_terms("局") == "局"

    def test_a_query_is_the_phrase_of_its_bigrams_or_a_prefix_for_one_character(self) -> None:
        assert match_expression("发展规划") == '"发展 展规 规划"'
        assert match_expression("规") == '"规"*'
        assert match_expression("工业 规划") == '"工业" AND "规划"'

    def test_on_postgres_a_query_is_the_same_phrases_and_prefixes_as_a_tsquery(self) -> None:
        assert tsquery_expression("发展规划") == "('发展' <-> '展规' <-> '规划')"
        assert tsquery_expression("规") == "'规':*"
        assert tsquery_expression("工业 规划") == "('工业') & ('规划')"

    def test_a_query_without_letters_or_digits_has_no_expression(self) -> None:
        assert match_expression("《》、 ") is None
        assert tsquery_expression("《》、 ") is None

    def test_facets_are_ascii_tokens(self) -> None:
        assert facet_token("y", 2025) == "y2025"
        token = facet_token("d", "规划处")
        assert token.startswith("d") and token.isascii() and token.isalnum()
        assert token != facet_token("d", "办公室")


class TestMatching:
    TITLE = "郑州市工业和信息化局关于印发2025年工业互联网发展规划的通知"

    @pytest.mark.parametrize(
        "query", ["规划", "互联网", "发展规划", "2025", "通知", "郑", "知", "工业 规划"]
    )
    def test_a_title_is_found_by_any_substring_of_any_length(
        self, matches: Matcher, query: str
    ) -> None:
        assert matches(self.TITLE, query)

    @pytest.mark.parametrize("query", ["规划局", "市局", "2024", "通知书", "展发", "工业规划"])
    def test_a_title_is_not_found_by_what_it_does_not_contain(
        self, matches: Matcher, query: str
    ) -> None:
        assert not matches(self.TITLE, query)

    def test_a_query_does_not_match_across_punctuation(self, matches: Matcher) -> None:
        """ "《规划》的" holds 规划 and 的 but not 划的 as a word."""
        assert matches("关于《规划》的通知", "规划")
        assert not matches("关于《规划》的通知", "划的")

    @pytest.mark.parametrize(
        ("query", "found"),
        [
            ('规划" OR "通知', False),
            ("NOT 规划", False),
            ("terms:通知", False),
            ("(规划*", True),
            ("规划 & !通知", True),
            ("'规划' | '报告'", False),
        ],
    )
    def test_fts_syntax_in_a_query_is_only_text(
        self, matches: Matcher, query: str, found: bool
    ) -> None:
        """Quotes, operators and column filters are separators or words, never FTS5 or tsquery
        syntax: "规划" OR "通知" would match, the words 规划, or, 通知 do not; 规划 & !通知 would
        not, the words 规划 and 通知 do."""
        assert matches("关于规划的通知", query) is found
