"""pyqtgraph plot items built from session data, and static matplotlib figures."""
