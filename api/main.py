"""The app factory: `create_app(settings)` builds a FastAPI app over its own services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.idempotency import IdempotencyMiddleware
from api.logging import AccessLogMiddleware
from api.openapi import install_openapi
from api.problems import install_problem_handlers
from api.responses import OrjsonResponse
from api.routes import (
    accountability,
    agencies,
    annual_review,
    catalogue,
    docket,
    history,
    items,
    meta,
    pages,
    reports,
    requests,
)
from api.routes import ledger as ledger_routes
from api.services import Projector, Services, build_services
from api.settings import Settings
from domain.application import GongkaiLedger
from projections.driver import ProjectionDriver
from projections.registry import all_read_models
from projections.store import SqlStore

DESCRIPTION = """\
公开台账：政府信息公开的事件溯源记录与审计服务。
Gongkai Ledger: an event-sourced records and audit-trail service for government information
disclosure (政府信息公开).

* Commands are `POST`s on an item or request; each records one event with the acting official
  (from the bearer token), the business date (`on`), and the basis / approval the rules need.
  The response carries the new `version` (also the `ETag`) and the log `position`.
* `If-Match: "<version>"` → optimistic concurrency (412 when stale); a concurrent write → 409.
* `Idempotency-Key` makes a retried `POST` safe.
* Reads of read models accept `?wait=true` or `X-Min-Position: <position>` for read-your-writes.
* Errors are RFC 9457 `application/problem+json`; a refused rule names `rule` and its seed
  `citation`.
* The catalogue (目录) is public; everything else needs `Authorization: Bearer <token>`.
"""

TAGS = [
    {"name": "catalogue 目录", "description": "公开目录（无需令牌）。The public catalogue."},
    {"name": "items 政府信息", "description": "信息的全生命周期。The life of disclosure items."},
    {"name": "requests 依申请公开", "description": "依申请公开办理流程。Request handling."},
    {"name": "docket 时限台账", "description": "法定时限。Statutory deadlines."},
    {"name": "history 历史", "description": "事件历史与时点状态。Event history, as-of state."},
    {"name": "annual review 年度审查", "description": "每年 3 月的审查。The March review."},
    {
        "name": "reports 年度报告",
        "description": "政府信息公开工作年度报告（国家模板）。The annual report (004 att.9).",
    },
    {
        "name": "accountability 责任追究",
        "description": "违规、责任、考评与案卷。Violations, responsibility, evaluation, "
        "case files.",
    },
    {"name": "agencies 机关", "description": "机关及其政策。Agencies and policies."},
    {
        "name": "ledger 台账存证",
        "description": "防篡改台账：签名检查点、证明与公钥。Tamper-evident ledger: signed "
        "checkpoints, inclusion and consistency proofs, the public key.",
    },
    {"name": "service 服务", "description": "健康检查等。Health and meta."},
]


def create_app(settings: Settings | None = None, *, services: Services | None = None) -> FastAPI:
    """An app over `services` (built from `settings` when not given). The lifespan prepares the
    read-model tables and runs the projection driver; it can run many times (test clients do),
    so it never closes the services: whoever ends the process calls `app.state.services.close()`.
    """
    settings = settings or (services.settings if services else Settings.from_env())
    if services is None:
        services = build_services(settings, projector_factory=default_projector)
    ready = services

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        projector = ready.projector
        if projector is not None:
            projector.prepare()  # the read-model tables exist before the first read
            if ready.settings.run_projections:
                projector.start()
        if ready.settings.run_projections:
            ledger_routes.start_follower(ready)
        try:
            yield
        finally:
            ledger_routes.stop_follower(ready)
            if projector is not None:
                projector.stop()

    app = FastAPI(
        title="Gongkai Ledger 公开台账",
        version="0.1.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        default_response_class=OrjsonResponse,
        lifespan=lifespan,
    )
    app.state.services = services
    install_problem_handlers(app)
    install_openapi(app)
    for module in (
        pages,
        catalogue,
        items,
        requests,
        docket,
        history,
        annual_review,
        reports,
        accountability,
        agencies,
        ledger_routes,
        meta,
    ):
        app.include_router(module.router)
    app.add_middleware(
        IdempotencyMiddleware, store=services.idempotency, officials=services.officials
    )
    app.add_middleware(AccessLogMiddleware)
    return app


def default_projector(ledger: GongkaiLedger, store: SqlStore) -> Projector:
    """The projection driver over every read model. It follows the log in a background thread
    of the server when `settings.run_projections` (the embedded mode); otherwise another process
    (`gongkai projections run`) does, and this one only waits for its positions."""
    return ProjectionDriver(ledger, store, all_read_models(ledger.policies))
