"""python -m benchmarks: talon_one against the raw floor, side by side, in one run.

Every measurement runs talon_one and its floor (the same work with urllib3 and
the json module, no models) in alternating order over several rounds and
reports medians, so both see the same machine state. The HTTP server is a
separate process (benchmarks/server.py) answering with canned bytes over
keep-alive connections, so it neither shares the GIL with the client nor
does JSON work.

    python -m benchmarks            everything: the calls, then the bulk job (about 2 minutes)
    python -m benchmarks calls      the call measurements only (about a minute)
    python -m benchmarks aio        the asyncio client against a raw aiohttp floor (benchmarks/aio.py)
    python -m benchmarks bulk       `talon-one profiles sync` on 10,000 and 100,000 profiles (benchmarks/bulk.py)
    python -m benchmarks --quick    fewer rounds, for a smoke test (with any part)
"""

import argparse
import gc
import json
import operator
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc

import urllib3

import talon_one
from benchmarks import bulk, data
from talon_one import model_base

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TARGETS = {
    "decode": ("<=", 1.6),
    "decode and read": ("<=", 3.0),
    "round trip": ("<=", 1.3),
    "encode": ("<=", 1.5),
    "sanitize": ("<=", 1.3),
    "threads": (">=", 0.8),
    "memory": ("<=", 0.8),
    "import": ("<=", 1.2),
    "async round trip": ("<=", 1.3),
    "async concurrent": (">=", 0.8),
}


# --------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------

class Result:
    """Medians of talon_one's and the floor's figures, and the median of their per-round ratios.

    Each round measures both sides back to back, so a per-round ratio compares
    them under the same machine load; its median resists a noisy neighbour
    better than the ratio of the two medians.
    """

    def __init__(self, ours, floor):
        self.ours = statistics.median(ours)
        self.floor = statistics.median(floor)
        self.ratio = statistics.median(o / f for o, f in zip(ours, floor))


def interleaved(ours, floor, number, rounds):
    """Seconds per call of `ours` and `floor` over `rounds` rounds, alternating which goes first."""
    times = {"ours": [], "floor": []}
    ours()
    floor()
    for index in range(rounds):
        order = (("ours", ours), ("floor", floor)) if index % 2 else (("floor", floor), ("ours", ours))
        for name, function in order:
            start = time.perf_counter()
            for _ in range(number):
                function()
            times[name].append((time.perf_counter() - start) / number)
    return Result(times["ours"], times["floor"])


def read_plain(value):
    """The floor's read-back: every value of the parsed JSON."""
    if value.__class__ is dict:
        for item in value.values():
            read_plain(item)
    elif value.__class__ is list:
        for item in value:
            read_plain(item)


def _field_getters():
    """Model class -> a function returning the values of all its fields (effects: typed_props, not props)."""
    getters = {}
    for name in talon_one.models.__all__:
        cls = getattr(talon_one.models, name)
        names = list(cls.openapi_types)
        if cls is talon_one.models.Effect:
            names[names.index("props")] = "typed_props"
        getters[cls] = (operator.attrgetter(*names) if len(names) > 1
                        else lambda obj, name=names[0]: (getattr(obj, name),))
    return getters


FIELD_GETTERS = _field_getters()


def read_models(value):
    """talon_one's read-back: every field of every model, with the same per-value work as read_plain.

    An integration reads an effect's payload through `typed_props` (a model
    decoded on access) rather than the raw `props` dict, so that is what is
    read here, decoding included.
    """
    getter = FIELD_GETTERS.get(value.__class__)
    if getter is not None:
        for item in getter(value):
            read_models(item)
    elif value.__class__ is dict:
        for item in value.values():
            read_models(item)
    elif value.__class__ is list:
        for item in value:
            read_models(item)


