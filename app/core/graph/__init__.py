"""Graph building and layout from the reference relations, Qt-free."""
