"""Gunicorn settings for production.

    gunicorn -c infra/gunicorn.conf.py koepel.platform.wsgi:app

The app reads its own settings (DATABASE_URL, REDIS_URL, SECRET_KEY, ...) from the
environment; see .env.example. This file reads only PORT and WEB_CONCURRENCY.
"""

import os

# Listen on every interface; put a TLS-terminating proxy or load balancer in front.
bind = [f"0.0.0.0:{os.environ.get('PORT', '8000')}"]

# Processes × threads. Each worker process has its own SQLAlchemy pools (app and
# umbrella engines), so the total is bounded by PostgreSQL's max_connections: about
# workers × threads connections per machine. The cap keeps a large machine from
# exhausting the database; raise WEB_CONCURRENCY deliberately (or add PgBouncer in
# transaction mode: the tenant is set per transaction, so that is safe).
_cores = os.cpu_count() or 1
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * _cores + 1, 8))
worker_class = "gthread"
threads = 4

# A request that takes longer than this is killed and logged; long work belongs in a job.
timeout = 30
graceful_timeout = 30  # on SIGTERM/HUP: time for running requests to finish
keepalive = 5  # seconds; keep it below the idle timeout of the load balancer in front

# Recycle workers now and then, so a slow leak never grows large.
max_requests = 2000
max_requests_jitter = 200

# The worker heartbeat file: on a tmpfs when there is one (a disk-backed /tmp can block).
if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
    worker_tmp_dir = "/dev/shm"

# Logs to stdout/stderr (journald or the platform collects them). The access log adds
# the duration in ms and the X-Request-ID the app returns, to match its own log lines.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" rid=%({x-request-id}o)s'

# Behind a proxy: gunicorn trusts X-Forwarded-Proto (https) only from the addresses in
# forwarded_allow_ips, by default 127.0.0.1,::1 or the FORWARDED_ALLOW_IPS environment
# variable, which gunicorn reads itself. Set that to your proxy's address or network,
# e.g. FORWARDED_ALLOW_IPS=10.0.0.0/8, never "*" when clients can reach gunicorn
# directly. gunicorn does not rewrite REMOTE_ADDR from X-Forwarded-For; the app does,
# when TRUSTED_PROXY_HOPS is set to the number of proxies in front of it.
# forwarded_allow_ips = "10.0.0.0/8"
