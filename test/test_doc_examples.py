"""Every ```python block in README.md and docs/*.md runs, against the in-memory fake API.

How a file's blocks are run (the rules a documentation writer needs to know):

- The blocks of one file run in document order in one shared namespace, as a reader would
  type them into one session: a block may use names an earlier block of the same file
  defined (`api`, `request`, ...). Each file starts with an empty namespace and a fresh
  `talon_one.testing.FakeTalonOne`.
- Placeholders need no editing. The fake is started with the documentation's placeholder
  API key, "YOUR_API_KEY", and the deployment URL written in a block,
  "https://mycompany.talon.one" (any "https://<name>.talon.one"), is replaced in the block's
  text by the fake's base URL before the block is compiled. `TALON_ONE_BASE_URL` and
  `TALON_ONE_API_KEY` point at the fake too, for `Configuration.from_env()`. Nothing in
  talon_one is patched: blocks run the real Configuration, ApiClient and HTTP transport.
  (A text substitution, visible here, was chosen over patching Configuration defaults,
  which would change what the blocks test.)
- A block preceded, on the line right before its fence, by `<!-- not run: <reason> -->` is
  not run; the reason is required. Use it for illustrative fragments only.
- A block fails when it raises (DeprecationWarning aside: deprecated operations are
  documented too) or prints "Exception when calling" (how the generated per-operation
  examples report an ApiException). Tracebacks name the Markdown file and its line.
- In docs/IntegrationApi.md, each example's own call (its last request) must be answered
  with a 2xx by the fake: the examples use data the fake has by default (codegen/examples.py).
"""

import collections
import contextlib
import glob
import io
import os
import re
import warnings

import pytest

from talon_one.testing import FakeTalonOne

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLACEHOLDER_API_KEY = "YOUR_API_KEY"
DEPLOYMENT_URL = re.compile(r"https://[A-Za-z0-9-]+\.talon\.one")
NOT_RUN = re.compile(r"<!-- not run: (\S.*?) -->")
ERROR_PRINTED = "Exception when calling"

Block = collections.namedtuple("Block", "line code not_run_reason")


def python_blocks(text):
    """The ```python blocks of a Markdown text: (line of the first code line, code, reason not run or None)."""
    lines = text.splitlines()
    blocks = []
    index = 0
    while index < len(lines):
        fence = lines[index]
        if fence.strip() != "```python":
            index += 1
            continue
        indent = fence[:len(fence) - len(fence.lstrip())]
        end = index + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        if end == len(lines):
            raise ValueError("line %d: ```python block is never closed" % (index + 1))
        before = lines[index - 1].strip() if index else ""
        marker = NOT_RUN.fullmatch(before)
        if marker is None and before.startswith("<!-- not run"):
            raise ValueError("line %d: write the marker as `<!-- not run: <reason> -->`, got %r" % (index, before))
        code = "\n".join(line[len(indent):] if line.startswith(indent) else line for line in lines[index + 1:end])
        blocks.append(Block(index + 2, code, marker.group(1) if marker else None))
        index = end + 1
    return blocks


def run_blocks(path, text, fake):
    """Run the blocks of one Markdown file in one namespace; returns [(block, output, new requests)]."""
    namespace = {"__name__": "__doc_example__"}
    results = []
    for block in python_blocks(text):
        if block.not_run_reason is not None:
            continue
        source = DEPLOYMENT_URL.sub(fake.base_url, block.code)
        # Leading blank lines make tracebacks point at the block's lines in the Markdown file.
        code = compile("\n" * (block.line - 1) + source, path, "exec")
        seen = len(fake.requests)
        output = io.StringIO()
        with contextlib.redirect_stdout(output), warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            exec(code, namespace)
        printed = output.getvalue()
        assert ERROR_PRINTED not in printed, "%s:%d printed an API error:\n%s" % (path, block.line, printed)
        results.append((block, printed, fake.requests[seen:]))
    return results


def _documents():
    paths = ["README.md"] + sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "docs", "*.md")))
    return [p for p in paths if "```python" in _read(p)]


def _read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
        return handle.read()


