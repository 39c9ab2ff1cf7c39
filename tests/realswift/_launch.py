"""Start one Swift server or daemon with swift.conf taken from a given folder.

Run with the Python of the virtual environment that has Swift installed:

    python _launch.py CONF_DIR ROLE CONF_FILE

ROLE is proxy, account, container, object or container-updater.

Swift reads constraints and storage policies from the fixed path /etc/swift/swift.conf
when its modules are imported, whatever ``swift_dir`` says. Pointing that path at
CONF_DIR before anything else imports them lets every test instance use its own
swift.conf (a lower listing limit, its own hash prefix) without writing under /etc.
"""

import os
import sys


def main() -> int:
    conf_dir, role, conf_file = sys.argv[1:4]

    import swift.common.utils as utils

    utils.SWIFT_CONF_FILE = os.path.join(conf_dir, "swift.conf")

    from swift.common import constraints, storage_policy

    constraints.reload_constraints()
    storage_policy.reload_storage_policies()

    if role == "container-updater":
        from swift.common.daemon import run_daemon
        from swift.container.updater import ContainerUpdater

        run_daemon(ContainerUpdater, conf_file, verbose=True)
        return 0

    from swift.common.wsgi import run_wsgi

    return run_wsgi(conf_file, f"{role}-server", verbose=True)


if __name__ == "__main__":
    sys.exit(main())
