"""Applying a device's batch of offline mutations through their commands, each exactly once."""
from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from pydantic_core import to_json
from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, scoped_session
from werkzeug.exceptions import Forbidden

from app.api import field_messages
from app.commands import BulkWrite, Conflict, Context, Fallback, Refused, command_reached, receive
from app.database import among, immediate_transactions, insert_many
from app.inputs import date_in_range, date_out_of_range_message, unstorable_fields
from app.models import ChangeCounter, User
from app.models.base import next_change_seq
from app.sync.models import SyncMutation
from app.sync.registry import mutation_type, pull_sources

log = logging.getLogger(__name__)

MAX_BATCH = 200
UUID_PATTERN = r"^[0-9a-fA-F-]{32,36}$"


class MutationIn(BaseModel):
    """One mutation as the device sends it."""

    id: str = Field(pattern=UUID_PATTERN)
    type: str = Field(min_length=1, max_length=50)
    payload: dict[str, Any] = Field(default_factory=dict)
    client_time: datetime | None = None


class BatchIn(BaseModel):
    """POST /api/v1/sync."""

    client_id: str = Field(default="", max_length=64)
    mutations: list[dict[str, Any]] = Field(max_length=MAX_BATCH)


def _result(mutation_id: str, status: str, **extra) -> dict[str, Any]:
    return {"id": mutation_id, "status": status, **{k: v for k, v in extra.items() if v is not None}}


def _error(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "fields": fields or {}}


def _load_attachments(session: Session, user: User, payload: BaseModel) -> list:
    uuids = getattr(payload, "attachments", None) or []
    if not uuids:
        return []
    from app.uploads.models import Attachment
    from app.uploads.services import canonical_uuids

    uuids = canonical_uuids(uuids)  # a device may name its upload in upper case; one that is no UUID is refused

    found = session.scalars(select(Attachment).where(Attachment.uuid.in_(uuids), Attachment.owner_id == user.id)).all()
    return sorted(found, key=lambda a: uuids.index(a.uuid))


def _answer(mutation_id: str, owner_id: int, status: str, result: dict[str, Any], user: User) -> dict[str, Any]:
    """What a device sending an already-recorded id is told."""
    if owner_id != user.id:  # a UUID is never shared between people: refuse to leak
        return _result(mutation_id, "rejected", error=_error("duplicate_id", _("This item was already sent by someone else.")))
    answer = dict(result)
    if status == "applied":
        answer["status"] = "duplicate"
    return answer


def _stored(session: Session, mutation_id: str, user: User) -> dict[str, Any] | None:
    record = session.get(SyncMutation, mutation_id)
    if record is None:
        return None
    return _answer(mutation_id, record.user_id, record.status, record.result, user)


