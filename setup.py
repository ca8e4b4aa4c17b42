"""Packaging for talon_one, the Python SDK for the Talon.One Integration API."""

import os
import re

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def read(*parts):
    with open(os.path.join(HERE, *parts), encoding="utf-8") as handle:
        return handle.read()


def version():
    return re.search(r'__version__ = "([^"]+)"', read("talon_one", "version.py")).group(1)


def requirements():
    lines = read("requirements.txt").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


setup(
    name="talon_one",
    version=version(),
    description="Python client for the Talon.One Integration API",
    long_description=read("README.md"),
    long_description_content_type="text/markdown",
    license="MIT",
    python_requires=">=3.9",
    install_requires=requirements(),
    packages=find_packages(include=["talon_one", "talon_one.*"]),
    # py.typed: the package ships its annotations (PEP 561), so type checkers read them.
    package_data={"talon_one": ["py.typed"], "talon_one.testing": ["integration-api.json"]},
    entry_points={"pytest11": ["talon_one.testing.pytest_plugin = talon_one.testing.pytest_plugin"]},
    classifiers=[
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3 :: Only",
        "Intended Audience :: Developers",
        "Topic :: Software Development :: Libraries",
    ],
)
