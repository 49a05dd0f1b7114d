"""Start, supervise and stop Skolebro's three processes: Rasa, the action server and the API.

Used by `make run` (foreground, Ctrl-C stops everything) and by the end-to-end tests (free ports,
a temporary data folder). Each process runs in its own process group so that stopping the
stack also stops the workers the processes spawn.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import secrets
import signal
import socket
import subprocess  # nosec B404 # launcher: fixed argv lists, never a shell
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINE_BIN = ROOT / ".venvs" / "engine" / "bin"
APP_BIN = ROOT / ".venvs" / "app" / "bin"
MODEL_DIR = ROOT / "models"
MODEL_NAME = "skolebro"
MODEL_PATH = MODEL_DIR / f"{MODEL_NAME}.tar.gz"
FINGERPRINT_PATH = MODEL_DIR / f"{MODEL_NAME}.fingerprint"

# Everything `rasa train` reads: a change in any of these means the model is stale.
TRAINING_INPUTS = ("config.yml", "domain.yml", "data")


_given_ports: set[int] = set()


def free_port() -> int:
    """A port to listen on, chosen below the kernel's ephemeral range.

    A port from bind(0) lies in the ephemeral range, and in the seconds before a server binds
    it the kernel may hand it out as the source port of an outgoing connection (the stack's
    own database connections), so the server fails to start. Ports below that range are only
    ever taken by servers.
    """
    low = 32768
    with contextlib.suppress(OSError, ValueError):
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    first = max(1024, low // 2)
    for _ in range(200):
        port = first + secrets.randbelow(low - first)
        if port in _given_ports:
            continue
        with socket.socket() as s:
            try:
                s.bind(("0.0.0.0", port))  # nosec B104 # only probes that the port is free
            except OSError:
                continue
        _given_ports.add(port)
        return port
    with socket.socket() as s:  # everything below the range is taken: let the kernel choose
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def log_tail(path: Path | None, lines: int = 12) -> str:
    """The last lines of a process log, for an error message."""
    if path is None or not path.exists():
        return ""
    with contextlib.suppress(OSError):
        text = [ln for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
        return "\n".join(text[-lines:])
    return ""


def fresh_database(url: str, purpose: str) -> str:
    """An empty PostgreSQL database beside the one `url` names, for one test or bench run.

    Returns "" when `url` is not PostgreSQL (the run then uses SQLite in its own folder).
    Databases left by earlier runs of the same purpose are dropped, unless the process that
    made them (its pid ends the name) is still running.
    """
    if not url.startswith(("postgres://", "postgresql")):
        return ""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    prefix = f"skolebro_{purpose}_"
    name = f"{prefix}{os.getpid()}"
    admin = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        for (old,) in conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (prefix + "%",)
        ).fetchall():
            pid = old[len(prefix) :]
            if old == name or not (pid.isdigit() and Path(f"/proc/{pid}").exists()):
                conn.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return parsed.set(database=name).render_as_string(hide_password=False)


def training_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in TRAINING_INPUTS:
        path = ROOT / name
        files = sorted(path.rglob("*.yml")) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


# Loads the saved danger model, or trains and saves it when its inputs changed.
DANGER_MODEL_ARGV = [str(APP_BIN / "python"), "-m", "bot.understanding.danger_model"]


@contextlib.contextmanager
def danger_model_beside(env: dict[str, str] | None = None, quiet: bool = False) -> Iterator[None]:
    """Train (or load) the danger model in its own process while the block runs `rasa train`
    (`rasa_train_env`); wait for it after the block, kill it if the block fails.

    Why beside and not after: `rasa train` is mostly one core while it imports and validates.
    Why not as a thread inside `rasa train` (WARM_UP_ENV in bot/understanding/danger_model.py):
    that thread held the GIL against the featurizers and DIET (featurizers 21 s beside it,
    11 s alone)."""
    output = subprocess.DEVNULL if quiet else None
    danger = subprocess.Popen(  # nosec B603 # our own python
        DANGER_MODEL_ARGV, cwd=ROOT, env=env, stdout=output, stderr=output
    )
    try:
        yield
    except BaseException:
        danger.kill()
        danger.wait()
        raise
    if danger.wait() != 0:
        raise subprocess.CalledProcessError(danger.returncode, danger.args)


def rasa_train_env() -> dict[str, str]:
    """The engine's environment for `rasa train`: no danger-model thread inside it (the model
    is trained beside it, `danger_model_beside`)."""
    return {**_engine_env(), "SKOLEBRO_DANGER_WARM_UP": "off"}


def ensure_model(force: bool = False) -> Path:
    """Train only when the training data changed since the last model."""
    fingerprint = training_fingerprint()
    if (
        not force
        and MODEL_PATH.exists()
        and FINGERPRINT_PATH.exists()
        and FINGERPRINT_PATH.read_text().strip() == fingerprint
    ):
        return MODEL_PATH
    MODEL_DIR.mkdir(exist_ok=True)
    print("skolebro: training the Rasa model (data changed or no model yet) ...", flush=True)
    started = time.monotonic()
    with danger_model_beside():
        subprocess.run(  # nosec B603 # fixed argv: our own rasa executable
            [
                str(ENGINE_BIN / "rasa"),
                "train",
                "--fixed-model-name",
                MODEL_NAME,
                "--out",
                str(MODEL_DIR),
            ],
            cwd=ROOT,
            check=True,
            env=rasa_train_env(),
        )
        FINGERPRINT_PATH.write_text(fingerprint + "\n")
        rasa_done = time.monotonic()
    print(
        f"skolebro: trained in {time.monotonic() - started:.0f} s (Rasa {rasa_done - started:.0f}"
        f" s; the danger model beside it, {time.monotonic() - rasa_done:.0f} s after)",
        flush=True,
    )
    return MODEL_PATH


def ensure_danger_model(env: dict[str, str] | None = None) -> None:
    """Load the saved danger model, or train and save it when its inputs changed (~0.3 s when
    up to date), so that no process of the stack trains it at start."""
    subprocess.run(  # nosec B603 # fixed argv: our own python
        DANGER_MODEL_ARGV,
        cwd=ROOT,
        env=env,
        check=True,
    )


def _engine_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "PYTHONWARNINGS": "ignore",
            "RASA_TELEMETRY_ENABLED": "false",
        }
    )
    return env


# Rasa's SQL tracker store plus a checked in-process cache of recent trackers (see the module).
TRACKER_STORE_TYPE = "nlu_ext.tracker_store.CachedSQLTrackerStore"


def rasa_tracker_store(
    database_url: str, data_dir: Path, store_type: str = TRACKER_STORE_TYPE
) -> str:
    """YAML for Rasa's SQL tracker store: the app's PostgreSQL, or a SQLite file."""
    if not database_url:
        return (
            f"tracker_store:\n  type: {store_type}\n  dialect: sqlite\n"
            f"  db: {data_dir / 'rasa.db'}\n"
        )
    from urllib.parse import urlsplit

    url = urlsplit(database_url.replace("+psycopg", "").replace("+psycopg2", ""))
    lines = [
        "tracker_store:",
        f"  type: {store_type}",
        "  dialect: postgresql",
        f"  url: {url.hostname or 'localhost'}",
        f"  port: {url.port or 5432}",
        f"  db: {url.path.lstrip('/') or 'postgres'}",
    ]
    if url.username:
        lines.append(f"  username: {url.username}")
    if url.password:
        lines.append(f"  password: {url.password}")
    return "\n".join(lines) + "\n"


# Rasa's ticket lock in asynchronous Redis round trips (nlu_ext/lock_store.py); the bench's bare
# Rasa keeps Rasa's own `redis` type.
LOCK_STORE_TYPE = "nlu_ext.lock_store.TicketRedisLockStore"


def rasa_lock_store(redis_url: str, store_type: str = LOCK_STORE_TYPE) -> str:
    if not redis_url:
        return "lock_store:\n  type: in_memory\n"
    from urllib.parse import urlsplit

    url = urlsplit(redis_url)
    db = url.path.lstrip("/") or "0"
    lines = [
        "lock_store:",
        f"  type: {store_type}",
        f"  url: {url.hostname or 'localhost'}",
        f"  port: {url.port or 6379}",
        f"  db: {db}",
    ]
    if url.password:
        lines.append(f"  password: {url.password}")
    return "\n".join(lines) + "\n"


# --- secrets, endpoints, binding and the banner (security; kept apart from the layout code) ---

# Rasa reads these from its environment: ${...} in endpoints.yml (Rasa 3.6 substitutes them) and
# nlu_ext. No secret is written to disk or put on a command line.
ACTION_SECRET_ENV = "SKOLEBRO_ACTION_SECRET"  # nosec B105 # the name of an environment variable, not a secret
TRACKER_KEY_ENV = "SKOLEBRO_TRACKER_KEY"
RASA_TOKEN_ENV = "SKOLEBRO_RASA_TOKEN"  # nosec B105 # the name of an environment variable, not a secret
ACTION_SECRET_HEADER = "X-Skolebro-Action-Secret"  # rasa_sdk_plugins checks it  # nosec B105 # an HTTP header name, not a secret


def action_endpoint(action_port: int) -> str:
    """Rasa's action endpoint with the shared secret header (value from the environment)."""
    return (
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        f"  headers:\n    {ACTION_SECRET_HEADER}: ${{{ACTION_SECRET_ENV}}}\n"
    )


