"""Accounts and who may see what on the class server: Argon2id, sessions, invites, roles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from deepcareer.app import accounts, classroom
from deepcareer.errors import ServerError
from deepcareer.store.pg import accounts as db
from tests.server.conftest import Stack

PASSWORD = "correct horse battery"


def _email(tag: str) -> str:
    import uuid

    return f"{tag}-{uuid.uuid4().hex[:8]}@example.org"


def _instructor(stack: Stack) -> accounts.User:
    return accounts.create_user(stack.engine, _email("teach"), "Teacher", PASSWORD,
                                role="instructor")


def test_passwords_are_stored_as_argon2id_and_checked(stack: Stack) -> None:
    user = accounts.create_user(stack.engine, _email("ada"), "Ada", PASSWORD)
    stored = db.user(stack.engine, user.id)
    assert stored is not None and str(stored["password_hash"]).startswith("$argon2id$")
    assert PASSWORD not in str(stored["password_hash"])
    session = accounts.sign_in(stack.engine, user.email.upper(), PASSWORD)
    assert session.user.id == user.id
    with pytest.raises(accounts.SignInFailed, match="Wrong email or password"):
        accounts.sign_in(stack.engine, user.email, PASSWORD + "!")
    with pytest.raises(accounts.SignInFailed, match="Wrong email or password"):
        accounts.sign_in(stack.engine, _email("nobody"), PASSWORD)


def test_sessions_are_stored_as_hashes_and_end_on_sign_out(stack: Stack) -> None:
    user = accounts.create_user(stack.engine, _email("bo"), "Bo", PASSWORD)
    session = accounts.sign_in(stack.engine, user.email, PASSWORD)
    with stack.engine.connect() as conn:
        stored = [r[0] for r in conn.execute(text("SELECT token_hash FROM sessions"))]
    assert session.token not in stored
    assert accounts.session(stack.engine, session.token) is not None
    forged = session.token[:-2] + ("AA" if not session.token.endswith("AA") else "BB")
    assert accounts.session(stack.engine, forged) is None
    assert accounts.csrf_ok(session, session.csrf) and not accounts.csrf_ok(session, "x")
    assert not accounts.csrf_ok(session, None)
    accounts.sign_out(stack.engine, session.token)
    assert accounts.session(stack.engine, session.token) is None


def test_weak_or_malformed_sign_ups_are_refused_with_a_sentence(stack: Stack) -> None:
    for email, name, password in (("not-an-email", "X", PASSWORD), (_email("x"), " ", PASSWORD),
                                  (_email("x"), "X", "short")):
        with pytest.raises(ServerError) as err:
            accounts.create_user(stack.engine, email, name, password)
        assert err.value.message.endswith(".") or err.value.message.endswith(")")


def test_an_invite_admits_people_until_it_expires_or_is_used_up(stack: Stack) -> None:
    teacher = _instructor(stack)
    cohort = accounts.create_cohort(stack.engine, teacher, "Spring cohort")
    link = accounts.invite(stack.engine, teacher, cohort, max_uses=2)
    a = accounts.sign_up(stack.engine, link, _email("a"), "A", PASSWORD)
    accounts.sign_up(stack.engine, link, _email("b"), "B", PASSWORD)
    assert db.membership(stack.engine, cohort, a.id) == "learner"
    late = _email("c")
    with pytest.raises(accounts.NotAllowed, match="expired or been used up"):
        accounts.sign_up(stack.engine, link, late, "C", PASSWORD)
    assert db.find_user(stack.engine, late) is None  # refused before any account exists
    old = accounts.invite(stack.engine, teacher, cohort, lifetime=timedelta(seconds=-1))
    with pytest.raises(accounts.NotAllowed):
        accounts.sign_up(stack.engine, old, _email("d"), "D", PASSWORD)
    with pytest.raises(accounts.NotAllowed):
        accounts.sign_up(stack.engine, "made-up-token", _email("e"), "E", PASSWORD)


def test_only_instructors_create_cohorts_and_invite(stack: Stack) -> None:
    teacher = _instructor(stack)
    cohort = accounts.create_cohort(stack.engine, teacher, "Mine")
    learner = accounts.sign_up(stack.engine, accounts.invite(stack.engine, teacher, cohort),
                               _email("l"), "L", PASSWORD)
    other_teacher = _instructor(stack)
    with pytest.raises(accounts.NotAllowed):
        accounts.create_cohort(stack.engine, learner, "Mine now")
    with pytest.raises(accounts.NotAllowed):
        accounts.invite(stack.engine, learner, cohort)
    with pytest.raises(accounts.NotAllowed):  # an instructor, but of another cohort
        accounts.invite(stack.engine, other_teacher, cohort)
    with pytest.raises(ServerError):  # nobody is invited in as an instructor or admin
        accounts.invite(stack.engine, teacher, cohort, role="admin")


def test_a_learner_never_sees_another_learners_work(stack: Stack) -> None:
    teacher = _instructor(stack)
    cohort = accounts.create_cohort(stack.engine, teacher, "Shared")
    link = accounts.invite(stack.engine, teacher, cohort)
    a = accounts.sign_up(stack.engine, link, _email("a"), "A", PASSWORD)
    b = accounts.sign_up(stack.engine, link, _email("b"), "B", PASSWORD)
    mentor = accounts.sign_up(stack.engine, accounts.invite(stack.engine, teacher, cohort,
                                                            role="mentor"),
                              _email("m"), "M", PASSWORD)
    stranger_teacher = _instructor(stack)
    accounts.require_view(stack.engine, a, a.id)
    accounts.require_view(stack.engine, teacher, a.id)
    accounts.require_view(stack.engine, mentor, a.id)
    for viewer in (b, stranger_teacher):
        with pytest.raises(accounts.NotAllowed):
            accounts.require_view(stack.engine, viewer, a.id)
    with pytest.raises(accounts.NotAllowed):  # a learner is no mentor of the mentor
        accounts.require_view(stack.engine, a, mentor.id)


def test_api_tokens_are_hashed_and_name_their_user(stack: Stack) -> None:
    user = accounts.create_user(stack.engine, _email("t"), "T", PASSWORD)
    token = accounts.issue_api_token(stack.engine, user)
    assert accounts.api_user(stack.engine, token) == user
    assert accounts.api_user(stack.engine, token + "x") is None
    assert accounts.api_user(stack.engine, None) is None


def test_submissions_are_rate_limited_per_person(stack: Stack) -> None:
    from deepcareer.curriculum.catalog import default_catalog

    code = default_catalog().get("softmax").reference_source
    user = accounts.create_user(stack.engine, _email("r"), "R", PASSWORD)
    for _ in range(accounts.SUBMISSIONS_PER_MINUTE):
        accounts.require_rate(stack.engine, user)
        classroom.submit(stack.engine, lambda _id: None, user.id, "softmax", code)
    with pytest.raises(accounts.NotAllowed, match="a minute"):
        accounts.require_rate(stack.engine, user)


def test_grade_affecting_actions_are_audited(stack: Stack) -> None:
    teacher = _instructor(stack)
    cohort = accounts.create_cohort(stack.engine, teacher, "Audited")
    accounts.invite(stack.engine, teacher, cohort)
    actions = {(r["action"], r["actor_id"]) for r in db.audit_log(stack.engine)}
    assert {("cohort.create", teacher.id), ("invite.create", teacher.id),
            ("account.create", teacher.id)} <= actions
