"""The `portal` command: serve, migrate, accounts, demo."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from app.settings import Settings
from app.store.database import Database

R = TypeVar("R")


def _db(settings: Settings) -> Database:
    return Database(
        settings.database_url,
        sqlite_readers=1,
        pool_size=2,
        base_url=settings.base_url,
        clock=settings.make_clock(),
        fast_path=settings.store_fast_path,
    )


def _run(coro_fn: Callable[[Database], Awaitable[R]], settings: Settings) -> R:
    async def main() -> R:
        db = _db(settings)
        try:
            return await coro_fn(db)
        finally:
            await db.dispose()

    return asyncio.run(main())


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from app.http.protocol import DeadlineH11Protocol
    from app.http.server import serve

    logging.basicConfig(level=settings.log_level.upper(), format="%(message)s", stream=sys.stdout)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return serve(
        "app.main:create_app",
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=args.workers or settings.workers,
        timeout_graceful_shutdown=30,
        # h11 answers a request line plus headers past this with a bare 400 before the app sees
        # it; each head must also arrive within the header timeout (app/http/protocol.py).
        http=DeadlineH11Protocol,
        # X-Forwarded-For counts only from these (uvicorn's proxy headers: the rightmost address
        # that is not a trusted proxy is the client).
        proxy_headers=True,
        forwarded_allow_ips=settings.trusted_proxies,
        header_timeout=settings.header_timeout_seconds,
        h11_max_incomplete_event_size=settings.max_header_bytes,
        access_log=False,
        log_level=settings.log_level,
    )


def cmd_migrate(_args: argparse.Namespace, settings: Settings) -> int:
    from app.store.migrate import upgrade

    upgrade(settings.database_url)
    print("database is at the newest migration")
    return 0


def _print_account(new: Any) -> None:
    print(f"account:  {new.account.id}")
    print(f"test key: {new.test_key}")
    print(f"live key: {new.live_key}")
    print("(keys are stored hashed; this is the only time they are shown)")


def cmd_accounts_create(args: argparse.Namespace, settings: Settings) -> int:
    from app.services import accounts as account_service

    async def go(db: Database) -> int:
        async with db.transaction() as uow:
            new = await account_service.create(
                uow, settings.make_clock(), name=args.name, email=args.email, billing=args.billing
            )
        _print_account(new)
        return 0

    return _run(go, settings)


def cmd_accounts_update(args: argparse.Namespace, settings: Settings) -> int:
    from app.errors import StripeError
    from app.services import account_settings
    from app.services import accounts as account_service

    async def go(db: Database) -> int:
        if args.billing is None and args.custom_domain is None:
            print("nothing to change: give --billing and/or --custom-domain", file=sys.stderr)
            return 2
        if args.custom_domain is not None and not args.verified:
            print("--custom-domain is the operator's approval: add --verified (or let the merchant verify by DNS)")
            return 2
        try:
            async with db.transaction() as uow:
                account = await uow.accounts.get(args.account)
                if account is not None and args.billing is not None:
                    account = await account_service.set_billing(uow, args.account, args.billing == "on")
                if account is not None and args.custom_domain is not None:
                    domain = args.custom_domain or None
                    account = await account_settings.approve_custom_domain(uow, args.account, domain)
        except StripeError as exc:
            print(exc.message, file=sys.stderr)
            return 1
        if account is None:
            print(f"no such account: {args.account}", file=sys.stderr)
            return 1
        print(f"{account.id}: paid Billing {'enabled' if account.billing_enabled else 'disabled'}")
        if args.custom_domain is not None:
            print(f"{account.id}: custom domain {args.custom_domain or '(none)'} approved")
        return 0

    return _run(go, settings)


def cmd_accounts_roll_keys(args: argparse.Namespace, settings: Settings) -> int:
    from app.services import accounts as account_service

    async def go(db: Database) -> int:
        async with db.transaction() as uow:
            new = await account_service.roll_keys(uow, settings.make_clock(), args.account)
        if new is None:
            print(f"no such account: {args.account}", file=sys.stderr)
            return 1
        _print_account(new)
        return 0

    return _run(go, settings)


def cmd_accounts_list(_args: argparse.Namespace, settings: Settings) -> int:
    async def go(db: Database) -> int:
        async with db.uow(write=False) as uow:
            for account in await uow.accounts.all():
                billing = "billing" if account.billing_enabled else "-"
                print(f"{account.id}\t{billing}\t{account.name or ''}")
        return 0

    return _run(go, settings)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from app import demo as demo_service
    from app.services import accounts as account_service

    key_file = Path(args.key_file)

    async def go(db: Database) -> demo_service.DemoResult:
        return await demo_service.ensure_demo(db, settings.make_clock())

    result = _run(go, settings)
    print()
    print("  Billing portal demo account")
    print(f"  account:   {result.account_id}")
    if result.new_key is not None:
        # The demo key alone is kept in clear, so a newcomer can come back to it; real keys never are.
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(result.new_key + "\n")
        key_file.chmod(0o600)
        print(f"  test key:  {result.new_key}")
        print(f"  (also saved to {key_file}, readable only by you)")
    else:
        saved = key_file.read_text().strip() if key_file.exists() else ""
        hint = account_service.mask_key(saved) if saved else "(key file missing: portal accounts roll-keys)"
        print(f"  test key:  {hint}  (full key in {key_file})")
    for line in result.lines:
        print(f"  {line}")
    print("  portal (each link works once, within 5 minutes; `portal demo` prints fresh ones):")
    for url in result.portal_urls:
        print(f"    {url}")
    password_file = key_file.with_name("demo-dashboard-password")
    if result.dashboard_password is not None:
        password_file.write_text(result.dashboard_password + "\n")
        password_file.chmod(0o600)
    print(f"  dashboard: {settings.base_url}/dashboard/  as {demo_service.DEMO_USER}, password in {password_file}")
    print(f"  API base:  {settings.base_url}")
    print(f"  try:       curl {settings.base_url}/v1/customers -u $(cat {key_file}):")
    print()
    return 0


def cmd_export_subscriptions(args: argparse.Namespace, settings: Settings) -> int:
    from app.context import Ctx
    from app.params.parsing import parse
    from app.params.subscriptions import SubscriptionExportParams
    from app.scope import Scope
    from app.services import subscription_export

    raw: dict[str, Any] = {}
    if args.collection_paused is not None:
        raw["collection_paused"] = args.collection_paused
    for name in ("status", "customer", "price"):
        if getattr(args, name):
            raw[name] = getattr(args, name)
    params = parse(SubscriptionExportParams, raw)
    ctx = Ctx(Scope(args.account, args.live), settings.make_clock())
    out = open(args.out, "w", encoding="utf-8", newline="") if args.out else sys.stdout  # noqa: SIM115

    async def go(db: Database) -> int:
        async with db.uow(write=False) as uow:
            if await uow.accounts.get(args.account) is None:
                print(f"no such account: {args.account}", file=sys.stderr)
                return 1
            async for chunk in subscription_export.csv_chunks(uow, ctx, params):
                out.write(chunk)
        return 0

    try:
        return _run(go, settings)
    finally:
        if out is not sys.stdout:
            out.close()


def cmd_worker(_args: argparse.Namespace, settings: Settings) -> int:
    """Deliver webhooks and run the billing scheduler in this process (any number of these may
    share one PostgreSQL)."""
    import signal

    from app.events.delivery import DeliveryWorker
    from app.events.housekeeping import Housekeeper
    from app.events.scheduler import Scheduler

    logging.basicConfig(level=settings.log_level.upper(), format="%(message)s", stream=sys.stdout)

    async def go(db: Database) -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        print("delivering webhooks; stop with Ctrl-C", flush=True)
        clock = settings.make_clock()
        housekeeper = Housekeeper(db, clock, idempotency_ttl_hours=settings.idempotency_ttl_hours)
        scheduler = Scheduler(db, clock, base_url=settings.base_url)
        await asyncio.gather(
            DeliveryWorker.from_settings(db, clock, settings).run(stop),
            housekeeper.run(stop),
            scheduler.run(stop, every=settings.scheduler_seconds),
        )
        return 0

    return _run(go, settings)


def cmd_listen(args: argparse.Namespace, settings: Settings) -> int:
    from app.listen import listen

    api_key = args.api_key or os.environ.get("PORTAL_API_KEY")
    if not api_key:
        print("pass --api-key sk_test_... (or set PORTAL_API_KEY)", file=sys.stderr)
        return 2
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(listen(args.api_base or settings.base_url, api_key, args.forward_to, events=args.events or None))
    return 0


def cmd_users_create(args: argparse.Namespace, settings: Settings) -> int:
    """A dashboard user (R20); the password is asked for unless --password is given."""
    import getpass

    from app.errors import StripeError
    from app.services import dashboard_users

    password = args.password or getpass.getpass("Password (10+ characters): ")

    async def go(db: Database) -> int:
        async with db.transaction() as uow:
            try:
                user = await dashboard_users.create_user(
                    uow, settings.make_clock(), account_id=args.account, email=args.email, password=password
                )
            except StripeError as exc:
                print(exc.message, file=sys.stderr)
                return 1
        print(f"{user.id}: {user.email} can sign in at {settings.base_url}/dashboard/")
        return 0

    return _run(go, settings)


def cmd_openapi(args: argparse.Namespace, _settings: Settings) -> int:
    import json

    from app.main import create_app

    spec = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:")).openapi()
    text = json.dumps(spec, indent=2, sort_keys=True) + "\n"
    if args.check:
        current = Path(args.out).read_text() if Path(args.out).exists() else ""
        if current != text:
            print(f"{args.out} is stale: run `make openapi`", file=sys.stderr)
            return 1
        return 0
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)
    print(f"wrote {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal", description="Stripe-compatible Billing customer portal")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the API and the portal")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int)
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="bring the database schema to the newest migration").set_defaults(func=cmd_migrate)

    accounts = sub.add_parser("accounts", help="manage merchant accounts").add_subparsers(
        dest="accounts_command", required=True
    )
    create = accounts.add_parser("create", help="create an account and print its keys (once)")
    create.add_argument("--name")
    create.add_argument("--email")
    create.add_argument("--billing", action="store_true", help="enable paid Billing (live-mode portal, R19)")
    create.set_defaults(func=cmd_accounts_create)
    update = accounts.add_parser("update", help="change an account")
    update.add_argument("account")
    update.add_argument("--billing", choices=["on", "off"])
    update.add_argument(
        "--custom-domain", help="set the portal's custom domain (R12) as approved by the operator ('' removes it)"
    )
    update.add_argument("--verified", action="store_true", help="with --custom-domain: it is the merchant's")
    update.set_defaults(func=cmd_accounts_update)
    roll = accounts.add_parser("roll-keys", help="revoke an account's keys and print new ones")
    roll.add_argument("account")
    roll.set_defaults(func=cmd_accounts_roll_keys)
    accounts.add_parser("list", help="list accounts").set_defaults(func=cmd_accounts_list)

    users = sub.add_parser("users", help="dashboard users").add_subparsers(dest="users_command", required=True)
    users_create = users.add_parser("create", help="a dashboard user for an account")
    users_create.add_argument("--account", required=True)
    users_create.add_argument("--email", required=True)
    users_create.add_argument("--password", help="default: asked for")
    users_create.set_defaults(func=cmd_users_create)

    sub.add_parser("worker", help="deliver webhooks and run the billing scheduler (as its own process)").set_defaults(
        func=cmd_worker
    )
    listen_cmd = sub.add_parser(
        "listen", help="forward the account's events to a local URL, signed (like stripe listen)"
    )
    listen_cmd.add_argument("--forward-to", required=True)
    listen_cmd.add_argument("--api-key")
    listen_cmd.add_argument("--api-base", help="default: BASE_URL")
    listen_cmd.add_argument("--events", nargs="*", help="only these event types")
    listen_cmd.set_defaults(func=cmd_listen)

    spec = sub.add_parser("openapi", help="write (or --check) the OpenAPI document")
    spec.add_argument("--out", default=os.path.join("openapi", "openapi.json"))
    spec.add_argument("--check", action="store_true")
    spec.set_defaults(func=cmd_openapi)

    export = sub.add_parser("export", help="export data as CSV").add_subparsers(dest="export_command", required=True)
    subs = export.add_parser("subscriptions", help="subscriptions as CSV (R16), streamed")
    subs.add_argument("--account", required=True)
    subs.add_argument("--live", action="store_true", help="live-mode data (default: test mode)")
    paused = subs.add_mutually_exclusive_group()
    paused.add_argument("--collection-paused", dest="collection_paused", action="store_const", const="true")
    paused.add_argument("--collection-active", dest="collection_paused", action="store_const", const="false")
    subs.add_argument("--status")
    subs.add_argument("--customer")
    subs.add_argument("--price")
    subs.add_argument("--out", help="file to write (default: standard output)")
    subs.set_defaults(func=cmd_export_subscriptions)

    demo = sub.add_parser("demo", help="create (or reuse) the demo account with test data")
    demo.add_argument("--key-file", default=os.path.join("var", "demo-test-key"))
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    result: int = args.func(args, settings)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
