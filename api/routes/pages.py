"""A minimal server-rendered page: the public catalogue, in Chinese and English (no scripts)."""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api.deps import ServicesDep
from projections import catalogue
from projections.catalogue import CatalogueEntry

router = APIRouter(tags=["catalogue 目录"])

STYLE = """
body{font-family:system-ui,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
margin:2rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.4rem;
text-align:left;vertical-align:top}th{background:#f4f4f4}form{margin:1rem 0}
.muted{color:#666;font-size:.9em}
"""


def _row(entry: CatalogueEntry) -> str:
    title = escape(entry.title)
    link = f'<a href="{escape(entry.url)}">{title}</a>' if entry.url else title
    return (
        "<tr>"
        f"<td>{escape(entry.index_number or '')}</td>"
        f"<td>{link}<div class='muted'>{escape(entry.document_number)}</div></td>"
        f"<td>{escape(entry.issuing_body)}</td>"
        f"<td>{escape(entry.theme)}</td>"
        f"<td>{entry.formed_on.isoformat()}</td>"
        f"<td>{entry.published_on.isoformat()}</td>"
        "</tr>"
    )


@router.get(
    "/",
    response_class=HTMLResponse,
    summary="首页 Home page",
    description="政府信息公开目录（服务端渲染）。The public catalogue as a plain HTML page.",
)
def home(
    services: ServicesDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
    agency: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
) -> HTMLResponse:
    with services.store.reading() as tx:
        page = catalogue.search(tx, q or None, agency=agency, limit=50)
    agencies = services.ledger.policies.all()
    options = "".join(
        f'<option value="{escape(p.code)}"{" selected" if p.code == agency else ""}>'
        f"{escape(p.name)}</option>"
        for p in agencies
    )
    rows = "".join(_row(e) for e in page.entries) or (
        '<tr><td colspan="6">暂无条目 No entries yet.</td></tr>'
    )
    html = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>政府信息公开目录 · Gongkai Ledger</title><style>{STYLE}</style></head>
<body>
<h1>政府信息公开目录 <span class="muted">Government information catalogue</span></h1>
<p>公开台账：已主动公开的政府信息。Gongkai Ledger: items published proactively.
<a href="/docs">API 文档 API docs</a> ·
<a href="/catalogue/feed.atom">Atom 订阅 feed</a> ·
<a href="/agencies">机关 Agencies</a></p>
<form method="get" action="/">
<input name="q" value="{escape(q or "")}" placeholder="标题关键词 title words" maxlength="100">
<select name="agency"><option value="">全部机关 All agencies</option>{options}</select>
<button type="submit">检索 Search</button></form>
<table><thead><tr><th>索引号 Index no.</th><th>标题 Title</th><th>发布机构 Issuer</th>
<th>主题 Theme</th><th>成文日期 Formed</th><th>发布日期 Published</th></tr></thead>
<tbody>{rows}</tbody></table>
</body></html>"""
    return HTMLResponse(html)
