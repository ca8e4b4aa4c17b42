"""A mypy cache shared by the typing tests of one run, and a place where talon_one is installed.

mypy reads talon_one the way it reads a package from PyPI only when it finds it in
site-packages: `installed_python` is a throwaway virtual environment whose
site-packages holds a link to this checkout's talon_one (so py.typed is what makes
it typed) and a path entry to the test interpreter's own packages (urllib3, ...).
"""

import os
import subprocess
import sys
import sysconfig

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="session")
def mypy_cache(tmp_path_factory):
    return str(tmp_path_factory.mktemp("mypy-cache"))


@pytest.fixture(scope="session")
def installed_python(tmp_path_factory):
    """The python of a virtual environment where talon_one is installed as users install it."""
    home = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(home)], check=True, timeout=120)
    python = os.path.join(home, "bin", "python")
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True, timeout=60).stdout.strip()
    os.symlink(os.path.join(ROOT, "talon_one"), os.path.join(purelib, "talon_one"))
    with open(os.path.join(purelib, "test-interpreter.pth"), "w", encoding="utf-8") as handle:
        handle.write(sysconfig.get_paths()["purelib"] + "\n")
    return python