def security_env(settings_env: dict[str, str]) -> dict[str, str]:
    """Per-purpose secrets for the child processes, derived from the settings they will read."""
    sys.path.insert(0, str(ROOT))
    from bot.config import Settings
    from bot.crypto import fernet_key_for

    keys = (
        "SECRET_KEY",
        "ENCRYPTION_KEY",
        "ACTION_SECRET",
        "ACTION_HOST",
        "SKOLEBRO_MODE",
        "DATABASE_URL",
        "CHAT_MAX_PER_SENDER",
        "CHAT_MAX_PER_CLIENT",
    )
    overrides = {k.lower(): settings_env[k] for k in keys if k in settings_env}
    settings = Settings(**overrides)
    return {
        ACTION_SECRET_ENV: settings.action_server_secret,
        TRACKER_KEY_ENV: fernet_key_for(
            "tracker-store", settings.encryption_key, settings.secret_key
        ).decode(),
        # The action server listens where only Rasa needs to reach it.
        "SANIC_HOST": settings.action_host,
        # nlu_ext/channel.py's limits (Rasa does not read .env).
        "CHAT_MAX_PER_SENDER": str(settings.chat_max_per_sender),
        "CHAT_MAX_PER_CLIENT": str(settings.chat_max_per_client),
    }


def rasa_command(model: Path, port: int, token: str, cors: list[str], endpoints: Path) -> list[str]:
    """`rasa run` through nlu_ext.run_rasa, which adds --auth-token from the environment."""
    del token  # passed as RASA_TOKEN_ENV, never in argv (visible to every local user)
    return [
        str(ENGINE_BIN / "python"),
        "-m",
        "nlu_ext.run_rasa",
        "run",
        "--model",
        str(model),
        "--port",
        str(port),
        "--enable-api",
        "--cors",
        *cors,
        "--credentials",
        str(ROOT / "credentials.yml"),
        "--endpoints",
        str(endpoints),
    ]


