"""Credentials on the wire: the API key header and signed requests.

An operation lists the security schemes its spec accepts ('api_key_v1',
'integration_auth'). The API key is used when one is configured and accepted;
otherwise the request is signed:

    Content-Signature: signer=<application id>; signature=<hex HMAC-MD5 of the body>

keyed with bytes.fromhex(<application key>), over the exact body bytes sent
(b"" when there is none). When no accepted credential is configured the call
fails with MissingCredentialsError before anything is sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import urllib.parse
from typing import Any, Callable, Collection, Dict, Iterable, List, Mapping, Optional, Set, Tuple, TypeVar, Union

from talon_one.configuration import (API_KEY_HEADER, API_KEY_PREFIX, SIGNATURE_HEADER, Configuration,
                                     check_header_value)
from talon_one.exceptions import MissingCredentialsError

__all__ = ["API_KEY_SCHEME", "SIGNATURE_SCHEME", "sign_body", "api_key_header", "auth_header",
           "redact_headers", "REDACTED", "configured_secrets", "secret_redactor"]

API_KEY_SCHEME = "api_key_v1"
SIGNATURE_SCHEME = "integration_auth"

REDACTED = "<redacted>"
_V = TypeVar("_V")
_SECRET_HEADERS = frozenset(("authorization", "content-signature", "proxy-authorization",
                             "cookie", "set-cookie"))


def sign_body(application_id: int, signing_key: bytes, body: bytes) -> str:
    """The Content-Signature value for `body`, signed with `signing_key` (the application key's bytes)."""
    digest = hmac.new(signing_key, body, hashlib.md5).hexdigest()
    return "signer=%d; signature=%s" % (application_id, digest)


def api_key_header(configuration: Configuration) -> Optional[str]:
    """The Authorization header value ('ApiKey-v1 <key>'), or None when no API key is set.

    Built once per key/prefix change: the result is cached on the configuration
    and reused while the same key and prefix objects are configured.
    """
    if configuration.refresh_api_key_hook is not None:
        configuration.refresh_api_key_hook(configuration)
    keys = configuration.api_key
    key = keys.get(API_KEY_HEADER) or keys.get(API_KEY_SCHEME)
    if not key:
        return None
    prefixes = configuration.api_key_prefix
    prefix = prefixes.get(API_KEY_HEADER) or prefixes.get(API_KEY_SCHEME)
    cached: Optional[Tuple[str, Optional[str], str]] = configuration._auth_cache  # (key, prefix, header value)
    if cached is not None and cached[0] is key and cached[1] is prefix:
        return cached[2]
    value = _build_api_key_header(key, prefix)
    configuration._auth_cache = (key, prefix, value)
    return value


def _build_api_key_header(key: str, prefix: Optional[str]) -> str:
    check_header_value("the API key (Configuration.api_key['Authorization'])", key)
    if prefix:
        check_header_value("Configuration.api_key_prefix['Authorization']", prefix)
    elif " " not in key.strip():
        prefix = API_KEY_PREFIX  # the service requires it; the official SDK made users add it
    return "%s %s" % (prefix, key.strip()) if prefix else key.strip()


def auth_header(configuration: Configuration, auth_settings: Optional[Collection[str]], body: bytes,
                operation: object) -> Optional[Tuple[str, str]]:
    """The (header name, value) that authenticates `body` for an operation accepting `auth_settings`.

    `operation` (e.g. 'PUT /v2/customer_sessions/{customerSessionId}') names the
    call in the error raised when no accepted credential is configured.
    Returns None when the operation needs no authentication.
    """
    if not auth_settings:
        return None
    if configuration.overrides_auth():
        given = _from_auth_settings(configuration, auth_settings)
        if given is not None:
            return given
    if API_KEY_SCHEME in auth_settings:
        value = api_key_header(configuration)
        if value is not None:
            return API_KEY_HEADER, value
    if SIGNATURE_SCHEME in auth_settings:
        credentials = configuration.signing_credentials
        if credentials is not None:
            return SIGNATURE_HEADER, sign_body(credentials[0], credentials[1], body)
        fixed = configuration.api_key.get(SIGNATURE_HEADER) or configuration.api_key.get(SIGNATURE_SCHEME)
        if fixed:  # the official SDK's static value; kept working as it was
            return SIGNATURE_HEADER, check_header_value("Configuration.api_key['Content-Signature']", fixed)
    raise MissingCredentialsError(_missing_credentials_message(configuration, auth_settings, operation))


def _from_auth_settings(configuration: Configuration, accepted: Collection[str]) -> Optional[Tuple[str, str]]:
    """The header a Configuration subclass's get_api_key_with_prefix / auth_settings override gives
    for the first accepted scheme that has a value (the official SDK sent what these return), or None."""
    settings = configuration.auth_settings()
    for scheme in accepted:
        setting = settings.get(scheme)
        if setting and setting.get("value") and setting.get("in", "header") == "header":
            name = setting.get("key") or API_KEY_HEADER
            return name, check_header_value("Configuration.auth_settings()[%r]" % scheme, setting["value"])
    return None


def _missing_credentials_message(configuration: Configuration, auth_settings: Collection[str],
                                 operation: object) -> str:
    accepted = list(auth_settings)
    configured = configuration.describe_auth()
    if accepted == [API_KEY_SCHEME]:
        message = ("%s accepts only an API key (Authorization: ApiKey-v1 <key>), and none is configured"
                   % operation)
        if configured != "none":
            message += " (configured: %s, which this operation does not accept)" % configured
        return message + ". Set Configuration(api_key_v1=...) or TALON_ONE_API_KEY."
    if configuration.application_key and configuration.application_id is None:
        return ("%s: application_key is set but application_id is not; signed requests need both "
                "(or set api_key_v1)." % operation)
    return ("%s: no credentials configured (it accepts %s). Set Configuration(api_key_v1=...), or "
            "application_id= and application_key= for signed requests." % (operation, ", ".join(accepted)))


def redact_headers(headers: Mapping[str, _V]) -> Dict[str, Union[str, _V]]:
    """A copy of `headers` with credential values replaced, for logs."""
    return {name: (REDACTED if name.lower() in _SECRET_HEADERS else value)
            for name, value in headers.items()}


# Shorter secrets are not searched for in response text: redacting every "abc" would garble it.
_SHORTEST_SECRET = 4


def configured_secrets(configuration: Configuration) -> List[str]:
    """The secret strings `configuration` holds: API keys, the application key, the proxy password
    (of Configuration.proxy, and of the environment's proxies when trust_env) and
    Proxy-Authorization credentials (also as the proxy's Basic token)."""
    secrets: List[Optional[str]] = [value for value in configuration.api_key.values() if isinstance(value, str)]
    secrets += [configuration.application_key, configuration.password]
    from talon_one.environment import environment_proxies  # the environment's proxies are redacted alike
    proxies = [configuration.proxy] + list(environment_proxies(configuration).values())
    for proxy in proxies:
        if isinstance(proxy, str) and "@" in proxy:
            userinfo = proxy.partition("://")[2].rsplit("@", 1)[0]
            user, _, password = userinfo.partition(":")
            decoded = "%s:%s" % (urllib.parse.unquote(user), urllib.parse.unquote(password))
            secrets += [password, urllib.parse.unquote(password),
                        base64.b64encode(decoded.encode("latin-1", "replace")).decode("ascii")]
    for name, value in (configuration.proxy_headers or {}).items():
        if name.lower() == "proxy-authorization" and isinstance(value, str):
            secrets += [value, value.partition(" ")[2]]
    return sorted({secret.strip() for secret in secrets if isinstance(secret, str)
                   and len(secret.strip()) >= _SHORTEST_SECRET}, key=len, reverse=True)


def secret_redactor(secrets: Iterable[str]) -> Callable[[Any], Any]:
    """A function that replaces `secrets` in text (also JSON-escaped or percent-encoded, in any
    letter case) by REDACTED, in strings, bytes (decoded as UTF-8) and the strings inside dicts
    and lists. With no secrets it returns values as they are."""
    variants: Set[str] = set()
    for secret in secrets:
        variants.update((secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1],
                         secret.replace("/", "\\/"), urllib.parse.quote(secret, safe=""),
                         urllib.parse.quote_plus(secret)))
    if not variants:
        return lambda value: value
    pattern = re.compile("|".join(re.escape(variant) for variant in sorted(variants, key=len, reverse=True)),
                         re.IGNORECASE)

    def redact(value: Any) -> Any:
        if isinstance(value, (bytes, bytearray)):
            value = bytes(value).decode("utf-8", "replace")
        if isinstance(value, str):
            return pattern.sub(REDACTED, value)
        if isinstance(value, dict):
            return {redact(key): redact(item) for key, item in value.items()}
        if isinstance(value, list):
            return [redact(item) for item in value]
        return value

    return redact
