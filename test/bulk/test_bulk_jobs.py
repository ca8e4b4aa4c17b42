"""talon_one.bulk against the fake: chunking, validation, partial failures, the shared 429
pause, 401/403, unknown outcomes and resuming."""

import itertools
import pickle
import threading
import time

import pytest
from urllib3.util.retry import Retry

import talon_one
from talon_one import bulk
from talon_one.testing import Fault

from bulk_helpers import profiles, sent_profile_ids


# --- chunking ---------------------------------------------------------------

def test_profiles_are_sent_in_chunks_of_the_specs_limit(fake, api):
    report = bulk.update_customer_profiles(api, profiles(2500))

    assert sorted(len(r.json["customerProfiles"]) for r in fake.requests) == [500, 1000, 1000]
    assert all(r.method == "PUT" and r.query == {"silent": "yes"} for r in fake.requests)
    assert sorted(sent_profile_ids(fake)) == sorted("c%d" % i for i in range(2500))
    assert len(fake.profiles) == 2500 and fake.profiles["c7"]["attributes"] == {"n": 7}
    assert (report.read, report.sent, report.accepted, report.failed) == (2500, 2500, 2500, 0)
    assert report.ok and report.next_offset == 2500 and report.requests == 3 and report.failures == []


def test_the_chunk_limit_comes_from_the_spec(api, fake):
    limit = talon_one.MultipleCustomerProfileIntegrationRequest._constraints["customer_profiles"]["max_items"]
    assert limit == 1000 and bulk.JOBS["profiles"].max_chunk == limit
    with pytest.raises(talon_one.ApiValueError, match=r"chunk_size must be an integer from 1 to 1000 \(the spec's "
                                                      r"maxItems for MultipleCustomerProfileIntegrationRequest"):
        bulk.update_customer_profiles(api, profiles(3), chunk_size=1001)
    assert fake.requests == []


def test_smaller_chunks_and_run_rule_engine(fake, api):
    report = bulk.update_customer_profiles(api, profiles(25), chunk_size=10, run_rule_engine=True, workers=2)
    assert sorted(len(r.json["customerProfiles"]) for r in fake.requests) == [5, 10, 10]
    assert all(r.query == {} and r.status == 200 for r in fake.requests)  # integration states answered
    assert report.accepted == 25


def test_models_and_field_names_are_accepted(fake, api):
    rows = [talon_one.MultipleCustomerProfileIntegrationRequestItem(integration_id="m1", attributes={"a": 1}),
            {"integration_id": "m2"}]
    assert bulk.update_customer_profiles(api, rows).accepted == 2
    assert set(fake.profiles) == {"m1", "m2"}


# --- streaming --------------------------------------------------------------

def test_with_skip_invalid_the_input_is_read_lazily_and_in_flight_work_is_bounded(fake, api):
    pulled = itertools.count()
    seen = []

    def rows():
        for row in profiles(6000):
            seen.append(next(pulled))
            yield row

    ahead = []
    report = bulk.update_customer_profiles(api, rows(), chunk_size=100, workers=2, skip_invalid=True,
                                           on_progress=lambda p: ahead.append(len(seen) - p.done))
    assert report.accepted == 6000 and len(ahead) == 60
    # Never more than the queued chunks (2 per worker) and the one being filled ahead of what is done.
    assert max(ahead) <= (2 * bulk.QUEUED_PER_WORKER + 1) * 100


def test_a_one_shot_iterator_is_checked_whole_before_the_first_request(fake, api):
    requests_when_last_row_read = []

    def rows():
        yield from profiles(2999)
        requests_when_last_row_read.append(len(fake.requests))
        yield {"integrationId": "last"}

    report = bulk.update_customer_profiles(api, rows())
    assert requests_when_last_row_read == [0]
    assert report.accepted == 3000 and report.total == 3000 and "last" in fake.profiles


def test_a_reiterable_input_is_read_twice_and_not_copied(fake, api, tmp_path):
    path = tmp_path / "profiles.jsonl"
    path.write_text("".join('{"integrationId": "f%d"}\n' % i for i in range(1500)))
    source = bulk.read_rows(str(path))
    assert isinstance(source, bulk.RowSource) and iter(source) is not source

    reads = []
    original = bulk.RowSource.__iter__

    def counting(self):
        reads.append(1)
        return original(self)

    bulk.RowSource.__iter__ = counting
    try:
        report = bulk.update_customer_profiles(api, source)
    finally:
        bulk.RowSource.__iter__ = original
    assert len(reads) == 2 and report.accepted == 1500 and len(fake.profiles) == 1500


