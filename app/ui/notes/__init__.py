"""Notes, tags and backups in the window."""
