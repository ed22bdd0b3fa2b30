"""``neurogym.config.components``: the configuration sections, one module per upstream module."""
