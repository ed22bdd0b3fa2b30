"""Task collections: Yang et al. 2019 and the perceptual decision-making family."""

_YANG19 = (
    "go", "rtgo", "dlygo", "anti", "rtanti", "dlyanti", "dm1", "dm2", "ctxdm1", "ctxdm2", "multidm",
    "dlydm1", "dlydm2", "ctxdlydm1", "ctxdlydm2", "multidlydm", "dms", "dnms", "dmc", "dnmc",
)

#: id -> "module:factory" (strings only)
ENTRIES = {f"yang19.{name}-v0": f"{__name__}.yang19:{name}" for name in _YANG19}

#: NeuroGym's perceptualdecisionmaking collection (variants of PerceptualDecisionMaking)
_PERCEPTUALDECISIONMAKING = ("roitman02", "ibl20")
ENTRIES.update(
    {
        f"perceptualdecisionmaking.{name}-v0": f"{__name__}.perceptualdecisionmaking:{name}"
        for name in _PERCEPTUALDECISIONMAKING
    }
)
