"""The tamper-evident ledger over HTTP: signed checkpoints, inclusion and consistency proofs, and
the public key. Reads are public (they carry hashes, never event content); signing a checkpoint
is for the disclosure office and investigators.

The ledger's tables live next to the events; a `LedgerFollower` keeps the tree current. A server
runs it in a background thread (`start_follower` / `stop_follower` in the app's lifespan);
without one, `POST /ledger/checkpoints` catches the tree up itself before signing.
"""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from api.deps import OfficialDep, ServicesDep
from api.problems import PROBLEM_KINDS, ApiProblem, Problem, ProblemKind, problem_responses
from api.services import Services
from domain.codes import Role, label
from projections.ledger.note import KEY_FILE_ENV, NoteError, Signer, signer_from_environment
from projections.ledger.store import (
    ORIGIN_ENV,
    LedgerFollower,
    LedgerIntegrityError,
    LedgerStore,
    NoCheckpoint,
    NotInLedger,
    OriginMismatch,
)

logger = logging.getLogger("gongkai.ledger")

router = APIRouter(prefix="/ledger", tags=["ledger 台账存证"])

# The problem kinds of this router, listed with the others (and served by /problems/{kind}).
PROBLEM_KINDS.setdefault(
    "ledger-not-covered",
    ProblemKind(
        409,
        "尚未纳入检查点 Not covered by the checkpoint",
        "The event is newer than the tree size asked for (by default the latest signed "
        "checkpoint): ask for a larger `tree_size`, or sign a new checkpoint "
        "(`POST /ledger/checkpoints`).",
    ),
)
PROBLEM_KINDS.setdefault(
    "ledger-not-configured",
    ProblemKind(
        503,
        "台账签名未配置 Ledger signing not configured",
        f"The signer key file (`{KEY_FILE_ENV}`) is missing or unreadable, or the configured "
        f"origin (`{ORIGIN_ENV}`) differs from the origin of the checkpoints already signed.",
    ),
)
PROBLEM_KINDS.setdefault(
    "ledger-integrity",
    ProblemKind(
        500,
        "台账完整性错误 Ledger integrity failure",
        "The stored tree or a stored checkpoint disagrees with what the ledger signed before: "
        "the ledger tables were changed outside the service. Nothing was signed; the "
        "operators are alerted.",
    ),
)

SIGNING_ROLES = frozenset({Role.DISCLOSURE_OFFICE, Role.INVESTIGATOR})
SIGNING_CITATION = "docs/ledger.md (checkpoints); 004 att.3 (investigators examine the records)"
_EXTRAS_KEY = "ledger"
_runtime_lock = threading.Lock()


@dataclass
class LedgerRuntime:
    """The ledger of one app: its tables, the follower that keeps the tree current, and where
    the signer key comes from (the key file named by the environment, read when signing)."""

    store: LedgerStore
    follower: LedgerFollower
    signer_source: Callable[[], Signer] = signer_from_environment


def ledger_runtime(services: Services) -> LedgerRuntime:
    """The app's ledger, created (tables included) on first use and kept in `services.extras`."""
    with _runtime_lock:
        runtime = services.extras.get(_EXTRAS_KEY)
        if runtime is None:
            store = LedgerStore.for_app(services.ledger, services.store)
            runtime = LedgerRuntime(store, LedgerFollower(services.ledger, store))
            services.extras[_EXTRAS_KEY] = runtime
    assert isinstance(runtime, LedgerRuntime)
    return runtime


def start_follower(services: Services) -> None:
    """Keep the tree current in a background thread (call from the app's lifespan)."""
    ledger_runtime(services).follower.start()


def stop_follower(services: Services) -> None:
    runtime = services.extras.get(_EXTRAS_KEY)
    if isinstance(runtime, LedgerRuntime):
        runtime.follower.stop()


def get_runtime(services: ServicesDep) -> LedgerRuntime:
    return ledger_runtime(services)


RuntimeDep = Annotated[LedgerRuntime, Depends(get_runtime)]


def checkpoint_signer(official: OfficialDep) -> None:
    if official.role not in SIGNING_ROLES:
        raise ApiProblem(
            "forbidden",
            f"the role {official.role.value} ({label(official.role)}) may not: "
            "签署检查点 Sign a ledger checkpoint",
            rule="role_not_allowed",
            citation=SIGNING_CITATION,
        )


# ---- schemas ----------------------------------------------------------------------------------


