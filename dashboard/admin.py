"""Administration behind the CLI: groups and tokens, checked against the serving snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from dashboard import snapshot as queries
from dashboard.access_store import AccessStore, StoreError, TokenInfo
from dashboard.settings import DashboardSettings

RESOURCE_FLAGS = {"project": "Project", "group": "ProjectGroup", "company": "Company"}


def printable(text: str) -> str:
    """`text` safe to print on a terminal: every non-printable character (ESC and other C0/C1 controls,
    newlines, bidi overrides) shown as its Python escape, so a stored name cannot drive the terminal."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


@dataclass(frozen=True)
class NewToken:
    """A freshly generated token, shown once."""

    resource_type: str
    resource_id: int
    token: str
    url: str

    def as_json(self) -> dict:
        """The CLI's JSON shape of a new token."""
        return {"resource_type": self.resource_type, "resource_id": self.resource_id,
                "token": self.token, "url": self.url}


class Admin:
    """Groups and tokens for one settings object (opens the store, creates its tables)."""

    def __init__(self, settings: DashboardSettings, store: AccessStore | None = None) -> None:
        self.settings = settings
        self.store = store or AccessStore(settings.database_url)
        self.store.create_all()

    def directory(self) -> dict[int, int]:
        """Project id to company id, from the serving snapshot; StoreError when there is none."""
        path = self.settings.serving_path
        if queries.snapshot_version(path) is None:
            raise StoreError(f"no serving snapshot at {path} yet: run the first sync")
        try:
            df = queries.fetch(str(path), "SELECT project_id, company_id FROM marts.project_metrics")
        except queries.SnapshotUnavailable as exc:
            raise StoreError(f"cannot read the serving snapshot at {path}") from exc
        return {int(p): int(c) for p, c in zip(df.get("project_id", []), df.get("company_id", []), strict=True)}

    def check_projects(self, company_id: int, project_ids: list[int]) -> None:
        """Every project must be in the snapshot and belong to `company_id`."""
        directory = self.directory()
        for pid in project_ids:
            if pid not in directory:
                raise StoreError(f"project {pid} is not in the serving snapshot")
            if directory[pid] != company_id:
                raise StoreError(f"project {pid} belongs to company {directory[pid]}, not {company_id}")

    def check_resource(self, resource_type: str, resource_id: int) -> None:
        """The resource a token would open must exist."""
        if resource_type == "ProjectGroup":
            self.store.get_group(resource_id)
        elif resource_type == "Project" and resource_id not in self.directory():
            raise StoreError(f"project {resource_id} is not in the serving snapshot")
        elif resource_type == "Company" and resource_id not in set(self.directory().values()):
            raise StoreError(f"company {resource_id} has no projects in the serving snapshot")

    def url_for(self, token: str) -> str:
        """The ready-to-paste iframe URL for a token."""
        return f"{self.settings.public_url}?{urlencode({'api_token': token})}"

    def generate(self, resource_type: str, resource_id: int) -> NewToken:
        """A new token for a resource without a live one."""
        self.check_resource(resource_type, resource_id)
        token, _ = self.store.generate_token(resource_type, resource_id)
        return NewToken(resource_type, resource_id, token, self.url_for(token))

    def generate_all_groups(self) -> tuple[list[NewToken], list[TokenInfo]]:
        """Tokens for every group that has none; returns (created, skipped live tokens)."""
        created, skipped = [], []
        for group in self.store.list_groups():
            live = self.store.live_token("ProjectGroup", group.id)
            if live is not None:
                skipped.append(live)
                continue
            token, _ = self.store.generate_token("ProjectGroup", group.id)
            created.append(NewToken("ProjectGroup", group.id, token, self.url_for(token)))
        return created, skipped

    def rotate(self, resource_type: str, resource_id: int) -> NewToken:
        """Revoke a resource's live token and generate its replacement."""
        self.check_resource(resource_type, resource_id)
        token, _ = self.store.rotate(resource_type, resource_id)
        return NewToken(resource_type, resource_id, token, self.url_for(token))
