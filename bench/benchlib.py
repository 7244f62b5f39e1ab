"""What the benchmark scripts share: their own databases, child processes with a time limit, and tables.

The scripts themselves never import Django: whatever runs the site's code runs
in a child process (`python -m bench.inprocess …`), started with the
environment that picks the settings and the database. A child that takes too
long, or grows too big, is stopped (its PostgreSQL query too), and the figure
says so, instead of the benchmark hanging.

Databases belong to the benchmarks: on PostgreSQL only databases whose name
starts with `gw_bench` are created, copied and dropped; on SQLite only files
under /tmp. A generated data set is kept (building the national one takes
minutes) and reused while its factor and seed match; `--fresh` builds it again.
"""

import datetime
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# Two people benchmarking on one server give their databases different prefixes (still gw_bench… or gw_…).
BENCH_PREFIX = os.environ.get("BENCH_DB_PREFIX", "gw_bench")
SETTINGS = "bench.web.settings"
# Another checkout benchmarking at the same time collects its own files: give each its own folder.
STATIC_ROOT = Path(os.environ.get("GW_BENCH_STATIC") or "/tmp/gw-bench-static")
MEDIA_ROOT = Path("/tmp/gw-bench-media")
SQLITE_DIR = Path("/tmp")
DEFAULT_MAX_AGE_DAYS = 3


# --- databases -----------------------------------------------------------------------------------


def scale_label(scale):
    """'demo', or a factor such as '0.01': the part of a database name that says what is in it."""
    return "demo" if scale == "demo" else f"f{float(scale):g}".replace(".", "_")


class PostgresDatabase:
    engine = "PostgreSQL"

    def __init__(self, server_url, name):
        if not name.startswith(BENCH_PREFIX):
            raise ValueError(f"A benchmark database's name starts with {BENCH_PREFIX!r}, not {name!r}.")
        parts = urlsplit(server_url)
        self.server_url = server_url
        self.name = name
        self.url = urlunsplit(parts._replace(path=f"/{name}"))
        self.label = f"PostgreSQL, database {name} on {parts.hostname or 'localhost'}:{parts.port or 5432}"

    def _admin(self):
        parts = urlsplit(self.server_url)
        return psycopg.connect(
            dbname="postgres",
            user=parts.username or None,
            password=parts.password or None,
            host=parts.hostname or None,
            port=parts.port or None,
            autocommit=True,
        )

    def query(self, sql, params=()):
        """Rows of one statement in this database (counts the scripts print; ANALYZE)."""
        with psycopg.connect(self.url, autocommit=True) as connection:
            cursor = connection.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def exists(self):
        with self._admin() as admin:
            return bool(admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.name]).fetchone())

    def create(self):
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{self.name}"')

    def copy_from(self, source):
        """A fresh copy of another benchmark database (PostgreSQL copies its files: seconds, not minutes)."""
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{self.name}" TEMPLATE "{source.name}"')

    def drop(self):
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def read_meta(self):
        with self._admin() as admin:
            row = admin.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [self.name]
            ).fetchone()
        try:
            return json.loads(row[0]) if row and row[0] else None
        except ValueError:
            return None

    def write_meta(self, meta):
        with self._admin() as admin:
            text = json.dumps(meta).replace("'", "''")
            admin.execute(f"COMMENT ON DATABASE \"{self.name}\" IS '{text}'")

    def stop_backend(self, pid):
        """Cancel what a stopped child was still asking the server."""
        with self._admin() as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])

    def env(self):
        return {"DATABASE_URL": self.url}


