"""Key and pointer events and the maps from them to task actions."""
