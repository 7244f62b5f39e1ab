"""The address the development server serves on, so that links in emails point there."""

DEFAULT_ADDRESS = "127.0.0.1:8000"


def runserver_base_url(argv):
    """`http://host:port` of `manage.py runserver [addr:]port` in `argv`, or None when not running it.

    An address of every interface (0.0.0.0, ::) is reached on this machine
    through 127.0.0.1.
    """
    if "runserver" not in argv:
        return None
    arguments = [arg for arg in argv[argv.index("runserver") + 1 :] if not arg.startswith("-")]
    address = arguments[0] if arguments else DEFAULT_ADDRESS
    if address.isdigit():
        address = f"127.0.0.1:{address}"
    host, _, port = address.rpartition(":")
    host = host.strip("[]")
    if host in ("0.0.0.0", "", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"
