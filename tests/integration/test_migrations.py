"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL, and run again safely."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from exam_server.store.models import Base


def test_migrations_match_the_models(services):
    services.db.upgrade()  # a second upgrade changes nothing
    with services.db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
