"""The launcher configs in `deploy/` load as what they are for, with no cluster and no Docker engine.

`deploy/helm/values.yaml` validates against the chart schema in `deploy/helm/chart-schema/`, and the
instance config the chart renders from it loads as a real Dagster instance with K8sRunLauncher (a
kubeconfig pointing nowhere: the launcher reads it, never calls it). `deploy/docker/dagster.yaml`
loads as a real instance with DockerRunLauncher. Both on the local PostgreSQL, in a schema of their
own that is dropped afterwards; the launcher is touched because its config is checked on first use.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import dagster as dg
import jsonschema
import pytest
import yaml
from helm_instance import deep_merge, instance_config  # tests/ops is on sys.path (conftest)

# The `pg_schema` fixture: a schema of its own on the local PostgreSQL (DAGSTER_TEST_PG_URL or
# postgres@127.0.0.1:5432/test), dropped afterwards; outside CI an unreachable server skips.
from tests.orchestration.test_postgres_instance import pg_schema as shared_pg_schema  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
HELM_VALUES = ROOT / "deploy" / "helm" / "values.yaml"
CHART_SCHEMA = ROOT / "deploy" / "helm" / "chart-schema" / "values-overrides.schema.json"
DOCKER_YAML = ROOT / "deploy" / "docker" / "dagster.yaml"
COMPANY_TAG = "procore/company_id"
KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: nowhere, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: nobody, user: {token: not-a-token}}]
contexts: [{name: nowhere, context: {cluster: nowhere, user: nobody, namespace: dagster}}]
current-context: nowhere
"""


@pytest.fixture
def pg(shared_pg_schema) -> dict:  # noqa: F811 (the fixture imported above)
    """Where the instance keeps Dagster's tables: the test server and database, in a schema of its own."""
    url, schema, _ = shared_pg_schema
    parts = urlsplit(url)
    return {"host": parts.hostname or "127.0.0.1", "port": parts.port or 5432, "user": parts.username or "postgres",
            "password": parts.password or "", "db": parts.path.lstrip("/") or "postgres", "schema": schema}


def helm_values() -> dict:
    return yaml.safe_load(HELM_VALUES.read_text())


def schema_errors(values: dict) -> dict[str, str]:
    """Errors of `values` against the chart schema, by path ("/" for the top level)."""
    validator = jsonschema.Draft7Validator(json.loads(CHART_SCHEMA.read_text()))
    return {"/" + "/".join(map(str, error.absolute_path)): error.message for error in validator.iter_errors(values)}


def assert_one_run_per_company(instance: dg.DagsterInstance) -> None:
    """With company 101's run in progress (in storage), a queued 101 run waits and 202 and 303 go."""
    from dagster._utils.tags import TagConcurrencyLimitsCounter  # what the run queue daemon counts with

    instance.add_run(dg.DagsterRun(job_name="hourly_sync", run_id=str(uuid.uuid4()),
                                   status=dg.DagsterRunStatus.STARTED, tags={COMPANY_TAG: "101"}))
    in_progress = instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))
    assert [run.tags[COMPANY_TAG] for run in in_progress] == ["101"]
    limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
    counter = TagConcurrencyLimitsCounter(limits, list(in_progress))
    queued = {company: dg.DagsterRun(job_name="hourly_sync", run_id=str(uuid.uuid4()), tags={COMPANY_TAG: company})
              for company in ("101", "202", "303")}
    assert {company for company, run in queued.items() if counter.is_blocked(run)} == {"101"}
    counter.update_counters_with_launched_item(queued["202"])
    assert {company for company, run in queued.items() if counter.is_blocked(run)} == {"101", "202"}


# --- Helm ---------------------------------------------------------------------------------------------

def test_helm_values_match_the_chart_schema():
    jsonschema.Draft7Validator.check_schema(json.loads(CHART_SCHEMA.read_text()))
    assert schema_errors(helm_values()) == {}


DELETE = object()


def _set(path: str, value):
    """A change to a copy of the values: `value` at `path` ("a/b/0/c"), or the key removed for DELETE."""
    def change(values: dict) -> None:
        *parents, last = path.split("/")
        node = values
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is DELETE:
            del node[last]
        else:
            node[int(last) if isinstance(node, list) else last] = value
    return change


