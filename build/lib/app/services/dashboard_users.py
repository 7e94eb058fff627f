"""R20: dashboard users, sign-in (argon2 hashes, failure limits), sessions and the mode switch."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.clock import Clock, unix
from app.domain.login import normalise_email
from app.errors import InvalidRequest
from app.ids import new_id
from app.store.models import DashboardLoginFailure, DashboardSession, DashboardUser
from app.store.uow import UnitOfWork

HASHER = PasswordHasher()
FAILURE_WINDOW = 15 * 60
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20
IDLE_TIMEOUT = 8 * 3600
# Verifying against this keeps the time of a sign-in with an unknown email like a known one's.
_DUMMY_HASH = HASHER.hash("not a real password")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_user(uow: UnitOfWork, clock: Clock, *, account_id: str, email: str, password: str) -> DashboardUser:
    """A dashboard user of one account (operators create them: `portal users create`)."""
    if await uow.accounts.get(account_id) is None:
        raise InvalidRequest(f"No such account: {account_id}", code="resource_missing", param="account")
    normalised = normalise_email(email)
    if normalised is None:
        raise InvalidRequest(f"Invalid email address: {email}", code="email_invalid", param="email")
    if len(password) < 10:
        raise InvalidRequest("Passwords need at least 10 characters.", code="password_too_short", param="password")
    if await uow.dashboard.user_by_email(normalised) is not None:
        raise InvalidRequest(
            f"A user with the email {normalised} exists.", code="resource_already_exists", param="email"
        )
    user = uow.dashboard.add(
        DashboardUser(
            id=new_id("usr", 16),
            account_id=account_id,
            email=normalised,
            password_hash=HASHER.hash(password),
            created=unix(clock),
        )
    )
    assert isinstance(user, DashboardUser)
    return user


@dataclass(frozen=True)
class SignedIn:
    token: str
    session: DashboardSession


@dataclass(frozen=True)
class Attempt:
    """A sign-in let through the failure limits, recorded as a failure until its password checks."""

    failure_pk: int
    user_id: str | None
    account_id: str | None
    password_hash: str


# Argon2 takes tens of milliseconds of CPU: verified on two threads of its own (argon2 releases
# the GIL), so a burst of sign-ins neither holds the event loop nor takes every core; the rest wait
# in the pool's queue.
_HASHING = ThreadPoolExecutor(max_workers=2, thread_name_prefix="password-hash")


async def begin_sign_in(uow: UnitOfWork, clock: Clock, email: str, client_address: str) -> Attempt | None:
    """Within the limits (None when past them), record the attempt as a failure. The limit's keys
    are locked while counting, so a burst of concurrent attempts cannot all pass the count: each
    sees the ones before it (the boundary commits this before the password is checked)."""
    now = unix(clock)
    normalised = normalise_email(email) or email.strip().lower()[:512]
    address = client_address[:64]
    await uow.counters.hold([f"dashboard:email:{normalised}", f"dashboard:address:{address}"], now=now)
    since = now - FAILURE_WINDOW
    if (
        await uow.dashboard.failures_since(since, email=normalised) >= MAX_FAILURES_PER_USER
        or await uow.dashboard.failures_since(since, client_address=address) >= MAX_FAILURES_PER_ADDRESS
    ):
        return None
    user = await uow.dashboard.user_by_email(normalised)
    failure = uow.dashboard.add(DashboardLoginFailure(email=normalised, client_address=address, at=now))
    await uow.flush()
    assert isinstance(failure, DashboardLoginFailure)
    return Attempt(
        failure.pk,
        user.id if user else None,
        user.account_id if user else None,
        user.password_hash if user else _DUMMY_HASH,
    )


async def password_matches(attempt: Attempt, password: str) -> bool:
    """Verify off the event loop (an unknown email costs the same as a known one)."""

    def verify() -> bool:
        try:
            return bool(HASHER.verify(attempt.password_hash, password))
        except (VerificationError, InvalidHashError):
            return False

    ok = await asyncio.get_running_loop().run_in_executor(_HASHING, verify)
    return ok and attempt.user_id is not None


async def finish_sign_in(uow: UnitOfWork, clock: Clock, attempt: Attempt, ok: bool) -> SignedIn | None:
    """The right password: the attempt is no failure after all, and a session starts."""
    if not ok or attempt.user_id is None or attempt.account_id is None:
        return None
    await uow.dashboard.forget_failure(attempt.failure_pk)
    now = unix(clock)
    token = secrets.token_urlsafe(32)
    session = uow.dashboard.add(
        DashboardSession(
            token_hash=_hash(token),
            user_id=attempt.user_id,
            account_id=attempt.account_id,
            csrf_token=secrets.token_urlsafe(24),
            livemode=False,
            created=now,
            last_seen=now,
            ended=False,
        )
    )
    assert isinstance(session, DashboardSession)
    return SignedIn(token, session)


async def resume(uow: UnitOfWork, clock: Clock, token: str) -> DashboardSession | None:
    """The live session behind a cookie (idle sessions end)."""
    session = await uow.dashboard.session_by_token_hash(_hash(token))
    now = unix(clock)
    if session is None or now - session.last_seen > IDLE_TIMEOUT:
        return None
    if now - session.last_seen > 60:
        session.last_seen = now
    return session


async def sign_out(uow: UnitOfWork, token: str) -> None:
    session = await uow.dashboard.session_by_token_hash(_hash(token))
    if session is not None:
        session.ended = True


async def switch_mode(uow: UnitOfWork, token: str, livemode: bool) -> None:
    """R2: the dashboard shows test or live data, never both."""
    session = await uow.dashboard.session_by_token_hash(_hash(token))
    if session is not None:
        session.livemode = livemode
