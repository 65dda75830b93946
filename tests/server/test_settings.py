"""Every setting is documented, has an env variable, and the env is read correctly."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from server.settings import Settings, settings_table


@pytest.mark.parametrize("f", dataclasses.fields(Settings), ids=lambda f: f.name)
def test_every_setting_is_documented(f: dataclasses.Field) -> None:
    assert f.metadata.get("doc", "").strip(), f"{f.name} has no documentation"
    assert Settings.env_name(f.name).startswith("DPRK_KG_")
    assert f"`{f.name}`" in settings_table()


def test_brief_defaults() -> None:
    s = Settings()
    assert s.query_timeout == 10.0
    assert s.cors_origins == ("*",)
    assert s.service_allowlist == ("https://query.wikidata.org/sparql",)
    assert s.allow_loopback_service is False
    assert s.update_token is None and not s.updates_enabled
    assert s.workers == (os.cpu_count() or 1)


def test_environment_overrides_defaults_and_arguments_override_both() -> None:
    env = {
        "DPRK_KG_QUERY_TIMEOUT": "2.5",
        "DPRK_KG_MAX_RESULT_ROWS": "7",
        "DPRK_KG_CORS_ORIGINS": "https://a.example, https://b.example",
        "DPRK_KG_SERVICE_ALLOWLIST": "",
        "DPRK_KG_ALLOW_LOOPBACK_SERVICE": "yes",
        "DPRK_KG_PUBLIC_BASE_URL": "https://kg.example.org",
        "DPRK_KG_UPDATE_TOKEN": "tok",
        "DPRK_KG_BUILD": "/tmp/somewhere",
    }
    s = Settings.from_env(env, max_result_rows=9)
    assert s.query_timeout == 2.5
    assert s.max_result_rows == 9
    assert s.cors_origins == ("https://a.example", "https://b.example")
    assert s.service_allowlist == ()
    assert s.allow_loopback_service is True
    assert s.public_base_url == "https://kg.example.org/"
    assert s.updates_enabled
    assert s.build_dir == Path("/tmp/somewhere")


@pytest.mark.parametrize(
    "settings",
    [
        Settings(),
        Settings.from_env(
            {},
            query_timeout=2.5,
            cors_origins=("https://a.example", "https://b.example"),
            service_allowlist=(),
            allow_loopback_service=True,
            public_base_url="https://kg.example.org",
            update_token="tok",
            build_dir=Path("/tmp/somewhere"),
            workers=3,
        ),
    ],
    ids=["defaults", "everything-changed"],
)
def test_settings_survive_the_trip_to_the_workers_through_the_environment(settings: Settings) -> None:
    env = settings.to_env()
    assert all(isinstance(value, str) for value in env.values())
    assert Settings.from_env(env) == settings


def test_bad_boolean_is_an_error() -> None:
    with pytest.raises(ValueError, match="DPRK_KG_ALLOW_LOOPBACK_SERVICE"):
        Settings.from_env({"DPRK_KG_ALLOW_LOOPBACK_SERVICE": "maybe"})


def test_serve_help_settings_prints_the_table() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "server.cli", "serve", "--help-settings"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "DPRK_KG_QUERY_TIMEOUT" in out and "DPRK_KG_UPDATE_TOKEN" in out


def test_flask_cli_finds_the_app_factory(build_dir: Path) -> None:
    flask = Path(sys.executable).parent / "flask"
    out = subprocess.run(
        [str(flask), "--app", "server", "routes"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DPRK_KG_BUILD": str(build_dir)},
    ).stdout
    for path in ("/sparql", "/store", "/.well-known/void", "/health"):
        assert path in out
