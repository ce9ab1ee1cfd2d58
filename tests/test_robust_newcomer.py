"""What a newcomer meets first: the docs pages offline, and the README's deploy command."""

from __future__ import annotations

import re
import shutil
import subprocess

import httpx
import pytest

from tests.conftest import ROOT

COMPOSE_SCRIPT = ROOT / "scripts" / "compose.sh"


@pytest.mark.parametrize(
    ("page", "asset"), [("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc")]
)
def test_docs_pages_load_every_asset_from_the_service_itself(embedded_url, page, asset):
    """Air-gapped clusters: no CDN. Every script, style and icon is served by rewardd."""
    html = httpx.get(f"{embedded_url}{page}", timeout=30)
    assert html.status_code == 200
    urls = re.findall(r"""(?:src|href)\s*[=:]\s*['"]([^'"]+)['"]""", html.text)
    urls += re.findall(r"""url:\s*['"]([^'"]+)['"]""", html.text)
    assert any(asset in url for url in urls), urls
    assert urls
    for url in urls:
        assert not re.match(r"^(https?:)?//", url), f"{page} loads {url} from another host"
        fetched = httpx.get(f"{embedded_url}{url}", timeout=30)
        assert fetched.status_code == 200, url
        assert len(fetched.content) > 100, url
    assert "fonts.googleapis" not in html.text


def compose_works_here() -> bool:
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    return probe.returncode == 0 or shutil.which("docker-compose") is not None


@pytest.mark.skipif(shutil.which("docker") is None, reason="Docker is not installed")
def test_the_readme_deploy_command_finds_this_machines_compose(tmp_path):
    if not compose_works_here():
        pytest.skip("neither docker compose nor docker-compose is installed")
    # `config -q` reads and checks the compose files as `up` would, without starting anything.
    done = subprocess.run(
        [str(COMPOSE_SCRIPT), "config", "-q"], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    readme = (ROOT / "README.md").read_text()
    assert "scripts/compose.sh up -d" in readme


def test_without_compose_the_script_says_what_to_install(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "dirname", "cat"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    done = subprocess.run(
        [str(bin_dir / "bash"), str(COMPOSE_SCRIPT), "up", "-d"],
        env={"PATH": str(bin_dir)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 127
    assert "docker compose" in done.stderr and "docker-compose" in done.stderr
    assert "apt-get install" in done.stderr