def mode_banner() -> str:
    sys.path.insert(0, str(ROOT))
    from bot.startup import mode_line

    return f"  Mode:           {mode_line()}\n"


def production_check() -> int:
    """0 when the settings may start; else prints why not (one line each) and returns 2."""
    sys.path.insert(0, str(ROOT))
    from bot.startup import problems

    found = problems()
    for line in found:
        print(f"skolebro: produktion kan ikke starte: {line}", file=sys.stderr)
    return 2 if found else 0


def write_endpoints(data_dir: Path, action_port: int, database_url: str, redis_url: str) -> Path:
    path = data_dir / "endpoints.yml"
    path.write_text(
        "# Written by scripts/stack.py from the settings; edit endpoints.yml / .env instead.\n"
        + action_endpoint(action_port)
        + rasa_tracker_store(database_url, data_dir)
        + rasa_lock_store(redis_url)
    )
    return path


@dataclass
class Proc:
    name: str
    cmd: list[str]
    health_url: str
    env: dict[str, str]
    log_path: Path | None = None
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        out = open(self.log_path, "ab") if self.log_path else None  # noqa: SIM115
        self.popen = subprocess.Popen(  # nosec B603 # argv built by this module from fixed parts and settings
            self.cmd,
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
            start_new_session=True,
        )

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.health_url, timeout=2) as resp:  # nosec B310 # http://127.0.0.1 health URL built from our own ports
                return 200 <= resp.status < 300
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def signal_group(self, sig: int) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)


