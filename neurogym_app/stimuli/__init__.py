"""Scenes of pure stimulus primitives and the views that turn observations into scenes."""
