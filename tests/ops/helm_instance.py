"""The `dagster.yaml` the dagster/dagster Helm chart renders from a values file, for the parts our values set.

There is no helm binary here, so this follows the chart's instance ConfigMap templates
(`templates/configmap-instance.yaml` and `templates/helpers/instance/_postgresql.tpl`,
`_run-launcher.tpl`, `_run-coordinator.tpl`, `_concurrency.tpl`) key by key, so that the rendered
config can be loaded as a real Dagster instance. Sections the chart fills from its own defaults
(scheduler, compute logs) are left out: Dagster's defaults stand in for them.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

POSTGRES_STORAGES = {
    "run_storage": ("dagster_postgres.run_storage", "PostgresRunStorage"),
    "event_log_storage": ("dagster_postgres.event_log", "PostgresEventLogStorage"),
    "schedule_storage": ("dagster_postgres.schedule_storage", "PostgresScheduleStorage"),
}
RUN_K8S_CONFIG_KEYS = {"containerConfig": "container_config", "podSpecConfig": "pod_spec_config",
                       "podTemplateSpecMetadata": "pod_template_spec_metadata",
                       "jobSpecConfig": "job_spec_config", "jobMetadata": "job_metadata"}


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Helm's merge of values files: maps merge key by key, anything else (lists too) is replaced."""
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _postgres_db(values: Mapping[str, Any]) -> dict[str, Any]:
    pg = values["postgresql"]
    db = {"username": pg["postgresqlUsername"], "password": {"env": "DAGSTER_PG_PASSWORD"},
          "hostname": pg["postgresqlHost"], "db_name": pg["postgresqlDatabase"], "port": pg["service"]["port"],
          "params": pg.get("postgresqlParams") or {}}
    if pg.get("postgresqlScheme"):
        db["scheme"] = pg["postgresqlScheme"]
    return {"postgres_db": db}


def _k8s_run_launcher(values: Mapping[str, Any], namespace: str) -> dict[str, Any]:
    k8s = values["runLauncher"]["config"]["k8sRunLauncher"]
    config: dict[str, Any] = {
        "load_incluster_config": k8s["loadInclusterConfig"],
        "job_namespace": k8s.get("jobNamespace") or namespace,
        "image_pull_policy": k8s["imagePullPolicy"],
        "service_account_name": values.get("global", {}).get("serviceAccountName") or "dagster",
        "dagster_home": {"env": "DAGSTER_HOME"},
        "instance_config_map": {"env": "DAGSTER_K8S_INSTANCE_CONFIG_MAP"},
        "postgres_password_secret": {"env": "DAGSTER_K8S_PG_PASSWORD_SECRET"},
        "env_config_maps": [{"env": "DAGSTER_K8S_PIPELINE_RUN_ENV_CONFIGMAP"},
                            *(source["name"] for source in k8s.get("envConfigMaps", []) if "name" in source)],
    }
    if k8s.get("kubeconfigFile"):
        config["kubeconfig_file"] = k8s["kubeconfigFile"]
    secrets = [source["name"] for source in k8s.get("envSecrets", []) if "name" in source]
    if secrets:
        config["env_secrets"] = secrets
    for key, target in (("envVars", "env_vars"), ("volumeMounts", "volume_mounts"), ("volumes", "volumes")):
        if k8s.get(key):
            config[target] = k8s[key]
    run_k8s = {RUN_K8S_CONFIG_KEYS[key]: value for key, value in (k8s.get("runK8sConfig") or {}).items() if value}
    if run_k8s:
        config["run_k8s_config"] = run_k8s
    return {"module": "dagster_k8s", "class": "K8sRunLauncher", "config": config}


def _queued_run_coordinator(values: Mapping[str, Any]) -> dict[str, Any]:
    queued = values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"] or {}
    config: dict[str, Any] = {}
    if queued.get("maxConcurrentRuns") is not None:
        config["max_concurrent_runs"] = queued["maxConcurrentRuns"]
    if queued.get("tagConcurrencyLimits"):
        config["tag_concurrency_limits"] = copy.deepcopy(queued["tagConcurrencyLimits"])
    if queued.get("dequeueIntervalSeconds"):
        config["dequeue_interval_seconds"] = queued["dequeueIntervalSeconds"]
    coordinator = {"module": "dagster.core.run_coordinator", "class": "QueuedRunCoordinator"}
    return {**coordinator, "config": config} if config else coordinator


def _concurrency(values: Mapping[str, Any]) -> dict[str, Any]:
    concurrency = values.get("concurrency") or {}
    pools, runs = concurrency.get("pools") or {}, concurrency.get("runs") or {}
    rendered: dict[str, Any] = {}
    pool_keys = {"defaultLimit": "default_limit", "granularity": "granularity",
                 "opGranularityRunBuffer": "op_granularity_run_buffer"}
    if any(pools.get(key) is not None for key in pool_keys):
        rendered["pools"] = {target: pools[key] for key, target in pool_keys.items() if pools.get(key) is not None}
    run_limits = {}
    if runs.get("maxConcurrentRuns") is not None:
        run_limits["max_concurrent_runs"] = runs["maxConcurrentRuns"]
    if runs.get("tagConcurrencyLimits"):
        run_limits["tag_concurrency_limits"] = copy.deepcopy(runs["tagConcurrencyLimits"])
    if run_limits:
        rendered["runs"] = run_limits
    return rendered


def instance_config(values: Mapping[str, Any], namespace: str = "dagster") -> dict[str, Any]:
    """The instance config the chart renders from merged `values` (K8sRunLauncher, QueuedRunCoordinator)."""
    assert values["runLauncher"]["type"] == "K8sRunLauncher", "only the K8sRunLauncher rendering is followed"
    config: dict[str, Any] = {
        name: {"module": module, "class": cls, "config": _postgres_db(values)}
        for name, (module, cls) in POSTGRES_STORAGES.items()
    }
    config["run_launcher"] = _k8s_run_launcher(values, namespace)
    daemon = values["dagsterDaemon"]
    if daemon.get("enabled", True) and daemon["runCoordinator"]["enabled"]:
        config["run_coordinator"] = _queued_run_coordinator(values)
    monitoring = daemon.get("runMonitoring") or {}
    if daemon.get("enabled", True) and monitoring.get("enabled"):
        config["run_monitoring"] = {"enabled": True, "start_timeout_seconds": monitoring["startTimeoutSeconds"],
                                    "poll_interval_seconds": monitoring["pollIntervalSeconds"]}
        if monitoring.get("maxResumeRunAttempts"):
            config["run_monitoring"]["max_resume_run_attempts"] = monitoring["maxResumeRunAttempts"]
    if (values.get("concurrency") or {}).get("enabled") and _concurrency(values):
        config["concurrency"] = _concurrency(values)
    config["telemetry"] = {"enabled": values["telemetry"]["enabled"]}
    return config
