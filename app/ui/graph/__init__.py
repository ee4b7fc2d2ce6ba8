"""The graph pane and its export."""
