"""A self-hostable, Stripe-compatible Billing customer portal."""
