"""Procore webhooks: the receiver, the event inbox, and hook registration.

Deliveries are only hints: each stored event names a (company, project, stream) that the
Dagster sensor in `orchestration/webhook_sensor.py` then re-reads through the API.
"""
