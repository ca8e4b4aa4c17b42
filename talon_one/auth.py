"""Credentials on the wire: the API key header and signed requests.

An operation lists the security schemes its spec accepts ('api_key_v1',
'integration_auth'). The API key is used when one is configured and accepted;
otherwise the request is signed:

    Content-Signature: signer=<application id>; signature=<hex HMAC-MD5 of the body>

keyed with bytes.fromhex(<application key>), over the exact body bytes sent
(b"" when there is none). When no accepted credential is configured the call
fails with MissingCredentialsError before anything is sent.
"""

import hashlib
import hmac

from talon_one.configuration import API_KEY_HEADER, API_KEY_PREFIX, SIGNATURE_HEADER, check_header_value
from talon_one.exceptions import MissingCredentialsError

__all__ = ["API_KEY_SCHEME", "SIGNATURE_SCHEME", "sign_body", "api_key_header", "auth_header",
           "redact_headers", "REDACTED"]

API_KEY_SCHEME = "api_key_v1"
SIGNATURE_SCHEME = "integration_auth"

REDACTED = "<redacted>"
_SECRET_HEADERS = frozenset(("authorization", "content-signature", "proxy-authorization",
                             "cookie", "set-cookie"))


def sign_body(application_id, signing_key, body):
    """The Content-Signature value for `body` (bytes)."""
    digest = hmac.new(signing_key, body, hashlib.md5).hexdigest()
    return "signer=%d; signature=%s" % (application_id, digest)


def api_key_header(configuration):
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
    cached = configuration._auth_cache
    if cached is not None and cached[0] is key and cached[1] is prefix:
        return cached[2]
    value = _build_api_key_header(key, prefix)
    configuration._auth_cache = (key, prefix, value)
    return value


def _build_api_key_header(key, prefix):
    check_header_value("the API key (Configuration.api_key['Authorization'])", key)
    if prefix:
        check_header_value("Configuration.api_key_prefix['Authorization']", prefix)
    elif " " not in key.strip():
        prefix = API_KEY_PREFIX  # the service requires it; the official SDK made users add it
    return "%s %s" % (prefix, key.strip()) if prefix else key.strip()


def auth_header(configuration, auth_settings, body, operation):
    """The (header name, value) that authenticates `body` for an operation accepting `auth_settings`.

    `operation` (e.g. 'PUT /v2/customer_sessions/{customerSessionId}') names the
    call in the error raised when no accepted credential is configured.
    Returns None when the operation needs no authentication.
    """
    if not auth_settings:
        return None
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


def _missing_credentials_message(configuration, auth_settings, operation):
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


def redact_headers(headers):
    """A copy of `headers` with credential values replaced, for logs."""
    return {name: (REDACTED if name.lower() in _SECRET_HEADERS else value)
            for name, value in headers.items()}