@pytest.mark.parametrize(("change", "error_at"), [
    (_set("runLauncher/config/k8sRunLauncher/envSecret", [{"name": "typo"}]), "/runLauncher/config/k8sRunLauncher"),
    (_set("concurrency/runs/tagConcurrencyLimits/0/limit", "1"), "/concurrency/runs/tagConcurrencyLimits/0/limit"),
    (_set("runLauncher/type", "K8sLauncher"), "/runLauncher/type"),
    (_set("dagsterDaemon/runCoordinator/type", "QueueRunCoordinator"), "/dagsterDaemon/runCoordinator/type"),
    (_set("dagster-user-deployments/deployments/0/port", DELETE), "/dagster-user-deployments/deployments/0"),
    (_set("runLaucher", {"type": "K8sRunLauncher"}), "/"),
    (_set("telemetry/enabled", "false"), "/telemetry/enabled"),
], ids=["misspelt-launcher-key", "limit-as-text", "unknown-launcher", "unknown-coordinator", "deployment-without-port",
        "misspelt-section", "telemetry-as-text"])
def test_a_broken_copy_of_the_helm_values_is_rejected(change, error_at):
    broken = copy.deepcopy(helm_values())
    change(broken)
    errors = schema_errors(broken)
    assert error_at in errors, errors


def test_helm_values_name_secrets_and_hold_no_secret_value():
    values = helm_values()
    assert values["postgresql"]["postgresqlPassword"] == ""
    assert values["generatePostgresqlPasswordSecret"] is False and values["global"]["postgresqlSecretName"]
    secret_names = {"PROCORE_CLIENT_SECRET", "PROCORE_WEBHOOK_SECRET", "DAGSTER_PG_PASSWORD", "PIPELINES_WAREHOUSE_URL",
                    "AWS_SECRET_ACCESS_KEY", "WEBHOOK_INBOX_URL"}
    inline = set()
    for deployment in values["dagster-user-deployments"]["deployments"]:
        inline |= set(deployment.get("env") or {})
    inline |= {entry.split("=", 1)[0] for entry in values["runLauncher"]["config"]["k8sRunLauncher"]["envVars"]}
    assert not inline & secret_names, f"put these in a Secret: {sorted(inline & secret_names)}"
    (deployment,) = values["dagster-user-deployments"]["deployments"]
    assert deployment["dagsterApiGrpcArgs"] == ["-m", "orchestration.definitions"]
    assert {"procore-pipelines-procore", "procore-pipelines-lake", "procore-pipelines-webhooks"} <= {
        source["name"] for source in deployment["envSecrets"]}


def rendered_k8s_instance(home: Path, pg: dict, monkeypatch, values: dict | None = None) -> Path:
    """Writes the chart's dagster.yaml for `values` (default ours) into `home`, on `pg`, kubeconfig nowhere."""
    (home / "kubeconfig").write_text(KUBECONFIG)
    here = {"postgresql": {"postgresqlHost": pg["host"], "postgresqlUsername": pg["user"],
                           "postgresqlDatabase": pg["db"],
                           "service": {"port": pg["port"]},
                           "postgresqlParams": {"options": f"-csearch_path={pg['schema']}"}},
            "runLauncher": {"config": {"k8sRunLauncher": {"loadInclusterConfig": False,
                                                          "kubeconfigFile": str(home / "kubeconfig")}}}}
    config = instance_config(deep_merge(values or helm_values(), here))
    (home / "dagster.yaml").write_text(yaml.safe_dump(config))
    # What the chart's pods get from its Deployments and Secret.
    for var, value in {"DAGSTER_HOME": str(home), "DAGSTER_PG_PASSWORD": pg["password"],
                       "DAGSTER_K8S_INSTANCE_CONFIG_MAP": "procore-pipelines-dagster-instance",
                       "DAGSTER_K8S_PG_PASSWORD_SECRET": "procore-pipelines-dagster-pg",
                       "DAGSTER_K8S_PIPELINE_RUN_ENV_CONFIGMAP": "procore-pipelines-dagster-pipeline-env"}.items():
        monkeypatch.setenv(var, value)
    return home


def test_the_instance_the_chart_renders_loads_with_k8s_launcher_and_company_limits(pg, tmp_path, monkeypatch):
    home = rendered_k8s_instance(tmp_path, pg, monkeypatch)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        launcher = instance.run_launcher
        assert type(launcher).__name__ == "K8sRunLauncher" and launcher.supports_check_run_worker_health
        assert launcher.env_secrets == ["procore-pipelines-procore", "procore-pipelines-lake"]
        assert "procore-pipelines-settings" in launcher.env_config_maps
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        concurrency = instance.get_concurrency_config()
        assert concurrency.run_queue_config.max_concurrent_runs == 10
        assert concurrency.pool_config.default_pool_limit == 1
        assert instance.run_monitoring_enabled and instance.get_settings("telemetry")["enabled"] is False
        assert_one_run_per_company(instance)