def retained_bytes(build):
    """Bytes still allocated (per tracemalloc) by what `build()` returns, once garbage is collected."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = build()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del kept
    return after - before


def start_server():
    process = subprocess.Popen([sys.executable, "-m", "benchmarks.server"], cwd=ROOT, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    port = int(process.stdout.readline())
    return process, "http://127.0.0.1:%d" % port


def stop_server(process):
    process.stdin.close()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --------------------------------------------------------------------------
# The measurements
# --------------------------------------------------------------------------

def bench_decode(rounds):
    """Decoding the 30 KB state (alone, and with every field read back), the same state with 3
    fields the spec does not know on every object, and a 1 MB state."""
    raw = json.dumps(data.integration_state(1), separators=(",", ":")).encode("utf-8")
    unknown = json.dumps(data.with_unknown_fields(data.integration_state(1)), separators=(",", ":")).encode("utf-8")
    big = json.dumps(data.integration_state(35), separators=(",", ":")).encode("utf-8")
    deserialize = model_base.deserialize
    loads = json.loads

    def decode(payload):
        return lambda: deserialize(loads(payload), "IntegrationStateV2")

    def parse(payload):
        return lambda: loads(payload)

    def ours(payload):
        return lambda: read_models(deserialize(loads(payload), "IntegrationStateV2"))

    def floor(payload):
        return lambda: read_plain(loads(payload))

    from talon_one.api_client import _json_decoder  # the client's JSON parser: refuses numbers that overflow
    text = raw.decode("utf-8")
    plain_parse = json.JSONDecoder().decode
    results = {
        "overflow check": interleaved(lambda: _json_decoder.decode(text), lambda: plain_parse(text), 60, rounds),
        "small": interleaved(decode(raw), parse(raw), 60, rounds),
        "unknown": interleaved(decode(unknown), parse(unknown), 40, rounds),
        "small read": interleaved(ours(raw), floor(raw), 60, rounds),
        "unknown read": interleaved(ours(unknown), floor(unknown), 40, rounds),
        "large read": interleaved(ours(big), floor(big), 2, rounds),
    }
    return raw, unknown, big, results


def request_model(n_items=20):
    """The session request built as an integration builds it: models and keywords, validated."""
    payload = data.session_request(n_items)
    session = payload["customerSession"]
    return talon_one.IntegrationRequest(
        customer_session=talon_one.NewCustomerSessionV2(
            profile_id=session["profileId"],
            coupon_codes=session["couponCodes"],
            referral_code=session["referralCode"],
            state=session["state"],
            cart_items=[talon_one.CartItem(**{
                "name": item["name"], "sku": item["sku"], "quantity": item["quantity"], "price": item["price"],
                "category": item["category"], "weight": item["weight"], "height": item["height"],
                "width": item["width"], "length": item["length"], "position": item["position"],
                "attributes": item["attributes"]}) for item in session["cartItems"]],
            additional_costs={name: talon_one.AdditionalCost(price=cost["price"])
                              for name, cost in session["additionalCosts"].items()},
            identifiers=session["identifiers"],
            attributes=session["attributes"],
        ),
        response_content=payload["responseContent"],
    )


def bench_encode(rounds):
    payload = data.session_request(20)
    request = request_model(20)
    assert json.loads(model_base.serialize(request)) == payload
    dumps = json.dumps
    serialize = model_base.serialize

    def floor():
        return dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    sanitize = talon_one.ApiClient().sanitize_for_serialization
    assert sanitize(request) == payload

    validate = interleaved(request.validate, floor, 400, rounds)
    encode = interleaved(lambda: serialize(request), floor, 400, rounds)
    build = interleaved(lambda: serialize(request_model(20)), floor, 100, rounds)
    sanitized = interleaved(lambda: sanitize(request), floor, 400, rounds)
    return len(floor()), validate, encode, build, sanitized


def bench_round_trip(url, rounds):
    payload = data.session_request(20)
    request = request_model(20)
    configuration = talon_one.Configuration(host=url, api_key_v1="bench-key")
    client = talon_one.ApiClient(configuration)
    api = talon_one.IntegrationApi(client)
    http = urllib3.PoolManager(maxsize=8)
    target = url + "/v2/customer_sessions/session-1"
    headers = {"Content-Type": "application/json", "Accept": "application/json",
               "Authorization": "ApiKey-v1 bench-key"}

    def ours():
        return api.update_customer_session_v2("session-1", request)

    def floor():
        response = http.request("PUT", target, body=json.dumps(payload).encode("utf-8"), headers=headers)
        return json.loads(response.data)

    assert isinstance(ours(), talon_one.IntegrationStateV2) and "effects" in floor()
    result = interleaved(ours, floor, 40, rounds)
    return result, (api, client, http, target, headers, payload, request)


def bench_threads(context, rounds, threads=8, calls=40):
    """Calls/s of 8 threads sharing one client, against the floor and against the floor given
    the client's timeouts (sockets with a timeout cost an extra poll and GIL hand-off per read)."""
    api, client, http, target, headers, payload, request = context
    configuration = client.configuration
    http_with_timeouts = urllib3.PoolManager(maxsize=8, timeout=urllib3.Timeout(
        connect=configuration.connect_timeout, read=configuration.read_timeout))

    def ours():
        api.update_customer_session_v2("session-1", request)

    def floor():
        json.loads(http.request("PUT", target, body=json.dumps(payload).encode("utf-8"), headers=headers).data)

    def floor_with_timeouts():
        json.loads(http_with_timeouts.request("PUT", target, body=json.dumps(payload).encode("utf-8"),
                                              headers=headers).data)

    def throughput(call):
        barrier = threading.Barrier(threads + 1)

        def worker():
            barrier.wait()
            for _ in range(calls):
                call()
        workers = [threading.Thread(target=worker) for _ in range(threads)]
        for worker_thread in workers:
            worker_thread.start()
        barrier.wait()
        start = time.perf_counter()
        for worker_thread in workers:
            worker_thread.join()
        return threads * calls / (time.perf_counter() - start)

    sides = (("ours", ours), ("floor", floor), ("timeouts", floor_with_timeouts))
    results = {name: [] for name, _ in sides}
    for _, call in sides:
        throughput(call)
    for index in range(rounds):
        for name, call in sides[index % 3:] + sides[:index % 3]:
            results[name].append(throughput(call))
    http_with_timeouts.clear()
    return Result(results["ours"], results["floor"]), Result(results["ours"], results["timeouts"])


