"""Python names for the spec's names.

Two rules live here:

* `snake_case` is the SDK's rule. Acronyms count as one word, a plural
  acronym keeps its "s", and digits stay with the word before them:
  integrationIDs -> integration_ids, campaignID -> campaign_id,
  transactionUUID -> transaction_uuid, InlineResponse2001 -> inline_response2001.
* `legacy_snake_case` is the underscore rule of the openapi-generator
  Python SDK this one replaces (integrationIDs -> integration_i_ds). Where it
  differs, the models accept the legacy spelling as an alias.
"""

import keyword
import re

_WORD = re.compile(r"[A-Z]{2,}s(?![a-z])|[A-Z]+\d*(?![a-z])|[A-Z]?[a-z]+\d*|\d+")
_LEGACY_FIRST = re.compile(r"([A-Z]+)([A-Z][a-z])")
_LEGACY_SECOND = re.compile(r"([a-z\d])([A-Z])")
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*\Z")


def snake_case(name):
    """The SDK's snake_case spelling of a camelCase or PascalCase spec name."""
    words = _WORD.findall(name)
    if "".join(words) != name.replace("_", "").replace("-", ""):
        raise ValueError("cannot derive a Python name from %r" % name)
    result = "_".join(word.lower() for word in words)
    if not _IDENTIFIER.match(result) or keyword.iskeyword(result):
        raise ValueError("%r gives %r, which is not a usable Python name" % (name, result))
    return result


def legacy_snake_case(name):
    """openapi-generator's spelling (its `underscore` rule), kept as an alias where it differs."""
    name = _LEGACY_FIRST.sub(r"\1_\2", name)
    name = _LEGACY_SECOND.sub(r"\1_\2", name)
    return name.replace("-", "_").lower()
