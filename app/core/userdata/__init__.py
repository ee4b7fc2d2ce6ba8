"""User data: notes, tags, saved filters, graph positions and their backups, never rebuilt."""
