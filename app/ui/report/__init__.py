"""The PDF summary, the export dialog and printing."""
