"""Domain services: every rule lives here once, called by the web views and the CLI alike."""
