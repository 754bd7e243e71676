"""Dagster asset checks of the marts, one per SQL file of `transforms/checks/` (see `transforms.mart_checks`).

Each check runs its query on the warehouse: no rows passes; the rows it returns are the failures,
counted and a few shown in the metadata. Blocking checks stop the snapshot; warnings do not. The
tables a query reads besides the mart it checks are the check's additional dependencies.
"""

import dagster as dg

from orchestration.marts_assets import model_key
from orchestration.resources import WarehouseResource
from transforms.mart_checks import MartCheck, failing_rows, mart_checks

EXAMPLES = 5
SEVERITY = {"ERROR": dg.AssetCheckSeverity.ERROR, "WARN": dg.AssetCheckSeverity.WARN}


def _asset_check(check: MartCheck) -> dg.AssetChecksDefinition:
    @dg.asset_check(name=check.name, asset=model_key(check.table), blocking=check.blocking, pool="duckdb",
                    description=check.description, additional_deps=[model_key(t) for t in check.reads])
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.get_warehouse().connect() as con:
            bad = failing_rows(con, check)
        return dg.AssetCheckResult(passed=not bad, severity=SEVERITY[check.severity], description=check.failing,
                                   metadata={"failing_rows": len(bad), "examples": str(bad[:EXAMPLES])})

    return _check


MART_CHECKS = [_asset_check(c) for c in mart_checks()]
_BY_NAME = {c.name: d for c, d in zip(mart_checks(), MART_CHECKS, strict=True)}


def mart_check(name: str) -> dg.AssetChecksDefinition:
    """The asset check built from `transforms/checks/<name>.sql`."""
    return _BY_NAME[name]
