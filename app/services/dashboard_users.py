"""R20: dashboard users, sign-in (argon2 hashes, failure limits), sessions and the mode switch."""

from __future__ import annotations

import hashlib
import secrets
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
    await uow.commit()
    assert isinstance(user, DashboardUser)
    return user


@dataclass(frozen=True)
class SignedIn:
    token: str
    session: DashboardSession


async def sign_in(uow: UnitOfWork, clock: Clock, email: str, password: str, client_address: str) -> SignedIn | None:
    """A session for the right password; None otherwise, or when failures passed their limits."""
    now = unix(clock)
    normalised = normalise_email(email) or email.strip().lower()[:512]
    since = now - FAILURE_WINDOW
    if (
        await uow.dashboard.failures_since(since, email=normalised) >= MAX_FAILURES_PER_USER
        or await uow.dashboard.failures_since(since, client_address=client_address) >= MAX_FAILURES_PER_ADDRESS
    ):
        return None
    user = await uow.dashboard.user_by_email(normalised)
    try:
        HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
        ok = user is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None:
        uow.dashboard.add(DashboardLoginFailure(email=normalised, client_address=client_address[:64], at=now))
        await uow.commit()
        return None
    token = secrets.token_urlsafe(32)
    session = uow.dashboard.add(
        DashboardSession(
            token_hash=_hash(token),
            user_id=user.id,
            account_id=user.account_id,
            csrf_token=secrets.token_urlsafe(24),
            livemode=False,
            created=now,
            last_seen=now,
            ended=False,
        )
    )
    await uow.commit()
    return SignedIn(token, session)


async def resume(uow: UnitOfWork, clock: Clock, token: str) -> DashboardSession | None:
    """The live session behind a cookie (idle sessions end)."""
    session = await uow.dashboard.session_by_token_hash(_hash(token))
    now = unix(clock)
    if session is None or now - session.last_seen > IDLE_TIMEOUT:
        return None
    if now - session.last_seen > 60:
        session.last_seen = now
        await uow.commit()
    return session


async def sign_out(uow: UnitOfWork, token: str) -> None:
    session = await uow.dashboard.session_by_token_hash(_hash(token))
    if session is not None:
        session.ended = True
        await uow.commit()


async def switch_mode(uow: UnitOfWork, token: str, livemode: bool) -> None:
    """R2: the dashboard shows test or live data, never both."""
    session = await uow.dashboard.session_by_token_hash(_hash(token))
    if session is not None:
        session.livemode = livemode
        await uow.commit()
