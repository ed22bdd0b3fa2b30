"""``from neurogym_app.wrappers import Monitor`` (NeuroGym's ``from neurogym.wrappers import ...``).

The wrappers live in ``neurogym_app.core.wrappers``; this module makes
``neurogym_app.wrappers`` that very module (as ``ngym.wrappers`` already is).
"""

import sys

from neurogym_app.core import wrappers as _wrappers

sys.modules[__name__] = _wrappers