class SqliteDatabase:
    engine = "SQLite"

    def __init__(self, path):
        self.path = Path(path)
        if self.path.parent != SQLITE_DIR:
            raise ValueError(f"Benchmark SQLite files live in {SQLITE_DIR}.")
        self.name = self.path.name
        self.label = f"SQLite, file {self.path}"

    def files(self):
        return [self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")]

    def query(self, sql, params=()):
        with sqlite3.connect(self.path) as connection:
            cursor = connection.execute(sql.replace("%s", "?"), params)
            return cursor.fetchall() if cursor.description else []

    def exists(self):
        return self.path.exists()

    def create(self):
        self.drop()

    def copy_from(self, source):
        self.drop()
        for original, copy in zip(source.files(), self.files(), strict=True):
            if original.exists():
                shutil.copyfile(original, copy)

    def drop(self):
        for file in [*self.files(), self.meta_file()]:
            file.unlink(missing_ok=True)

    def meta_file(self):
        return Path(f"{self.path}.json")

    def read_meta(self):
        try:
            return json.loads(self.meta_file().read_text())
        except (OSError, ValueError):
            return None

    def write_meta(self, meta):
        self.meta_file().write_text(json.dumps(meta))

    def stop_backend(self, pid):
        pass

    def env(self):
        return {"SQLITE_PATH": str(self.path), "DATABASE_URL": ""}


def bench_database(name):
    """The database `name` (gw_bench…) on the PostgreSQL server in DATABASE_URL, else a SQLite file in /tmp."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return PostgresDatabase(url, name)
    return SqliteDatabase(SQLITE_DIR / f"{name.replace('_', '-')}.sqlite3")


def django_env(database, **extra):
    """The environment for a child that runs the site's code: production settings on the bench database.

    Emails and tasks stay inside the process (a worker would send them); the
    cache is Redis when REDIS_URL is set, as in production.
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "STATIC_ROOT": str(STATIC_ROOT),
        "MEDIA_ROOT": str(MEDIA_ROOT),
        "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        **database.env(),
        **extra,
    }
    return {key: value for key, value in env.items() if value != ""}


def manage(database, *arguments, quiet=False):
    """Run `manage.py …` against the bench database; stop the benchmark when it fails."""
    command = [PYTHON, "manage.py", *arguments]
    output = subprocess.DEVNULL if quiet else None
    result = subprocess.run(command, cwd=ROOT, env=django_env(database), stdout=output, check=False)
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(arguments)} failed (exit status {result.returncode}).")


def collect_static(database):
    """Production settings serve hashed static file names: collect them into /tmp (again only what changed)."""
    manage(database, "collectstatic", "--noinput", "-v0")


def prepare_data(scale, *, seed=1, fresh=False, max_age_days=DEFAULT_MAX_AGE_DAYS, say=print):
    """The kept database with `scale` ('demo', or a factor) loaded, built when missing or stale. Returns it.

    Reused while its factor and seed match and it is younger than
    `max_age_days` (the data is dated from the day it was made).
    """
    database = bench_database(f"{BENCH_PREFIX}_scale_{scale_label(scale)}")
    wanted = {"scale": "demo" if scale == "demo" else f"{float(scale):g}", "seed": seed}
    meta = database.read_meta() if database.exists() else None
    if meta and not fresh and {key: meta.get(key) for key in wanted} == wanted and "data_now" in meta:
        made = datetime.datetime.fromisoformat(meta["made"])
        age = datetime.datetime.now(datetime.UTC) - made
        if age < datetime.timedelta(days=max_age_days):
            say(f"Using {database.label}: {describe_data(meta)}, made {age.total_seconds() / 3600:.1f} h ago.")
            database.meta = meta
            return database
    say(f"Building {database.label} ({'demo' if scale == 'demo' else f'factor {scale}'}) …")
    started = time.monotonic()
    database.create()
    manage(database, "migrate", "--noinput", "-v0")
    # The moment the data is made from: benchmarks that let time pass start there (see periodic.py).
    data_now = datetime.datetime.now(datetime.UTC).isoformat()
    if scale == "demo":
        manage(database, "load_demo", quiet=True)
    else:
        manage(database, "generate_scale", "--factor", str(scale), "--seed", str(seed))
    database.query("ANALYZE")  # the planner needs the numbers; the generator does this too, load_demo not
    seconds = time.monotonic() - started
    meta = {
        **wanted,
        "data_now": data_now,
        "made": datetime.datetime.now(datetime.UTC).isoformat(),
        "build_seconds": round(seconds, 1),
    }
    database.write_meta(meta)
    database.meta = meta
    say(f"Built in {seconds:.0f} s.")
    return database


def describe_data(meta):
    scale = meta.get("scale")
    return "demo data" if scale == "demo" else f"generated, factor {scale}, seed {meta.get('seed')}"


def work_copy(source, say=print):
    """A throwaway copy of a kept database, for benchmarks that change data."""
    copy = bench_database(f"{source.name.replace('-', '_').removesuffix('.sqlite3')}_work")
    started = time.monotonic()
    copy.copy_from(source)
    say(f"Copied to {copy.label} in {time.monotonic() - started:.1f} s.")
    return copy


