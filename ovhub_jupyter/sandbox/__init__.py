"""A local emulator of the OVHcloud API, hubiC, Keystone and OpenStack Swift.

hubiC shut down in 2022 and the OVHcloud API needs an account, so the sandbox is the
server that notebooks, tests and new users run against by default. It follows the real
services' wire behaviour, quirks included, and shares no protocol code with the client
core: two independent implementations checked against the same facts.

    python -m ovhub_jupyter.sandbox --port 8765

    with Sandbox() as sandbox:
        print(sandbox.url, sandbox.config["swift"]["auth_url"])
"""

from .server import Sandbox, shared_sandbox, stop_shared_sandbox

__all__ = ["Sandbox", "shared_sandbox", "stop_shared_sandbox"]