def bench_memory(raw):
    deserialize = model_base.deserialize
    deserialize(json.loads(raw), "IntegrationStateV2")  # import the model modules first: a one-time cost
    ours = [retained_bytes(lambda: deserialize(json.loads(raw), "IntegrationStateV2")) for _ in range(3)]
    floor = [retained_bytes(lambda: json.loads(raw)) for _ in range(3)]
    return Result(ours, floor)


def bench_import(rounds):
    """Import time in fresh interpreters, both sides loading cached bytecode.

    Each interpreter times its own import statement, so the figure is the
    import alone: interpreter start-up and shutdown, which are most of a short
    process's life and vary by milliseconds from run to run, are left out
    (the bare start is reported beside it).

    An installed package has its bytecode compiled at install time. A checkout
    (or PYTHONDONTWRITEBYTECODE=1) would recompile talon_one's sources on every
    start while urllib3 loads its .pyc files, so the interpreters here get a
    private, temporary bytecode cache that the warm-up runs fill.
    """
    cache = tempfile.mkdtemp(prefix="talon_one-bench-pycache-")
    env = dict(os.environ, PYTHONPYCACHEPREFIX=cache)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    timed = "import time; start = time.perf_counter(); import %s; print(time.perf_counter() - start)"

    def import_seconds(modules):
        output = subprocess.run([sys.executable, "-c", timed % modules], cwd=ROOT, env=env, check=True,
                                stdout=subprocess.PIPE, text=True).stdout
        return float(output)

    def start_seconds():
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], cwd=ROOT, env=env, check=True)
        return time.perf_counter() - start

    sides = {"ours": lambda: import_seconds("talon_one"), "floor": lambda: import_seconds("urllib3, json"),
             "bare": start_seconds}
    for measure in sides.values():
        measure()  # warm the file system cache and bytecode
    times = {name: [] for name in sides}
    for index in range(rounds):
        names = list(sides) if index % 2 else list(reversed(list(sides)))
        for name in names:
            times[name].append(sides[name]())
    shutil.rmtree(cache, ignore_errors=True)
    return Result(times["ours"], times["floor"]), statistics.median(times["bare"])


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------

