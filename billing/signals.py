"""Signals other apps listen to, so billing imports none of them."""

from django.dispatch import Signal

# Sent (inside the transaction that stored it) whenever an agent's Agent-plan subscription
# changes: ``user`` and ``subscription``. The network's onboarding launches paid sites on it.
agent_plan_changed = Signal()

# Sent (inside the same transaction) when another network plan's subscription changes (the
# Provider plan): ``user`` and ``subscription``. The directory follows it (providers.apps).
network_plan_changed = Signal()
