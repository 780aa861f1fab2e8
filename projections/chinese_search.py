"""Chinese full-text search terms: overlapping character bigrams, as FTS tokens.

Chinese titles have no spaces, and the words people search for are mostly two characters
("规划", "资金", "安全"). SQLite's FTS5 `trigram` tokenizer cannot match fewer than three
characters, and a `LIKE '%规划%'` fallback scans every row. So the catalogue indexes each title
as space-separated overlapping bigrams in an FTS5 `unicode61` table: "发展规划" becomes
"发展 展规 规划 划". A query of n ≥ 2 characters is the phrase of its n-1 bigrams, which matches
exactly the titles containing it as a substring; the trailing single character of each segment
lets a one-character query run as a prefix query. PostgreSQL indexes the same terms as a
`tsvector` (the `simple` configuration: each term one lexeme, in order) and asks the same
question with `<->` phrases and `:*` prefixes (`tsquery_expression`).

Search filters (agency, department, theme, year) are indexed as facet tokens in a second column,
so a filtered search is one posting-list intersection rather than a scan.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from operator import add

MAX_QUERY_SEGMENTS = 8


# Runs of letters and digits: `\w` is `str.isalnum()` plus the underscore, which is excluded.
_RUN = re.compile(r"[^\W_]+")


def segments(text: str) -> list[str]:
    """Runs of letters and digits after NFKC folding (full-width to half-width) and lowercasing;
    punctuation and spaces separate them."""
    return _RUN.findall(unicodedata.normalize("NFKC", text).lower())


def index_terms(text: str) -> str:
    """The space-separated terms stored for `text`."""
    terms: list[str] = []
    for run in segments(text):
        terms.extend(map(add, run, run[1:]))  # the run's bigrams
        terms.append(run[-1])
    return " ".join(terms)


def match_expression(query: str) -> str | None:
    """An FTS5 expression matching titles that contain every segment of `query`, or None
    when the query has no searchable character. Only letters and digits reach the expression,
    so user input cannot inject FTS syntax."""
    parts: list[str] = []
    for run in segments(query)[:MAX_QUERY_SEGMENTS]:
        if len(run) == 1:
            parts.append(f'"{run}"*')
        else:
            parts.append('"' + " ".join(run[i : i + 2] for i in range(len(run) - 1)) + '"')
    return " AND ".join(parts) if parts else None


def tsquery_expression(query: str) -> str | None:
    """The PostgreSQL `tsquery` (configuration `simple`) asking what `match_expression` asks
    FTS5: each segment as the phrase of its bigrams (`<->`), a one-character segment as a
    prefix (`:*`), all of them (`&`); None without a searchable character. Only letters and
    digits are quoted into it, so user input cannot inject tsquery syntax."""
    parts: list[str] = []
    for run in segments(query)[:MAX_QUERY_SEGMENTS]:
        if len(run) == 1:
            parts.append(f"'{run}':*")
        else:
            bigrams = (f"'{run[i : i + 2]}'" for i in range(len(run) - 1))
            parts.append("(" + " <-> ".join(bigrams) + ")")
    return " & ".join(parts) if parts else None


@lru_cache(maxsize=4096)  # a few agencies, departments, themes and years: hashed once each
def facet_token(kind: str, value: str | int) -> str:
    """A filter value as one ASCII token ("a" agency, "d" department, "t" theme, "y" year)."""
    if kind == "y":
        return f"y{value}"
    digest = hashlib.blake2b(str(value).encode("utf-8"), digest_size=6).hexdigest()
    return f"{kind}{digest}"
