import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run_manage(*args, **env):
    full_env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_in_production_mode():
    result = _run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY="x7!kq" * 12,
        ALLOWED_HOSTS="forum.example.org",
        SITE_URL="https://forum.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_links_in_emails_would_point_elsewhere():
    result = _run_manage(
        "check",
        "--deploy",
        DJANGO_ENV="production",
        SECRET_KEY="x7!kq" * 12,
        ALLOWED_HOSTS="forum.example.org",
        SITE_URL="http://127.0.0.1:8000",
    )
    output = result.stdout + result.stderr
    assert "core.W001" in output  # not https
    assert "core.W002" in output  # not the host the site answers to


def test_production_refuses_to_start_without_a_secret_key():
    result = _run_manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="forum.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_debug_on():
    result = _run_manage("check", DJANGO_ENV="production", SECRET_KEY="y" * 60, DEBUG="true")
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


def test_pages_carry_security_headers(client, db):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_uploads_go_to_object_storage_when_a_bucket_is_set():
    script = "from django.conf import settings; print(settings.STORAGES['default']['BACKEND'])"
    result = _run_manage("shell", "-c", script, AWS_STORAGE_BUCKET_NAME="cop-uploads")
    assert result.stdout.strip().splitlines()[-1] == "storages.backends.s3.S3Storage", result.stderr
    result = _run_manage("shell", "-c", script)
    assert result.stdout.strip().splitlines()[-1] == "django.core.files.storage.FileSystemStorage", result.stderr


def test_the_page_cache_is_on_only_with_a_shared_cache():
    script = "from django.conf import settings; print(settings.PAGE_CACHE_SECONDS)"
    assert _run_manage("shell", "-c", script, REDIS_URL="").stdout.strip().splitlines()[-1] == "0"
    assert (
        _run_manage("shell", "-c", script, REDIS_URL="redis://127.0.0.1:6379/9").stdout.strip().splitlines()[-1] == "30"
    )