def test_company_limits_in_the_run_coordinator_next_to_a_pool_are_refused(tmp_path, monkeypatch):
    """Why the values keep the limits in `concurrency.runs`: the other place fails Dagster's instance check."""
    values = helm_values()
    moved = values["concurrency"].pop("runs")
    values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"] = moved
    unused = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "password": "", "db": "unused", "schema": "unused"}
    home = rendered_k8s_instance(tmp_path, unused, monkeypatch, values)
    with pytest.raises(dg.DagsterInvalidConfigError, match="incompatible with the `concurrency > runs` config"):
        dg.DagsterInstance.from_config(str(home))


# --- Docker -------------------------------------------------------------------------------------------

@pytest.fixture
def docker_home(pg, tmp_path, monkeypatch) -> Path:
    """DAGSTER_HOME holding deploy/docker/dagster.yaml as is, its DAGSTER_PG_* pointing at the test server."""
    shutil.copy(DOCKER_YAML, tmp_path / "dagster.yaml")
    for var, value in {"DAGSTER_HOME": str(tmp_path), "DAGSTER_PG_HOST": pg["host"], "DAGSTER_PG_PORT": str(pg["port"]),
                       "DAGSTER_PG_USER": pg["user"], "DAGSTER_PG_PASSWORD": pg["password"], "DAGSTER_PG_DB": pg["db"],
                       "PGOPTIONS": f"-c search_path={pg['schema']}"}.items():  # libpq: the tables go to the schema
        monkeypatch.setenv(var, value)
    return tmp_path


def test_the_docker_instance_loads_with_docker_launcher_and_company_limits(docker_home):
    with dg.DagsterInstance.get() as instance:
        launcher = instance.run_launcher
        assert type(launcher).__module__.startswith("dagster_docker") and type(launcher).__name__ == "DockerRunLauncher"
        assert launcher.supports_check_run_worker_health
        assert launcher.networks == ["procore_pipelines"]
        assert "PIPELINES_DATA_DIR=/var/lib/procore-pipelines/data" in launcher.env_vars
        volume = launcher.container_kwargs["volumes"]["procore-pipelines-data"]
        assert volume["bind"] == "/var/lib/procore-pipelines/data"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        concurrency = instance.get_concurrency_config()
        assert concurrency.run_queue_config.max_concurrent_runs == 8
        assert concurrency.pool_config.default_pool_limit == 1
        assert instance.run_monitoring_enabled and instance.run_monitoring_max_runtime_seconds == 43200
        assert instance.run_monitoring_settings["free_slots_after_run_end_seconds"] == 30
        assert instance.get_settings("telemetry")["enabled"] is False
        assert_one_run_per_company(instance)


def test_a_misspelt_docker_launcher_key_fails_when_the_launcher_is_first_used(docker_home):
    config = docker_home / "dagster.yaml"
    config.write_text(config.read_text().replace("    network: procore_pipelines", "    netwrok: procore_pipelines"))
    with dg.DagsterInstance.get() as instance:  # loads: the launcher's config is not checked yet
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        with pytest.raises(dg.DagsterInvalidConfigError, match="netwrok"):
            instance.run_launcher  # noqa: B018


def test_docker_runs_get_every_setting_the_run_code_reads():
    """Each PROCORE_/PIPELINES_ setting the packages that run inside a run read is forwarded to the container."""
    code_server_only = {"PIPELINES_SCHEDULES_RUNNING"}  # default status of schedules and sensors
    test_pin = {"PIPELINES_AS_OF"}
    read: set[str] = set()
    for package in ("orchestration", "warehouse", "procore_source", "transforms", "pipeline_settings"):
        for path in (ROOT / package).rglob("*.py") if (ROOT / package).is_dir() else ():
            if "sandbox" not in path.parts:
                read |= set(re.findall(r'"((?:PROCORE|PIPELINES)_[A-Z_]+)"', path.read_text()))
    launcher = yaml.safe_load(DOCKER_YAML.read_text())["run_launcher"]["config"]
    forwarded = {entry.split("=", 1)[0] for entry in launcher["env_vars"]}
    missing = read - code_server_only - test_pin - forwarded
    assert not missing, f"add to run_launcher.config.env_vars in deploy/docker/dagster.yaml: {sorted(missing)}"
    needed = {"DAGSTER_PG_HOST", "DAGSTER_PG_PASSWORD", "PIPELINES_WAREHOUSE_URL", "PIPELINES_LAKE_DATA_PATH"}
    assert needed <= forwarded
