"""Qt windows, the stimulus canvas widget, controllers and dialogs (PyQt6)."""
