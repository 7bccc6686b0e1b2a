"""Accounts on the class server: sign-up by invite, sign-in, sessions, roles, API tokens.

Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106's second recommended
option); session cookies, API tokens and invite links carry 32 random bytes, of which the
database keeps only a SHA-256. Every state-changing request also carries the session's CSRF
token (checked by the web face). Who may see whose work is decided here, for every face.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine

from deepcareer.errors import ServerError
from deepcareer.store.pg import accounts as db
from deepcareer.store.pg.submissions import now

SESSION_LIFETIME = timedelta(days=14)
INVITE_LIFETIME = timedelta(days=7)
MIN_PASSWORD = 10
SUBMISSIONS_PER_MINUTE = 20
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class NotAllowed(ServerError):
    """The signed-in person may not do or see this (the web face answers 403)."""


class SignInFailed(ServerError):
    """Wrong email or password (one message for both: no account probing)."""


@dataclass(frozen=True)
class User:
    id: int
    email: str
    name: str
    role: str  # learner | mentor | instructor | admin (site-wide)


@dataclass(frozen=True)
class Session:
    token: str  # the cookie's value; only its hash is stored
    csrf: str
    user: User


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()  # Argon2id


def _user(row: dict[str, Any]) -> User:
    return User(int(row["id"]), str(row["email"]), str(row["name"]), str(row["role"]))


def _check_new_account(email: str, name: str, password: str) -> None:
    if not _EMAIL.match(email.strip()):
        raise ServerError("That email address does not look right (name@example.org).")
    if not name.strip():
        raise ServerError("Please give a name your mentor will recognise.")
    if len(password) < MIN_PASSWORD:
        raise ServerError(f"Choose a password of at least {MIN_PASSWORD} characters.")


def create_user(engine: Engine, email: str, name: str, password: str,
                role: str = "learner") -> User:
    """An account without an invite: for ``deepcareer server init``'s first instructor."""
    _check_new_account(email, name, password)
    if db.find_user(engine, email) is not None:
        raise ServerError("An account with that email already exists; sign in instead.")
    user_id = db.create_user(engine, email, name, role, _hasher().hash(password))
    db.record(engine, user_id, "account.create", email.strip().lower(), {"role": role})
    return User(user_id, email.strip().lower(), name.strip(), role)


def sign_up(engine: Engine, invite: str, email: str, name: str, password: str) -> User:
    """Create an account and join the invite's cohort. An expired, used-up or unknown
    invite is refused before any account exists."""
    if not db.invite_is_live(engine, _hash(invite)):
        raise NotAllowed("This invite link has expired or been used up; ask your "
                         "instructor for a new one.")
    user = create_user(engine, email, name, password)
    joined = db.redeem_invite(engine, _hash(invite), user.id)
    if joined is None:  # the last seat went between the check and now
        raise NotAllowed("This invite link was used up a moment ago; your account exists: "
                         "ask your instructor for a new link, then sign in.")
    db.record(engine, user.id, "cohort.join", str(joined[0]), {"role": joined[1]})
    return user


def join(engine: Engine, user: User, invite: str) -> int:
    """An existing account joins another cohort by invite; returns the cohort id."""
    joined = db.redeem_invite(engine, _hash(invite), user.id)
    if joined is None:
        raise NotAllowed("This invite link has expired or been used up; ask your "
                         "instructor for a new one.")
    db.record(engine, user.id, "cohort.join", str(joined[0]), {"role": joined[1]})
    return joined[0]


def sign_in(engine: Engine, email: str, password: str) -> Session:
    row = db.find_user(engine, email)
    hasher = _hasher()
    if row is None:
        # Spend the same time as a real check, so timing does not tell who has an account.
        _verify_dummy(hasher, password)
        raise SignInFailed("Wrong email or password.")
    from argon2.exceptions import VerificationError

    try:
        hasher.verify(str(row["password_hash"]), password)
    except VerificationError:
        raise SignInFailed("Wrong email or password.") from None
    if hasher.check_needs_rehash(str(row["password_hash"])):
        db.set_password_hash(engine, int(row["id"]), hasher.hash(password))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    db.add_session(engine, _hash(token), int(row["id"]), csrf, now() + SESSION_LIFETIME)
    return Session(token, csrf, _user(row))


