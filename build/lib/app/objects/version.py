"""The Stripe API version whose shapes we render (stripe-node's pinned version at the time of writing)."""

API_VERSION = "2026-07-29.dahlia"
