"""Smoke test of an installed talon_one wheel, run by .ci/package-check from outside the source tree.

    python -I smoke_installed.py bare    # installed as `pip install talon_one-*.whl`
    python -I smoke_installed.py all     # installed as `pip install 'talon_one-*.whl[all]'`

Checks that the package comes from site-packages with its data files (py.typed, the fake's
spec), its entry points and exactly the dependencies of its extras, that the fake serves a
call through the real transport, and that each extra works when installed and is absent when
not. An extra whose talon_one side is not part of this build is reported on a NOTE line;
listing it in REQUIRED makes its absence an error.

Exit status 0 when every check passed; otherwise an AssertionError names the failed check.
"""

import asyncio
import importlib.metadata
import importlib.util
import os
import subprocess
import sys
import sysconfig

# Extras whose talon_one side (module or setting) must be present, not only their dependency.
REQUIRED = ["requests", "aio", "cli"]

EXTRA_MODULES = {"requests": "requests", "aio": "aiohttp", "cli": "tqdm"}


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def installed(module):
    return importlib.util.find_spec(module) is not None


def note_missing(extra, what):
    check(extra not in REQUIRED, "extra %r: %s is missing from this build" % (extra, what))
    print("NOTE: extra %r: %s is not part of this build; only its dependency was checked" % (extra, what))


def check_package():
    import talon_one

    purelib = os.path.realpath(sysconfig.get_paths()["purelib"])
    location = os.path.realpath(os.path.dirname(talon_one.__file__))
    check(location == os.path.join(purelib, "talon_one"), "talon_one imported from %s, not from %s"
          % (location, purelib))
    check(importlib.metadata.version("talon_one") == talon_one.__version__, "metadata and __version__ differ")
    check(os.path.isfile(os.path.join(location, "py.typed")), "py.typed is not installed")
    check(os.path.getsize(os.path.join(location, "testing", "integration-api.json")) > 0,
          "the fake's spec is not installed")
    plugins = [ep.value for ep in importlib.metadata.distribution("talon_one").entry_points if ep.group == "pytest11"]
    check(plugins == ["talon_one.testing.pytest_plugin"], "pytest plugin entry point: %r" % plugins)
    script = os.path.join(os.path.dirname(sys.executable), "talon-one")
    check(os.access(script, os.X_OK), "the talon-one console script is not installed at %s" % script)
    print("ok: talon_one %s from %s, py.typed, fake spec, pytest plugin, talon-one script"
          % (talon_one.__version__, location))


def check_dependencies(mode):
    requires = importlib.metadata.requires("talon_one") or []
    core = sorted({r.split(";")[0].split("<")[0].split(">")[0].strip() for r in requires if "extra ==" not in r})
    check(core == ["python-dateutil", "urllib3"], "core dependencies: %r" % core)
    for extra, module in EXTRA_MODULES.items():
        present = installed(module)
        check(present == (mode == "all"), "%s is %s with the %s install" % (module, "installed" if present
                                                                           else "missing", mode))
    print("ok: %s install: core dependencies %s; extras' packages %s" % (
        mode, ", ".join(core), "installed" if mode == "all" else "absent"))


def check_fake_call():
    import talon_one
    from talon_one.testing import FakeTalonOne

    with FakeTalonOne() as fake, talon_one.ApiClient(fake.configuration()) as client:
        state = talon_one.IntegrationApi(client).update_customer_session_v2(
            "smoke-1", talon_one.IntegrationRequest(customer_session=talon_one.NewCustomerSessionV2(
                profile_id="customer-1", coupon_codes=["SUMMER10"],
                cart_items=[talon_one.CartItem(name="Shoes", sku="S-1", quantity=1, price=50.0)])))
    effects = [effect.effect_type for effect in state.effects]
    check(effects == ["acceptCoupon", "setDiscount"], "effects from the fake: %r" % effects)
    print("ok: a session update against FakeTalonOne returned %s" % ", ".join(effects))


def check_requests_extra(mode):
    import talon_one
    from talon_one.testing import FakeTalonOne

    with FakeTalonOne() as fake:
        try:
            configuration = talon_one.Configuration(host=fake.base_url, api_key_v1=fake.api_key,
                                                    transport="requests")
            with talon_one.ApiClient(configuration) as client:
                profile = talon_one.IntegrationApi(client).update_customer_profile_v2(
                    "customer-1", {"responseContent": ["customerProfile"]}).customer_profile
        except ImportError as error:  # the extra is missing: the error must name it
            if "talon_one[requests]" in str(error):
                check(mode == "bare", "requests transport with the extra installed: %s" % error)
                print("ok: requests transport without the extra: %s" % error)
                return
            raise
        check(mode == "all" and profile.integration_id == "customer-1", "requests transport answered %r" % profile)
        print("ok: requests transport: a call against the fake")


def check_aio_extra(mode):
    if not installed("talon_one.aio"):
        return note_missing("aio", "talon_one.aio")
    import talon_one
    from talon_one.testing import FakeTalonOne

    async def call(configuration):
        from talon_one.aio import AsyncApiClient, AsyncIntegrationApi

        async with AsyncApiClient(configuration) as client:
            state = await AsyncIntegrationApi(client).update_customer_profile_v2(
                "customer-1", {"responseContent": ["customerProfile"]})
            return state.customer_profile.integration_id

    with FakeTalonOne() as fake:
        try:
            answer = asyncio.run(call(fake.configuration()))
        except ImportError as error:
            check(mode == "bare" and "talon_one[aio]" in str(error), "aio client: %s" % error)
            print("ok: talon_one.aio without the extra: %s" % error)
            return
    check(mode == "all" and answer == "customer-1", "aio client answered %r" % answer)
    print("ok: talon_one.aio: a call against the fake")


def check_cli_extra(mode):
    if not installed("talon_one.cli"):
        return note_missing("cli", "talon_one.cli (the talon-one console script's module)")
    script = os.path.join(os.path.dirname(sys.executable), "talon-one")
    result = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=60)
    check(result.returncode == 0 and "usage" in result.stdout.lower(),
          "talon-one --help exited %s: %s%s" % (result.returncode, result.stdout, result.stderr))
    print("ok: talon-one --help (%s install)" % mode)


def main(argv):
    if len(argv) != 2 or argv[1] not in ("bare", "all"):
        sys.exit("usage: python -I smoke_installed.py bare|all")
    mode = argv[1]
    check(not os.path.exists(os.path.join(os.getcwd(), "talon_one")), "run this outside the source tree")
    check_package()
    check_dependencies(mode)
    check_fake_call()
    check_requests_extra(mode)
    check_aio_extra(mode)
    check_cli_extra(mode)
    print("smoke test (%s install): all checks passed" % mode)


if __name__ == "__main__":
    main(sys.argv)