class ChangesBetweenReads:
    """An input that reads differently the second time, as a file rewritten during a job would."""

    def __init__(self, first, second):
        self.reads = [first, second]

    def __iter__(self):
        return iter(self.reads.pop(0))


def test_rows_that_changed_since_the_check_are_refused_not_sent(fake, api):
    rows = ChangesBetweenReads(profiles(20), profiles(10) + [{"integrationId": 5}] + profiles(9, start=11))
    report = bulk.update_customer_profiles(api, rows, chunk_size=10, workers=1)
    [failure] = report.failures
    assert failure.offset == 10 and isinstance(failure.error, talon_one.ApiTypeError)
    assert "MultipleCustomerProfileIntegrationRequestItem.integration_id must be a string" in str(failure.error)
    assert report.accepted == 10 and report.sent == 10 and len(fake.requests) == 1


# --- validation ---------------------------------------------------------------

def test_invalid_rows_stop_the_job_before_anything_is_sent(fake, api):
    rows = profiles(1500) + [{"integrationId": 42}, {"attributes": {}}, "c9"]
    with pytest.raises(bulk.InvalidRowsError) as caught:
        bulk.update_customer_profiles(api, iter(rows))
    error = caught.value
    assert fake.requests == [] and fake.profiles == {}
    assert isinstance(error, talon_one.ApiValueError) and error.read == 1503
    assert [(row.offset, row.line) for row in error.invalid] == [(1500, None), (1501, None), (1502, None)]
    assert "item 1500: MultipleCustomerProfileIntegrationRequestItem.integration_id must be a string, got 42" \
        in str(error)
    assert "MultipleCustomerProfileIntegrationRequestItem.integration_id is required" in error.invalid[1].message
    assert ("a row must be a dict or a MultipleCustomerProfileIntegrationRequestItem, got 'c9'"
            in error.invalid[2].message)


def test_skip_invalid_sends_the_valid_rows_and_reports_the_others(fake, api):
    rows = [{"integrationId": "a"}, {"integrationId": 5}, {"integrationId": "b"}, {"integrationId": None}]
    events = [{"type": "t", "sessionId": "s1", "attributes": {}}, {"type": "", "sessionId": "s2", "attributes": {}}]
    report = bulk.update_customer_profiles(api, rows, skip_invalid=True)
    assert set(fake.profiles) == {"a", "b"} and [r.json["customerProfiles"] for r in fake.requests] == [
        [{"integrationId": "a"}, {"integrationId": "b"}]]
    assert [row.offset for row in report.invalid] == [1, 3]
    assert (report.read, report.accepted, report.next_offset, report.ok) == (4, 2, 4, False)

    event_report = bulk.track_events(api, events, skip_invalid=True)
    assert event_report.accepted == 1 and len(event_report.invalid) == 1
    assert "NewEvent.type must be at least 1 characters long" in event_report.invalid[0].message


def test_dry_validates_everything_and_sends_nothing(fake):
    report = bulk.update_customer_profiles(None, profiles(2500), dry=True)
    assert report.dry and report.ok and report.read == 2500 and report.sent == 0 and report.next_offset == 2500
    assert fake.requests == []
    with pytest.raises(bulk.InvalidRowsError):
        bulk.track_events(None, [{"type": "t"}], dry=True)
    report = bulk.delete_customer_data(None, ["a", 7, ""], dry=True, skip_invalid=True)
    assert [row.offset for row in report.invalid] == [1, 2] and fake.requests == []


def test_bad_arguments_are_refused_before_sending(api, fake):
    for kwargs, message in (({"workers": 0}, "workers must be an integer >= 1"),
                            ({"start_at": -1}, "start_at must be an integer >= 0"),
                            ({"chunk_size": 0}, "chunk_size must be an integer from 1")):
        with pytest.raises(talon_one.ApiValueError, match=message):
            bulk.update_customer_profiles(api, profiles(2), **kwargs)
    with pytest.raises(talon_one.ApiTypeError, match="the rows must be an iterable of rows"):
        bulk.delete_customer_data(api, "c1")
    assert fake.requests == []


# --- failures -------------------------------------------------------------------