def wait_healthy(procs: Iterable[Proc], timeout: float) -> None:
    """Wait until every process answers its health URL; RuntimeError if one exits or is late."""
    deadline = time.monotonic() + timeout
    pending = list(procs)
    while pending:
        for proc in list(pending):
            if not proc.alive():
                raise RuntimeError(
                    f"{proc.name} exited during start-up ({proc.log_path}):\n"
                    + log_tail(proc.log_path)
                )
            if proc.healthy():
                pending.remove(proc)
        if pending and time.monotonic() > deadline:
            names = ", ".join(p.name for p in pending)
            raise RuntimeError(f"not healthy within {timeout:.0f} s: {names}")
        if pending:
            time.sleep(0.3)


def start_front_last(procs: Iterable[Proc], timeout: float) -> None:
    """Start the processes and wait until they answer, nginx only once the rest do.

    A request nginx sends to a worker still loading its model marks that worker down for
    fail_timeout (5 s), and nginx's own health check goes through to a worker: started with the
    rest, the first conversations after a start all went to the worker that was up first.
    RuntimeError as wait_healthy's."""
    procs = list(procs)
    for group in ([p for p in procs if p.name != "nginx"], [p for p in procs if p.name == "nginx"]):
        for proc in group:
            proc.start()
        wait_healthy(group, timeout)


NGINX = "/usr/sbin/nginx"  # Debian's package (`apt-get install nginx`)


def nginx_proc(
    port: int,
    upstream_ports: list[int],
    api_port: int,
    data_dir: Path,
    log: Path | None,
    site_port: int,
) -> Proc:
    """Debian's nginx as the entry point on `port` in front of Rasa workers on `upstream_ports`.

    The configuration is deploy/nginx/skolebro.conf.in rendered as for production (sticky by
    conversation for REST, by client address for socket.io, WebSocket upgrade, size and rate
    limits, security headers), wrapped in a main configuration with its own prefix, pid and
    temporary files under `data_dir`/nginx, so it needs no privileges and no system paths.
    `site_port` is the public site (the API and the chat channels on one origin), as
    production serves it. Clients here all come from loopback (tests, the bench), so 127.0.0.1
    is not rate limited; other addresses are.
    """
    sys.path.insert(0, str(ROOT / "deploy"))
    import render_nginx

    prefix = data_dir / "nginx"
    prefix.mkdir(parents=True, exist_ok=True)
    site = prefix / "skolebro.conf"
    site.write_text(
        render_nginx.render(
            [f"127.0.0.1:{p}" for p in upstream_ports],
            f"127.0.0.1:{api_port}",
            entry_listen=f"127.0.0.1:{port}",
            site_listen=f"127.0.0.1:{site_port}",
            unlimited=["127.0.0.1"],
        )
    )
    conf = prefix / "nginx.conf"
    error_log = prefix / "error.log"
    conf.write_text(
        render_nginx.main_config(
            site, prefix, error_log=error_log, access_log=prefix / "access.log"
        )
    )
    cmd = [NGINX, "-p", str(prefix), "-e", str(error_log), "-c", str(conf), "-g", "daemon off;"]
    # Rasa's root route ("Hello from Rasa"), through nginx to a worker.
    return Proc("nginx", cmd, f"http://127.0.0.1:{port}/", {}, log)


