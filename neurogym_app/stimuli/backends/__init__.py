"""Drawing a Scene with QPainter or PsychoPy (adapters: the only stimuli code importing them)."""