def test_one_failing_chunk_does_not_stop_the_others(fake, api):
    fake.inject_faults(Fault.slow(0.001), Fault(status=409))  # the second request fails
    report = bulk.update_customer_profiles(api, profiles(3000), workers=1)

    assert (report.sent, report.accepted, report.failed) == (3000, 2000, 1000)
    [failure] = report.failures
    assert (failure.offset, failure.end, failure.outcome_unknown) == (1000, 2000, False)
    assert isinstance(failure.error, talon_one.ConflictException) and failure.error.status == 409
    assert failure.items[0] == {"integrationId": "c1000", "attributes": {"n": 1000}} and len(failure.items) == 1000
    assert len(fake.profiles) == 2000 and "c1000" not in fake.profiles
    assert report.next_offset == 3000 and not report.ok
    assert "offset 1000) failed: ConflictException: (409)" in str(failure)


def test_failed_chunks_mixing_rows_with_and_without_a_line_are_reported_by_offset(fake, api):
    # Rows given as Row keep their line; plain dicts have none. A chunk mixing both has no line range.
    data = profiles(8)
    rows = [bulk.Row(offset + 1, row) if offset in (0, 1, 2, 4, 5, 6) else row for offset, row in enumerate(data)]
    fake.inject_faults(409, times=3)  # every chunk fails: [R R R] [d R R] [R d]
    report = bulk.update_customer_profiles(api, rows, chunk_size=3, workers=1)

    assert [(f.offset, f.lines) for f in report.failures] == [(0, [1, 2, 3]), (3, None), (6, None)]
    assert [str(f).split(" (")[0] for f in report.failures] == ["lines 1-3", "offset 3", "offset 6"]
    assert report.failed == 8 and report.next_offset == 8 and [f.items for f in report.failures] == [
        data[0:3], data[3:6], data[6:8]]


def test_a_5xx_left_after_the_clients_retries_is_an_unknown_outcome(fake, make_api):
    api = make_api(retries=talon_one.RetryPolicy(max_retries=1, backoff_base=0))
    fake.inject_faults(500, times=2)  # the first chunk: its attempt and its one retry
    report = bulk.update_customer_profiles(api, profiles(1500), workers=1)
    [failure] = report.failures
    assert failure.offset == 0 and failure.outcome_unknown and isinstance(failure.error, talon_one.ServiceException)
    assert report.accepted == 500 and report.outcome_unknown == 1000
    assert len(fake.requests) == 3


def test_events_whose_outcome_is_unknown_are_reported_and_never_sent_again(fake, api):
    events = [{"type": "visit", "sessionId": "s%d" % i, "profileId": "p", "attributes": {"i": i}} for i in range(8)]
    fake.inject_faults(Fault.slow(0.001), Fault.slow(0.001), Fault.dropped_connection())
    report = bulk.track_events(api, events, workers=1)

    assert len(fake.requests) == 8  # the dropped POST was not re-sent, by the client or by the job
    [failure] = report.failures
    assert failure.offset == 2 and failure.outcome_unknown and failure.items == [events[2]]
    assert isinstance(failure.error, talon_one.ApiConnectionError)
    assert report.accepted == 7 and report.outcome_unknown == 1 and report.next_offset == 8


def test_a_read_timeout_is_an_unknown_outcome(fake, make_api):
    api = make_api(read_timeout=0.3)
    fake.inject_faults(Fault.slow(1.0))
    report = bulk.track_events(api, [{"type": "visit", "sessionId": "s1", "attributes": {}}])
    [failure] = report.failures
    assert isinstance(failure.error, talon_one.ApiTimeoutError) and failure.outcome_unknown
    assert len(fake.requests) == 1


def test_401_stops_the_job_and_the_refused_rows_are_not_done(fake, make_api):
    api = make_api(api_key_v1="wrong-key")
    report = bulk.update_customer_profiles(api, profiles(20000), workers=2)
    assert len(fake.requests) <= 2 and all(r.status == 401 for r in fake.requests)
    assert report.stopped.startswith("the service answered 401 (UnauthorizedException)")
    assert isinstance(report.stop_error, talon_one.UnauthorizedException)
    assert report.accepted == 0 and report.failures == [] and report.next_offset == 0 and not report.ok


