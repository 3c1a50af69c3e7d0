"""`platform/` stays a namespace folder and Koepel installs like any package.

DESIGN.md ("The house"): with the repository root first on `sys.path` (gunicorn, `rq
worker`, `python -m`, Flask's `--app`) `import platform` must still be the standard
library, and a non-editable `pip install .` must give a working app: code, templates,
static files, compiled catalogs and the migrations. Needs no database or Redis.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
# The folders setup.py maps onto `koepel.*`.
PACKAGE_FOLDERS = ("platform", "tenants", "services", "migrations")
# Data that must travel with the code (setup.py's DATA): pages, assets, catalogs, Alembic.
DATA_FOLDERS = {"templates", "static", "translations", "data"}
DATA_SUFFIXES = {".mako", ".ini"}
# Never copied into the throw-away build tree: local state, caches and earlier builds
# (a stale build/ would put deleted files into the wheel).
NOT_SOURCE = {".git", ".venv", "instance", "build", "dist", "tests", "node_modules",
              "__pycache__", ".pytest_cache", ".ruff_cache", "test-results"}


def clean_env() -> dict[str, str]:
    """The caller's environment without anything that changes where Python imports from."""
    drop = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "PYTHONSAFEPATH"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def run(args: list[str], *, cwd: Path, env: dict[str, str], timeout: int = 120):
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, (
        f"{' '.join(args[:4])} … exited {result.returncode}\n"
        f"--- stdout ---\n{result.stdout[-4000:]}\n--- stderr ---\n{result.stderr[-6000:]}"
    )
    return result


def test_platform_folder_is_not_a_regular_package():
    assert (ROOT / "platform").is_dir()
    assert not (ROOT / "platform" / "__init__.py").exists(), (
        "platform/__init__.py shadows the standard library's `platform` module "
        "whenever the repository root is on sys.path (see DESIGN.md, 'The house')"
    )


STDLIB_WINS = """
import sys
root = sys.argv[1]
sys.path.insert(0, root)
assert sys.path[0] == root
import platform
first = platform.__file__
version = platform.python_version()
# Each of these does `import platform` (or imports something that does) and calls it.
import sqlalchemy, rq, gunicorn.app.base
import sqlalchemy.util.compat
print(first)
print(version)
print(sys.modules["platform"].__file__)
"""


def test_import_platform_is_the_standard_library_with_the_repository_root_first():
    result = run([PYTHON, "-c", STDLIB_WINS, str(ROOT)], cwd=ROOT, env=clean_env())
    first, version, after = result.stdout.strip().splitlines()[-3:]
    assert first != "None", "`platform` resolved to a namespace folder, not a module"
    assert not Path(first).resolve().is_relative_to(ROOT), first
    assert Path(first).name == "platform.py"
    assert Path(first).resolve().parent == Path(sysconfig.get_paths()["stdlib"]).resolve()
    assert version == platform.python_version()
    assert after == first, "something replaced the `platform` module while importing the stack"


