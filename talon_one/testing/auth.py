"""The two ways the Integration API authenticates a request.

* ``api_key_v1``: header ``Authorization: ApiKey-v1 <key>``;
* ``integration_auth``: header ``Content-Signature: signer=<applicationId>;
  signature=<hex HMAC-MD5 of the exact body bytes>``, keyed with the
  application key given as hex; an empty body signs the empty string.
"""

import hashlib
import hmac
from typing import Dict, Optional, Protocol, Sequence

class HeaderLookup(Protocol):
    """Request headers looked up by name: a dict, or http.server's (case-insensitive) message."""

    def get(self, name: str) -> Optional[str]:
        """The header's value, or None."""


API_KEY_SCHEME = "api_key_v1"
SIGNATURE_SCHEME = "integration_auth"
API_KEY_PREFIX = "ApiKey-v1 "


def content_signature(application_id: int, application_key: str, body: bytes) -> str:
    """The ``Content-Signature`` header value for ``body``, as a signing client sends it."""
    digest = hmac.new(bytes.fromhex(application_key), body, hashlib.md5).hexdigest()
    return f"signer={application_id}; signature={digest}"


def _parse_signature_header(value: str) -> Dict[str, str]:
    fields: Dict[str, str] = {}
    for part in value.split(";"):
        name, sep, field_value = part.strip().partition("=")
        if sep:
            fields[name.strip().lower()] = field_value.strip()
    return fields


class Credentials:
    """The API key and application secrets the fake accepts; never shown in repr."""

    def __init__(self, api_key: str, application_id: int, application_key: str) -> None:
        bytes.fromhex(application_key)  # fail early on a key that is not hex
        self.api_key = api_key
        self.application_id = application_id
        self.application_key = application_key

    def __repr__(self) -> str:
        return f"Credentials(application_id={self.application_id}, secrets hidden)"

    def api_key_valid(self, authorization: Optional[str]) -> bool:
        if not authorization or not authorization.startswith(API_KEY_PREFIX):
            return False
        presented = authorization[len(API_KEY_PREFIX) :].strip()
        return hmac.compare_digest(presented.encode("utf-8"), self.api_key.encode("utf-8"))

    def signature_valid(self, header: Optional[str], body: bytes) -> bool:
        if not header:
            return False
        fields = _parse_signature_header(header)
        if fields.get("signer") != str(self.application_id):
            return False
        expected = hmac.new(bytes.fromhex(self.application_key), body, hashlib.md5).hexdigest()
        return hmac.compare_digest(
            fields.get("signature", "").lower().encode("ascii", "replace"), expected.encode("ascii")
        )

    def authenticates(self, schemes: Sequence[str], headers: HeaderLookup, body: bytes) -> bool:
        """Whether the request satisfies one of the operation's security schemes."""
        if API_KEY_SCHEME in schemes and self.api_key_valid(headers.get("Authorization")):
            return True
        return SIGNATURE_SCHEME in schemes and self.signature_valid(headers.get("Content-Signature"), body)