def _stored_answers(session: Session, user: User, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The answers for the ids of a batch already recorded, in one query (a retried batch is common)."""
    if not ids:
        return {}
    rows = session.execute(select(SyncMutation.id, SyncMutation.user_id, SyncMutation.status, SyncMutation.result)
                           .where(among(session, SyncMutation.id, ids)))
    return {row.id: _answer(row.id, row.user_id, row.status, row.result, user) for row in rows}


def apply_mutation(session: Session, user: User, raw: dict[str, Any], *, client_id: str, now: datetime,
                   known: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Apply one mutation through its command, in its own transaction, and return its result; never raises for bad input.

    The one place where a command's refusal becomes a sync result: Refused → rejected, Conflict →
    conflict, a permission refusal (Forbidden) → rejected "forbidden". `known` holds the answers
    for the ids of the batch already recorded (looked up once per batch); without it the record
    is looked up here.
    """
    raw_id = str(raw.get("id", "")) if isinstance(raw, dict) else ""
    try:
        envelope = MutationIn.model_validate(raw)
    except ValidationError as exc:
        return _result(raw_id, "rejected", error=_error("invalid", _("Some fields are not valid."), field_messages(exc)))
    if not _time_storable(envelope):  # the payload is checked by its command (app.commands.check)
        return _result(envelope.id, "rejected", error=_error("invalid", _("Some fields are not valid."),
                                                             {"client_time": date_out_of_range_message()}))

    if known is None:
        previous = _stored(session, envelope.id, user)
        session.rollback()  # end the read so the write below starts its own transaction
        if previous is not None:
            return previous
    elif envelope.id in known:
        return known[envelope.id]

    kind = mutation_type(envelope.type)
    try:
        if kind is None:
            raise Refused(_("This kind of change (%(type)s) is not known to the server.", type=envelope.type), "unknown_type")
        payload = receive(kind, envelope.payload)  # the attachments it names are loaded before it runs
        ctx = Context(session=session, user=user, now=now, uuid=envelope.id, client_time=envelope.client_time,
                      client_id=client_id, attachments=_load_attachments(session, user, payload))
        entity = kind(ctx, payload)
        # Recorded in the same transaction as the effect. A concurrent copy of this mutation
        # (two tabs) fails on the primary key at this insert and rolls back all it did.
        outcome = _result(envelope.id, "applied", entity=entity)
        session.add(SyncMutation(id=envelope.id, user_id=user.id, client_id=client_id, type=envelope.type,
                                 status="applied", result=outcome, created_at=now))
        session.commit()
        return outcome
    except IntegrityError:
        session.rollback()
        stored = _stored(session, envelope.id, user)
        session.rollback()
        if stored is not None:
            return stored
        log.exception("integrity error applying %s", envelope.type)
        outcome = _result(envelope.id, "rejected", error=_error("invalid", _("This change does not fit the records.")))
    except Refused as exc:
        session.rollback()
        outcome = _result(envelope.id, "rejected", error=_error(exc.code, exc.message, exc.fields))
    except Forbidden:
        session.rollback()
        outcome = _result(envelope.id, "rejected", error=_error("forbidden", _("You do not have permission to do this.")))
    except Conflict as exc:
        if not exc.keep_writes:
            session.rollback()
        outcome = _result(envelope.id, "conflict", error=_error("conflict", exc.message), server_version=exc.server_version)
    except (DataError, OverflowError):
        # The database refused a value the payload carried (what app/inputs.py did not foresee):
        # sending it again would fail the same way every 30 s, so it is refused with a reason.
        session.rollback()
        log.warning("a value the database cannot hold in %s", envelope.type, exc_info=True)
        outcome = _result(envelope.id, "rejected", error=_error(
            "invalid", _("Something you sent cannot be stored: a number, date or character out of range.")))
    except Exception:
        # Unexpected: not recorded, so the device keeps it and tries again later.
        session.rollback()
        log.exception("error applying sync mutation %s", envelope.type)
        return _result(envelope.id, "rejected", retry=True,
                       error=_error("server_error", _("Something went wrong on our side. It will be sent again.")))
    # Record refusals too, so a retry gets the same answer instead of a second attempt.
    session.add(SyncMutation(id=envelope.id, user_id=user.id, client_id=client_id, type=envelope.type,
                             status=outcome["status"], result=outcome, created_at=now))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return _stored(session, envelope.id, user) or outcome
    return outcome


@dataclass
class _Parsed:
    """One mutation of a batch, checked once before any query: its envelope, and its payload if it may go in a run."""

    raw: Any
    envelope: MutationIn | None = None
    payload: BaseModel | None = None


def _parse(raw: Any) -> _Parsed:
    parsed = _Parsed(raw)
    try:
        parsed.envelope = MutationIn.model_validate(raw)
        kind = mutation_type(parsed.envelope.type)
        if kind is not None and kind.apply_many is not None and _time_storable(parsed.envelope):
            parsed.payload = _storable(kind.schema.model_validate(parsed.envelope.payload))
    except ValidationError:
        pass  # applied alone, which explains it (apply_mutation)
    return parsed


def _time_storable(envelope: MutationIn) -> bool:
    """Whether the mutation's client_time (if any) lies in the years the app stores."""
    return envelope.client_time is None or date_in_range(envelope.client_time)


def _storable(payload: BaseModel) -> BaseModel | None:
    """The payload, or None when the database could not hold a value of it (it is then applied alone and refused)."""
    return None if unstorable_fields(payload) else payload


_ENVELOPES = TypeAdapter(list[MutationIn])
_PAYLOAD_LISTS: dict[type[BaseModel], TypeAdapter] = {}


def _payloads(schema: type[BaseModel], payloads: list[dict[str, Any]]) -> list[BaseModel | None]:
    """Each payload checked by `schema` (None where it fails): one validator call for the lot when all pass."""
    adapter = _PAYLOAD_LISTS.get(schema)
    if adapter is None:
        adapter = _PAYLOAD_LISTS[schema] = TypeAdapter(list[schema])
    try:
        return [_storable(payload) for payload in adapter.validate_python(payloads)]
    except ValidationError:
        checked: list[BaseModel | None] = []
        for payload in payloads:
            try:
                checked.append(_storable(schema.model_validate(payload)))
            except ValidationError:
                checked.append(None)  # applied alone, which explains it (apply_mutation)
        return checked


def _parse_all(mutations: list[Any]) -> list[_Parsed]:
    """What _parse gives for each item, with one call into pydantic's validator per schema when the items are valid.

    An invalid item sends its neighbours through _parse one by one too: the answers are the same
    either way, only slower.
    """
    try:
        envelopes = _ENVELOPES.validate_python(mutations)
    except ValidationError:
        return [_parse(raw) for raw in mutations]
    items = [_Parsed(raw, envelope) for raw, envelope in zip(mutations, envelopes, strict=True)]
    by_type: dict[str, list[_Parsed]] = {}
    for item in items:
        by_type.setdefault(item.envelope.type, []).append(item)
    for name, group in by_type.items():
        kind = mutation_type(name)
        if kind is not None and kind.apply_many is not None:
            checked = _payloads(kind.schema, [item.envelope.payload for item in group])
            for item, payload in zip(group, checked, strict=True):
                item.payload = payload if _time_storable(item.envelope) else None
    return items


def _runs(items: list[_Parsed], known: dict[str, dict[str, Any]]) -> list[list[_Parsed]]:
    """The batch cut into runs, in order: the longest stretches of valid, new mutations of one type with `apply_many`.

    Every other item is a run of its own: one already recorded or met earlier in the batch (answered
    from its record), one that is invalid (refused with the reason), one of a command without
    `apply_many` (its default: the command itself, one item at a time).
    """
    runs: list[list[_Parsed]] = []
    seen = set(known)
    open_run: list[_Parsed] | None = None  # the run the next new item of its type joins
    for item in items:
        envelope = item.envelope
        new = item.payload is not None and envelope.id not in seen
        if new and open_run is not None and open_run[0].envelope.type == envelope.type:
            open_run.append(item)
        else:
            runs.append([item])
            open_run = runs[-1] if new else None
        if envelope is not None:
            seen.add(envelope.id)
    return runs


def _check_run(session: Session, user: User, run: list[_Parsed], *, client_id: str, now: datetime) -> BulkWrite | None:
    """The command's `apply_many` checks of a run (reads only): how to write it, or None when it must go one by one."""
    kind = mutation_type(run[0].envelope.type)
    ctx = Context(session=session, user=user, now=now, client_id=client_id)
    try:
        command_reached.send(kind.name)
        return kind.apply_many(ctx, [(item.envelope.id, item.payload) for item in run])
    except (Fallback, Refused, Forbidden):  # a refusal of one item: each then gets its own answer
        return None
    except Exception:
        log.debug("run of %s goes one by one", kind.name, exc_info=True)
        session.rollback()
        return None


RECORD_COLUMNS = ("id", "user_id", "client_id", "type", "status", "result", "created_at")


def _apply_together(session: Session, user: User, run: list[_Parsed], plan: BulkWrite, *, client_id: str,
                    now: datetime) -> tuple[list[dict], int] | None:
    """Write a checked run in one transaction with its records; None (and nothing written) if any of it fails.

    Returns the results and the cursor to answer with (the run's change number).
    """
    try:
        entities = plan.start()
        results = [_result(item.envelope.id, "applied", entity=entity) for item, entity in zip(run, entities, strict=True)]
        # Recorded before the change number is taken, so on PostgreSQL this insert does not hold
        # up other devices' batches (the counter row stays locked until commit). One statement
        # and no objects; each answer serialised once, by pydantic-core (what the JSON column's
        # json.dumps would store, several times faster).
        user_id = user.id
        insert_many(session, SyncMutation.__table__, RECORD_COLUMNS, [
            (item.envelope.id, user_id, client_id, item.envelope.type, "applied", to_json(result).decode(), now)
            for item, result in zip(run, results, strict=True)], as_is=("result",))
        change_seq = next_change_seq(session)  # one number for the run: it commits as one transaction
        plan.write(change_seq)
        session.commit()
        # The cursor to answer with: the counter stood at this run's number until the commit
        # released it, so every change up to it is now visible, and reading it again would
        # need a transaction (and, on SQLite, the write lock) of its own.
        return results, change_seq
    except Exception:
        log.debug("run of %s goes one by one", run[0].envelope.type, exc_info=True)
        session.rollback()
        return None


def _first_write(runs: list[list[_Parsed]], known: dict[str, dict[str, Any]]) -> list[_Parsed] | None:
    """The batch's first run when it writes in bulk and only recorded items come before it.

    Those are answered from their records and change nothing, so checks made before any write
    still hold for this run when it is written.
    """
    for run in runs:
        if len(run) > 1:
            return run
        if run[0].envelope is None or run[0].envelope.id not in known:
            return None
    return None


def _end_read(session: Session) -> None:
    """End the reading transaction, keeping what it loaded (the user and their roles)."""
    if isinstance(session, scoped_session):  # Flask-SQLAlchemy's db.session: the request's own Session
        session = session()
    keep, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()  # a read: nothing to write
    finally:
        session.expire_on_commit = keep


def push_batch(session: Session, user: User, mutations: list[dict[str, Any]], *, client_id: str,
               now: datetime) -> tuple[list[dict], int]:
    """Apply a device's batch, each mutation independently, and return the results with the cursor to answer with.

    One failing never drops its neighbours. Runs of new mutations whose command has `apply_many`
    are first tried together (one statement per table); if anything in the run cannot apply, the
    run is rolled back whole and each item is applied on its own, so the answers are the same
    either way. An id met twice in one batch is answered the second time as a retry would be.

    Everything that needs no lock happens first: checking the items, and reading which ids were
    already sent, and the checks of the batch's first bulk run (households, permissions), in the
    transaction that loaded the user (which, on SQLite, the route began without the write lock:
    see reads_first). Only then do the writes begin, each transaction taking the write lock at
    BEGIN as every POST's do. The run's checks then read the committed state just before its
    write, not in the same transaction: what PostgreSQL's READ COMMITTED gives anyway, and on
    SQLite other devices' batches are not held up while they are read (bench/sync.py).

    The cursor is the change number of the batch's last bulk run when there is one (it may then
    be a little behind, never ahead: a device pulling from it misses nothing).
    """
    items = _parse_all(mutations)
    known = _stored_answers(session, user, [item.envelope.id for item in items if item.envelope is not None])
    runs = _runs(items, known)
    first = _first_write(runs, known)
    plans: dict[int, BulkWrite | None] = {}
    if first is not None:  # its checks read, on SQLite without holding up the other writers (as on PostgreSQL)
        plans[id(first)] = _check_run(session, user, first, client_id=client_id, now=now)
    _end_read(session)
    immediate_transactions()
    results: list[dict] = []
    cursor = None
    met: set[str] = set()  # ids already handled in this batch
    for run in runs:
        if len(run) > 1:
            plan = plans[id(run)] if id(run) in plans else _check_run(session, user, run, client_id=client_id, now=now)
            applied = _apply_together(session, user, run, plan, client_id=client_id, now=now) if plan else None
            if plan is None:
                session.rollback()  # end the checks' reads: each item then goes in a transaction of its own
            if applied is not None:
                results.extend(applied[0])
                cursor = applied[1]
                met.update(item.envelope.id for item in run)
                continue
        for item in run:
            again = item.envelope is not None and item.envelope.id in met
            results.append(apply_mutation(session, user, item.raw, client_id=client_id, now=now,
                                          known=None if again else known))
            if item.envelope is not None:
                met.add(item.envelope.id)
    if cursor is None:
        cursor = current_cursor(session)
        session.commit()
    return results, cursor


def current_cursor(session: Session) -> int:
    """The last change number committed (rows up to it are all visible: see ChangeCounter)."""
    return session.scalar(select(ChangeCounter.value).where(ChangeCounter.id == 1)) or 0


# A cursor as devices get it: "<change number>.<scope fingerprint>" (a bare number is one from before
# cursors carried their scope). Beyond a BIGINT no change number can be.
_CURSOR = re.compile(r"(-?[0-9]{1,20})(?:\.([0-9a-f]{12}))?")
MAX_CHANGE_SEQ = 2**63 - 1


def scope_fingerprint(user: User) -> str:
    """A short digest of whose pull this is and of the roles that decide what is in their scope.

    Every pull source filters by the user's role assignments (app/auth/scope.py: the buildings their
    roles reach, their own household), so a pull from a cursor issued under other assignments, or
    to another account, would miss the rows already in the new scope (they did not change after the
    cursor) and keep those no longer in it. Computed from the assignments the pull itself reads,
    it needs no bookkeeping where roles change (granting, revoking, joining, moving out, moving
    household): every path that changes them changes this. The reach of a role over a place only
    changes with its assignment (a building never moves to another community).
    """
    held = sorted((a.role.value, a.household_id or 0, a.building_id or 0, a.community_id or 0, a.street_id or 0,
                   a.department_id or 0) for a in user.roles)
    return hashlib.blake2b(repr((user.id, held)).encode(), digest_size=6).hexdigest()


def cursor_for(change_seq: int, user: User) -> str:
    """The cursor a device is given: pull from it for what changed after `change_seq` in this same scope."""
    return f"{change_seq}.{scope_fingerprint(user)}"


def read_cursor(value: str | None, user: User) -> tuple[int, bool]:
    """The change number to pull from, and whether the device must start over (reset).

    It starts over when its cursor was issued under another scope, to another account, or before
    cursors carried one (a bare number). ValueError when the value is not a cursor at all.
    """
    found = _CURSOR.fullmatch((value or "0").strip())
    if found is None or int(found[1]) > MAX_CHANGE_SEQ:
        raise ValueError(value)
    since = int(found[1])
    if since <= 0:
        return 0, False  # a first pull: the device holds nothing to drop
    if found[2] != scope_fingerprint(user):
        return 0, True
    return since, False


def changes_since(session: Session, user: User, since: int) -> tuple[dict[str, list[dict]], int]:
    """What changed in the user's scope after `since`, per kind, and the new change number."""
    until = current_cursor(session)
    return _changes(session, user, since, until), until


def _changes(session: Session, user: User, since: int, until: int) -> dict[str, list[dict]]:
    return {kind: source(session, user, since, until) for kind, source in sorted(pull_sources().items())}


def pull_answer(session: Session, user: User, cursor: str | None) -> dict[str, Any]:
    """GET /api/v1/sync's answer: {changes, cursor, reset}; ValueError when `cursor` is not one.

    `reset` is true when the device must drop what it holds of this account and store the full set
    it gets instead: its cursor was issued under another scope (read_cursor), or is ahead of the
    server (given before a restore from a backup: rows numbered below it would never come).
    """
    since, reset = read_cursor(cursor, user)
    until = current_cursor(session)
    if since > until:
        since, reset = 0, True
    return {"changes": _changes(session, user, since, until), "cursor": cursor_for(until, user), "reset": reset}