def _us(seconds):
    return "%.0f us" % (seconds * 1e6) if seconds < 0.01 else "%.2f ms" % (seconds * 1e3)


def _verdict(kind, ratio):
    if kind not in TARGETS:
        return "", ""
    sign, limit = TARGETS[kind]
    met = ratio <= limit if sign == "<=" else ratio >= limit
    return "%s %.1fx" % (sign, limit), "ok" if met else "MISSED"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("part", nargs="?", choices=("all", "calls", "aio", "bulk"), default="all",
                        help="what to measure (default: all)")
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke test, noisier numbers)")
    args = parser.parse_args(argv)
    if args.part in ("all", "calls"):
        bench_calls(args.quick)
    if args.part in ("all", "aio"):
        if args.part == "all":
            print()
        bench_aio(args.quick)
    if args.part in ("all", "bulk"):
        if args.part == "all":
            print()
        bulk.main(["--quick"] if args.quick else [])


def bench_calls(quick):
    """The call measurements: talon_one against its floor, printed as one table."""
    args = argparse.Namespace(quick=quick)
    rounds = 3 if args.quick else 15
    started = time.perf_counter()
    process, url = start_server()
    try:
        raw, unknown, big, decodes = bench_decode(rounds)
        encoded_size, validate, encode, build, sanitized = bench_encode(rounds)
        round_trip, context = bench_round_trip(url, rounds)
        threads, threads_same_timeouts = bench_threads(context, rounds)
        context[1].close()
        context[2].clear()
    finally:
        stop_server(process)
    memory = bench_memory(raw)
    imports = bench_import(rounds)

    kb_small, kb_unknown, kb_large = len(raw) / 1024, len(unknown) / 1024, len(big) / 1024
    decode_small, decode_large = decodes["small read"], decodes["large read"]
    per_kb_ours = (decode_large.ours / kb_large) / (decode_small.ours / kb_small)
    per_kb_floor = (decode_large.floor / kb_large) / (decode_small.floor / kb_small)
    imports, bare = imports
    rows = [
        ("decode %.1f KB IntegrationStateV2" % kb_small, _us(decodes["small"].ours), _us(decodes["small"].floor),
         decodes["small"].ratio, "decode"),
        ("  its JSON parsing with the overflow check (vs json.loads)",
         _us(decodes["overflow check"].ours), _us(decodes["overflow check"].floor), decodes["overflow check"].ratio, ""),
        ("decode it with 3 unknown fields on every object (%.1f KB)" % kb_unknown, _us(decodes["unknown"].ours),
         _us(decodes["unknown"].floor), decodes["unknown"].ratio, "decode"),
        ("decode %.1f KB IntegrationStateV2, read every field" % kb_small, _us(decode_small.ours),
         _us(decode_small.floor), decode_small.ratio, "decode and read"),
        ("  the same with 3 unknown fields on every object", _us(decodes["unknown read"].ours),
         _us(decodes["unknown read"].floor), decodes["unknown read"].ratio, "decode and read"),
        ("decode %.0f KB state, read every field" % kb_large, _us(decode_large.ours), _us(decode_large.floor),
         decode_large.ratio, "decode and read"),
        ("  cost per KB, %.0f KB vs %.1f KB (linear: ~1.0)" % (kb_large, kb_small), "%.2f" % per_kb_ours,
         "%.2f" % per_kb_floor, None, ""),
        ("encode IntegrationRequest, 20 cart items (%.1f KB)" % (encoded_size / 1024), _us(encode.ours),
         _us(encode.floor), encode.ratio, "encode"),
        ("  build the models (validated) + encode", _us(build.ours), _us(build.floor), build.ratio, ""),
        ("  validating it before it is sent (Model.validate())", _us(validate.ours), "", None, ""),
        ("ApiClient.sanitize_for_serialization of that request", _us(sanitized.ours), _us(sanitized.floor),
         sanitized.ratio, "sanitize"),
        ("update_customer_session_v2 round trip", _us(round_trip.ours), _us(round_trip.floor),
         round_trip.ratio, "round trip"),
        ("8 threads, one client: calls/s", "%.0f" % threads.ours, "%.0f" % threads.floor, threads.ratio,
         "threads"),
        ("  vs a floor with the client's timeouts (5 s / 30 s)", "%.0f" % threads_same_timeouts.ours,
         "%.0f" % threads_same_timeouts.floor, threads_same_timeouts.ratio, ""),
        ("memory per decoded %.1f KB state" % kb_small, "%.0f KB" % (memory.ours / 1024),
         "%.0f KB" % (memory.floor / 1024), memory.ratio, "memory"),
        ("import talon_one (timed inside a fresh interpreter)", _us(imports.ours), _us(imports.floor),
         imports.ratio, "import"),
    ]
    print("talon_one %s benchmark: Python %s, urllib3 %s, %s, %d CPUs; medians of %d interleaved rounds"
          % (talon_one.__version__, platform.python_version(), urllib3.__version__, platform.machine(),
             os.cpu_count() or 1, rounds))
    print("floors: json.loads (+ reading every value); json.dumps; urllib3 PoolManager + json; "
          "`import urllib3, json`")
    print()
    _print_table(rows)
    print()
    print("bare interpreter start: %s; total benchmark time: %.0f s" % (_us(bare), time.perf_counter() - started))


