"""What users install: the sdist and the wheel `python -m build` makes, and their metadata.

The wheel is built from the sdist (as `python -m build` does by default), so a file missing
from the sdist fails here too. The build runs without isolation, with the setuptools of the
test environment (test-requirements.txt), so the suite needs no network. CI also builds with
isolation, runs `twine check` and installs the wheel into clean virtual environments
(.ci/package-check).
"""

import email.parser
import os
import re
import subprocess
import sys
import tarfile
import zipfile

import pytest

import talon_one

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUPPORTED_PYTHONS = ["3.9", "3.10", "3.11", "3.12", "3.13"]


def _read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as handle:
        return handle.read()


def _requirement_lines(*parts):
    return [line.strip() for line in _read(*parts).splitlines() if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """(build output, sdist path, wheel path) of one `python -m build --no-isolation` run."""
    out = tmp_path_factory.mktemp("dist")
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # else setuptools warns that it skips byte-compiling
    build = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), ROOT],
                           capture_output=True, text=True, timeout=300, env=env)
    assert build.returncode == 0, build.stdout + build.stderr
    [sdist] = sorted(out.glob("*.tar.gz"))
    [wheel] = sorted(out.glob("*.whl"))
    return build.stdout + build.stderr, sdist, wheel


def _wheel_metadata(wheel):
    with zipfile.ZipFile(wheel) as archive:
        [name] = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return email.parser.Parser().parsestr(archive.read(name).decode("utf-8"))


def _wheel_file(wheel, suffix):
    with zipfile.ZipFile(wheel) as archive:
        [name] = [n for n in archive.namelist() if n.endswith(suffix)]
        return archive.read(name).decode("utf-8")


def test_the_build_makes_an_sdist_and_a_wheel_named_after_the_version_without_warnings(dist):
    output, sdist, wheel = dist
    assert sdist.name == "talon_one-%s.tar.gz" % talon_one.__version__
    assert wheel.name == "talon_one-%s-py3-none-any.whl" % talon_one.__version__
    warnings = [line for line in output.splitlines() if re.search(r"warn|deprecat", line, re.I)]
    assert warnings == []


def test_the_wheel_holds_every_file_of_the_package_and_nothing_else(dist):
    _, _, wheel = dist
    in_tree = set()
    for folder, directories, files in os.walk(os.path.join(ROOT, "talon_one")):
        directories[:] = [d for d in directories if d != "__pycache__"]
        for name in files:
            if not name.endswith(".pyc"):
                in_tree.add(os.path.relpath(os.path.join(folder, name), ROOT).replace(os.sep, "/"))
    with zipfile.ZipFile(wheel) as archive:
        in_wheel = {name for name in archive.namelist() if name.startswith("talon_one/")}
        spec_in_wheel = archive.read("talon_one/testing/integration-api.json")
    assert {"talon_one/py.typed", "talon_one/testing/integration-api.json", "talon_one/version.py",
            "talon_one/models/effect.py", "talon_one/api/integration_api.py"} <= in_wheel
    assert in_wheel == in_tree
    with open(os.path.join(ROOT, "talon_one", "testing", "integration-api.json"), "rb") as handle:
        assert spec_in_wheel == handle.read()
    assert "MIT License" in _wheel_file(wheel, ".dist-info/licenses/LICENSE")


def test_the_sdist_carries_the_project_files(dist):
    _, sdist, _ = dist
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"setup.py", "pyproject.toml", "requirements.txt", "README.md", "CHANGELOG.md", "SECURITY.md",
            "LICENSE", "talon_one/py.typed", "talon_one/testing/integration-api.json"} <= names


def test_the_wheel_metadata_declares_dependencies_extras_and_supported_pythons(dist):
    _, _, wheel = dist
    metadata = _wheel_metadata(wheel)
    assert metadata["Name"] == "talon_one"
    assert metadata["Version"] == talon_one.__version__
    assert metadata["License-Expression"] == "MIT"
    assert metadata["Requires-Python"] == ">=3.9"
    classifiers = metadata.get_all("Classifier")
    versions = [c.rsplit(" :: ", 1)[1] for c in classifiers if re.match(r"Programming Language :: Python :: 3\.", c)]
    assert versions == SUPPORTED_PYTHONS
    assert "Typing :: Typed" in classifiers
    assert metadata.get_all("Project-URL")

    requires = metadata.get_all("Requires-Dist")
    core = [_requirement(line) for line in requires if "extra ==" not in line]
    assert core == [_requirement(line) for line in _requirement_lines("requirements.txt")]
    extras = {}
    for line in requires:
        if "extra ==" in line:
            requirement, extra = re.match(r'(.*?);\s*extra == "(\w+)"', line).groups()
            extras.setdefault(extra, set()).add(_requirement(requirement)[0])
    assert metadata.get_all("Provides-Extra") == ["requests", "aio", "cli", "all"]
    assert extras == {"requests": {"requests"}, "aio": {"aiohttp"}, "cli": {"tqdm"},
                      "all": {"requests", "aiohttp", "tqdm"}}


