"""The Procore REST client and the stream catalogue; of this project it imports only `pipeline_settings`."""
