from __future__ import annotations

from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import BigInteger, Identity, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def one_of(column: str, values: tuple[str, ...]) -> str:
    """The SQL of a CHECK that `column` holds one of `values`: "status IN ('a', 'b')"."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TenantScoped:
    """Mixin for every tenant-owned table.

    The primary key is `(tenant_id, id)`, foreign keys between tenant tables include
    `tenant_id`, and row-level security (created by `enable_tenant_isolation` in the
    table's migration) keeps each tenant's rows to itself. The ORM guard in
    `koepel.platform.tenancy` adds the tenant to every query and stamps new rows.
    """

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:  # noqa: N805 - declared_attr takes the class
        return mapped_column(BigInteger, primary_key=True, autoincrement=False)

    @declared_attr
    def id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(BigInteger, Identity(), primary_key=True)


class AppSession(FlaskSession):
    """`db.session`: connects as the app role; the tenancy guard listens on this class."""


class UmbrellaSession(Session):
    """Cross-tenant work as the umbrella role, only inside `umbrella_scope(reason)`."""


# create_savepoint: a session bound to a connection that is already in a transaction
# (the test suite's rolled-back outer transaction) commits a savepoint, not that transaction.
db = SQLAlchemy(
    model_class=Base,
    session_options={"class_": AppSession, "join_transaction_mode": "create_savepoint"},
)
