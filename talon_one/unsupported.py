"""Names of the official SDK that this SDK keeps without their function, each saying what to do instead.

The official package also carried the Management API (campaigns, coupons,
reports: the back office's API). talon_one covers the Integration API, which
shops call at checkout.
"""

__all__ = ["ManagementApi"]

_MANAGEMENT_API_MESSAGE = (
    "talon_one covers the Integration API only; ManagementApi (the back office's API: campaigns, "
    "coupon creation, reports) is not part of it. Call the Management API over HTTP with a management "
    "key, or keep back-office scripts on the official talon-one-python-sdk in a separate virtual "
    "environment (both packages install the import name talon_one, so they cannot share one)."
)


class ManagementApi:
    """Not available: creating one raises NotImplementedError saying what to use instead."""

    def __init__(self, api_client: object = None, *args: object, **kwargs: object) -> None:
        raise NotImplementedError(_MANAGEMENT_API_MESSAGE)
