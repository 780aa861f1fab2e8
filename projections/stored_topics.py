"""How many notifications of each topic the event store holds in a range of notification ids.

The projection driver asks before catching up or rebuilding: when the models it feeds want
only some of the topics stored, it reads only those (`select_notifications(topics=…)`), so the
store neither sends nor the driver skips the rest — on PostgreSQL the catalogue's rebuild wants
about half of the log. Topics are the stored ones, resolved to classes by the driver, so an
event stored under a topic since renamed (`eventsourcing.utils.register_topic`) is still read.
"""

from __future__ import annotations

import sys

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder


def stored_topics(recorder: ApplicationRecorder, after: int, stop: int) -> dict[str, int] | None:
    """{topic: notifications} over the ids in (`after`, `stop`]; None when the recorder cannot
    say (the in-memory one), and every notification is to be read."""
    # A PostgreSQL recorder means its module is loaded; an embedded process does not load
    # psycopg for this (~5 MB of its peak memory).
    postgres = sys.modules.get("eventsourcing.postgres")
    if postgres is not None and isinstance(recorder, postgres.PostgresApplicationRecorder):
        from psycopg.sql import SQL, Identifier

        statement = SQL(
            "SELECT topic, COUNT(*) AS n FROM {schema}.{table} "
            "WHERE notification_id > %s AND notification_id <= %s GROUP BY topic"
        ).format(
            schema=Identifier(recorder.datastore.schema),
            table=Identifier(recorder.events_table_name),
        )
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, (after, stop))
            return {str(row["topic"]): int(row["n"]) for row in cursor.fetchall()}
    if isinstance(recorder, SQLiteApplicationRecorder):
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT topic, COUNT(*) FROM {recorder.events_table_name} "
                "WHERE rowid > ? AND rowid <= ? GROUP BY topic",
                (after, stop),
            )
            return {str(row[0]): int(row[1]) for row in cursor.fetchall()}
    return None
