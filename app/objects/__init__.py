"""Stripe objects: how stored models are rendered on the wire. Importing this registers them all."""

from app.objects import customers, events  # noqa: F401  (registration)
from app.objects.registry import check_expand, render, type_of

__all__ = ["check_expand", "render", "type_of"]
