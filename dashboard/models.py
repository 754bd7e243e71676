"""SQLAlchemy models of the access store: project groups and polymorphic API tokens.

A token row names the resource it opens (`resource_type`, `resource_id`) and its kind
(`api_token_type`, the polymorphic discriminator). Only a SHA-256 digest of the token is kept.
A partial unique index allows at most one live (not revoked) token per resource.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base of the access store."""


class ProjectGroup(Base):
    """A named set of projects of one company, opened together by a group token."""

    __tablename__ = "dashboard_project_groups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    company_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    members: Mapped[list[ProjectGroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="ProjectGroupMember.project_id"
    )

    @property
    def project_ids(self) -> list[int]:
        """The member project ids, ascending."""
        return sorted(m.project_id for m in self.members)


class ProjectGroupMember(Base):
    """One project in a group."""

    __tablename__ = "dashboard_project_group_members"
    __table_args__ = (UniqueConstraint("group_id", "project_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("dashboard_project_groups.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(BigInteger)
    group: Mapped[ProjectGroup] = relationship(back_populates="members")


class ApiToken(Base):
    """An API token for one resource; subclasses fix `resource_type` per `api_token_type`."""

    __tablename__ = "dashboard_api_tokens"
    __table_args__ = (
        Index(
            "uq_dashboard_api_tokens_live_resource", "resource_type", "resource_id", unique=True,
            sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    api_token_type: Mapped[str] = mapped_column(String(20))
    resource_type: Mapped[str] = mapped_column(String(20))
    resource_id: Mapped[int] = mapped_column(BigInteger)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    token_prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    __mapper_args__ = {"polymorphic_on": "api_token_type"}

    RESOURCE_TYPE = ""


class ProjectToken(ApiToken):
    """Opens one project's dashboard."""

    RESOURCE_TYPE = "Project"
    __mapper_args__ = {"polymorphic_identity": "project"}


class ProjectGroupToken(ApiToken):
    """Opens the list of a project group's projects."""

    RESOURCE_TYPE = "ProjectGroup"
    __mapper_args__ = {"polymorphic_identity": "project_group"}


class CompanyToken(ApiToken):
    """Opens the list of every project of a company."""

    RESOURCE_TYPE = "Company"
    __mapper_args__ = {"polymorphic_identity": "company"}


TOKEN_CLASSES: dict[str, type[ApiToken]] = {
    cls.RESOURCE_TYPE: cls for cls in (ProjectToken, ProjectGroupToken, CompanyToken)
}
