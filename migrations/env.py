"""Alembic environment: migrations run as the owner role, so it owns every table."""

from alembic import context
from flask import current_app
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from koepel.platform.config import OWNER_ROLE, ConfigError
from koepel.platform.db import db

config = context.config


def run_migrations_offline():
    context.configure(url=current_app.config["DATABASE_URL"], target_metadata=db.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    if not current_app.config["DATABASE_URL"]:
        raise ConfigError("migrations need DATABASE_URL: the owner role's (or an administrator's) connection")
    engine = create_engine(current_app.config["DATABASE_URL"], poolclass=NullPool)
    with engine.connect() as connection:
        # The configured login may be an administrator (a dev server's postgres user);
        # acting as the owner role keeps table ownership in one place.
        connection.execute(text(f"SET ROLE {OWNER_ROLE}"))
        connection.commit()
        context.configure(connection=connection, target_metadata=db.metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
