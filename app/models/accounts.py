"""People and what they may do where: users 用户 and their role assignments 角色."""
from __future__ import annotations

import enum
from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

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
    # Raised when the account is switched off: sessions and "remember me" cookies carry the value
    # they were signed in under (get_id), so every one made before stops working on its next request.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_active(self) -> bool:
        """Deactivated accounts cannot sign in (Flask-Login reads this)."""
        return self.active

    def get_id(self) -> str:
        """The id a session or remember cookie keeps: "7", or "7.2" once sessions were ended twice."""
        return f"{self.id}.{self.session_version}" if self.session_version else str(self.id)

    def end_sessions(self) -> None:
        """Make every session and remember cookie signed in so far stop working (the user loader checks)."""
        self.session_version = (self.session_version or 0) + 1

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


class RoleAssignment(db.Model):
    """One role held by a user over one scope (a household, building, community, street or department)."""

    __tablename__ = "role_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"), index=True)
    street_id: Mapped[int | None] = mapped_column(ForeignKey("street.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)

    user: Mapped[User] = relationship(back_populates="roles")
    household: Mapped[Household | None] = relationship()
    building: Mapped[Building | None] = relationship()
    community: Mapped[Community | None] = relationship()
    street: Mapped[Street | None] = relationship()
    department: Mapped[Department | None] = relationship()

    @property
    def scope_name(self) -> str:
        """The scope in words, for the home page and the demo listing."""
        return scope_name(self)

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