def reachable(url: str, default_port: int, timeout: float = 3.0) -> bool:
    """Whether something accepts TCP connections at the host and port of `url`."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), timeout
        ):
            return True
    except OSError:
        return False


@dataclass
class Stack:
    data_dir: Path
    rasa_port: int
    action_port: int
    api_port: int
    database_url: str = ""
    redis_url: str = ""
    log_dir: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    procs: list[Proc] = field(default_factory=list)
    # Several Rasa workers: `rasa_port` becomes the entry point (nginx, see nginx_proc) and the
    # workers listen on free ports behind it. They share the endpoints file, so they need a
    # shared tracker store (PostgreSQL) and the Redis lock store. `site_port` is nginx's public
    # site (API and chat channels on one origin, as in production; a free port if 0).
    rasa_workers: int = 1
    worker_ports: list[int] = field(default_factory=list)
    site_port: int = 0
    # Rasa's HTTP API (transcripts, /status) answers only with this token; the chat channel
    # (/webhooks/...) needs none. Tests and the bench get a fresh one per stack.
    rasa_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    # Tests and the bench run in demo mode; `make run` takes the mode from the settings.
    mode: str = "demo"
    # Seeded demo logins must change their password at first login; test stacks skip that.
    seed_password_change: bool = False
    # Chat rate limits (nlu_ext/channel.py). Test and bench drivers answer faster than people
    # type, so their stacks run without, except where a test turns them on.
    chat_limits: bool = False

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def _env(self) -> dict[str, str]:
        env = _engine_env()
        env.update(self.extra_env)
        env.update(
            {
                "DATA_DIR": str(self.data_dir),
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "RASA_PORT": str(self.rasa_port),
                "ACTION_PORT": str(self.action_port),
                "API_PORT": str(self.api_port),
                "PYTHONUNBUFFERED": "1",
                "SKOLEBRO_MODE": self.mode,
                "SEED_PASSWORD_CHANGE": "true" if self.seed_password_change else "false",
                RASA_TOKEN_ENV: self.rasa_token,
            }
        )
        env.update(security_env(env))
        if not self.chat_limits:
            env.update({"CHAT_MAX_PER_SENDER": "0", "CHAT_MAX_PER_CLIENT": "0"})
        return env

    def prepare(self) -> None:
        """Database schema, demo data and the saved danger model, so the processes start ready."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = self._env()
        subprocess.run(  # nosec B603 # fixed argv: our own python
            [str(APP_BIN / "python"), "-m", "bot.seed"], cwd=ROOT, env=env, check=True
        )
        # The danger model, trained once and saved (bot/understanding/danger_model.py), so that
        # every process of the stack loads it instead of training it at start.
        ensure_danger_model(env)

    def rasa_cors(self, env: dict[str, str]) -> list[str]:
        """Origins that may call Rasa from a browser: the chat page itself and CORS_ORIGINS."""
        origins = [f"http://127.0.0.1:{self.api_port}", f"http://localhost:{self.api_port}"]
        host = env.get("PUBLIC_HOST")
        if host:
            origins.append(f"http://{host}:{self.api_port}")
        for origin in (env.get("CORS_ORIGINS") or self._settings_cors()).split(","):
            origin = origin.strip().rstrip("/")
            if origin and origin != "*" and origin not in origins:
                origins.append(origin)
        return origins

    @staticmethod
    def _settings_cors() -> str:
        sys.path.insert(0, str(ROOT))
        from bot.config import get_settings

        return get_settings().cors_origins

    def build(self, model: Path) -> None:
        env = self._env()
        endpoints = write_endpoints(
            self.data_dir, self.action_port, self.database_url, self.redis_url
        )
        log = (lambda n: self.log_dir / f"{n}.log") if self.log_dir else (lambda n: None)
        if self.log_dir:
            self.log_dir.mkdir(parents=True, exist_ok=True)
        if self.rasa_workers > 1:
            if not self.redis_url or not self.database_url:
                raise ValueError("several Rasa workers need DATABASE_URL and REDIS_URL")
            if not Path(NGINX).exists():
                raise ValueError(f"several Rasa workers need nginx in front ({NGINX} is missing)")
            if len(self.worker_ports) != self.rasa_workers:
                self.worker_ports = [free_port() for _ in range(self.rasa_workers)]
            self.site_port = self.site_port or free_port()
        else:
            self.worker_ports = [self.rasa_port]
        self.procs = [
            Proc(
                "actions",
                [
                    str(APP_BIN / "python"),
                    "-m",
                    "rasa_sdk_plugins.serve",  # rasa-sdk's server in one process
                    "--actions",
                    "actions",
                    "--port",
                    str(self.action_port),
                ],
                f"{self.action_url}/health",
                env,
                log("actions"),
            ),
            Proc(
                "api",
                [
                    str(APP_BIN / "uvicorn"),
                    "api.main:app",
                    "--host",
                    "0.0.0.0",  # nosec B104 # the API serves browsers; put it behind the reverse proxy
                    "--port",
                    str(self.api_port),
                    "--no-access-log",
                ],
                f"{self.api_url}/healthz",
                env,
                log("api"),
            ),
        ]
        for i, port in enumerate(self.worker_ports):
            name = "rasa" if i == 0 else f"rasa-{i + 1}"
            self.procs.append(
                Proc(
                    name,
                    rasa_command(model, port, self.rasa_token, self.rasa_cors(env), endpoints),
                    # /status answers only once the model is loaded.
                    f"http://127.0.0.1:{port}/status?token={self.rasa_token}",
                    env,
                    log(name),
                )
            )
        if self.rasa_workers > 1:
            self.procs.append(
                nginx_proc(
                    self.rasa_port,
                    self.worker_ports,
                    self.api_port,
                    self.data_dir,
                    log("nginx"),
                    self.site_port,
                )
            )

    def start(self, model: Path, timeout: float = 120.0) -> None:
        self.prepare()
        self.build(model)
        try:
            start_front_last(self.procs, timeout)
        except RuntimeError:
            self.stop()
            raise

    def wait_healthy(self, procs: Iterable[Proc], timeout: float) -> None:
        try:
            wait_healthy(procs, timeout)
        except RuntimeError:
            self.stop()
            raise

    def start_or_show_logs(self, model: Path, timeout: float) -> None:
        """start(), printing the tail of every process log if it fails (for test fixtures)."""
        try:
            self.start(model, timeout=timeout)
        except RuntimeError:
            for log in sorted(self.log_dir.glob("*.log")) if self.log_dir else []:
                print(f"----- {log.name} -----\n{log.read_text()[-4000:]}")
            raise

    def restart(self, name: str, timeout: float = 120.0) -> None:
        proc = next(p for p in self.procs if p.name == name)
        proc.signal_group(signal.SIGKILL)
        if proc.popen is not None:
            proc.popen.wait(timeout=10)
        proc.start()
        self.wait_healthy([proc], timeout)

    def stop(self, grace: float = 10.0) -> None:
        for proc in self.procs:
            proc.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in self.procs:
            if proc.popen is None:
                continue
            try:
                proc.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.signal_group(signal.SIGKILL)
                proc.popen.wait(timeout=5)


