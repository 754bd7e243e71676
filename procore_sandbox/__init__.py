"""The embedded Procore sandbox: a local server that behaves like Procore's REST API."""
