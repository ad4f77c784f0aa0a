"""An app of its own on the test database, with GET routes that read, try to write in each way a handler
could, or say they write (app.database.refuse_writes_in_get): for the SQLite and the PostgreSQL tests."""
from flask import jsonify
from sqlalchemy import insert, select, text, update

from app import create_app
from app.clock import utcnow
from app.config import TestingConfig
from app.database import immediate_transactions, insert_many
from app.extensions import db
from app.models import Street

NAME = "GET 写入的街道"


def _street_row() -> dict:
    return {"name": NAME, "district": "", "created_at": utcnow(), "updated_at": utcnow()}


# Each way a GET handler could try to write; none may reach the database.
WRITES = {
    "commit": lambda: (db.session.add(Street(name=NAME)), db.session.commit()),
    "flush": lambda: (db.session.add(Street(name=NAME)), db.session.flush()),
    "autoflush": lambda: (db.session.add(Street(name=NAME)), db.session.execute(select(Street.id)).all()),
    "core insert": lambda: db.session.execute(insert(Street).values(**_street_row())),
    "core update": lambda: db.session.execute(update(Street).values(name=NAME)),
    "text": lambda: db.session.execute(text("UPDATE street SET name = :name"), {"name": NAME}),
    "driver sql": lambda: db.session.connection().exec_driver_sql("DELETE FROM street"),
    "insert_many": lambda: insert_many(db.session, Street.__table__, tuple(_street_row()),
                                       [tuple(_street_row().values())]),
}


def probe_app(database_url: str):
    """The probing app: /_probe/connection, /_probe/read, /_probe/write/<how> (GET, HEAD) and /_probe/log."""
    probing = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, WTF_CSRF_ENABLED=False)

    @probing.route("/_probe/connection", methods=["GET", "POST"])
    def connection():
        db.session.execute(select(Street.id)).all()
        dbapi_connection = db.session.connection().connection.dbapi_connection
        return jsonify(autocommit=getattr(dbapi_connection, "autocommit", None))

    @probing.get("/_probe/read")
    def read():  # reads of every shape a page sends: ORM, Core, a CTE, text
        ids = select(Street.id).cte("ids")
        db.session.execute(select(ids.c.id)).all()
        db.session.scalars(select(Street)).all()
        db.session.execute(text("SELECT count(*) FROM street")).scalar()
        return "read"

    @probing.get("/_probe/write/<how>")
    def write(how: str):
        WRITES[how]()
        db.session.commit()
        return "written"

    @probing.get("/_probe/log")
    def log():  # as a refused login-card scan logs itself
        immediate_transactions()
        db.session.rollback()
        db.session.add(Street(name="GET 记下的日志"))
        db.session.commit()
        return "logged"

    return probing


def streets_named(app, name: str) -> int:
    """How many streets of that name the test database holds."""
    with app.app_context():
        return len(db.session.scalars(select(Street.id).where(Street.name == name)).all())
