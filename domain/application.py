"""The application service: one verb per command, each load → act → save.

Configuration comes from the environment as `eventsourcing` reads it (PERSISTENCE_MODULE,
SQLITE_DBNAME, POSTGRES_*, CIPHER_TOPIC, …); `GongkaiLedger.embedded(path)` (one SQLite file),
`GongkaiLedger.postgres(…)` (production, docs/operations.md) and `GongkaiLedger.in_memory()` are
the common set-ups. Commands act on cached copies without asking the store for newer events
first; a command refused on a copy that had missed another process's write is re-run once on
fresh state, or refused as `ConcurrentWrite` (HTTP 409) when that write was concurrent
(domain/concurrency.py). An `expected_version` that is not current is `StaleVersion` (HTTP 412).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any, ClassVar, TypeVar, cast
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    RecordConflictError,
    Recording,
)

from domain.annual_report_service import AnnualReportCommands
from domain.base import Actor, Approval, DomainEvent, LedgerAggregate, fold, utc_now
from domain.calendar import WorkingDayCalendar, default_calendar
from domain.codes import (
    AnnualReviewOutcome,
    AppealResult,
    Attribute,
    Channel,
    ConsultationAnswer,
    DocumentType,
    FeeBasis,
    LitigationKind,
    NonDisclosureGround,
    Outcome,
    ReadingRoomMode,
    RequestChannel,
    ReviewConclusion,
    ThirdPartyInterest,
    Validity,
)
from domain.concurrency import note_copy, note_created, tracking_copies, written_concurrently
from domain.deadlines import ClockReading, publication_clock, request_clock
from domain.disclosure_item import DisclosureItem
from domain.disclosure_request import Applicant, DisclosureRequest
from domain.errors import ConcurrentWrite, DomainError, NotFound, RuleViolation, StaleVersion
from domain.evaluation_service import EvaluationCommands
from domain.group_commit import GroupCommit
from domain.policy import AgencyPolicy, PolicyBook, PublicationClockStart, default_policies
from domain.sequence import NumberSequence, sequence_id

A = TypeVar("A", bound=LedgerAggregate)
R = TypeVar("R")


def _store_failed(error: Exception) -> bool:
    """The store could not be used (unreachable, pool or lock timeout): not one save's fault."""
    return isinstance(error, (OperationalError, InterfaceError))


@dataclass(frozen=True)
class CommandResult:
    """What a command returns: the aggregate, its new version, and the log position."""

    id: UUID
    version: int
    notification_id: int | None


