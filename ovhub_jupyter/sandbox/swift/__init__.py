"""OpenStack Swift emulation (Swift 2.38 behaviour) for the sandbox's clusters.

``SwiftService`` is the entry point. Each module beside it covers one concern: the store
(SQLite and files), paths and names, listings, objects, large objects, temp URLs, bulk
delete, access control and the ``/info`` document.
"""

from .service import SwiftService

__all__ = ["SwiftService"]