def test_the_wheel_declares_the_console_script_and_the_pytest_plugin(dist):
    _, _, wheel = dist
    entry_points = _wheel_file(wheel, ".dist-info/entry_points.txt")
    assert "[console_scripts]\ntalon-one = talon_one.cli:main\n" in entry_points
    assert "[pytest11]\ntalon_one.testing.pytest_plugin = talon_one.testing.pytest_plugin\n" in entry_points


def test_the_minimum_versions_file_pins_exactly_the_floors_of_requirements_txt_and_the_aio_extra():
    """.ci/minimum-versions.txt (the constraints of the minimum-versions run) cannot drift from the floors:
    those of requirements.txt, then the aio extra's (setup.py), which test-requirements.txt repeats."""
    floors = []
    aio_extra = re.search(r'"aio": \["([^"]+)"\]', _read("setup.py")).group(1)
    assert aio_extra in _requirement_lines("test-requirements.txt")
    for line in _requirement_lines("requirements.txt") + [aio_extra]:
        name, specifiers, marker = _requirement(line)
        [floor] = [s[2:] for s in specifiers if s.startswith(">=")]
        floors.append((name, frozenset(["==" + floor]), marker))
    assert [_requirement(line) for line in _requirement_lines(".ci", "minimum-versions.txt")] == floors


def test_the_version_is_written_in_one_place():
    """talon_one/version.py: setup.py reads it, talon_one and the User-Agent import it (test_request_building)."""
    assert re.fullmatch(r"\d+\.\d+\.\d+", talon_one.__version__)
    assert _read("talon_one", "version.py") == '__version__ = "%s"\n' % talon_one.__version__
    for name in ("setup.py", os.path.join("talon_one", "api_client.py"), os.path.join("talon_one", "__init__.py")):
        assert talon_one.__version__ not in _read(name), name
    assert talon_one.ApiClient().user_agent == "talon_one-python/%s" % talon_one.__version__


def _requirement(line):
    """(name, {specifiers}, marker): setuptools may reorder 'urllib3>=2.8.0,<3' as 'urllib3<3,>=2.8.0'."""
    requirement, _, marker = line.partition(";")
    name, specifiers = re.match(r"\s*([A-Za-z0-9_.-]+)(.*)", requirement).groups()
    specifiers = frozenset(s.strip() for s in specifiers.split(",") if s.strip())
    return name.lower(), specifiers, re.sub(r"\s+", " ", marker.strip().replace("'", '"'))


def test_the_changelog_follows_keep_a_changelog_and_names_the_version():
    text = _read("CHANGELOG.md")
    releases = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", text, re.M)
    assert releases and all(name == "Unreleased" or date for name, date in releases)
    assert [name for name, _ in releases].count("Unreleased") <= 1
    top = text.split("\n## [", 2)[1]
    if releases[0][0] == "Unreleased":
        assert "published as %s" % talon_one.__version__ in top
    else:
        assert releases[0][0] == talon_one.__version__
    kinds = set(re.findall(r"^### (.+)$", text, re.M))
    assert kinds <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}, kinds


def test_security_md_points_at_tests_that_exist():
    """Each promise in SECURITY.md names the tests proving it; a renamed test must not leave a stale pointer."""
    text = _read("SECURITY.md")
    pointers = re.findall(r"`(test/[\w/]+\.py)(?:::(\w+))?`", text)
    assert len(pointers) >= 10
    for path, name in pointers:
        source = _read(*path.split("/"))
        assert not name or re.search(r"^def %s\(" % name, source, re.M), (path, name)
    for name in re.findall(r"`(test_\w+)`", text):
        assert any(re.search(r"^def %s\(" % name, _read(*path.split("/")), re.M) for path, _ in pointers), name
