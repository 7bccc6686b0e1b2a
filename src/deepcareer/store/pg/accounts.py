"""Accounts on the class server: users, sessions, API tokens, cohorts, invites, the audit log.

Secrets are never stored: sessions, API tokens and invites keep the SHA-256 of a random
token, so a copy of the database opens no account. Every check of who may see what is a
query here (``may_view_learner``), called by the application layer on every request.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, delete, func, insert, or_, select, update

from deepcareer.store.pg.schema import (
    api_tokens,
    audit,
    cohorts,
    invites,
    memberships,
    sessions,
    submissions,
    users,
)
from deepcareer.store.pg.submissions import now

Row = dict[str, Any]


def create_user(engine: Engine, email: str, name: str, role: str, password_hash: str) -> int:
    """Insert a user (email lower-cased, unique) and return the id."""
    with engine.begin() as conn:
        return int(conn.execute(insert(users).values(
            email=email.strip().lower(), name=name.strip(), role=role,
            password_hash=password_hash, created_at=now()).returning(users.c.id)).scalar_one())


def find_user(engine: Engine, email: str) -> Row | None:
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.email == email.strip().lower())) \
            .mappings().first()
    return dict(row) if row else None


def user(engine: Engine, user_id: int) -> Row | None:
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.id == user_id)).mappings().first()
    return dict(row) if row else None


def set_password_hash(engine: Engine, user_id: int, password_hash: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == user_id)
                     .values(password_hash=password_hash))


# --- sessions and API tokens ---------------------------------------------------------


def add_session(engine: Engine, token_hash: str, user_id: int, csrf: str,
                expires_at: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(insert(sessions).values(token_hash=token_hash, user_id=user_id, csrf=csrf,
                                             created_at=now(), expires_at=expires_at))


def session_user(engine: Engine, token_hash: str) -> Row | None:
    """The user of a live session, with the session's CSRF token as ``csrf``."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        row = conn.execute(
            select(users, sessions.c.csrf)
            .join(sessions, sessions.c.user_id == users.c.id)
            .where(and_(sessions.c.token_hash == token_hash, sessions.c.expires_at > now()))
        ).mappings().first()
    return dict(row) if row else None


def drop_session(engine: Engine, token_hash: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(sessions).where(sessions.c.token_hash == token_hash))


def add_api_token(engine: Engine, token_hash: str, user_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(insert(api_tokens).values(token_hash=token_hash, user_id=user_id,
                                               created_at=now()))


#: ``last_used_at`` of an API token is kept to this precision: every request of a terminal
#: writing it (a row version, its WAL) was a third of a burst's writes.
TOKEN_USE_PRECISION = timedelta(minutes=5)


def api_token_user(engine: Engine, token_hash: str) -> Row | None:
    """The user an API token belongs to; notes when it was used, to the nearest few
    minutes (one read and no write for most requests, each on its own: no transaction)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        row = conn.execute(
            select(users, api_tokens.c.last_used_at)
            .join(api_tokens, api_tokens.c.user_id == users.c.id)
            .where(api_tokens.c.token_hash == token_hash)).mappings().first()
        if row is None:
            return None
        found = dict(row)
        used = found.pop("last_used_at")
        if used is None or now() - used > TOKEN_USE_PRECISION:
            conn.execute(update(api_tokens).where(api_tokens.c.token_hash == token_hash)
                         .values(last_used_at=now()))
    return found


# --- cohorts and invites -------------------------------------------------------------


def create_cohort(engine: Engine, name: str, owner_id: int) -> int:
    with engine.begin() as conn:
        cohort_id = int(conn.execute(insert(cohorts).values(
            name=name.strip(), created_by=owner_id, created_at=now())
            .returning(cohorts.c.id)).scalar_one())
        conn.execute(insert(memberships).values(cohort_id=cohort_id, user_id=owner_id,
                                                role="instructor", joined_at=now()))
    return cohort_id


def membership(engine: Engine, cohort_id: int, user_id: int) -> str | None:
    """The user's role in the cohort, or None."""
    with engine.connect() as conn:
        role = conn.execute(select(memberships.c.role).where(and_(
            memberships.c.cohort_id == cohort_id, memberships.c.user_id == user_id))).scalar()
    return str(role) if role else None


def add_invite(engine: Engine, token_hash: str, cohort_id: int, role: str,
               expires_at: datetime, max_uses: int, created_by: int) -> None:
    with engine.begin() as conn:
        conn.execute(insert(invites).values(token_hash=token_hash, cohort_id=cohort_id,
                                            role=role, expires_at=expires_at,
                                            max_uses=max_uses, created_by=created_by))


def redeem_invite(engine: Engine, token_hash: str, user_id: int) -> tuple[int, str] | None:
    """Use one seat of a live invite and join its cohort, atomically; None when the invite
    is unknown, expired or used up (nothing changes then)."""
    with engine.begin() as conn:
        row = conn.execute(
            update(invites)
            .where(and_(invites.c.token_hash == token_hash, invites.c.expires_at > now(),
                        invites.c.uses < invites.c.max_uses))
            .values(uses=invites.c.uses + 1)
            .returning(invites.c.cohort_id, invites.c.role)).first()
        if row is None:
            return None
        exists = conn.execute(select(memberships.c.role).where(and_(
            memberships.c.cohort_id == row[0], memberships.c.user_id == user_id))).scalar()
        if exists is None:
            conn.execute(insert(memberships).values(cohort_id=row[0], user_id=user_id,
                                                    role=row[1], joined_at=now()))
    return int(row[0]), str(row[1])


def invite_is_live(engine: Engine, token_hash: str) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(invites).where(and_(
            invites.c.token_hash == token_hash, invites.c.expires_at > now(),
            invites.c.uses < invites.c.max_uses))).scalar_one() > 0


# --- who may see what ----------------------------------------------------------------


def may_view_learner(engine: Engine, viewer_id: int, learner_id: int) -> bool:
    """A learner sees their own work; a mentor or instructor the work of learners in a
    cohort where they mentor or teach; an admin everything."""
    if viewer_id == learner_id:
        return True
    theirs = memberships.alias("theirs")
    mine = memberships.alias("mine")
    with engine.connect() as conn:
        admin = conn.execute(select(users.c.role).where(users.c.id == viewer_id)).scalar()
        if admin == "admin":
            return True
        shared = conn.execute(
            select(func.count()).select_from(
                mine.join(theirs, mine.c.cohort_id == theirs.c.cohort_id))
            .where(and_(mine.c.user_id == viewer_id,
                        or_(mine.c.role == "mentor", mine.c.role == "instructor"),
                        theirs.c.user_id == learner_id))).scalar_one()
    return bool(shared)


def submissions_in_last(engine: Engine, user_id: int, seconds: float) -> int:
    """How many submissions the user made in the last ``seconds`` (the rate limit)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        return int(conn.execute(select(func.count()).select_from(submissions).where(and_(
            submissions.c.user_id == user_id,
            submissions.c.created_at > now() - timedelta(seconds=seconds)))).scalar_one())


def record(engine: Engine, actor_id: int | None, action: str, target: str = "",
           detail: dict[str, Any] | None = None) -> None:
    """Append to the audit log (grade-affecting and account-affecting actions)."""
    with engine.begin() as conn:
        conn.execute(insert(audit).values(at=now(), actor_id=actor_id, action=action,
                                          target=target[:200], detail=detail or {}))


def audit_log(engine: Engine, limit: int = 100) -> list[Row]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(
            select(audit).order_by(audit.c.id.desc()).limit(limit)).mappings()]
