"""Pages the sandbox serves to host the dashboard as Procore's embedded-app iframe would (owned by the dashboard engineer)."""

routes: list = []
