"""Procore REST client, stream catalogue and embedded sandbox. Imports nothing else of this project."""
