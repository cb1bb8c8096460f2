"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL, and run again safely."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from exam_server.store.models import Base
from tests.integration.conftest import make_services


@pytest.fixture
def services(tmp_path, database_url, clock):
    """Migrated here from empty (the shared fixture copies a database migrated once per process)."""
    services = make_services(tmp_path / "data", database_url, clock)
    yield services
    services.close()


def test_migrations_match_the_models(services):
    services.db.upgrade()  # a second upgrade changes nothing
    with services.db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