@pytest.fixture
def doc_fake(monkeypatch):
    """A fresh fake with the docs' placeholder key, and the environment pointing at it."""
    for name in ("TALON_ONE_APPLICATION_ID", "TALON_ONE_APPLICATION_KEY", "TALONONE_ENDPOINT",
                 "TALONONE_APP_ID", "TALONONE_APP_KEY"):
        monkeypatch.delenv(name, raising=False)
    with FakeTalonOne(api_key=PLACEHOLDER_API_KEY) as fake:
        monkeypatch.setenv("TALON_ONE_BASE_URL", fake.base_url)
        monkeypatch.setenv("TALON_ONE_API_KEY", PLACEHOLDER_API_KEY)
        yield fake


@pytest.mark.parametrize("path", _documents())
def test_every_python_block_runs_against_the_fake(path, doc_fake):
    path = path.replace(os.sep, "/")
    results = run_blocks(path, _read(path), doc_fake)
    assert results, "%s has ```python blocks but none ran" % path
    if path == "docs/IntegrationApi.md":
        _check_operation_examples(results)


def _check_operation_examples(results):
    called = []
    for block, _, requests in results:
        operation = re.findall(r"api\.(\w+)\(", block.code)[-1]
        assert requests, "docs/IntegrationApi.md:%d sent nothing" % block.line
        last = requests[-1]
        assert _snake_case(last.operation_id) == operation, (block.line, last.operation_id)
        assert 200 <= last.status <= 299, "docs/IntegrationApi.md:%d: %s answered %s" % (block.line, operation,
                                                                                         last.status)
        called.append(operation)
    assert len(called) == len(set(called)) == 15


def _snake_case(operation_id):
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", operation_id).lower()


# -- the runner itself --------------------------------------------------------

SAMPLE = '''# Sample

```python
import talon_one
configuration = talon_one.Configuration(host="https://mycompany.talon.one", api_key_v1="YOUR_API_KEY")
```

<!-- not run: needs a real deployment -->
```python
raise RuntimeError("a block marked not run must not run")
```

- In a list:

  ```python
  with talon_one.ApiClient(configuration) as api_client:
      state = talon_one.IntegrationApi(api_client).update_customer_profile_v2(
          "customer-1", {"responseContent": ["customerProfile"]})
  print(state.customer_profile.integration_id)
  ```
'''


def test_the_runner_skips_marked_blocks_shares_names_and_points_placeholders_at_the_fake(doc_fake):
    blocks = python_blocks(SAMPLE)
    assert [(b.line, b.not_run_reason) for b in blocks] == [(4, None), (10, "needs a real deployment"), (16, None)]
    results = run_blocks("SAMPLE.md", SAMPLE, doc_fake)
    assert [block.line for block, _, _ in results] == [4, 16]
    assert results[1][1] == "customer-1\n"
    assert [(r.method, r.path, r.status) for r in doc_fake.requests] == [("PUT", "/v2/customer_profiles/customer-1",
                                                                          200)]


def test_a_failing_block_is_reported_at_its_line_in_the_markdown_file(doc_fake):
    text = "Intro\n\n```python\nx = 1\nundefined_name\n```\n"
    with pytest.raises(NameError) as error:
        run_blocks("BROKEN.md", text, doc_fake)
    frame = error.traceback[-1]
    assert (str(frame.path), frame.lineno + 1) == ("BROKEN.md", 5)


def test_an_api_error_printed_by_an_example_fails_it(doc_fake):
    text = ("```python\nimport talon_one\n"
            "api = talon_one.IntegrationApi(talon_one.ApiClient(talon_one.Configuration.from_env()))\n"
            "try:\n    api.get_customer_inventory('nobody')\nexcept talon_one.ApiException as e:\n"
            "    print('Exception when calling IntegrationApi->get_customer_inventory: %s' % e)\n```\n")
    with pytest.raises(AssertionError, match=r"MISSING.md:2 printed an API error:\n.*\(404\)"):
        run_blocks("MISSING.md", text, doc_fake)


def test_a_malformed_marker_is_refused():
    with pytest.raises(ValueError, match="line 1: write the marker as"):
        python_blocks("<!-- not run -->\n```python\npass\n```\n")