def stack_from_settings() -> Stack:
    sys.path.insert(0, str(ROOT))
    from bot.config import get_settings

    settings = get_settings()
    return Stack(
        data_dir=Path(settings.data_dir),
        rasa_port=settings.rasa_port,
        action_port=settings.action_port,
        api_port=settings.api_port,
        database_url=settings.database_url,
        redis_url=settings.redis_url,
        log_dir=Path(settings.data_dir) / "logs",
        rasa_workers=settings.rasa_workers,
        rasa_token=settings.rasa_api_token,
        mode=settings.mode,
        seed_password_change=True,
        chat_limits=True,
        # nginx's public site in the production layout (RASA_WORKERS > 1); 0: a free port.
        site_port=int(os.environ.get("SITE_PORT") or 0),
    )


def cmd_run() -> int:
    if production_check():
        return 2
    stack = stack_from_settings()
    model = ensure_model()
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    started = time.monotonic()
    workers = f"{stack.rasa_workers} Rasa workers" if stack.rasa_workers > 1 else "Rasa"
    print(f"skolebro: starting {workers}, the action server and the API ...", flush=True)
    try:
        stack.start(model)
    except ValueError as error:
        print(f"skolebro: {error} (see RASA_WORKERS in .env.example)", file=sys.stderr)
        return 2
    host = os.environ.get("PUBLIC_HOST", "localhost")
    if stack.rasa_workers > 1:
        # The production layout: nginx (deploy/nginx) in front, as in the README's "Deploying".
        print(
            f"skolebro: nginx serves the site (pages, API, chat channels) on "
            f"http://{host}:{stack.site_port}/ and every Rasa route on port {stack.rasa_port}",
            flush=True,
        )
    print(
        f"\nSkolebro is running (ready in {time.monotonic() - started:.0f} s).\n"
        + mode_banner()
        + f"  Chat page:      http://{host}:{stack.api_port}/\n"
        f"  Worker pages:   http://{host}:{stack.api_port}/medarbejder\n"
        f"  API docs:       http://{host}:{stack.api_port}/docs\n"
        f"  Rasa REST:      http://{host}:{stack.rasa_port}/webhooks/rest/webhook\n"
        f"  Logs:           {stack.log_dir}\n"
        "Press Ctrl-C to stop.",
        flush=True,
    )
    try:
        while not stopping:
            for proc in stack.procs:
                if not proc.alive():
                    print(f"skolebro: {proc.name} stopped unexpectedly; see {proc.log_path}")
                    stopping = True
            time.sleep(0.5)
    finally:
        print("\nskolebro: stopping ...", flush=True)
        stack.stop()
        print("skolebro: stopped.", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["run", "train", "fingerprint"])
    parser.add_argument("--force", action="store_true", help="train even if nothing changed")
    args = parser.parse_args(argv)
    if args.command == "train":
        ensure_model(force=args.force)
        ensure_danger_model()  # also when only bot/'s word lists changed
        return 0
    if args.command == "fingerprint":
        print(training_fingerprint())
        return 0
    return cmd_run()


if __name__ == "__main__":
    sys.exit(main())
