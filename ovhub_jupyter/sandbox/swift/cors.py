"""CORS for browser clients, driven by container metadata as in Swift 2.38 (strict mode).

A container opts in with ``X-Container-Meta-Access-Control-Allow-Origin`` (space-separated
origins, or ``*``), and may add ``...-Max-Age`` and ``...-Expose-Headers``. A preflight
``OPTIONS`` with ``Origin`` gets the allow headers or a bare 401. Other requests from an
allowed origin get ``Access-Control-Allow-Origin`` and ``Access-Control-Expose-Headers``.
"""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from .responses import new_response, swift_response
from .store import ContainerRecord

# Headers a browser may always read from a Swift response (simple response headers plus
# Swift's own), before user metadata and the container's additions.
EXPOSED_HEADERS = (
    "cache-control",
    "content-language",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
    "etag",
    "x-timestamp",
    "x-trans-id",
    "x-openstack-request-id",
)

_PREFIX = "X-Container-Meta-Access-Control-"


def allowed_origins(container: ContainerRecord | None) -> set[str]:
    """Return the origins the container lets in (``*`` for any)."""
    if container is None:
        return set()
    value = container.meta.get(_PREFIX + "Allow-Origin", "")
    return {origin.strip() for origin in value.split(" ") if origin.strip()}


def preflight(request: Request, container: ContainerRecord | None, allow: str) -> Response:
    """Return the response to a CORS preflight ``OPTIONS`` (``Origin`` present)."""
    origin = request.headers["Origin"]
    origins = allowed_origins(container)
    methods = [method.strip() for method in allow.split(",")]
    if not (origin in origins or "*" in origins) or request.headers.get("Access-Control-Request-Method") not in methods:
        # Swift's copy middleware adds COPY to Allow only on success.
        refused_allow = ", ".join(method for method in methods if method != "COPY")
        return swift_response(401, headers=[("Allow", refused_allow)], head=request.method == "HEAD")

    assert container is not None
    headers = [("Allow", allow)]
    if container.meta.get(_PREFIX + "Allow-Origin", "").strip() == "*":
        headers.append(("Access-Control-Allow-Origin", "*"))
    else:
        headers += [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
    max_age = container.meta.get(_PREFIX + "Max-Age")
    if max_age is not None:
        headers.append(("Access-Control-Max-Age", max_age))
    headers.append(("Access-Control-Allow-Methods", allow))
    requested = [name.strip() for name in (request.headers.get("Access-Control-Request-Headers") or "").split(",") if name.strip()]
    if requested:
        headers.append(("Access-Control-Allow-Headers", ", ".join(dict.fromkeys(requested))))
        vary = [value for name, value in headers if name == "Vary"]
        headers = [(name, value) for name, value in headers if name != "Vary"]
        headers.append(("Vary", ", ".join([*vary, "Access-Control-Request-Headers"])))
    # A successful preflight has no Content-Type in Swift 2.38.
    return new_response(200, b"", [*headers, ("Content-Length", "0")])


def decorate(response: Response, request: Request, container: ContainerRecord | None) -> Response:
    """Add the CORS headers to a response for an allowed origin; leave others untouched."""
    origin = request.headers.get("Origin")
    if not origin:
        return response
    origins = allowed_origins(container)
    if not (origin in origins or "*" in origins):
        return response
    assert container is not None

    if "Access-Control-Expose-Headers" not in response.headers:
        exposed = list(EXPOSED_HEADERS)
        for name in response.headers.keys():
            if name.startswith(("X-Container-Meta", "X-Object-Meta")):
                exposed.append(name.lower())
        extra = container.meta.get(_PREFIX + "Expose-Headers", "")
        exposed += [name.strip().lower() for name in extra.split(" ") if name.strip()]
        response.headers["Access-Control-Expose-Headers"] = ", ".join(dict.fromkeys(exposed))
    if "Access-Control-Allow-Origin" not in response.headers:
        if container.meta.get(_PREFIX + "Allow-Origin", "").strip() == "*":
            response.headers["Access-Control-Allow-Origin"] = "*"
        else:
            response.headers["Access-Control-Allow-Origin"] = origin
            vary = response.headers.get("Vary")
            response.headers["Vary"] = f"{vary}, Origin" if vary else "Origin"
    return response
