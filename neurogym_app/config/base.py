"""``neurogym.config.base``: the base of every configuration section and the package's folders."""

from pathlib import Path

from neurogym_app.config.sections import SectionBase

#: the folder holding the ``neurogym_app`` package, the package itself, and this configuration package
ROOT_DIR = Path(__file__).resolve().parent.parent.parent
PKG_DIR = ROOT_DIR / "neurogym_app"
CONFIG_DIR = PKG_DIR / "config"
#: where program output goes by default (``Config().local_dir``), relative to the working directory
LOCAL_DIR = Path("runs")

#: upstream's name of the section base class
ConfigBase = SectionBase

__all__ = ["CONFIG_DIR", "LOCAL_DIR", "PKG_DIR", "ROOT_DIR", "ConfigBase"]
