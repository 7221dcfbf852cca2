"""Database connections are bounded: no thread keeps a connection after its request, and on
PostgreSQL each process shares a pool of at most MANYI_DB_POOL_MAX connections.

Before, CONN_MAX_AGE=60 let every server thread keep its own connection for a minute; the
development server runs a thread per browser connection, so idle connections piled up until
PostgreSQL answered "too many clients"."""

import http.client
import os
import threading
import time
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.urls import reverse

from manyi.settings.base import database_config

PG_URL = "postgres://manyi:secret@db.example:5432/manyi"


# The settings ---------------------------------------------------------------------------------


def test_postgresql_uses_a_bounded_pool_and_no_persistent_connections():
    # when
    config = database_config({"DATABASE_URL": PG_URL})
    # then
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["CONN_MAX_AGE"] == 0  # Django refuses a pool with persistent connections
    pool = config["OPTIONS"]["pool"]
    assert (pool["min_size"], pool["max_size"]) == (2, 10)
    assert 0 < pool["timeout"] <= 30  # a request waits a little for a connection, not forever


def test_the_pool_size_comes_from_the_environment():
    # when
    config = database_config(
        {
            "DATABASE_URL": PG_URL,
            "MANYI_DB_POOL_MIN": "0",
            "MANYI_DB_POOL_MAX": "4",
            "MANYI_DB_POOL_TIMEOUT": "2.5",
        }
    )
    # then
    pool = config["OPTIONS"]["pool"]
    assert (pool["min_size"], pool["max_size"], pool["timeout"]) == (0, 4, 2.5)


def test_without_the_pool_each_request_opens_and_closes_its_connection():
    # when
    config = database_config({"DATABASE_URL": PG_URL, "MANYI_DB_POOL": "false"})
    # then
    assert "pool" not in config.get("OPTIONS", {})
    assert config["CONN_MAX_AGE"] == 0
    # behind a pooler such as PgBouncer an operator may still choose persistent connections
    kept = {"DATABASE_URL": PG_URL, "MANYI_DB_POOL": "false", "MANYI_DB_CONN_MAX_AGE": "30"}
    assert database_config(kept)["CONN_MAX_AGE"] == 30


def test_sqlite_keeps_a_connection_per_request_and_no_pool(tmp_path):
    # when
    config = database_config({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    # then
    assert config["CONN_MAX_AGE"] == 0
    assert "pool" not in config["OPTIONS"]
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert database_config({})["ENGINE"] == "django.db.backends.sqlite3"


@pytest.mark.parametrize(
    "environ",
    [
        {"MANYI_DB_POOL_MIN": "5", "MANYI_DB_POOL_MAX": "4"},
        {"MANYI_DB_POOL_MAX": "0"},
        {"MANYI_DB_POOL_MIN": "-1"},
        {"MANYI_DB_CONN_MAX_AGE": "60"},
    ],
)
def test_a_contradictory_pool_configuration_stops_start_up(environ):
    with pytest.raises(ImproperlyConfigured, match="MANYI_DB_"):
        database_config({"DATABASE_URL": PG_URL, **environ})


# A threaded server on PostgreSQL ---------------------------------------------------------------


def _connections_to_this_database() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def _settled_count(bound: int, wait: float = 3.0) -> int:
    """Connections once the ones being closed are gone (a server process ends just after
    its client hangs up)."""
    deadline = time.monotonic() + wait
    while (count := _connections_to_this_database()) > bound and time.monotonic() < deadline:
        time.sleep(0.05)
    return count


def _bound(settings) -> tuple[int, int]:
    """The most connections this process may hold, and how many the test opens (more)."""
    database = settings.DATABASES["default"]
    if pool := database["OPTIONS"].get("pool"):
        return pool["max_size"], pool["max_size"] + 5
    # Without a pool only this test's own connection may stay open between requests.
    return 1, 15


@pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""),
    reason="connection limits are PostgreSQL's",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_threaded_server_holds_no_more_connections_than_the_pool(live_server, settings):
    """Like runserver, the live server serves each browser connection in its own thread.
    Many clients at once, each keeping its HTTP connection open (keep-alive) as a browser
    does, must not each keep a database connection."""
    # given
    bound, clients = _bound(settings)
    server = urlsplit(live_server.url)
    start = threading.Barrier(clients)
    statuses: list[int] = []
    sockets: list[http.client.HTTPConnection] = []
    lock = threading.Lock()

    def browse():
        http_connection = http.client.HTTPConnection(server.hostname, server.port, timeout=30)
        start.wait()
        for _ in range(3):  # several requests on one kept-alive connection
            http_connection.request("GET", reverse("core:healthz"))
            reply = http_connection.getresponse()
            reply.read()
            with lock:
                statuses.append(reply.status)
        with lock:
            sockets.append(http_connection)  # left open, idle, as a browser leaves it

    threads = [threading.Thread(target=browse) for _ in range(clients)]
    peak = _connections_to_this_database()
    # when every client asks at once
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        peak = max(peak, _connections_to_this_database())
        time.sleep(0.005)
    for thread in threads:
        thread.join()
    idle = _settled_count(bound)
    try:
        # then every request was served, within the bound, and idle clients hold nothing
        assert statuses == [200] * (3 * clients)
        if connection.pool:
            assert peak <= bound
        assert idle <= bound
        if pool := connection.pool:
            # every connection still open is one of the pool's, ready for the next request
            assert idle <= pool.get_stats()["pool_size"]
    finally:
        for http_connection in sockets:
            http_connection.close()
