"""The bulk benchmark's floor: a profile sync in plain urllib3 and json, as a short script would do it.

    python -m benchmarks.bulk_floor FILE WORKERS     (TALON_ONE_BASE_URL and TALON_ONE_API_KEY set)

Reads the JSONL file line by line, sends 1,000 profiles per PUT /v2/customer_profiles?silent=yes
from WORKERS threads with at most 2 requests per worker queued (so memory stays bounded, as in
talon_one.bulk), and stops on the first error. No validation, no retries, no report.
"""

import json
import os
import sys
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

import urllib3


def main():
    path, workers = sys.argv[1], int(sys.argv[2])
    url = os.environ["TALON_ONE_BASE_URL"].rstrip("/") + "/v2/customer_profiles?silent=yes"
    headers = {"Content-Type": "application/json", "Authorization": "ApiKey-v1 " + os.environ["TALON_ONE_API_KEY"]}
    http = urllib3.PoolManager(maxsize=workers)

    def send(profiles):
        body = json.dumps({"customerProfiles": profiles}).encode("utf-8")
        response = http.request("PUT", url, body=body, headers=headers)
        if response.status >= 300:
            raise RuntimeError("%d %s" % (response.status, response.data[:200]))

    pending = set()
    with ThreadPoolExecutor(workers) as pool, open(path, encoding="utf-8") as rows:
        chunk = []
        for line in rows:
            chunk.append(json.loads(line))
            if len(chunk) == 1000:
                while len(pending) >= 2 * workers:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        future.result()
                pending.add(pool.submit(send, chunk))
                chunk = []
        if chunk:
            pending.add(pool.submit(send, chunk))
        for future in pending:
            future.result()


if __name__ == "__main__":
    main()
