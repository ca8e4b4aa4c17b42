"""Fixtures for the FakeTalonOne tests.

Every response that goes through the ``api`` fixture is checked against the
spec (spec/integration-api.json, the source of truth, not the package's copy)
with openapi-schema-validator: an independent validator, so a mistake shared
by the fake's own validator and its responses cannot hide.
"""

import hashlib
import hmac
import json
import re
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import urllib3
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

# talon_one_fake, talon_one_promotions and talon_one_fake_server come from the package's pytest
# plugin, registered by its pytest11 entry point when the package is installed.

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO_ROOT / "spec" / "integration-api.json"
SPEC_URI = "urn:talon-one:integration-api"
NO_BODY = object()


def load_spec() -> Dict[str, Any]:
    return json.loads(SPEC_PATH.read_bytes())


class SpecChecker:
    """Validates responses against the operation's declared response schema, and effect props against x-effect-types."""

    def __init__(self, spec: Dict[str, Any]) -> None:
        self.spec = spec
        self.registry = Registry().with_resource(SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT4))
        self.routes = []
        for template, methods in spec["paths"].items():
            pattern = "^" + re.sub(r"\{\w+\}", "[^/]+", template) + "$"
            literal = sum(1 for part in template.split("/") if part and not part.startswith("{"))
            for method, operation in methods.items():
                self.routes.append((literal, re.compile(pattern), method.upper(), operation))
        self.routes.sort(key=lambda route: -route[0])
        self.checked = 0

    def schema_errors(self, instance: Any, schema_name: str) -> List[str]:
        validator = OAS30Validator(
            {"$ref": f"{SPEC_URI}#/components/schemas/{schema_name}"},
            registry=self.registry,
            format_checker=oas30_format_checker,
        )
        return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)]

    def operation_for(self, method: str, path: str) -> Optional[Dict[str, Any]]:
        matching = [route for route in self.routes if route[1].match(path)]
        if not matching:
            return None
        best = matching[0][0]
        for literal, _, route_method, operation in matching:
            if literal == best and route_method == method:
                return operation
        return None

    def check(self, method: str, path: str, status: int, headers: Any, data: bytes) -> None:
        operation = self.operation_for(method, path)
        declared = operation["responses"].get(str(status)) if operation else None
        if declared is not None and "content" not in declared:
            assert data == b"", f"{status} must have no body"
            self.checked += 1
            return
        if declared is not None:
            ref = declared["content"]["application/json"]["schema"]["$ref"]
            schema_name = ref.rsplit("/", 1)[1]
        else:
            # Statuses outside the operation's list (unknown path, 405, injected 429/5xx) carry an ErrorResponse.
            assert status >= 400, f"undeclared success status {status} for {method} {path}"
            schema_name = "ErrorResponse"
        assert headers.get("Content-Type") == "application/json"
        body = json.loads(data)
        errors = self.schema_errors(body, schema_name)
        assert not errors, f"{method} {path} -> {status} does not match {schema_name}: {errors}"
        for effect in find_effects(body):
            props_schema = self.spec["x-effect-types"].get(effect["effectType"])
            assert props_schema, f"unknown effect type {effect['effectType']}"
            props_errors = self.schema_errors(effect["props"], props_schema)
            assert not props_errors, f"{effect['effectType']} props: {props_errors}"
        self.checked += 1


def find_effects(value: Any) -> List[Dict[str, Any]]:
    """Every Effect object anywhere in a response body."""
    found = []
    if isinstance(value, dict):
        if "effectType" in value and "props" in value:
            found.append(value)
        for member in value.values():
            found.extend(find_effects(member))
    elif isinstance(value, list):
        for item in value:
            found.extend(find_effects(item))
    return found


class Reply:
    """The status, headers, body and parsed JSON of an urllib3 response."""

    def __init__(self, response) -> None:
        self.status = response.status
        self.headers = response.headers
        self.data = response.data
        self.json = json.loads(self.data) if self.data else None


def sign(application_key: str, body: bytes) -> str:
    """HMAC-MD5 computed independently of the fake."""
    return hmac.new(bytes.fromhex(application_key), body, hashlib.md5).hexdigest()


class Api:
    """A raw HTTP client for the fake; every reply is checked against the spec."""

    def __init__(self, fake, checker: SpecChecker, pool: urllib3.PoolManager) -> None:
        self.fake = fake
        self.checker = checker
        self.pool = pool

    def request(
        self,
        method: str,
        path: str,
        body: Any = NO_BODY,
        *,
        raw: Optional[bytes] = None,
        auth: Optional[str] = "key",
        headers: Optional[Dict[str, str]] = None,
        fields: Optional[Dict[str, str]] = None,
    ) -> Reply:
        """``auth`` is "key", "signature" or None; ``raw`` sends bytes as they are."""
        data = raw if raw is not None else (b"" if body is NO_BODY else json.dumps(body).encode())
        all_headers = {"Content-Type": "application/json"}
        if auth == "key":
            all_headers["Authorization"] = f"ApiKey-v1 {self.fake.api_key}"
        elif auth == "signature":
            signature = sign(self.fake.application_key, data)
            all_headers["Content-Signature"] = f"signer={self.fake.application_id}; signature={signature}"
        all_headers.update(headers or {})
        url = self.fake.base_url + path
        if fields:
            url += "?" + "&".join(f"{name}={value}" for name, value in fields.items())
        response = self.pool.request(
            method,
            url,
            body=data if data or method in ("POST", "PUT") else None,
            headers=all_headers,
            retries=False,
            timeout=10,
        )
        reply = Reply(response)
        self.checker.check(method, path, reply.status, reply.headers, reply.data)
        return reply

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def put(self, path: str, body: Any = NO_BODY, **kwargs: Any) -> Reply:
        return self.request("PUT", path, body, **kwargs)

    def post(self, path: str, body: Any = NO_BODY, **kwargs: Any) -> Reply:
        return self.request("POST", path, body, **kwargs)

    def delete(self, path: str, body: Any = NO_BODY, **kwargs: Any) -> Reply:
        return self.request("DELETE", path, body, **kwargs)

    # Shortcuts for the common calls.

    def session_v2(
        self, session_id: str, response_content: Optional[List[str]] = None, dry: bool = False, **session: Any
    ) -> Reply:
        body: Dict[str, Any] = {"customerSession": session}
        if response_content is not None:
            body["responseContent"] = response_content
        return self.put(f"/v2/customer_sessions/{session_id}", body, fields={"dry": "true"} if dry else None)


@pytest.fixture(scope="session")
def spec() -> Dict[str, Any]:
    return load_spec()


@pytest.fixture(scope="session")
def spec_checker(spec) -> SpecChecker:
    return SpecChecker(spec)


@pytest.fixture(scope="session")
def pool():
    manager = urllib3.PoolManager(maxsize=4)
    yield manager
    manager.clear()


@pytest.fixture
def fake(talon_one_fake):
    return talon_one_fake


@pytest.fixture
def api(fake, spec_checker, pool) -> Api:
    return Api(fake, spec_checker, pool)