class _DummyHash:
    """One Argon2id hash computed on first need, verified against on unknown emails."""

    value: str | None = None

    def get(self, hasher: Any) -> str:
        if self.value is None:
            self.value = hasher.hash(secrets.token_urlsafe(16))
        return self.value


_DUMMY_HASH = _DummyHash()


def _verify_dummy(hasher: Any, password: str) -> None:
    from argon2.exceptions import VerificationError

    with contextlib.suppress(VerificationError):
        hasher.verify(_DUMMY_HASH.get(hasher), password)


def session(engine: Engine, token: str | None) -> Session | None:
    """The live session a cookie names, or None (unknown, expired or forged)."""
    if not token:
        return None
    row = db.session_user(engine, _hash(token))
    return Session(token, str(row["csrf"]), _user(row)) if row else None


def csrf_ok(session_: Session, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(session_.csrf, str(sent))


def sign_out(engine: Engine, token: str) -> None:
    db.drop_session(engine, _hash(token))


def issue_api_token(engine: Engine, user: User) -> str:
    """A token for ``deepcareer login`` (kept in the learner's home with mode 0600)."""
    token = secrets.token_urlsafe(32)
    db.add_api_token(engine, _hash(token), user.id)
    db.record(engine, user.id, "token.issue")
    return token


def api_user(engine: Engine, token: str | None) -> User | None:
    if not token:
        return None
    row = db.api_token_user(engine, _hash(token))
    return _user(row) if row else None


# --- cohorts -------------------------------------------------------------------------


def create_cohort(engine: Engine, actor: User, name: str) -> int:
    if actor.role not in ("instructor", "admin"):
        raise NotAllowed("Only instructors create cohorts.")
    if not name.strip():
        raise ServerError("Give the cohort a name, such as 'Deep learning, spring 2027'.")
    cohort_id = db.create_cohort(engine, name, actor.id)
    db.record(engine, actor.id, "cohort.create", str(cohort_id), {"name": name.strip()})
    return cohort_id


def invite(engine: Engine, actor: User, cohort_id: int, role: str = "learner",
           lifetime: timedelta = INVITE_LIFETIME, max_uses: int = 200) -> str:
    """A new invite token for the cohort (the link is the face's business)."""
    if role not in ("learner", "mentor"):
        raise ServerError("An invite makes learners or mentors.")
    if actor.role != "admin" and db.membership(engine, cohort_id, actor.id) != "instructor":
        raise NotAllowed("Only the cohort's instructors invite people to it.")
    token = secrets.token_urlsafe(32)
    db.add_invite(engine, _hash(token), cohort_id, role, now() + lifetime, max_uses, actor.id)
    db.record(engine, actor.id, "invite.create", str(cohort_id),
              {"role": role, "max_uses": max_uses})
    return token


def require_view(engine: Engine, viewer: User, learner_id: int) -> None:
    """Raise NotAllowed unless ``viewer`` may see ``learner_id``'s code and reports."""
    if not db.may_view_learner(engine, viewer.id, learner_id):
        raise NotAllowed("That is not yours to see.")


def require_rate(engine: Engine, user: User) -> None:
    """At most SUBMISSIONS_PER_MINUTE submissions a minute per person."""
    if db.submissions_in_last(engine, user.id, 60.0) >= SUBMISSIONS_PER_MINUTE:
        raise NotAllowed(f"That is more than {SUBMISSIONS_PER_MINUTE} checks in a minute; "
                         "wait a moment and submit again.")
