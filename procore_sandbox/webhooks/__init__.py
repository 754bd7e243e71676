"""The sandbox's Procore webhooks: the Webhooks API (hooks, triggers, deliveries) and a delivery worker.

Wiring (in the sandbox app): `app.state.webhooks = WebhookDispatcher().attach(state.store)`, mount
`routes` with the `/rest/...` routes and `admin_routes` with the `/_sandbox/...` ones, call
`app.state.webhooks.reset()` from `POST /_sandbox/reset` and `.stop()` at shutdown.
"""

from procore_sandbox.webhooks.delivery import DeliveryConfig, WebhookDispatcher
from procore_sandbox.webhooks.routes import admin_routes, routes

__all__ = ["DeliveryConfig", "WebhookDispatcher", "admin_routes", "routes"]
