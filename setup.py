"""Packaging for talon_one, the Python SDK for the Talon.One Integration API.

The metadata lives here; pyproject.toml only names the build backend. Runtime
dependencies come from requirements.txt (one list for pip and for this file).
"""

import os
import re

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def read(*parts):
    with open(os.path.join(HERE, *parts), encoding="utf-8") as handle:
        return handle.read()


def version():
    """talon_one/version.py is the one place the version is written (also used in the User-Agent)."""
    return re.search(r'__version__ = "([^"]+)"', read("talon_one", "version.py")).group(1)


def requirements():
    lines = read("requirements.txt").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


# Optional features, each imported only when used; `all` is every one of them.
EXTRAS = {
    "requests": ["requests>=2.32.4"],
    "aio": ["aiohttp>=3.13.5"],
    "cli": ["tqdm>=4.66.3"],
}
EXTRAS["all"] = sorted({requirement for extra in EXTRAS.values() for requirement in extra})

setup(
    name="talon_one",
    version=version(),
    description="Python client for the Talon.One Integration API",
    long_description=read("README.md"),
    long_description_content_type="text/markdown",
    license_expression="MIT",
    license_files=["LICENSE"],
    python_requires=">=3.9",
    install_requires=requirements(),
    extras_require=EXTRAS,
    packages=find_packages(include=["talon_one", "talon_one.*"]),
    package_data={
        "talon_one": ["py.typed"],
        "talon_one.testing": ["integration-api.json"],
    },
    entry_points={
        "console_scripts": ["talon-one = talon_one.cli:main"],
        "pytest11": ["talon_one.testing.pytest_plugin = talon_one.testing.pytest_plugin"],
    },
    project_urls={
        "Documentation": "https://docs.talon.one/integration-api",
        "Talon.One": "https://www.talon.one",
    },
    keywords=["talon.one", "promotions", "coupons", "loyalty", "referrals", "api", "sdk"],
    classifiers=[
        "Development Status :: 5 - Production/Stable",
        "Intended Audience :: Developers",
        "Operating System :: OS Independent",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3 :: Only",
        "Programming Language :: Python :: 3.9",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
        "Topic :: Software Development :: Libraries",
        "Framework :: Pytest",
        "Typing :: Typed",
    ],
)
