"""The window's panes: list, detail, filter, search results and document reader."""
