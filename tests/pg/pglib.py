"""A PostgreSQL 15 server of the test's own, and helpers for running pg-host.

Server: initdb into a new temporary directory, postgres listening on a Unix
socket in that directory only (listen_addresses='': no TCP), stopped and
removed at the end.  initdb and postgres refuse to run as root, so as root
the server runs as the unprivileged `postgres` system user (made by the
Debian package; `nobody` otherwise), which owns the directory; the hosts
under test run as the caller and connect over the socket as the database
user `postgres` (trust authentication, the socket is private to the
directory).  fsync is off: the tests kill hosts and the server process,
never the machine, so the page cache survives every crash they make; the
benchmark starts its server with fsync on.

When the server binaries are absent the test prints why and exits with 77
(meson's "skipped"); .ci/setup installs them, so CI never skips.
"""
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sqlite"))
import hostlib  # noqa: E402  (shared with the sqlite tests: Checker, Result, cli, head, count_lines)

PG_BIN = os.environ.get("RW_PG_BIN", "/usr/lib/postgresql/15/bin")
SKIP = 77


def require_server(name):
    """Exit 77 (skipped) with a message when the server binaries are absent."""
    missing = [b for b in ("initdb", "postgres", "pg_ctl") if not os.access(os.path.join(PG_BIN, b), os.X_OK)]
    if missing:
        print("%s: SKIPPED: PostgreSQL server binaries not found in %s (%s); install postgresql-15 "
              "(bash .ci/setup) or set RW_PG_BIN" % (name, PG_BIN, ", ".join(missing)))
        sys.exit(SKIP)


def _server_user():
    if os.getuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            pass
    raise RuntimeError("running as root, and neither a 'postgres' nor a 'nobody' user exists")


class Server:
    """One server per test process, shared by its cases."""

    def __init__(self, fsync=False):
        self.user = _server_user()
        # under /tmp whatever TMPDIR says: the server user must reach it, and a
        # Unix socket path is limited to about 100 bytes
        self.dir = tempfile.mkdtemp(prefix="rw-pg-", dir="/tmp" if os.path.isdir("/tmp") else None)
        os.chmod(self.dir, 0o755)  # the host (another user when root) reaches the socket through it
        self.data = os.path.join(self.dir, "data")
        self.sock = os.path.join(self.dir, "sock")
        os.mkdir(self.sock)
        self.log = os.path.join(self.dir, "server.log")
        if self.user:
            for p in (self.dir, self.sock):
                os.chown(p, self.user.pw_uid, self.user.pw_gid)
        self.fsync = fsync
        self.port = 5432
        self.proc = None
        self._as_server([os.path.join(PG_BIN, "initdb"), "-D", self.data, "-U", "postgres", "--auth=trust",
                         "-E", "UTF8", "--locale=C", "--no-sync"])
        self.start()

    def _as_server(self, cmd, **kw):
        if self.user:
            cmd = ["setpriv", "--reuid=%d" % self.user.pw_uid, "--regid=%d" % self.user.pw_gid, "--init-groups"] + cmd
        return subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)

    def start(self):
        """Start (or restart) postgres and wait until it accepts connections."""
        cmd = [os.path.join(PG_BIN, "postgres"), "-D", self.data, "-k", self.sock, "-p", str(self.port),
               "-c", "listen_addresses=", "-c", "fsync=%s" % ("on" if self.fsync else "off"),
               "-c", "max_connections=40", "-c", "shared_buffers=32MB"]
        if self.user:
            cmd = ["setpriv", "--reuid=%d" % self.user.pw_uid, "--regid=%d" % self.user.pw_gid, "--init-groups"] + cmd
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen(cmd, stdout=logf, stderr=logf, start_new_session=True)
        logf.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("postgres exited:\n" + hostlib.read(self.log).decode(errors="replace")[-3000:])
            if self.psql("SELECT 1", check=False).returncode == 0:
                return
            time.sleep(0.05)
        raise RuntimeError("postgres did not start:\n" + hostlib.read(self.log).decode(errors="replace")[-3000:])

    def kill(self):
        """SIGKILL the postmaster and its backends (the server goes away at once)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        # backends die with the postmaster's group
        time.sleep(0.1)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # fast shutdown
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def conninfo(self, dbname="postgres"):
        return "host=%s port=%d dbname=%s user=postgres" % (self.sock, self.port, dbname)

    def psql(self, sql, dbname="postgres", check=True):
        """Run SQL with psql; returns the CompletedProcess (stdout: unaligned, tuples only, '|' separated)."""
        p = subprocess.run([os.path.join(PG_BIN, "psql") if os.path.exists(os.path.join(PG_BIN, "psql")) else "psql",
                            "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", self.conninfo(dbname), "-c", sql],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if check and p.returncode != 0:
            raise RuntimeError("psql failed: %s\n%s" % (sql, p.stderr.decode(errors="replace")))
        return p

    def query(self, sql, dbname="postgres"):
        return self.psql(sql, dbname).stdout.decode()

    def createdb(self, name):
        self.psql("CREATE DATABASE %s" % name)
        return self.conninfo(name)

    def progress(self, tenant, dbname):
        """The tenant's progress row (lines applied); 0 when the schema or the row is not there yet."""
        p = self.psql("SELECT line FROM rw_%s.host_progress WHERE id = 1" % tenant, dbname, check=False)
        if p.returncode != 0:
            if b"does not exist" in p.stderr:
                return 0
            raise RuntimeError("psql failed: %s" % p.stderr.decode(errors="replace"))
        out = p.stdout.decode().strip()
        return int(out) if out else 0


def host(pg_host, conninfo, tenant, scenario, outdir, env=None, outputs=True, args=()):
    """Run pg-host once (hostlib's runner: outputs in outdir, sanitizer reports checked)."""
    return hostlib._run([pg_host, "--db", conninfo, "--tenant", tenant, scenario] + list(args), outdir, env, outputs)


def popen(pg_host, conninfo, tenant, scenario, stderr, env=None, args=()):
    full_env = dict(os.environ)
    full_env.pop("RW_HOST_FAIL", None)
    full_env.pop("RW_HOST_SLEEP_US", None)
    full_env.update(env or {})
    return subprocess.Popen([pg_host, "--db", conninfo, "--tenant", tenant, scenario] + list(args),
                            stdout=subprocess.DEVNULL, stderr=stderr, env=full_env)


def main_with_server(name, body, fsync=False):
    """Start the server, run body(server), always stop it."""
    require_server(name)
    server = Server(fsync=fsync)
    try:
        body(server)
    finally:
        server.stop()