class GongkaiLedger(EvaluationCommands, AnnualReportCommands, Application[UUID]):
    name = "GongkaiLedger"
    env: ClassVar[dict[str, str]] = {
        "PERSISTENCE_MODULE": "eventsourcing.popo",
        "MAPPER_TOPIC": "domain.persistence:PydanticMapper",
        "TRANSCODER_TOPIC": "domain.persistence:OrjsonTranscoder",
        "AGGREGATE_CACHE_MAXSIZE": "5000",
        # Commands act on cached copies without asking the store for newer events first; a
        # copy that missed another process's write is caught when the command is refused
        # (`_run_command`, domain/concurrency.py). Queries bring their copy up to date.
        "AGGREGATE_CACHE_FASTFORWARD": "n",
    }

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        policies: PolicyBook | None = None,
        calendar: WorkingDayCalendar | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(env)
        # The documented deployment variables (docs/operations.md) are GONGKAI_AGENCIES_FILE and
        # GONGKAI_CALENDAR_FILE; the library's own naming (AGENCIES_FILE, CALENDAR_FILE, also
        # prefixed GONGKAILEDGER_) is read as well.
        self.policies = policies or default_policies(self._setting("AGENCIES_FILE"))
        self.calendar = calendar or default_calendar(self._setting("CALENDAR_FILE"))
        self.clock = clock
        self._commits: GroupCommit[ProcessingEvent[UUID], list[Recording[UUID]]] = GroupCommit(
            self._write_together, self._write, shared_failure=_store_failed
        )

    @classmethod
    def embedded(cls, sqlite_path: str, **kwargs: Any) -> GongkaiLedger:
        """The embedded default: one SQLite file (WAL) holds events and read models."""
        env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": sqlite_path}
        return cls(env={**env, **kwargs.pop("env", {})}, **kwargs)

    @classmethod
    def postgres(
        cls,
        dbname: str,
        host: str = "127.0.0.1",
        port: int = 5432,
        user: str = "postgres",
        password: str = "",
        schema: str = "public",
        **kwargs: Any,
    ) -> GongkaiLedger:
        """The production store: a PostgreSQL database shared by every process.

        The schema is created if it does not exist (first start). Several processes write:
        a cached copy that missed another process's write is caught by `_run_command`. Extra
        settings (pool size, timeouts: docs/operations.md) go in `env`.
        """
        import psycopg  # only the production mode needs the driver
        from psycopg.sql import SQL, Identifier

        with psycopg.connect(
            dbname=dbname, host=host, port=port, user=user, password=password, autocommit=True
        ) as connection:
            connection.execute(SQL("CREATE SCHEMA IF NOT EXISTS {}").format(Identifier(schema)))
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": dbname,
            "POSTGRES_HOST": host,
            "POSTGRES_PORT": str(port),
            "POSTGRES_USER": user,
            "POSTGRES_PASSWORD": password,
            "POSTGRES_SCHEMA": schema,
            "POSTGRES_PRE_PING": "y",  # a connection broken by a server restart is replaced
        }
        return cls(env={**env, **kwargs.pop("env", {})}, **kwargs)

    @classmethod
    def in_memory(cls, **kwargs: Any) -> GongkaiLedger:
        return cls(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, **kwargs)

    # ---- plumbing ---------------------------------------------------------------------------

    @property
    def local_store(self) -> bool:
        """True when the events are read from this machine (the SQLite file, or memory): a
        read costs microseconds, so a command may run on an event loop (domain/on_loop.py)."""
        return self.env.get("PERSISTENCE_MODULE") in ("eventsourcing.sqlite", "eventsourcing.popo")

    def close(self) -> None:
        self._commits.close()
        super().close()

    def _setting(self, name: str) -> str | None:
        return self.env.get(f"GONGKAI_{name}") or self.env.get(name) or None

    def policy(self, agency_code: str) -> AgencyPolicy:
        return self.policies.get(agency_code)

    def _load(self, cls: type[A], aggregate_id: UUID) -> A:
        """A copy to act on: of the cached aggregate, not checked against the store (a stale
        one is caught when the command is refused, `_run_command`), or folded from the store."""
        try:
            aggregate: Any = self.repository.get(aggregate_id, projector_func=fold)
        except AggregateNotFoundError:
            raise NotFound(cls.__name__, aggregate_id) from None
        if not isinstance(aggregate, cls):
            raise NotFound(cls.__name__, aggregate_id)
        aggregate.clock = self.clock
        note_copy(aggregate_id, aggregate.version)
        return aggregate

    def _load_current(self, cls: type[A], aggregate_id: UUID) -> A:
        """For queries, permission checks and shared sequences: the copy brought up to date
        with the events other processes saved since it was cached (one read). A stale cached
        copy is evicted, so the next load reads the store — evicting, unlike putting this
        copy back, cannot overwrite a newer one another thread has just saved."""
        aggregate = self._load(cls, aggregate_id)
        newer = list(self.events.get(aggregate_id, gt=aggregate.version))
        if newer:
            self._evict(aggregate_id)
            aggregate = fold(aggregate, newer)
            note_copy(aggregate_id, aggregate.version)
        return aggregate

    def _load_expected(self, cls: type[A], aggregate_id: UUID, expected: int | None) -> A:
        """The copy to act on, at the caller's expected version (If-Match) or StaleVersion.

        A caller who names a newer version than the cached copy has seen another process's
        write: the copy is reloaded before the comparison, never the caller refused.
        """
        aggregate = self._load(cls, aggregate_id)
        if expected is not None and aggregate.version < expected:
            self._evict(aggregate_id)
            aggregate = self._load(cls, aggregate_id)
        if expected is not None and aggregate.version != expected:
            raise StaleVersion(aggregate_id, expected, aggregate.version)
        return aggregate

    def _save(self, *aggregates: LedgerAggregate) -> int | None:
        """Store the aggregates' new events atomically, in a transaction shared with the saves
        of concurrent commands (domain/group_commit.py); the newest log position."""
        processing: ProcessingEvent[UUID] = ProcessingEvent()
        for aggregate in aggregates:
            note_created(aggregate.id)  # no-op for the loaded ones
            # What `processing.collect_events` does, without its isinstance checks against
            # runtime-checkable protocols (≈ 15 µs a save).
            processing.events.extend(aggregate.collect_events())
            processing.aggregates[aggregate.id] = aggregate
        try:
            recordings = self._commits.submit(processing)
        except (IntegrityError, RecordConflictError):
            self._evict(*(aggregate.id for aggregate in aggregates))
            if self._already_stored(processing.events):
                return None  # written: its acknowledgement was lost (`_already_stored`)
            raise ConcurrentWrite(aggregates[0].id) from None
        if not recordings:
            return None
        notification_ids = [r.notification.id for r in recordings if r.notification is not None]
        return max(notification_ids) if notification_ids else None

    def _already_stored(self, events: list[Any]) -> bool:
        """Whether these very events are in the store. On PostgreSQL a commit can succeed while
        the connection breaks before its answer arrives (the server stopping); the library
        retries the insert, which then meets the events it wrote itself. Events carry their
        timestamp and actor, so identical stored events are this save's, not another writer's."""
        for event in events:
            version = event.originator_version
            stored = list(self.events.get(event.originator_id, gt=version - 1, lte=version))
            if stored != [event]:
                return False
        return bool(events)

    def _write(self, processing: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        """What `Application.save` does once the events are collected: record, snapshot, tell."""
        recordings = self._record(processing)
        self._take_snapshots(processing)
        self._notify(recordings)
        return recordings

    def _write_together(self, group: list[ProcessingEvent[UUID]]) -> list[list[Recording[UUID]]]:
        """One transaction for the events of several saves; each save's own recordings."""
        combined: ProcessingEvent[UUID] = ProcessingEvent()
        for processing in group:
            combined.events.extend(processing.events)
            combined.aggregates.update(processing.aggregates)
        recordings = iter(self._write(combined))  # in the order of the events
        return [list(islice(recordings, len(processing.events))) for processing in group]

    def _evict(self, *aggregate_ids: UUID) -> None:
        cache = self.repository.cache
        if cache is None:
            return
        for aggregate_id in aggregate_ids:
            with suppress(KeyError):
                cache.get(aggregate_id, evict=True)

    def _run_command(self, attempt: Callable[[], R]) -> R:
        """Run `attempt` (load → act → save) on cached copies. If it is refused — its save
        conflicted or a rule refused it — and its copies had missed only writes recorded before
        it started, run it once more on fresh copies (domain/concurrency.py)."""
        started = self.clock()
        with tracking_copies() as copies:
            try:
                return attempt()
            except StaleVersion:
                raise  # decided on a copy newer than the caller's version, or on the store
            except DomainError as refusal:
                self._evict_missed_or_refuse(copies, started, refusal)
        return attempt()

    def _evict_missed_or_refuse(
        self, copies: dict[UUID, int], started: datetime, refusal: DomainError
    ) -> None:
        """Evict the copies that missed events, if those were all recorded before the command
        started; otherwise raise: the refusal itself (no copy was stale), or ConcurrentWrite."""
        missed = self._missed_events(copies)
        if not missed:
            raise refusal
        self._evict(*{event.originator_id for event in missed})
        if written_concurrently(missed, started):
            raise ConcurrentWrite(missed[0].originator_id) from refusal

    def _missed_events(self, copies: dict[UUID, int]) -> list[DomainEvent]:
        """The stored events newer than the versions of the copies a command acted on."""
        missed = [
            event
            for aggregate_id, version in copies.items()
            for event in self.events.get(aggregate_id, gt=version)
        ]
        return cast("list[DomainEvent]", missed)

    def _act(
        self,
        cls: type[A],
        aggregate_id: UUID,
        expected_version: int | None,
        action: Callable[[A], Any],
    ) -> CommandResult:
        def attempt() -> CommandResult:
            aggregate = self._load_expected(cls, aggregate_id, expected_version)
            action(aggregate)
            position = self._save(aggregate)
            return CommandResult(aggregate.id, aggregate.version, position)

        return self._run_command(attempt)

    def _take_number(
        self, kind: str, agency_code: str, year: int, taken_by: UUID, actor: Actor
    ) -> tuple[int, NumberSequence]:
        seq_id = sequence_id(kind, agency_code, year)
        try:
            # Every writer of the agency and year takes numbers from it: a cached copy would
            # usually be stale, and conflict with whichever process took the last number.
            sequence = self._load_current(NumberSequence, seq_id)
        except NotFound:
            sequence = NumberSequence.start(
                NumberSequence.Started,
                seq_id,
                clock=self.clock,
                actor=actor,
                kind=kind,
                agency_code=agency_code,
                year=year,
            )
        return sequence.take(actor, taken_by), sequence

    # ---- queries ----------------------------------------------------------------------------

    def get_item(self, item_id: UUID) -> DisclosureItem:
        return self._load_current(DisclosureItem, item_id)

    def get_request(self, request_id: UUID) -> DisclosureRequest:
        return self._load_current(DisclosureRequest, request_id)

    def history(self, aggregate_id: UUID) -> list[DomainEvent]:
        events = list(self.events.get(aggregate_id))
        if not events:
            raise NotFound("aggregate", aggregate_id)
        return events  # type: ignore[return-value]

    def state_as_of(self, aggregate_id: UUID, when: datetime) -> LedgerAggregate | None:
        """The aggregate as it stood at `when` (record time), or None if it did not exist yet."""
        events = [e for e in self.history(aggregate_id) if e.timestamp <= when]
        return fold(None, events) if events else None

    def item_clock(self, item_id: UUID, as_of: date) -> ClockReading:
        item = self.get_item(item_id)
        return publication_clock(item, self.policy(item.agency_code), self.calendar, as_of)

    def request_clock(self, request_id: UUID, as_of: date) -> ClockReading:
        request = self.get_request(request_id)
        return request_clock(request, self.policy(request.agency_code), self.calendar, as_of)

    # ---- disclosure items -------------------------------------------------------------------

    def register_item(
        self,
        actor: Actor,
        *,
        agency_code: str,
        title: str,
        department: str,
        formed_on: date,
        document_number: str = "",
        theme: str = "",
        document_type: DocumentType = DocumentType.ORDINARY,
        co_issuers: Iterable[str] = (),
        summary: str = "",
        item_id: UUID | None = None,
    ) -> CommandResult:
        self.policy(agency_code)  # an unknown agency is refused before anything is stored
        item = DisclosureItem.start(
            DisclosureItem.Registered,
            item_id or uuid4(),
            clock=self.clock,
            actor=actor,
            on=formed_on,
            agency_code=agency_code,
            title=title,
            document_number=document_number,
            department=department,
            theme=theme,
            document_type=document_type,
            co_issuers=tuple(co_issuers),
            summary=summary,
        )
        position = self._save(item)
        return CommandResult(item.id, item.version, position)

    def mark_attribute(
        self,
        item_id: UUID,
        actor: Actor,
        on: date,
        attribute: Attribute,
        reason: str = "",
        legal_ground: NonDisclosureGround | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._act(
            DisclosureItem,
            item_id,
            expected_version,
            lambda item: item.mark_attribute(actor, on, attribute, reason, legal_ground),
        )

    def audit_attribute(
        self,
        item_id: UUID,
        actor: Actor,
        on: date,
        attribute: Attribute | None = None,
        reason: str = "",
        legal_ground: NonDisclosureGround | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._act(
            DisclosureItem,
            item_id,
            expected_version,
            lambda item: item.audit_attribute(actor, on, attribute, reason, legal_ground),
        )

    def review_confidentiality(
        self,
        item_id: UUID,
        actor: Actor,
        on: date,
        conclusion: ReviewConclusion,
        expected_version: int | None = None,
        **findings: Any,
    ) -> CommandResult:
        def act(item: DisclosureItem) -> None:
            clock_start = self.policy(item.agency_code).publication_clock_start
            item.review_confidentiality(
                actor,
                on,
                conclusion,
                clock_starts_on_review=clock_start is PublicationClockStart.REVIEW_PASSED,
                **findings,
            )

        return self._act(DisclosureItem, item_id, expected_version, act)

    def consult_co_issuer(
        self,
        item_id: UUID,
        actor: Actor,
        on: date,
        co_issuer: str,
        expected_version: int | None = None,
    ) -> CommandResult:
        def act(item: DisclosureItem) -> None:
            days = self.policy(item.agency_code).co_issuer_answer_days
            due = self.calendar.add_working_days(on, days)  # 004 att.7 Art 9: 5 working days
            item.consult_co_issuer(actor, on, co_issuer, due)

        return self._act(DisclosureItem, item_id, expected_version, act)

    def record_co_issuer_answer(
        self,
        item_id: UUID,
        actor: Actor,
        on: date,
        co_issuer: str,
        answer: ConsultationAnswer,
        reason: str = "",
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._act(
            DisclosureItem,
            item_id,
            expected_version,
            lambda item: item.record_co_issuer_answer(actor, on, co_issuer, answer, reason),
        )

    def resolve_co_issuer_disagreement(
        self,
        item_id: UUID,
        actor: Actor,
        on: date,
        co_issuer: str,
        reason: str,
        approval: Approval,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._act(
            DisclosureItem,
            item_id,
            expected_version,
            lambda item: item.resolve_co_issuer_disagreement(
                actor, on, co_issuer, reason, approval
            ),
        )

    def approve_item(
        self,
        item_id: UUID,
        actor: Actor,
        on: date,
        approval: Approval | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        granted = approval or Approval(approver=actor, approved_on=on)
        return self._act(
            DisclosureItem, item_id, expected_version, lambda item: item.approve(actor, on, granted)
        )

    def publish_item(
        self,
        item_id: UUID,
        actor: Actor,
        on: date,
        channels: Iterable[Channel],
        url: str = "",
        expected_version: int | None = None,
    ) -> CommandResult:
        chosen = tuple(channels)
        return self._act(
            DisclosureItem,
            item_id,
            expected_version,
            lambda item: item.publish(actor, on, chosen, url),
        )

    def register_in_catalogue(
        self, item_id: UUID, actor: Actor, on: date, expected_version: int | None = None
    ) -> CommandResult:
        def attempt() -> CommandResult:
            item = self._load_expected(DisclosureItem, item_id, expected_version)
            policy = self.policy(item.agency_code)
            if item.index_number is not None:
                item.register_in_catalogue(actor, on, item.index_number)
                return CommandResult(item.id, item.version, self._save(item))
            serial, sequence = self._take_number(
                "index", item.agency_code, item.formed_on.year, item.id, actor
            )
            item.register_in_catalogue(actor, on, policy.index_number(item.formed_on.year, serial))
            return CommandResult(item.id, item.version, self._save(item, sequence))

        return self._run_command(attempt)

    def change_item(
        self,
        item_id: UUID,
        actor: Actor,
        on: date,
        description: str,
        title: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._act(
            DisclosureItem,
            item_id,
            expected_version,
            lambda item: item.change(actor, on, description, title),
        )

    def end_item_validity(
        self,
        item_id: UUID,
        actor: Actor,
        on: date,
        validity: Validity,
        reason: str,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._act(
            DisclosureItem,
            item_id,
            expected_version,
            lambda item: item.end_validity(actor, on, validity, reason),
        )

    def link_interpretation(
        self,
        item_id: UUID,
        actor: Actor,
        on: date,
        interpretation_ref: str,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._act(
            DisclosureItem,
            item_id,
            expected_version,
            lambda item: item.link_interpretation(actor, on, interpretation_ref),
        )

    def transfer_to_reading_room(
        self,
        item_id: UUID,
        actor: Actor,
        on: date,
        mode: ReadingRoomMode,
        batch_ref: str = "",
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._act(
            DisclosureItem,
            item_id,
            expected_version,
            lambda item: item.transfer_to_reading_room(actor, on, mode, batch_ref),
        )

    def decide_annual_review(
        self,
        item_id: UUID,
        actor: Actor,
        on: date,
        outcome: AnnualReviewOutcome,
        reason: str,
        approval: Approval | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._act(
            DisclosureItem,
            item_id,
            expected_version,
            lambda item: item.decide_annual_review(actor, on, outcome, reason, approval),
        )

    def lift_exemption(
        self,
        item_id: UUID,
        actor: Actor,
        on: date,
        reason: str,
        approval: Approval,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._act(
            DisclosureItem,
            item_id,
            expected_version,
            lambda item: item.lift_exemption(actor, on, reason, approval),
        )

    def archive_item(
        self,
        item_id: UUID,
        actor: Actor,
        on: date,
        archive_ref: str = "",
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._act(
            DisclosureItem,
            item_id,
            expected_version,
            lambda item: item.archive(actor, on, archive_ref),
        )

    def record_objection(
        self,
        aggregate_id: UUID,
        actor: Actor,
        on: date,
        objected_version: int,
        objection: str,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Record an official's objection to an instruction on an item or a request."""
        aggregate = self._load(LedgerAggregate, aggregate_id)
        if not isinstance(aggregate, (DisclosureItem, DisclosureRequest)):
            raise NotFound("item or request", aggregate_id)
        return self._act(
            type(aggregate),
            aggregate_id,
            expected_version,
            lambda agg: agg.record_objection(actor, on, objected_version, objection),
        )

    # ---- requests ---------------------------------------------------------------------------

    @staticmethod
    def receipt_date(
        channel: RequestChannel,
        submitted_on: date | None = None,
        signed_for_on: date | None = None,
        confirmed_on: date | None = None,
    ) -> date:
        """The receipt date the Regulation Art 31 fixes for each channel."""
        needed, value = {
            RequestChannel.IN_PERSON: ("submitted_on", submitted_on),
            RequestChannel.ORAL: ("submitted_on", submitted_on),
            RequestChannel.POST: ("signed_for_on", signed_for_on),
            RequestChannel.ORDINARY_LETTER: ("confirmed_on", confirmed_on),
            RequestChannel.ONLINE: ("confirmed_on", confirmed_on),
            RequestChannel.FAX: ("confirmed_on", confirmed_on),
        }[channel]
        if value is None:
            raise RuleViolation(
                "receipt_date_by_channel",
                "the Regulation Art 31",
                f"for a request by {channel.value} the receipt date is {needed}",
                needed,
            )
        return value

    def receive_request(
        self,
        actor: Actor,
        *,
        agency_code: str,
        channel: RequestChannel,
        applicant: Applicant,
        description: str,
        department: str,
        purpose: str = "",
        requested_form: str = "",
        submitted_on: date | None = None,
        signed_for_on: date | None = None,
        confirmed_on: date | None = None,
        request_id: UUID | None = None,
    ) -> CommandResult:
        self.policy(agency_code)
        received_on = self.receipt_date(channel, submitted_on, signed_for_on, confirmed_on)
        request = DisclosureRequest.start(
            DisclosureRequest.Received,
            request_id or uuid4(),
            clock=self.clock,
            actor=actor,
            on=received_on,
            agency_code=agency_code,
            channel=channel,
            applicant=applicant,
            description=description,
            purpose=purpose,
            requested_form=requested_form,
            department=department,
        )
        position = self._save(request)
        return CommandResult(request.id, request.version, position)

    def register_request(
        self, request_id: UUID, actor: Actor, on: date, expected_version: int | None = None
    ) -> CommandResult:
        def attempt() -> CommandResult:
            request = self._load_expected(DisclosureRequest, request_id, expected_version)
            year = request.received_on.year
            serial, sequence = self._take_number(
                "request", request.agency_code, year, request.id, actor
            )
            request.register(actor, on, f"{request.agency_code}-申-{year}-{serial:05d}")
            return CommandResult(request.id, request.version, self._save(request, sequence))

        return self._run_command(attempt)

    def _request_act(
        self,
        request_id: UUID,
        expected_version: int | None,
        action: Callable[[DisclosureRequest], Any],
    ) -> CommandResult:
        return self._act(DisclosureRequest, request_id, expected_version, action)

    def request_correction(
        self,
        request_id: UUID,
        actor: Actor,
        on: date,
        defects: Iterable[str],
        due_on: date | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        listed = tuple(defects)
        deadline = due_on or self.calendar.add_working_days(on, 15)
        return self._request_act(
            request_id,
            expected_version,
            lambda r: r.request_correction(actor, on, listed, deadline),
        )

    def record_correction(
        self, request_id: UUID, actor: Actor, on: date, expected_version: int | None = None
    ) -> CommandResult:
        return self._request_act(
            request_id, expected_version, lambda r: r.record_correction(actor, on)
        )

    def consult_third_party(
        self,
        request_id: UUID,
        actor: Actor,
        on: date,
        third_party_ref: str,
        interest: ThirdPartyInterest,
        expected_version: int | None = None,
    ) -> CommandResult:
        def act(request: DisclosureRequest) -> None:
            days = self.policy(request.agency_code).third_party_answer_days
            due = self.calendar.add_working_days(on, days)  # the Regulation Art 32: 15 days
            request.consult_third_party(actor, on, third_party_ref, interest, due)

        return self._request_act(request_id, expected_version, act)

    def record_third_party_answer(
        self,
        request_id: UUID,
        actor: Actor,
        on: date,
        third_party_ref: str,
        answer: ConsultationAnswer,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._request_act(
            request_id,
            expected_version,
            lambda r: r.record_third_party_answer(actor, on, third_party_ref, answer),
        )

    def override_for_public_interest(
        self,
        request_id: UUID,
        actor: Actor,
        on: date,
        third_party_ref: str,
        reason: str,
        notice_sent_on: date,
        approval: Approval,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._request_act(
            request_id,
            expected_version,
            lambda r: r.override_for_public_interest(
                actor, on, third_party_ref, reason, notice_sent_on, approval
            ),
        )

    def consult_agency(
        self,
        request_id: UUID,
        actor: Actor,
        on: date,
        agency: str,
        expected_version: int | None = None,
    ) -> CommandResult:
        def act(request: DisclosureRequest) -> None:
            days = self.policy(request.agency_code).agency_consultation_days
            request.consult_agency(actor, on, agency, self.calendar.add_working_days(on, days))

        return self._request_act(request_id, expected_version, act)

    def record_agency_answer(
        self,
        request_id: UUID,
        actor: Actor,
        on: date,
        agency: str,
        answer: ConsultationAnswer,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._request_act(
            request_id,
            expected_version,
            lambda r: r.record_agency_answer(actor, on, agency, answer),
        )

    def extend_request(
        self,
        request_id: UUID,
        actor: Actor,
        on: date,
        days: int,
        reason: str,
        approval: Approval,
        notice_sent_on: date | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        def act(request: DisclosureRequest) -> None:
            policy = self.policy(request.agency_code)
            reading = request_clock(request, policy, self.calendar, on)
            request.extend(
                actor,
                on,
                days,
                reason,
                approval,
                notice_sent_on or on,
                max_days=policy.extension_days,
                citation=policy.reply_citation,
                due_on=reading.due_on,
            )

        return self._request_act(request_id, expected_version, act)

    def query_excessiveness(
        self,
        request_id: UUID,
        actor: Actor,
        on: date,
        reason: str,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._request_act(
            request_id, expected_version, lambda r: r.query_excessiveness(actor, on, reason)
        )

    def assess_excessiveness(
        self,
        request_id: UUID,
        actor: Actor,
        on: date,
        reasonable: bool,
        reason: str,
        agreed_due_on: date | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._request_act(
            request_id,
            expected_version,
            lambda r: r.assess_excessiveness(actor, on, reasonable, reason, agreed_due_on),
        )

    def notice_fee(
        self,
        request_id: UUID,
        actor: Actor,
        on: date,
        basis: FeeBasis,
        count: int,
        amount: Decimal,
        expected_version: int | None = None,
    ) -> CommandResult:
        def act(request: DisclosureRequest) -> None:
            days = self.policy(request.agency_code).fee_payment_days
            due = self.calendar.add_working_days(on, days)
            request.notice_fee(actor, on, basis, count, amount, due)

        return self._request_act(request_id, expected_version, act)

    def record_fee_payment(
        self, request_id: UUID, actor: Actor, on: date, expected_version: int | None = None
    ) -> CommandResult:
        return self._request_act(
            request_id, expected_version, lambda r: r.record_fee_payment(actor, on)
        )

    def waive_fee(
        self,
        request_id: UUID,
        actor: Actor,
        on: date,
        reason: str,
        approval: Approval,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._request_act(
            request_id, expected_version, lambda r: r.waive_fee(actor, on, reason, approval)
        )

    def transfer_request(
        self,
        request_id: UUID,
        actor: Actor,
        on: date,
        to_department: str,
        handover_record: str,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._request_act(
            request_id,
            expected_version,
            lambda r: r.transfer(actor, on, to_department, handover_record),
        )

    def refer_request(
        self,
        request_id: UUID,
        actor: Actor,
        on: date,
        holding_agency: str,
        contact: str = "",
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._request_act(
            request_id, expected_version, lambda r: r.refer(actor, on, holding_agency, contact)
        )

    def reply_to_request(
        self,
        request_id: UUID,
        actor: Actor,
        on: date,
        outcome: Outcome,
        legal_basis: str,
        reasons: str,
        remedy: str,
        withheld_reasons: str = "",
        location: str = "",
        holding_agency: str = "",
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._request_act(
            request_id,
            expected_version,
            lambda r: r.reply(
                actor,
                on,
                outcome,
                legal_basis,
                reasons,
                remedy,
                withheld_reasons,
                location,
                holding_agency,
            ),
        )

    def deem_withdrawn(
        self,
        request_id: UUID,
        actor: Actor,
        on: date,
        outcome: Outcome,
        reason: str,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._request_act(
            request_id, expected_version, lambda r: r.deem_withdrawn(actor, on, outcome, reason)
        )

    def deliver_reply(
        self,
        request_id: UUID,
        actor: Actor,
        on: date,
        method: str,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._request_act(
            request_id, expected_version, lambda r: r.deliver(actor, on, method)
        )

    def file_reconsideration(
        self,
        request_id: UUID,
        actor: Actor,
        on: date,
        body: str,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._request_act(
            request_id, expected_version, lambda r: r.file_reconsideration(actor, on, body)
        )

    def decide_reconsideration(
        self,
        request_id: UUID,
        actor: Actor,
        on: date,
        result: AppealResult,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._request_act(
            request_id, expected_version, lambda r: r.decide_reconsideration(actor, on, result)
        )

    def file_litigation(
        self,
        request_id: UUID,
        actor: Actor,
        on: date,
        kind: LitigationKind,
        court: str,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._request_act(
            request_id, expected_version, lambda r: r.file_litigation(actor, on, kind, court)
        )

    def decide_litigation(
        self,
        request_id: UUID,
        actor: Actor,
        on: date,
        result: AppealResult,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._request_act(
            request_id, expected_version, lambda r: r.decide_litigation(actor, on, result)
        )

    def archive_request(
        self,
        request_id: UUID,
        actor: Actor,
        on: date,
        archive_ref: str = "",
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._request_act(
            request_id, expected_version, lambda r: r.archive(actor, on, archive_ref)
        )
