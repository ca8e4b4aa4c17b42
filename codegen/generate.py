"""Generate every file, write them, or compare them with what is on disk."""

import os

from codegen import spec
from codegen.render_aio import render_aio
from codegen.render_api import render_api
from codegen.render_docs import render_docs
from codegen.render_models import render_models

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC_PATH = os.path.join(ROOT, "spec", "integration-api.json")

# Directories whose files are all generated: a file there that the generator
# no longer produces is stale and is removed by a regeneration.
GENERATED_DIRS = ("talon_one/models", "docs")
# Generated files in directories that also hold hand-written ones.
GENERATED_FILES = ("talon_one/api/__init__.py", "talon_one/api/integration_api.py",
                   "talon_one/aio/integration_api.py")


def generate(spec_path=SPEC_PATH):
    """{path relative to the repository root: text} for every generated file."""
    api = spec.load(spec_path)
    files = {}
    files.update(render_models(api))
    files.update(render_api(api))
    files.update(render_aio(api))
    files.update(render_docs(api))
    return dict(sorted(files.items()))


def on_disk(root):
    """The generated files currently under `root`: {relative path: text}, None for unreadable."""
    found = {}
    for directory in GENERATED_DIRS:
        base = os.path.join(root, directory)
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for filename in sorted(filenames):
                if filename.endswith(".pyc"):
                    continue
                path = os.path.join(dirpath, filename)
                found[os.path.relpath(path, root).replace(os.sep, "/")] = _read(path)
    for relative in GENERATED_FILES:
        path = os.path.join(root, relative)
        if os.path.exists(path):
            found[relative] = _read(path)
    return found


def differences(root, files):
    """Sorted relative paths that differ between `files` and the tree at `root` (missing, changed, stale)."""
    existing = on_disk(root)
    changed = [path for path, text in files.items() if existing.get(path) != text]
    stale = [path for path in existing if path not in files]
    return sorted(changed + stale)


def write(root, files):
    """Write `files` under `root` and remove stale generated files; return the paths touched."""
    touched = differences(root, files)
    for relative in touched:
        path = os.path.join(root, relative)
        if relative not in files:
            os.remove(path)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(files[relative])
    return touched


def _read(path):
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None
