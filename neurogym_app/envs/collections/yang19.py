"""``neurogym.envs.collections.yang19``: the Yang et al. 2019 tasks (code in ``neurogym_app.tasks.collections.yang19``)."""

from neurogym_app.tasks.collections.yang19 import (
    anti,
    ctxdlydm1,
    ctxdlydm2,
    ctxdm1,
    ctxdm2,
    dlyanti,
    dlydm1,
    dlydm2,
    dlygo,
    dm1,
    dm2,
    dmc,
    dms,
    dnmc,
    dnms,
    go,
    multidlydm,
    multidm,
    rtanti,
    rtgo,
)

__all__ = [
    "anti", "ctxdlydm1", "ctxdlydm2", "ctxdm1", "ctxdm2", "dlyanti", "dlydm1", "dlydm2", "dlygo", "dm1",
    "dm2", "dmc", "dms", "dnmc", "dnms", "go", "multidlydm", "multidm", "rtanti", "rtgo",
]
