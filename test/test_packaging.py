"""The source distribution builds and installs on its own (setup.py reads files it must carry)."""

import os
import re
import subprocess
import sys
import tarfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run(args, cwd):
    return subprocess.run([sys.executable] + args, cwd=cwd, check=True, capture_output=True, text=True,
                          timeout=120)


def test_sdist_carries_what_setup_py_reads_and_builds_from_itself(tmp_path):
    _run(["setup.py", "-q", "egg_info", "--egg-base", str(tmp_path), "sdist", "--dist-dir", str(tmp_path)],
         ROOT)
    archive, = [name for name in os.listdir(tmp_path) if name.endswith(".tar.gz")]
    with tarfile.open(tmp_path / archive) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
        sdist.extractall(tmp_path / "unpacked", filter="data")
    assert {"setup.py", "requirements.txt", "README.md", "talon_one/testing/integration-api.json",
            "talon_one/models/effect.py", "talon_one/api/integration_api.py", "talon_one/py.typed"} <= names

    unpacked = tmp_path / "unpacked" / archive[:-len(".tar.gz")]
    metadata = _run(["setup.py", "-q", "egg_info", "--egg-base", str(tmp_path)], unpacked)
    assert metadata.returncode == 0
    requires = (tmp_path / "talon_one.egg-info" / "requires.txt").read_text()
    with open(os.path.join(ROOT, "requirements.txt"), encoding="utf-8") as handle:
        expected = [line.strip() for line in handle if line.strip() and not line.startswith("#")]
    assert [_requirement(line) for line in requires.split()] == [_requirement(line) for line in expected]


def test_the_built_package_carries_py_typed(tmp_path):
    """PEP 561: type checkers read an installed package's annotations only when it ships py.typed."""
    _run(["setup.py", "-q", "egg_info", "--egg-base", str(tmp_path), "build_py", "--build-lib", str(tmp_path / "lib")],
         ROOT)
    assert (tmp_path / "lib" / "talon_one" / "py.typed").is_file()
    assert (tmp_path / "lib" / "talon_one" / "models" / "cart_item.py").is_file()


def _requirement(line):
    """(name, {specifiers}): setuptools may reorder 'urllib3>=1.26,<3' as 'urllib3<3,>=1.26'."""
    name, specifiers = re.match(r"([A-Za-z0-9_.-]+)(.*)", line).groups()
    return name.lower(), frozenset(specifiers.split(","))
