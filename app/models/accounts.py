"""People and what they may do where: users 用户 and their role assignments 角色."""
from __future__ import annotations

import enum
from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, update
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, object_session, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.clock import utcnow
from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime, str_enum
from app.models.org import Building, Community, Department, Household, Street


class Role(enum.StrEnum):
    """The roles of DESIGN §1; each assignment carries the scope it applies to."""

    RESIDENT = "resident"  # 居民 — scope: a household
    BUILDING_HEAD = "building_head"  # 楼长 — scope: a building
    STAFF = "staff"  # 社区工作者 — scope: a community
    STREET = "street"  # 街道 — scope: a street
    DEPARTMENT = "department"  # 部门 / 物业 — scope: a department
    ADMIN = "admin"  # 管理员 — everything


class User(UserMixin, TimestampMixin, db.Model):
    """A person with an account; signs in with phone number and password."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    care_mode: Mapped[bool] = mapped_column(Boolean, default=False)  # 关怀模式
    is_party_member: Mapped[bool] = mapped_column(Boolean, default=False)  # 党员
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Raised by end_sessions(). Sessions and "remember me" cookies made before sign-ins were recorded
    # (ids "7" or "7.2") carry the value they were signed in under, and stop working once it moves on;
    # those made since name their SignIn row, which end_sessions() ends (app/auth/sessions.py).
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # The unread inbox count read with the person when a request signed them in (app/auth/services.py),
    # for the header's badge; None when they were loaded otherwise.
    unread_at_load = None

    @property
    def is_active(self) -> bool:
        """Deactivated accounts cannot sign in (Flask-Login reads this)."""
        return self.active

    def get_id(self) -> str:
        """The id a session or remember cookie keeps.

        "7:<key>" for a recorded sign-in (app.auth.sessions.sign_in sets the key just before Flask-Login
        asks); the old forms "7", or "7.2" once sessions were ended twice, only for sessions made before.
        """
        key = getattr(self, "sign_in_key", None)
        if key:
            return f"{self.id}:{key}"
        return f"{self.id}.{self.session_version}" if self.session_version else str(self.id)

    def end_sessions(self, how: SignInEnd | None = None, *, keep: int | None = None) -> None:
        """Make every session and remember cookie signed in so far stop working (the user loader checks).

        Every recorded sign-in of the person ends (but `keep`, the id of the one a password change is
        made from), and so does every older session, which only the version tells apart.
        """
        self.session_version = (self.session_version or 0) + 1
        if self.id is None:
            return
        session = object_session(self) or db.session
        session.execute(update(SignIn).where(SignIn.user_id == self.id, SignIn.ended_at.is_(None),
                                             SignIn.id != (keep or 0))
                        .values(ended_at=utcnow(), ended_how=how or SignInEnd.ACCOUNT)
                        .execution_options(synchronize_session=False))

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash of `password` (cost from PASSWORD_HASH_METHOD; tests use a cheaper one)."""
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        """True when `password` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def has_role(self, *roles: Role) -> bool:
        """True when the user holds any of `roles` anywhere."""
        return any(assignment.role in roles for assignment in self.roles)

    @property
    def role_names(self) -> list[str]:
        """Distinct role values, most powerful first."""
        order = list(Role)
        return sorted({a.role.value for a in self.roles}, key=lambda r: order.index(Role(r)), reverse=True)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.phone}>"


class SignInMethod(enum.StrEnum):
    """How a person signed in on a device."""

    PASSWORD = "password"  # noqa: S105 — phone and password, on the page or through the session API
    CARD = "card"  # a login card 登录卡 (app/logincards)


class SignInEnd(enum.StrEnum):
    """Why a sign-in ended."""

    SIGNED_OUT = "signed_out"  # the person signed out on that device
    ALL_DEVICES = "all_devices"  # "sign out on all my devices" 退出所有设备
    PASSWORD_CHANGED = "password"  # noqa: S105 — the password was changed on another device
    CARD_CANCELLED = "card"  # the login card that opened it was cancelled
    ACCOUNT = "account"  # end_sessions(): the account switched off, moved out, a password reset


class SignIn(db.Model):
    """One sign-in of a person on one device: its session cookie and its remember cookie name it.

    Only the SHA-256 of its key is kept, so a copy of the database names no live session. Ended
    (ended_at) it signs nothing in again: app/auth/sessions.py has the reasoning.
    """

    __tablename__ = "sign_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    method: Mapped[SignInMethod] = mapped_column(str_enum(SignInMethod, 10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_how: Mapped[SignInEnd | None] = mapped_column(str_enum(SignInEnd, 12))

    def __repr__(self) -> str:
        return f"<SignIn {self.id} user={self.user_id} {self.method}{' ended' if self.ended_at else ''}>"


class ScopeMixin:
    """The scope a role applies to, or applied to: a household, building, community, street or department.

    One of the five is set (none for an admin). Role assignments and the accounts log's entries carry it.
    """

    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"), index=True)
    street_id: Mapped[int | None] = mapped_column(ForeignKey("street.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)

    @declared_attr
    def household(cls) -> Mapped[Household | None]:
        """The household, when the scope is one."""
        return relationship()

    @declared_attr
    def building(cls) -> Mapped[Building | None]:
        """The building, when the scope is one."""
        return relationship()

    @declared_attr
    def community(cls) -> Mapped[Community | None]:
        """The community, when the scope is one."""
        return relationship()

    @declared_attr
    def street(cls) -> Mapped[Street | None]:
        """The street, when the scope is one."""
        return relationship()

    @declared_attr
    def department(cls) -> Mapped[Department | None]:
        """The department, when the scope is one."""
        return relationship()

    @property
    def scope_name(self) -> str:
        """The scope in words (芳群园一区 6号楼 6门 302, 方庄地区 …), for the home page, the accounts log and the demo listing."""
        return scope_name(self)


class RoleAssignment(ScopeMixin, db.Model):
    """One role held by a user over one scope (a household, building, community, street or department)."""

    __tablename__ = "role_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))

    user: Mapped[User] = relationship(back_populates="roles")

    def __repr__(self) -> str:
        return f"<RoleAssignment {self.user_id} {self.role}>"


def scope_name(holder: RoleAssignment | object) -> str:
    """A role's scope in words (芳群园一区 6号楼 6门 302, 方庄地区 …), for anything holding the five scopes."""
    if holder.household is not None:
        return f"{holder.household.building.full_name} {holder.household.unit} {holder.household.room}".strip()
    for scope in (holder.building, holder.community, holder.street, holder.department):
        if scope is not None:
            return scope.full_name if isinstance(scope, Building) else scope.name
    return ""