# --- child processes -----------------------------------------------------------------------------


class ChildResult:
    def __init__(self):
        self.lines = []  # the JSON objects the child printed, in order
        self.seconds = 0.0
        self.peak_rss = 0  # bytes
        self.stopped = ""  # why the child was stopped, or ""
        self.returncode = None
        self.errors = ""

    def __getitem__(self, key):
        """The last value the child printed under `key`."""
        for line in reversed(self.lines):
            if key in line:
                return line[key]
        raise KeyError(key)

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid):
    """(parent's pid, own CPU seconds, CPU seconds of its children that ended) of a process on this machine,
    from /proc (user plus system time). Raises OSError once the process is gone."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    own = int(fields[11]) + int(fields[12])  # utime, stime
    ended_children = int(fields[13]) + int(fields[14])  # cutime, cstime
    return int(fields[1]), own / CLOCK_TICKS, ended_children / CLOCK_TICKS


def children(pid):
    """The pids of the processes on this machine whose parent is `pid`, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        if parent == pid:
            found.append(int(stat.parent.name))
    return found


def _rss(pid):
    """(current, peak) resident memory of a process in bytes, from /proc; (0, 0) once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0, 0
    values = {}
    for line in status.splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) * 1024
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


def run_child(task, arguments, *, database, timeout, memory_limit=None, on_line=None, watch=None, env_extra=None):
    """Run `python -m bench.inprocess TASK ARGUMENTS` and collect what it prints (one JSON object a line).

    Stopped after `timeout` seconds, or when it holds more than `memory_limit`
    bytes, or when `watch()` (called ten times a second) returns a reason;
    then its PostgreSQL backend is ended too (the child prints its pid as
    {"backend_pid": …} first). Its peak memory is sampled from /proc.
    """
    command = [PYTHON, "-m", "bench.inprocess", task, json.dumps(arguments)]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=django_env(database, **(env_extra or {})),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    result = ChildResult()
    errors = []

    def read_out():
        for raw in process.stdout:
            raw = raw.strip()
            if not raw.startswith("{"):
                continue
            line = json.loads(raw)
            result.lines.append(line)
            if on_line is not None:
                on_line(line)

    def read_err():
        errors.append(process.stderr.read())

    readers = [threading.Thread(target=read_out, daemon=True), threading.Thread(target=read_err, daemon=True)]
    for reader in readers:
        reader.start()
    started = time.monotonic()
    while process.poll() is None:
        elapsed = time.monotonic() - started
        current, peak = _rss(process.pid)
        result.peak_rss = max(result.peak_rss, peak)
        if elapsed > timeout:
            result.stopped = f"> {timeout:.0f} s (stopped)"
        elif memory_limit and current > memory_limit:
            result.stopped = f"> {memory_limit / 2**30:.1f} GiB after {elapsed:.0f} s (stopped)"
        elif watch is not None:
            result.stopped = watch() or ""
        if result.stopped:
            os.killpg(process.pid, signal.SIGKILL)  # the child's own process group: nothing else
            process.wait()
            backend = result.get("backend_pid")
            if backend:
                database.stop_backend(backend)
            break
        time.sleep(0.1)
    result.seconds = time.monotonic() - started
    for reader in readers:
        reader.join(timeout=5)
    result.returncode = process.returncode
    result.errors = "".join(errors).strip()
    if result.returncode and not result.stopped:
        tail = "\n".join(result.errors.splitlines()[-15:])
        raise SystemExit(f"The benchmark child '{task}' failed (exit status {result.returncode}):\n{tail}")
    return result


# --- printing ------------------------------------------------------------------------------------


def median(values):
    return statistics.median(values) if values else float("nan")


def table(headings, rows):
    """A plain text table, columns as wide as their widest cell; numbers right-aligned."""
    cells = [[str(cell) for cell in row] for row in [headings, *rows]]
    widths = [max(len(row[column]) for row in cells) for column in range(len(headings))]

    def line(row):
        parts = []
        for column, cell in enumerate(row):
            numeric = column > 0 and cell[:1].isdigit() or cell[:1] in ("<", ">", "–")
            parts.append(cell.rjust(widths[column]) if numeric else cell.ljust(widths[column]))
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def machine_line(database):
    load = os.getloadavg()
    return (
        f"{database.label}; {os.cpu_count()} CPU cores, load {load[0]:.1f}; "
        f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
    )
