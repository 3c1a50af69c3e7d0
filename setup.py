"""Maps the repository's top-level folders onto the `koepel.*` import names.

`platform/` has no `__init__.py` on purpose: with one, `import platform` would find our
folder instead of the standard library whenever the repository root is on `sys.path`.
"""

import os

from setuptools import setup

ROOTS = {
    "koepel.platform": "platform",
    "koepel.tenants": "tenants",
    "koepel.services": "services",
    "koepel.migrations": "migrations",
}
DATA = ["templates/**/*", "static/**/*", "translations/**/*", "data/**/*", "*.mako", "*.ini", "*.csv"]


def packages():
    for name, folder in ROOTS.items():
        for path, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            if path == folder or any(f.endswith(".py") for f in files):
                rel = os.path.relpath(path, folder)
                yield name if rel == "." else name + "." + rel.replace(os.sep, ".")


setup(
    packages=sorted(packages()),
    package_dir=dict(ROOTS),
    package_data={"": DATA},  # every package: subpackages carry templates too
    include_package_data=False,
)