def _check_build_tools() -> None:
    """`--no-build-isolation` builds with this interpreter's setuptools and wheel.

    They are pinned in the dev extras; a venv without them is out of date (`make install`
    reinstalls it). That is a broken setup, not a reason to skip the test.
    """
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    dev_pins = [
        r for r in pyproject["project"]["optional-dependencies"]["dev"]
        if Requirement(r).name in {"setuptools", "wheel"}
    ]
    problems = []
    for spec in pyproject["build-system"]["requires"]:
        requirement = Requirement(spec)
        try:
            installed = importlib.metadata.version(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            problems.append(f"{requirement.name} is not installed")
            continue
        if not requirement.specifier.contains(installed, prereleases=True):
            problems.append(f"{requirement.name} {installed} does not satisfy {spec!r}")
    if problems:
        pytest.fail(
            f"The build tools in {sys.prefix} are missing or too old: {'; '.join(problems)}. "
            f"The dev extras pin {', '.join(dev_pins)}; run `make install` "
            "(or `pip install -e '.[dev]'`) to bring the venv up to date.",
            pytrace=False,
        )


INSTALLED_APP = """
import hashlib, json, sys
target, purelib, root, instance = sys.argv[1:5]
# -S: no site module, so no .pth file ran (the editable finder among them). Keep the
# standard library, put the installed tree first and the venv's dependencies last.
sys.path[:] = [target] + [p for p in sys.path if p and not p.startswith(purelib)] + [purelib]

import koepel.migrations
import koepel.platform
import koepel.platform.app
from koepel.platform.app import MIGRATIONS_DIR, create_app
from koepel.platform.config import Settings

settings = Settings.from_env({
    "KOEPEL_ENV": "test",
    "DATABASE_URL": "postgresql://u@127.0.0.1:1/x",
    "REDIS_URL": "redis://127.0.0.1:1/0",
    "SECRET_KEY": "x",
    "KOEPEL_INSTANCE_PATH": instance,
    "LOG_LEVEL": "WARNING",
})
app = create_app(settings)
client = app.test_client()
pages = {}
for path in ("/login", "/static/koepel.css", "/static/job.js"):
    response = client.get(path)
    pages[path] = {
        "status": response.status_code,
        "sha256": hashlib.sha256(response.data).hexdigest(),
        "text": response.get_data(as_text=True) if path == "/login" else "",
    }
    response.close()
# The virtualenv may live inside the repository (.venv/): its packages are not ours.
from_repository = sorted(
    name for name, module in list(sys.modules.items())
    if (getattr(module, "__file__", None) or "").startswith(root + "/")
    and not (getattr(module, "__file__", None) or "").startswith(purelib + "/")
)
print(json.dumps({
    "site_imported": "site" in sys.modules,
    "editable_finders": sorted(n for n in sys.modules if n.startswith("__editable__")),
    "koepel_paths": list(koepel.platform.__path__) + list(koepel.migrations.__path__),
    "app_file": koepel.platform.app.__file__,
    "migrations_dir": MIGRATIONS_DIR,
    "from_repository": from_repository,
    "pages": pages,
}))
"""


def _copy_source(destination: Path) -> Path:
    def ignore(folder, names):
        return [n for n in names if n in NOT_SOURCE or n.endswith((".egg-info", ".pyc"))]

    shutil.copytree(ROOT, destination, ignore=ignore)
    return destination


def _data_files(base: Path) -> set[str]:
    found = set()
    for folder in PACKAGE_FOLDERS:
        for path in (base / folder).rglob("*"):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            rel = path.relative_to(base / folder)
            if DATA_FOLDERS.intersection(rel.parts[:-1]) or path.suffix in DATA_SUFFIXES:
                found.add(f"{folder}/{rel.as_posix()}")
    return found


def test_a_non_editable_install_serves_the_app(tmp_path):
    _check_build_tools()
    source = _copy_source(tmp_path / "source")
    target = tmp_path / "site"
    run(
        [PYTHON, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--no-cache-dir", "--disable-pip-version-check",
         "--target", str(target), str(source)],
        # The build sees the same environment as _check_build_tools did.
        cwd=tmp_path, env=dict(os.environ), timeout=180,
    )

    # Every template, static file, catalog and Alembic file is in the installed tree.
    packaged = target / "koepel"
    missing = sorted(f for f in _data_files(ROOT) if not (packaged / f).is_file())
    assert not missing, f"not packaged by setup.py: {missing}"

    instance = tmp_path / "instance"
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    purelib = sysconfig.get_paths()["purelib"]
    result = run(
        [PYTHON, "-S", "-c", INSTALLED_APP, str(target), purelib, str(ROOT), str(instance)],
        cwd=workdir, env=clean_env(),
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])

    assert report["site_imported"] is False
    assert report["editable_finders"] == [], "the editable install's finder was active"
    for path in report["koepel_paths"] + [report["app_file"], report["migrations_dir"]]:
        assert Path(path).resolve().is_relative_to(target.resolve()), f"{path} is not the installed copy"
    assert report["from_repository"] == [], "modules were imported from the working tree"

    login = report["pages"]["/login"]
    assert login["status"] == 200, login["text"][:2000]
    assert "Inloggen" in login["text"], "the nl catalog (.mo) was not found in the installed package"
    assert 'name="password"' in login["text"]
    for name in ("koepel.css", "job.js"):
        page = report["pages"][f"/static/{name}"]
        assert page["status"] == 200, name
        assert page["sha256"] == hashlib.sha256((ROOT / "platform" / "static" / name).read_bytes()).hexdigest()

    migrations = Path(report["migrations_dir"])
    for name in ("env.py", "script.py.mako", "alembic.ini"):
        assert (migrations / name).is_file(), f"{name} is missing from the packaged migrations"
    revisions = {p.name for p in (ROOT / "migrations" / "versions").glob("*.py") if p.name != "__init__.py"}
    assert revisions, "no revisions in the repository"
    packaged_revisions = {p.name for p in (migrations / "versions").glob("*.py") if p.name != "__init__.py"}
    assert packaged_revisions == revisions
