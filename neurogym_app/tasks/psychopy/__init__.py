"""Tasks whose observations are pixels drawn by PsychoPy (optional extra).

Registered as available only when PsychoPy is installed; they render in a
hidden window, so they need an X display (``Xvfb`` when headless).
"""

#: id -> "module:Class" (strings only)
ENTRIES: dict[str, str] = {
    "psychopy.RandomDotMotion-v0": f"{__name__}.randomdotmotion:RandomDotMotion",
    "psychopy.VisualSearch-v0": f"{__name__}.visualsearch:VisualSearch",
    "psychopy.SpatialSuppressMotion-v0": f"{__name__}.spatialsuppressmotion:SpatialSuppressMotion",
}
