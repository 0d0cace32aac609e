"""docker-compose.yml stays valid and true to the settings the code reads.

No Docker engine runs here, so the file is checked structurally: services,
health checks, dependencies, and that every WEBSTAT_* variable it sets is one the
code knows (and every setting the code reads is set).
"""

from __future__ import annotations

import re

import pytest
import yaml

from webstat.airflow_env import REPO_ROOT
from webstat.settings import DEFAULTS

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
AIRFLOW = [
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
]


def test_the_production_shape_is_all_there():
    assert set(SERVICES) >= {"postgres", "redis", "minio", "minio-init", "airflow-init", *AIRFLOW}


@pytest.mark.parametrize("name", ["postgres", "redis", "minio", *AIRFLOW])
def test_long_running_services_have_health_checks(name):
    assert SERVICES[name]["healthcheck"]["test"]


@pytest.mark.parametrize("name", AIRFLOW)
def test_airflow_services_wait_for_the_init_job_and_use_celery(name):
    service = SERVICES[name]
    assert service["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
    assert service["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert service["build"] == "."


def test_webstat_settings_in_compose_are_the_ones_the_code_reads():
    env = SERVICES["airflow-worker"]["environment"]
    set_here = {k for k in env if k.startswith("WEBSTAT_")}
    known = set(DEFAULTS) | {"WEBSTAT_WAREHOUSE_URL"}
    assert set_here - known == set(), "compose sets settings the code does not read"
    assert known - set_here == set(), "a setting the code reads is missing from compose"
    conn_var = f"AIRFLOW_CONN_{env['WEBSTAT_S3_CONN_ID'].upper()}"
    assert conn_var in env


def test_no_secret_defaults_beyond_local_development_ones():
    text = (REPO_ROOT / "docker-compose.yml").read_text()
    for default in re.findall(r"\$\{[A-Z_]*(?:PASSWORD|SECRET)[A-Z_]*:-([^}]*)\}", text):
        assert "dev" in default, f"default secret {default!r} does not look local-only"


def test_the_dockerfile_installs_the_package_like_make_does():
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    assert "FROM apache/airflow:3.3.2" in dockerfile
    # with constraints.txt, as `make install` does (without it pip backtracks for minutes)
    install = "pip install --no-cache-dir -c /opt/webstat/constraints.txt -e /opt/webstat"
    assert install in dockerfile


def test_make_system_packages_installs_what_the_dockerfile_does():
    """`make system-packages` (a Debian/Ubuntu machine outside Docker, CI) and the image
    install the same system libraries for the reports (HarfBuzz's subsetter included)."""
    makefile = (REPO_ROOT / "Makefile").read_text()
    listed = re.search(r"^SYSTEM_PACKAGES := (.+)$", makefile, re.M)
    assert listed is not None
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    apt = re.search(r"apt-get install -y --no-install-recommends ((?:[^&\\]|\\\n)+)", dockerfile)
    assert apt is not None
    in_image = set(apt[1].replace("\\", " ").split())
    assert set(listed[1].split()) == in_image
    assert {"libharfbuzz-subset0", "fonts-dejavu-core", "fontconfig"} <= in_image
