"""Jupyter magics and widgets for the OVHcloud API, hubiC and OpenStack Swift object storage.

``%load_ext ovhub_jupyter`` adds ``%ovhub``, ``%swift``, ``%%swift``, ``%ovh``, ``%hubic``
and the sign-in panels. The client core in ``ovhub_jupyter.core`` works without Jupyter.
"""

import logging

__version__ = "0.1.0"

# A library leaves logging to the application. Without a handler of its own, Python's
# last-resort handler would print every WARNING to standard error, so a magic's one-line
# error would show twice in a notebook that has not configured logging.
logging.getLogger(__name__).addHandler(logging.NullHandler())


def load_ipython_extension(ipython):  # noqa: ANN001 - IPython's extension hook
    """Register the magics and their %config classes in an IPython shell."""
    from .magics import load

    load(ipython)


def unload_ipython_extension(ipython):  # noqa: ANN001
    """Remove everything ``load_ipython_extension`` added."""
    from .magics import unload

    unload(ipython)