def test_403_in_the_middle_stops_the_job_and_resume_sends_the_rest_once(fake, api):
    fake.inject_faults(Fault.slow(0.001), Fault(status=403))
    report = bulk.update_customer_profiles(api, profiles(5000), workers=1)
    assert "403 (ForbiddenException)" in report.stopped
    assert report.accepted == 1000 and report.next_offset == 1000 and report.not_sent >= 1000
    assert len(fake.requests) == 2

    resumed = bulk.update_customer_profiles(api, profiles(5000), start_at=report.next_offset)
    assert resumed.ok and resumed.accepted == 4000
    accepted_ids = [i for r in fake.requests if r.status == 204 for i in
                    (item["integrationId"] for item in r.json["customerProfiles"])]
    assert sorted(accepted_ids) == sorted("c%d" % i for i in range(5000))


class RefusingApi(talon_one.IntegrationApi):
    """An IntegrationApi wrapped by an application that raises its own 401, which carries no status."""

    def update_customer_profiles_v2(self, body, **kwargs):
        raise talon_one.UnauthorizedException(reason="the application's token expired")


def test_a_401_without_a_status_still_stops_the_job_with_a_report(fake, api):
    report = bulk.update_customer_profiles(RefusingApi(api.api_client), profiles(10), workers=1)
    assert report.stopped.startswith("the service answered without a status (UnauthorizedException)")
    assert isinstance(report.stop_error, talon_one.UnauthorizedException) and report.stop_error.status is None
    assert report.accepted == 0 and report.next_offset == 0 and not report.ok and fake.requests == []


def test_the_clients_own_retry_rules_hold_in_a_bulk_job(fake, make_api):
    # An urllib3 Retry that lists no status: a 502 is not retried, although PUT is idempotent.
    api = make_api(retries=Retry(total=2, status_forcelist=[]))
    fake.inject_faults(Fault(status=502))
    report = bulk.update_customer_profiles(api, profiles(10), workers=1)
    [failure] = report.failures
    assert isinstance(failure.error, talon_one.ServiceException) and failure.error.status == 502
    assert len(fake.requests) == 1 and report.accepted == 0


def test_the_bulk_retry_policy_leaves_429_to_the_job_and_pickles_with_the_clients_policy():
    from talon_one.bulk._runner import _NoRateLimitRetries
    from talon_one.retries import resolve_policy

    policy = _NoRateLimitRetries(resolve_policy(Retry(total=2, status_forcelist=[502])))
    assert policy.delay_after_status("PUT", 429, 1.0, 0) is None
    assert policy.delay_after_status("PUT", 503, 1.0, 0) == 1.0  # Retry-After honoured, as urllib3 does
    copied = pickle.loads(pickle.dumps(policy))
    assert copied == policy and type(copied.policy) is type(policy.policy) and copied.max_retries == 2
    assert policy.replace(max_retries=5).policy.max_retries == 5


# --- the shared 429 pause ----------------------------------------------------------

class RecordingApi(talon_one.IntegrationApi):
    """The real IntegrationApi, noting when each bulk call started and when it ended, and how."""

    def __init__(self, client):
        super().__init__(client)
        self.calls = []
        self.lock = threading.Lock()

    def update_customer_profiles_v2(self, body, **kwargs):
        started = time.monotonic()
        try:
            result = super().update_customer_profiles_v2(body, **kwargs)
        except talon_one.ApiException as error:
            with self.lock:
                self.calls.append((started, time.monotonic(), error.status))
            raise
        with self.lock:
            self.calls.append((started, time.monotonic(), 204))
        return result


def test_a_429_pauses_every_worker_once_for_retry_after(fake, make_api):
    api = RecordingApi(make_api().api_client)
    fake.inject_faults(Fault.rate_limited(retry_after=0.5))
    report = bulk.update_customer_profiles(api, profiles(1200), chunk_size=100, workers=4)

    assert report.accepted == 1200 and report.ok
    assert report.rate_limited == 1 and report.requests == 13 and len(fake.requests) == 13  # the client did not retry
    [(_, limited_at, _)] = [call for call in api.calls if call[2] == 429]
    later = [started for started, _, _ in api.calls if started > limited_at]
    assert later and min(later) >= limited_at + 0.5 - 0.02  # no worker sent anything during the pause
    assert 0.5 <= report.paused < 0.6


