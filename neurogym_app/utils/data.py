"""``neurogym.utils.data``: ``Dataset``, supervised batches from a task (code in ``neurogym_app.core.dataset``)."""

from neurogym_app.core.dataset import Dataset

__all__ = ["Dataset"]
