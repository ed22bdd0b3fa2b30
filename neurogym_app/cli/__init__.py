"""Command-line entry points (`neurogym-app ...`)."""
