import pytest

from manyi.accounts.choices import Role

from .factories import TeamFactory, UserFactory


@pytest.fixture
def team_east(db):
    return TeamFactory(name="East")


@pytest.fixture
def team_west(db):
    return TeamFactory(name="West")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role=Role.ADMIN)


@pytest.fixture
def analyst(db):
    return UserFactory(username="analyst", role=Role.ANALYST)


@pytest.fixture
def agent(team_east):
    return UserFactory(username="agent_east", role=Role.AGENT, team=team_east)


@pytest.fixture
def agent_west(team_west):
    return UserFactory(username="agent_west", role=Role.AGENT, team=team_west)


@pytest.fixture
def viewer(db):
    return UserFactory(username="viewer", role=Role.VIEWER)


@pytest.fixture
def users_by_role(admin_user, analyst, agent, viewer):
    return {Role.ADMIN: admin_user, Role.ANALYST: analyst, Role.AGENT: agent, Role.VIEWER: viewer}


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    # Assertions on page text read English; tests of Chinese pages ask for it explicitly.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate limits count in the cache: each test starts with no request counted.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _close_connection_pools(django_db_setup, django_db_blocker):
    """On PostgreSQL each process keeps a connection pool; close it before pytest-django
    drops the test database, which refuses while pooled connections are open."""
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all(initialized_only=True):
            connection.close()
            if getattr(connection, "pool", None) is not None:
                connection.close_pool()


@pytest.fixture
def shared_db(tmp_path, settings):
    """A database file that worker processes started by the test share with it (kill tests;
    see tests/worker_processes.py), with tasks queued in the database."""
    from .worker_processes import SharedDatabase

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    shared = SharedDatabase(tmp_path)
    yield shared
    shared.close()