def test_simultaneous_429s_make_one_shared_pause_not_one_each(fake, make_api):
    api = RecordingApi(make_api().api_client)
    # Each 429 is answered after 0.2 s, so the first request of every worker is in flight when the first comes.
    fake.inject_faults(Fault(status=429, retry_after=0.4, delay=0.2), times=4)
    report = bulk.update_customer_profiles(api, profiles(800), chunk_size=100, workers=4)

    assert report.accepted == 800 and report.rate_limited == 4
    limited = [ended for _, ended, status in api.calls if status == 429]
    resumed = [started for started, _, status in api.calls if status == 204]
    assert min(resumed) >= max(limited) + 0.4 - 0.02  # everyone waited for the latest pause, together
    assert report.paused < 0.8  # overlapping pauses count once: not 4 x 0.4 s


def test_a_retry_after_longer_than_the_limit_fails_the_chunk(fake, api):
    fake.inject_faults(Fault.rate_limited(retry_after=bulk.MAX_PAUSE + 1))
    report = bulk.update_customer_profiles(api, profiles(10), workers=1)
    [failure] = report.failures
    assert isinstance(failure.error, talon_one.TooManyRequestsException)
    assert failure.error.retry_after == bulk.MAX_PAUSE + 1 and report.paused == 0


def test_a_request_is_sent_again_up_to_8_times_after_429(fake, api):
    fake.inject_faults(Fault.rate_limited(retry_after=0), times=bulk.RATE_LIMIT_RETRIES)
    report = bulk.update_customer_profiles(api, profiles(10))
    assert bulk.RATE_LIMIT_RETRIES == 8 and report.ok and report.rate_limited == 8 and report.requests == 9

    fake.inject_faults(Fault.rate_limited(retry_after=0), times=bulk.RATE_LIMIT_RETRIES + 1)
    report = bulk.update_customer_profiles(api, profiles(10))
    [failure] = report.failures
    assert isinstance(failure.error, talon_one.TooManyRequestsException) and report.requests == 9


def test_without_retry_after_the_pause_is_half_a_second_to_a_second(fake, api):
    fake.inject_faults(Fault.rate_limited())
    report = bulk.update_customer_profiles(api, profiles(10))
    assert report.ok and report.rate_limited == 1 and 0.5 <= report.paused <= 1.0


# --- resuming ----------------------------------------------------------------------

@pytest.mark.parametrize("workers", [1, 4])
def test_an_interrupted_job_resumes_with_start_at_sending_nothing_twice(fake, api, workers):
    def interrupt_after_three(progress):
        if progress.sent >= 300:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt) as caught:
        bulk.update_customer_profiles(api, profiles(2000), chunk_size=100, workers=workers,
                                      on_progress=interrupt_after_three)
    first = caught.value.bulk_report
    assert 300 <= first.next_offset < 2000 and first.next_offset % 100 == 0
    assert first.accepted == len(sent_profile_ids(fake)) == first.next_offset  # in-flight work was counted

    resumed = bulk.update_customer_profiles(api, profiles(2000), chunk_size=100, start_at=first.next_offset)
    assert resumed.start_at == first.next_offset and resumed.read == 2000 - first.next_offset
    ids = sent_profile_ids(fake)
    assert len(ids) == 2000 and set(ids) == {"c%d" % i for i in range(2000)}


def test_progress_carries_the_contiguous_offset_and_resuming_events_sends_each_once(fake, api):
    events = [{"type": "visit", "sessionId": "s%d" % i, "attributes": {}} for i in range(40)]
    offsets = []

    def stop_half_way(progress):
        offsets.append(progress.next_offset)
        if progress.done >= 20:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt) as caught:
        bulk.track_events(api, events, workers=4, on_progress=stop_half_way)
    assert offsets == sorted(offsets)
    start = caught.value.bulk_report.next_offset
    bulk.track_events(api, events, workers=4, start_at=start)
    sessions = [r.json["sessionId"] for r in fake.requests]
    assert sorted(sessions) == sorted(e["sessionId"] for e in events)  # every event exactly once


# --- the other jobs -------------------------------------------------------------------

def test_audience_changes_in_chunks(fake, api):
    changes = [{"action": "add", "profileIntegrationId": "a%d" % i, "audienceId": 7} for i in range(25)]
    changes.append({"action": "delete", "profileIntegrationId": "a3", "audienceId": 7})
    report = bulk.update_customer_profile_audiences(api, changes, chunk_size=10, workers=1)
    assert report.ok and [len(r.json["data"]) for r in fake.requests] == [10, 10, 6]
    assert all(r.method == "POST" and r.path == "/v2/customer_audiences" for r in fake.requests)
    assert len(fake.profiles) == 25


