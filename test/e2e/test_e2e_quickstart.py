"""examples/quickstart.py (the README's first command) runs cleanly, against the fake or a deployment."""

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
QUICKSTART = REPO / "examples" / "quickstart.py"


def run_quickstart(**env_vars):
    """Run the quickstart in a fresh interpreter, without any TALON_ONE_* setting of ours."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("TALON_ONE_", "TALONONE_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update(env_vars)
    # -W error::DeprecationWarning: the quickstart must not use deprecated operations.
    return subprocess.run([sys.executable, "-W", "error::DeprecationWarning", str(QUICKSTART)], env=env,
                          cwd=str(REPO), capture_output=True, text=True, timeout=60)


def test_the_quickstart_runs_the_whole_flow_against_the_fake():
    result = run_quickstart()
    out = result.stdout

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    assert "Traceback" not in out
    assert len(out.splitlines()) < 80
    assert re.search(r"Using a local fake of the API at http://127\.0\.0\.1:\d+", out)
    steps = re.findall(r"^(\d+)\. ", out, re.MULTILINE)
    assert steps == [str(n) for n in range(1, 12)]
    for expected in [
        "audiences: VIP",
        "acceptCoupon  Coupons   coupon SUMMER10 accepted",
        "setDiscount   Coupons   Summer sale 10%: -7.50",
        "Cart 75.00, discounts -7.50, to pay 67.50",
        "Referral friend discount: -5.00",
        "Cart 75.00, discounts -12.50, to pay 62.50",
        "+62 loyalty points",
        "Session qs-session-demo is now closed",
        "Loyalty points  62 points",
        "Customers holding FIVEOFF (get_reserved_customers): qs-grace-demo",
        "profile    1 closed session(s), total sales 62.50",
        "'viewed_newsletter' recorded for qs-grace-demo",
        "get_customer_inventory now answers 404: customer profile 'qs-grace-demo' not found",
        "ApiValueError            CartItem.quantity must be >= 1 (minimum), got 0",
        "NotFoundException (404)  coupon 'NO-SUCH-COUPON' not found",
        "Done: every step worked.",
    ]:
        assert expected in out
    assert "FAILED" not in out
    assert "test-api-key" not in out  # the fake's key is never printed


def test_the_quickstart_uses_the_deployment_named_in_the_environment(fake):
    result = run_quickstart(TALON_ONE_BASE_URL=fake.base_url, TALON_ONE_API_KEY=fake.api_key)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Using %s (API key from TALON_ONE_API_KEY)" % fake.base_url in result.stdout
    assert "local fake" not in result.stdout
    assert fake.api_key not in result.stdout
    assert {r.operation_id for r in fake.requests} == {
        "updateCustomerProfileV2", "createReferral", "updateCustomerSessionV2", "getCustomerInventory",
        "createCouponReservation", "getReservedCoupons", "getReservedCustomers", "trackEvent", "deleteCustomerData"}
    assert {r.status for r in fake.requests} == {200, 204, 404}  # the 404s are the ones the quickstart shows
    assert all(r.headers["Authorization"] == "ApiKey-v1 " + fake.api_key for r in fake.requests)
    # Each run uses its own IDs, so it does not meet the customers of an earlier run.
    assert any(re.fullmatch(r"qs-session-[0-9a-f]{8}", s) for s in fake.sessions)


def test_the_quickstart_explains_a_missing_api_key(fake):
    result = run_quickstart(TALON_ONE_BASE_URL=fake.base_url)

    assert result.returncode == 1
    assert "TALON_ONE_BASE_URL is set but TALON_ONE_API_KEY is not" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert fake.requests == []


def test_the_quickstart_stops_cleanly_on_a_wrong_api_key(fake):
    result = run_quickstart(TALON_ONE_BASE_URL=fake.base_url, TALON_ONE_API_KEY="wrong-key-123")

    assert result.returncode == 1
    assert "Stopped: (401)" in result.stdout
    assert "wrong-key-123" not in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