class InclusionProofOut(BaseModel):
    """RFC 9162 inclusion proof; hashes are standard base64."""

    type: str = "inclusion"
    leaf_index: int = Field(description="the event's position in the tree (0-based)")
    notification_id: int
    tree_size: int
    leaf_hash: str = Field(description="SHA-256(0x00 || leaf bytes) as recorded when logged")
    root_hash: str
    proof: list[str] = Field(description="sibling hashes, bottom-up")
    checkpoint: str | None = Field(description="the signed checkpoint of tree_size, if any")


class ConsistencyProofOut(BaseModel):
    """RFC 9162 consistency proof between two tree sizes; hashes are standard base64."""

    type: str = "consistency"
    old_size: int
    new_size: int
    old_root: str
    new_root: str
    proof: list[str]
    old_checkpoint: str | None
    new_checkpoint: str | None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


TEXT: dict[str, Any] = {"content": {"text/plain": {}}}

# ---- routes -------------------------------------------------------------------------------------


@router.get(
    "/checkpoint",
    summary="最新检查点 Latest signed checkpoint",
    description="最新签署的检查点（C2SP signed note，Ed25519）。The latest signed checkpoint "
    "(origin, tree size, root hash, signature lines) as `text/plain`, or the one of "
    "`tree_size`. Public.",
    response_class=PlainTextResponse,
    responses={200: TEXT, **problem_responses(404, 422)},
)
def latest_checkpoint(
    runtime: RuntimeDep,
    tree_size: Annotated[int | None, Query(ge=0, le=2**62)] = None,
) -> PlainTextResponse:
    store = runtime.store
    stored = store.latest_checkpoint() if tree_size is None else store.checkpoint_at(tree_size)
    if stored is None:
        detail = "no checkpoint has been signed yet"
        if tree_size is not None:
            detail = f"no checkpoint of size {tree_size}"
        raise ApiProblem("not-found", detail)
    return PlainTextResponse(stored.note)


@router.post(
    "/checkpoints",
    summary="签署检查点 Sign a checkpoint now",
    description="把树追到日志最新位置并签署其根（同一大小只签一次）。Brings the tree up to the log "
    "head and signs its root; 201 with the new note, or 200 with the existing note when the "
    "tree has not grown since the last checkpoint. **Roles 角色**: disclosure_office, "
    "investigator.",
    status_code=201,
    response_class=PlainTextResponse,
    responses={
        200: {"description": "the tree has not grown: the existing checkpoint", **TEXT},
        201: {"description": "signed", **TEXT},
        **problem_responses(401, 403),
        500: {
            "model": Problem,
            "description": "台账完整性错误 the stored tree disagrees with a signed checkpoint",
        },
        503: {
            "model": Problem,
            "description": "台账签名未配置 no usable signer key, or a different origin",
        },
    },
    dependencies=[Depends(checkpoint_signer)],
)
def sign_checkpoint(runtime: RuntimeDep) -> PlainTextResponse:
    signer = _signer(runtime)
    runtime.follower.catch_up()  # the background follower, if any, may be one poll behind
    head = runtime.store.head()
    existed = runtime.store.checkpoint_at(head.size) is not None
    try:
        note = runtime.store.checkpoint(signer)
    except OriginMismatch as error:
        raise ApiProblem("ledger-not-configured", str(error)) from error
    except LedgerIntegrityError as error:
        logger.critical("ledger integrity failure: %s", error)
        raise ApiProblem("ledger-integrity", str(error)) from error
    size = int(note.split("\n", 2)[1])
    return PlainTextResponse(
        note,
        status_code=200 if existed else 201,
        headers={"Location": f"/ledger/checkpoint?tree_size={size}"},
    )


def _signer(runtime: LedgerRuntime) -> Signer:
    try:
        return runtime.signer_source()
    except (NoteError, OSError) as error:
        # The key's location is configuration, not a secret, but the file's content never
        # appears in the message.
        logger.error("ledger signer key unavailable: %s", error)
        raise ApiProblem(
            "ledger-not-configured", f"the ledger's signer key is not usable ({KEY_FILE_ENV})"
        ) from error