def _print_table(rows):
    header = ("measurement", "talon_one", "floor", "ratio", "target", "")
    widths = (58, 11, 11, 7, 8, 6)
    print("  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths))))
    print("-" * (sum(widths) + 2 * (len(widths) - 1)))
    for label, ours, floor, ratio, kind in rows:
        target, verdict = _verdict(kind, ratio) if ratio is not None else ("", "")
        cells = (label, ours, floor, "%.2fx" % ratio if ratio is not None else "", target, verdict)
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))))


def bench_aio(quick):
    """The asyncio client against a raw aiohttp floor (benchmarks/aio.py), printed as one table."""
    import aiohttp

    from benchmarks import aio

    rounds = 3 if quick else 15
    started = time.perf_counter()
    process, url = start_server()
    try:
        results = aio.run(url, rounds)
    finally:
        stop_server(process)
    round_trip, concurrent = results["async round trip"], results["async concurrent"]
    threads, hold = results["async vs threads"], results["loop hold"]

    def spread(result):
        return "  per-round ratios %.2f..%.2f" % (result.ratios[0], result.ratios[-1])

    rows = [
        ("async update_customer_session_v2 round trip", _us(round_trip.ours), _us(round_trip.floor),
         round_trip.ratio, "async round trip"),
        (spread(round_trip), "", "", None, ""),
        ("  its transport alone (AiohttpTransport.send + json.loads)", _us(results["transport round trip"].ours),
         _us(results["transport round trip"].floor), results["transport round trip"].ratio, ""),
        ("  the round trip vs a floor with the client's timeouts", _us(results["round trip, floor with timeouts"].ours),
         _us(results["round trip, floor with timeouts"].floor), results["round trip, floor with timeouts"].ratio, ""),
        ("%d concurrent tasks, one client: calls/s" % aio.TASKS, "%.0f" % concurrent.ours, "%.0f" % concurrent.floor,
         concurrent.ratio, "async concurrent"),
        (spread(concurrent), "", "", None, ""),
        ("  vs 8 threads sharing one synchronous ApiClient", "%.0f" % threads.ours, "%.0f" % threads.floor,
         threads.ratio, ""),
        ("event loop held by one %.1f KB decode (vs the sync client's)" % (results["size"] / 1024),
         _us(hold.ours), _us(hold.floor), hold.ratio, ""),
    ]
    print("talon_one.aio %s benchmark: Python %s, aiohttp %s, %s, %d CPUs; medians of %d interleaved rounds"
          % (talon_one.__version__, platform.python_version(), aiohttp.__version__, platform.machine(),
             os.cpu_count() or 1, rounds))
    print("floor: aiohttp ClientSession (same connection limit) + json.dumps / json.loads, no models")
    print()
    _print_table(rows)
    print()
    print("total benchmark time: %.0f s" % (time.perf_counter() - started))


if __name__ == "__main__":
    main()
