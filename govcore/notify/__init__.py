"""Delivery of the notifications a live run writes to its outbox (govcore.store.outbox): roles
reach people through their accounts (and a role's shared mailbox), Danish e-mail text from the
templates here, SMTP settings from the environment, and a worker that claims each notification
with a lease, sends it and records the outcome, retrying with backoff.
"""
