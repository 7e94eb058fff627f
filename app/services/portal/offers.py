"""What the portal offers for a subscription: the one decision the page, the portal API and every
action handler share (an action the page does not offer is refused on the server too)."""

from __future__ import annotations

from app.domain import configuration_rules as rules
from app.domain.subscription_updatability import Assessment
from app.services.portal.flows import allowed_by_flow
from app.services.portal.views import Actions
from app.services.portal.visitor import HIDDEN_STATUSES, Visitor, assessment, feature
from app.store.models import PortalConfiguration, Subscription
from app.store.uow import UnitOfWork


def subscription_actions(
    config: PortalConfiguration, judged: Assessment, sub: Subscription, today_phase: str
) -> Actions:
    """What the portal offers for a subscription under this configuration (R4, R14, R17)."""
    if sub.status in HIDDEN_STATUSES:
        return Actions(update=False, cancel=False, renew=False, pause_collection=False, resume_collection=False)
    pause, resume = pause_actions(config, today_phase, sub)
    return Actions(
        update=judged.can_update,
        cancel=judged.can_cancel and not sub.cancel_at_period_end,
        renew=judged.can_cancel and sub.cancel_at_period_end,
        pause_collection=pause,
        resume_collection=resume,
    )


def for_visitor(v: Visitor, actions: Actions, subscription_id: str) -> Actions:
    """The actions as this visit may use them: a deep-link flow narrows them to its own."""
    return Actions(**{name: offered and allowed_by_flow(v, name, subscription_id) for name, offered in actions})


def pause_actions(config: PortalConfiguration, today_phase: str, sub: Subscription) -> tuple[bool, bool]:
    """R14/R17: pausing is offered only before 2024-03-29 and resuming only until 2024-07-31, and only
    for configurations that enabled the retired feature. (pause offered, resume offered)"""
    enabled = bool(feature(config, "subscription_pause").get("enabled"))
    live = sub.status not in HIDDEN_STATUSES
    return (
        enabled and live and today_phase == "offered" and not sub.collection_paused,
        enabled and live and today_phase in ("offered", "resume_only") and sub.collection_paused,
    )


async def offered(uow: UnitOfWork, v: Visitor, config: PortalConfiguration, sub: Subscription) -> Actions:
    """The decision for one subscription, as an action handler checks it under its lock."""
    judged = await assessment(uow, v, config, sub)
    return subscription_actions(config, judged, sub, rules.pause_phase(v.ctx.clock.now().date()))
