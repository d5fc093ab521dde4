"""Serving the app on this machine only: the Host check and the launcher."""
