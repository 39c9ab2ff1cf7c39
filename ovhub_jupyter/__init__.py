"""Jupyter magics and widgets for the OVHcloud API, hubiC and OpenStack Swift object storage.

``%load_ext ovhub_jupyter`` adds ``%ovhub``, ``%swift``, ``%%swift``, ``%ovh``, ``%hubic``
and the sign-in panels. The client core in ``ovhub_jupyter.core`` works without Jupyter.
"""

__version__ = "0.1.0"


def load_ipython_extension(ipython):  # noqa: ANN001 - IPython's extension hook
    """Register the magics and their %config classes in an IPython shell."""
    from .magics import load

    load(ipython)


def unload_ipython_extension(ipython):  # noqa: ANN001
    """Remove everything ``load_ipython_extension`` added."""
    from .magics import unload

    unload(ipython)
