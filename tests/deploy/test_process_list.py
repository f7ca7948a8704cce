"""deploy/run is the one list of processes: the systemd units and the compose file start only names it knows,
and the nginx template renders into a configuration nginx accepts."""

import re
import shutil
import subprocess

import pytest
import yaml

from tests.deploy.stack import ROOT, Stack

DEPLOY = ROOT / "deploy"


def process_names() -> set[str]:
    text = (DEPLOY / "run").read_text()
    return set(re.findall(r"^  ([a-z-]+)\)$", text, re.M))


def test_the_process_list_names_every_process():
    assert process_names() == {"migrate", "web", "ws", "worker", "collector", "rrdcached", "inbound-mail"}
    assert subprocess.run(["sh", "-n", str(DEPLOY / "run")]).returncode == 0
    unknown = subprocess.run([str(DEPLOY / "run"), "nonsense"], capture_output=True, text=True)
    assert unknown.returncode == 64 and "usage: deploy/run" in unknown.stderr


def test_systemd_units_start_processes_of_the_list():
    units = sorted((DEPLOY / "systemd").glob("*.service"))
    assert {unit.name for unit in units} >= {
        "serverstock-web.service",
        "serverstock-ws.service",
        "serverstock-worker@.service",
        "serverstock-collector@.service",
        "serverstock-rrdcached.service",
        "serverstock-migrate.service",
    }
    for unit in units:
        text = unit.read_text()
        started = re.findall(r"/opt/serverstock/deploy/run (\w[\w-]*)", text)
        assert started and set(started) <= process_names(), unit.name
        assert "User=serverstock" in text, unit.name


def test_compose_services_run_processes_of_the_list():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    app_services = {
        name: service for name, service in compose["services"].items() if service.get("image") == "serverstock:latest"
    }
    assert set(app_services) >= {"migrate", "web", "ws", "worker", "collector", "rrdcached"}
    for name, service in app_services.items():
        if "entrypoint" in service:  # the one-shot certificate maker
            continue
        assert service["command"][0] in process_names(), name
    proxy = compose["services"]["proxy"]
    assert any("nginx.conf.template" in volume for volume in proxy["volumes"])
    containerfile = (DEPLOY / "Containerfile").read_text()
    assert "USER serverstock" in containerfile and 'CMD ["web"]' in containerfile


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx (Debian package) is not installed")
def test_nginx_template_renders_into_a_valid_configuration(tmp_path):
    stack = Stack(tmp_path, "sqlite:///unused", "redis://127.0.0.1:6379/0")
    try:
        subprocess.run([str(DEPLOY / "selfsigned-cert"), str(stack.tls)], check=True, capture_output=True)
        prefix = stack.write_nginx_config(http_upstream="127.0.0.1:1", ws_upstream="127.0.0.1:2")
        checked = subprocess.run(
            ["nginx", "-t", "-p", str(prefix), "-c", str(prefix / "nginx.conf")], capture_output=True, text=True
        )
        assert checked.returncode == 0, checked.stderr
        site = (prefix / "serverstock.conf").read_text()
        assert "${SERVERSTOCK" not in site
        for needle in (
            "location /ws/",
            "proxy_set_header Upgrade $http_upgrade",
            "location /media/",
            "client_max_body_size",
        ):
            assert needle in site
    finally:
        stack.stop()
