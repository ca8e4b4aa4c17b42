"""The kinds of bulk job: what one row is, how it is checked, and how rows become a request."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, NamedTuple, Optional, Tuple, Type, Union

from talon_one.bulk._report import RowError
from talon_one.exceptions import ApiTypeError, ApiValueError

if TYPE_CHECKING:
    from talon_one.model_base import Model

# One row ready to send: a model of the job's item_model, or an integration ID (item_model None).
Item = Union["Model", str]


def model_class(name: str) -> Type[Model]:
    """The generated model class `name`, imported on first use like the rest of the SDK's models."""
    import talon_one.models
    cls: Type[Model] = getattr(talon_one.models, name)
    return cls


def _max_items(request_model: str, field: str) -> Optional[int]:
    """The spec's maxItems for a request body's list field (read from the generated model)."""
    limit: Optional[int] = model_class(request_model)._constraints.get(field, {}).get("max_items")
    return limit


class Job(NamedTuple):
    """One kind of bulk job.

    name           the job's name in reports
    method         the IntegrationApi method it calls
    item_model     the model one row must match, or None (integration IDs)
    chunked        True: many rows per request (in request_model.field); False: one request per row
    idempotent     whether sending a row twice is harmless (PUT, DELETE)
    """

    name: str
    method: str
    item_model: Optional[str]
    chunked: bool
    idempotent: bool
    request_model: Optional[str] = None
    field: Optional[str] = None

    @property
    def max_chunk(self) -> Optional[int]:
        if not self.chunked:
            return 1
        request_model, field = self._request_field()
        return _max_items(request_model, field)

    def _request_field(self) -> Tuple[str, str]:
        """(request_model, field) of a chunked job: the request body and its list of rows."""
        if self.request_model is None or self.field is None:
            raise TypeError("%s: a chunked job needs request_model and field" % self.name)
        return self.request_model, self.field

    def check(self, data: Any) -> Item:
        """The row as a validated model (or an integration ID string); raises ApiValueError/ApiTypeError."""
        item = self.load(data)
        return item if isinstance(item, str) else item.validate()

    def load(self, data: Any) -> Item:
        """The row as a model (or an integration ID string), not validated: for rows checked before."""
        if isinstance(data, RowError):
            raise ApiValueError(data.message)
        if self.item_model is None:
            return _integration_id(data)
        cls = model_class(self.item_model)
        if isinstance(data, cls):
            return data
        if isinstance(data, dict):
            return cls.from_dict(data)
        raise ApiTypeError("%s: a row must be a dict or a %s, got %s" % (self.item_model, self.item_model,
                                                                         describe(data)))

    def dumps(self, item: Item) -> str:
        """The row as JSON text, as sent (JSON keys)."""
        if isinstance(item, str):
            return json.dumps(item, ensure_ascii=False)
        return item.to_json()

    def to_json(self, item: Item) -> Union[str, Dict[str, Any]]:
        """The row as sent: a JSON object (JSON keys), or the integration ID (kept in failures)."""
        if isinstance(item, str):
            return item
        data: Dict[str, Any] = json.loads(item.to_json())
        return data

    def send(self, api: object, items: List[Item], options: Mapping[str, Any]) -> None:
        """Send `items` through the IntegrationApi method named `method` of `api`, with `options` as keywords."""
        method = getattr(api, self.method)
        if self.chunked:
            request_model, field = self._request_field()
            body = model_class(request_model)(**{field: items})
            method(body, **options)
        else:
            method(items[0], **options)


def _integration_id(data: Any) -> str:
    if isinstance(data, dict) and set(data) <= {"integrationId", "integration_id"} and len(data) == 1:
        data = next(iter(data.values()))
    if not isinstance(data, str) or not data.strip():
        raise ApiValueError("delete_customer_data.integration_id must be a non-empty string "
                            "(or {\"integrationId\": ...}), got %s" % describe(data))
    return data


def describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


JOBS = {
    "profiles": Job("profiles sync", "update_customer_profiles_v2", "MultipleCustomerProfileIntegrationRequestItem",
                     chunked=True, idempotent=True, request_model="MultipleCustomerProfileIntegrationRequest",
                     field="customer_profiles"),
    "events": Job("events track", "track_event", "NewEvent", chunked=False, idempotent=False),
    "audiences": Job("audiences update", "update_customer_profile_audiences", "CustomerProfileAudienceRequestItem",
                      chunked=True, idempotent=False, request_model="CustomerProfileAudienceRequest", field="data"),
    "customer-data": Job("customer-data delete", "delete_customer_data", None, chunked=False, idempotent=True),
}

# Rows per request when the spec sets no limit (update_customer_profile_audiences).
DEFAULT_CHUNK_SIZE = 1000
