"""The public catalogue (政府信息公开目录): search, entry, change feed, Atom feed. No token.

Only published, in-force, proactive items appear (003 Art 12(四), Art 14; 001 Art 8), with the
fields the Regulation Art 12 lists; never applicant data or unpublished content (domain.md §6).
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from api.atom import atom_feed
from api.deps import ConsistentRead, ServicesDep
from api.openapi import PUBLIC_STATUSES
from api.problems import problem_responses
from api.schemas import CatalogueChangesPage, CatalogueEntryPublic, CataloguePage
from api.views import catalogue_change, catalogue_entry
from domain.errors import NotFound
from projections import catalogue

router = APIRouter(prefix="/catalogue", tags=["catalogue 目录"])

Filter = Annotated[str | None, Query(min_length=1, max_length=128)]
PUBLIC_READ = problem_responses(*PUBLIC_STATUSES, 503)


@router.get(
    "",
    summary="检索目录 Search the catalogue",
    description="按标题关键词（中文按字检索）、机关、科室、主题、年份检索已公开信息，按发布倒序。"
    "Search published items by title words (Chinese matched by substring), agency, department, "
    "theme and year formed; newest publication first. Page with `cursor`.",
    responses=PUBLIC_READ,
)
def search_catalogue(
    services: ServicesDep,
    _: ConsistentRead,
    q: Annotated[str | None, Query(max_length=100, description="title words")] = None,
    agency: Filter = None,
    department: Filter = None,
    theme: Filter = None,
    year: Annotated[int | None, Query(ge=1949, le=2200, description="year formed")] = None,
    limit: Annotated[int, Query(ge=1, le=catalogue.MAX_PAGE)] = 20,
    cursor: Annotated[int | None, Query(ge=0, le=2**62)] = None,
) -> CataloguePage:
    with services.store.reading() as tx:
        page = catalogue.search(
            tx,
            q,
            agency=agency,
            department=department,
            theme=theme,
            year=year,
            limit=limit,
            cursor=cursor,
        )
    return CataloguePage(
        entries=[catalogue_entry(e) for e in page.entries], next_cursor=page.next_cursor
    )


@router.get(
    "/changes",
    summary="目录变更流 Catalogue change feed",
    description="自 `cursor` 起的目录变更（每条信息取其最新一次）：published/changed 为更新，"
    "revoked/abolished/withdrawn 为删除。Changes after `cursor`, oldest first, one per item; "
    "apply them and ask again from `next_cursor` (portals keep their copy in sync).",
    responses=PUBLIC_READ,
)
def catalogue_changes(
    services: ServicesDep,
    _: ConsistentRead,
    cursor: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=catalogue.MAX_PAGE * 5)] = 100,
) -> CatalogueChangesPage:
    with services.store.reading() as tx:
        page = catalogue.changes_since(tx, cursor, limit)
    return CatalogueChangesPage(
        changes=[catalogue_change(c) for c in page.changes], next_cursor=page.next_cursor
    )


@router.get(
    "/feed.atom",
    summary="目录 Atom 订阅 Atom feed",
    description="最新发布的 50 条信息（Atom 1.0）。The newest published items as an Atom feed.",
    response_class=Response,
    responses={
        200: {"content": {"application/atom+xml": {"schema": {"type": "string"}}}},
        **PUBLIC_READ,
    },
)
def catalogue_feed(
    services: ServicesDep,
    _: ConsistentRead,
    agency: Filter = None,
) -> Response:
    with services.store.reading() as tx:
        page = catalogue.search(tx, None, agency=agency, limit=50)
    body = atom_feed(page.entries, base_url=services.settings.public_base_url)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.get(
    "/{item_id}",
    summary="目录条目 A catalogue entry",
    description="一条已公开信息的目录条目。One published item's catalogue entry.",
    responses=PUBLIC_READ,
)
def catalogue_item(item_id: UUID, services: ServicesDep, _: ConsistentRead) -> CatalogueEntryPublic:
    with services.store.reading() as tx:
        entry = catalogue.get_entry(tx, str(item_id))
    if entry is None:
        raise NotFound("catalogue entry", item_id)
    return catalogue_entry(entry)