def test_customer_data_deletion_one_request_per_id(fake, api):
    bulk.update_customer_profiles(api, profiles(3))
    fake.reset()
    bulk.update_customer_profiles(api, profiles(3))
    report = bulk.delete_customer_data(api, ["c0", {"integrationId": "c1"}, "unknown"], workers=2)
    assert report.accepted == 2 and fake.profiles.keys() == {"c2"}
    [failure] = report.failures
    assert failure.items == ["unknown"] and isinstance(failure.error, talon_one.NotFoundException)
    assert sorted(r.path for r in fake.requests if r.method == "DELETE") == [
        "/v1/customer_data/c0", "/v1/customer_data/c1", "/v1/customer_data/unknown"]


# --- reading files -----------------------------------------------------------------------

def test_csv_rows_map_columns_to_fields_and_attributes(tmp_path, fake, api):
    path = tmp_path / "audiences.csv"
    path.write_text("action,profileIntegrationId,audienceId\nadd,p1,7\n\ndelete,p2,x\n")
    rows = list(bulk.read_rows(str(path), job="audiences"))
    assert rows == [bulk.Row(2, {"action": "add", "profileIntegrationId": "p1", "audienceId": 7}),
                    bulk.Row(4, {"action": "delete", "profileIntegrationId": "p2", "audienceId": "x"})]
    with pytest.raises(bulk.InvalidRowsError, match="line 4: CustomerProfileAudienceRequestItem.audience_id must "
                                                    "be an integer, got 'x'"):
        bulk.update_customer_profile_audiences(api, bulk.read_rows(str(path), job="audiences"))

    path = tmp_path / "profiles.csv"
    path.write_text("integrationId,attributes.city,attributes.zip\nc1,Berlin,01067\nc2,,\n")
    assert bulk.update_customer_profiles(api, bulk.read_rows(str(path))).accepted == 2
    assert fake.profiles["c1"]["attributes"] == {"city": "Berlin", "zip": "01067"}
    assert fake.profiles["c2"]["attributes"] == {}


def test_a_csv_column_that_is_no_field_is_a_usage_error(tmp_path):
    path = tmp_path / "profiles.csv"
    path.write_text("integrationID,attributes.city\nc1,Berlin\n")
    with pytest.raises(talon_one.ApiValueError, match=r"CSV column 'integrationID' is not a field of "
                                                      r"MultipleCustomerProfileIntegrationRequestItem \(columns: "
                                                      r"integrationId, attributes.<name>\)"):
        bulk.read_rows(str(path))


def test_jsonl_lines_that_are_not_json_are_invalid_rows_with_their_line(tmp_path, fake, api):
    path = tmp_path / "profiles.jsonl"
    path.write_text('{"integrationId": "a"}\n\n{"integrationId": \n{"integrationId": "b", "attributes": 3}\n')
    with pytest.raises(bulk.InvalidRowsError) as caught:
        bulk.update_customer_profiles(api, bulk.read_rows(str(path)))
    assert [str(row).split(":")[0] for row in caught.value.invalid] == ["line 3", "line 4"]
    assert "not valid JSON" in caught.value.invalid[0].message
    assert ("MultipleCustomerProfileIntegrationRequestItem.attributes must be an object"
            in caught.value.invalid[1].message)
    assert fake.requests == []


def test_csv_with_a_byte_order_mark_quoted_lines_and_repeated_columns(tmp_path):
    path = tmp_path / "events.csv"
    path.write_bytes('\ufefftype,sessionId,attributes.note\nvisit,s1,"two\nlines"\nvisit,s2,plain\n'.encode("utf-8"))
    rows = list(bulk.read_rows(str(path), job="events"))
    assert rows == [bulk.Row(2, {"type": "visit", "sessionId": "s1", "attributes": {"note": "two\nlines"}}),
                    bulk.Row(4, {"type": "visit", "sessionId": "s2", "attributes": {"note": "plain"}})]
    path.write_text("integrationId,integrationId\na,b\n")
    with pytest.raises(talon_one.ApiValueError, match="CSV column 'integrationId' appears more than once"):
        bulk.read_rows(str(path), job="customer-data")


def test_an_api_that_is_not_an_integration_api_is_refused(fake):
    with pytest.raises(talon_one.ApiTypeError, match="api must be a talon_one.IntegrationApi, got None"):
        bulk.update_customer_profiles(None, profiles(1))
    assert fake.requests == []