@router.get(
    "/proofs/inclusion",
    summary="包含证明 Inclusion proof",
    description="证明某事件在已签署的树中。Proof that the event `notification_id` is a leaf of "
    "the tree of `tree_size` leaves (default: the latest signed checkpoint), with that "
    "checkpoint. Verify with RFC 9162 §2.1.3.2. Public.",
    responses={
        **problem_responses(404, 422, 503),
        409: {
            "model": Problem,
            "description": "尚未纳入检查点 the event is newer than the tree size asked for",
        },
    },
)
def inclusion(
    runtime: RuntimeDep,
    services: ServicesDep,
    notification_id: Annotated[int, Query(ge=1, le=2**62)],
    tree_size: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> InclusionProofOut:
    _wait_for(runtime, services, notification_id)
    _check_size(runtime, tree_size)
    try:
        runtime.store.leaf(notification_id=notification_id)
    except NotInLedger as error:
        raise ApiProblem("not-found", f"no event with notification id {notification_id}") from error
    try:
        proof = runtime.store.inclusion_proof(notification_id, tree_size=tree_size)
    except NoCheckpoint as error:
        raise ApiProblem("not-found", str(error)) from error
    except NotInLedger as error:
        raise ApiProblem("ledger-not-covered", str(error), field="tree_size") from error
    return InclusionProofOut(
        leaf_index=proof.leaf_index,
        notification_id=proof.notification_id,
        tree_size=proof.tree_size,
        leaf_hash=_b64(proof.leaf_hash),
        root_hash=_b64(proof.root_hash),
        proof=[_b64(node) for node in proof.proof],
        checkpoint=proof.checkpoint,
    )


@router.get(
    "/proofs/consistency",
    summary="一致性证明 Consistency proof",
    description="证明旧树是新树的前缀（只追加）。Proof that the tree of `old` leaves is a prefix "
    "of the tree of `new` leaves (default: the latest signed checkpoint), with both "
    "checkpoints where they were signed. Verify with RFC 9162 §2.1.4.2. Public.",
    responses=problem_responses(404, 422),
)
def consistency(
    runtime: RuntimeDep,
    old: Annotated[int, Query(ge=0, le=2**62)],
    new: Annotated[int | None, Query(ge=0, le=2**62)] = None,
) -> ConsistencyProofOut:
    _check_size(runtime, new, field="new")
    if new is not None and old > new:
        raise ApiProblem("validation-error", f"old ({old}) is larger than new ({new})", field="old")
    try:
        proof = runtime.store.consistency_proof(old, new)
    except NoCheckpoint as error:
        raise ApiProblem("not-found", str(error)) from error
    except NotInLedger as error:
        raise ApiProblem("validation-error", str(error), field="old") from error
    return ConsistencyProofOut(
        old_size=proof.old_size,
        new_size=proof.new_size,
        old_root=_b64(proof.old_root),
        new_root=_b64(proof.new_root),
        proof=[_b64(node) for node in proof.proof],
        old_checkpoint=proof.old_checkpoint,
        new_checkpoint=proof.new_checkpoint,
    )


@router.get(
    "/public-key",
    summary="验证公钥 Verifier keys",
    description="检查点的验证公钥，每行一个（轮换后含旧钥）。The verifier keys of this log, one a "
    "line, oldest first (Go `sumdb/note` encoding): every key that signed a checkpoint, and "
    "the current signer's. Auditors should compare them with the published keyring. Public.",
    response_class=PlainTextResponse,
    responses={200: TEXT, **problem_responses(404)},
)
def public_key(runtime: RuntimeDep) -> PlainTextResponse:
    keys = runtime.store.stored_verifier_keys()
    # Without a signer configured in this process, the recorded keys are all there are.
    with suppress(NoteError, OSError):
        keys.append(runtime.signer_source().verifier().encoded())
    keys = list(dict.fromkeys(keys))
    if not keys:
        raise ApiProblem("not-found", "no verifier key: no checkpoint signed, no key configured")
    return PlainTextResponse("".join(key + "\n" for key in keys))


# ---- helpers ------------------------------------------------------------------------------------


def _check_size(runtime: LedgerRuntime, size: int | None, field: str = "tree_size") -> None:
    if size is None:
        return
    head = runtime.store.head()
    if size > head.size:
        raise ApiProblem(
            "validation-error",
            f"{field} {size} is larger than the tree ({head.size} leaves)",
            field=field,
        )


def _wait_for(runtime: LedgerRuntime, services: Services, notification_id: int) -> None:
    """404 for an id the log never had. An event not yet appended: a bounded wait for the
    background follower, or (none running in this process) catching the tree up here."""
    if runtime.store.head().last_notification_id >= notification_id:
        return
    if notification_id > services.position():
        raise ApiProblem("not-found", f"no event with notification id {notification_id}")
    follower = runtime.follower
    if follower.running:
        if follower.wait_until(notification_id, services.settings.read_wait_timeout):
            return
    else:
        follower.catch_up()
        if runtime.store.head().last_notification_id >= notification_id:
            return
    raise ApiProblem(
        "projection-lagging",
        f"the ledger has not yet appended event {notification_id}",
        headers={"Retry-After": "1"},
    )
