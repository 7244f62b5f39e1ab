"""gunicorn settings for the web processes: `gunicorn groepswijzer.wsgi` reads this file by itself.

Everything can be changed from the environment (GUNICORN_BIND, WEB_CONCURRENCY,
GUNICORN_TIMEOUT); see docs/operations.md.
"""

import os

from gunicorn.http import wsgi

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# No request waits on SMTP or Mollie (that is the task worker's job), so a slow request is a fault.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
accesslog = "-"
# Our load balancers may say the request came in over HTTPS (X-Forwarded-Proto); nobody else may.
forwarded_allow_ips = os.environ.get("TRUSTED_PROXY_RANGES") or "127.0.0.1,::1"

# No "Server: gunicorn" header: it tells an attacker what we run and helps nobody else.
_default_headers = wsgi.Response.default_headers


def _headers_without_server(response):
    return [line for line in _default_headers(response) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _headers_without_server
