"""Experiments as plans over ordinary sessions: design, screens and stages, staircases, resume."""
