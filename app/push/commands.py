"""Web Push's use cases: this device starts or stops receiving notifications (one command each)."""
from __future__ import annotations

from pydantic import BaseModel, Field

from app.commands import Context, command
from app.push import services
from app.push.config import allow_local_http


class KeysIn(BaseModel):
    """The subscription's keys as PushSubscription.toJSON() gives them."""

    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=100)


class SubscriptionIn(BaseModel):
    """A browser's PushSubscription.toJSON(), plus a label for the device."""

    endpoint: str = Field(min_length=1, max_length=1000)
    keys: KeysIn
    device_label: str = Field(default="", max_length=200)


class EndpointIn(BaseModel):
    """Which subscription to forget."""

    endpoint: str = Field(min_length=1, max_length=1000)


@command("push.subscribe", SubscriptionIn)
def subscribe(ctx: Context, data: SubscriptionIn) -> dict:
    """Store (or refresh) this device's subscription for oneself; an unusable one is refused on its field."""
    sub = services.subscribe(ctx.session, ctx.user, data.endpoint, data.keys.p256dh, data.keys.auth,
                             data.device_label, now=ctx.now, allow_local_http=allow_local_http())
    return {"id": sub.id, "endpoint": sub.endpoint}


@command("push.unsubscribe", EndpointIn)
def unsubscribe(ctx: Context, data: EndpointIn) -> dict:
    """Forget this device's subscription (only one's own): the switch turned off."""
    return {"removed": services.unsubscribe(ctx.session, ctx.user, data.endpoint)}
