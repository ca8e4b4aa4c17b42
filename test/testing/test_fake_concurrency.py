"""Thread safety: many clients at once, one consistent state."""

import threading

from talon_one.testing import FakeTalonOne

THREADS = 8
CALLS_PER_THREAD = 50


def test_concurrent_clients_see_consistent_state(api, fake):
    accepted_once_only = []
    failures = []

    def client(number):
        try:
            for call in range(CALLS_PER_THREAD):
                if call % 2 == 0:
                    reply = api.session_v2(
                        f"t{number}-s{call}",
                        profileId=f"p{number}",
                        couponCodes=["ONCEONLY"],
                        cartItems=[{"name": "n", "sku": "s", "quantity": 1, "price": 10}],
                        state="closed",
                    )
                    accepted_once_only.extend(e for e in reply.json["effects"] if e["effectType"] == "acceptCoupon")
                else:
                    reply = api.put(f"/v1/customer_profiles/p{number}", {"attributes": {"last": call}})
                assert reply.status == 200
        except Exception as error:  # reported below, with the thread number
            failures.append((number, repr(error)))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []

    closed_per_profile = CALLS_PER_THREAD // 2
    assert len(accepted_once_only) == 1  # a one-use coupon is redeemed exactly once
    assert fake.coupons["ONCEONLY"]["usageCounter"] == 1
    assert len(fake.sessions) == THREADS * closed_per_profile
    profiles = fake.profiles
    assert sorted(profiles) == [f"p{n}" for n in range(THREADS)]
    assert all(p["closedSessions"] == closed_per_profile for p in profiles.values())
    assert all(p["attributes"] == {"last": CALLS_PER_THREAD - 1} for p in profiles.values())
    total_points = sum(fake.loyalty_points(f"p{n}") for n in range(THREADS))
    assert total_points == THREADS * closed_per_profile * 10 - 2  # the one discounted session earns 8
    assert len(fake.requests) == THREADS * CALLS_PER_THREAD
    event_ids = [event["id"] for event in fake.events]
    assert len(event_ids) == len(set(event_ids)) == THREADS * CALLS_PER_THREAD


def test_stop_while_clients_hold_keep_alive_connections():
    import urllib3

    threads_before = {t for t in threading.enumerate() if t.name.startswith("FakeTalonOne")}
    fake = FakeTalonOne().start()
    pools = [urllib3.HTTPConnectionPool("127.0.0.1", fake.port, maxsize=1, retries=False) for _ in range(4)]
    for pool in pools:
        assert pool.request("GET", "/").status == 404
    fake.stop()
    # None of this fake's threads is left (one of an earlier test's may have ended meanwhile).
    assert {t for t in threading.enumerate() if t.name.startswith("FakeTalonOne")} <= threads_before
    for pool in pools:
        pool.close()
