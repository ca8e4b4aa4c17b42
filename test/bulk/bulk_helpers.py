"""Helpers shared by the bulk job and command line tests."""


def profiles(count, start=0):
    """`count` profile rows as dicts with JSON keys: c<start> ... with one attribute each."""
    return [{"integrationId": "c%d" % i, "attributes": {"n": i}} for i in range(start, start + count)]


def sent_profile_ids(fake):
    """Integration IDs in every bulk profile request the fake received, in order (repeats kept)."""
    return [item["integrationId"] for request in fake.requests if request.path == "/v2/customer_profiles"
            for item in (request.json or {}).get("customerProfiles", [])]
