"""talon_one.response_head reads a header block into the same HTTPMessage http.client would make."""

import http.client
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talon_one.response_head import MAX_FIELDS, MAX_LINE, read_header_fields


def _both(head):
    return http.client.parse_headers(io.BytesIO(head)), read_header_fields(io.BytesIO(head))


def _same(expected, ours):
    assert ours.items() == expected.items()
    assert ours.get_payload() == expected.get_payload()
    assert [type(defect) for defect in ours.defects] == [type(defect) for defect in expected.defects]
    assert ours.is_multipart() == expected.is_multipart()
    assert isinstance(ours, http.client.HTTPMessage)


@pytest.mark.parametrize("head", [
    b"Content-Type: application/json\r\nContent-Length: 31000\r\nConnection: keep-alive\r\n\r\n",
    b"A:b\r\nB:  spaces kept at the end  \r\n\r\n",
    b"\r\n",
    b"",
    b"X: bare newlines\n\n",
    b"Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n",
    b"Folded: a\r\n  b\r\n\r\n",
    b"NoColon\r\nA: b\r\n\r\n",
    b"A: b",
    b": empty name\r\n\r\n",
    b"A: latin-1 \xe9\r\n\r\n",
    b"A: next-line \x85 character\r\n\r\n",
    b"A: tab\there\r\n\r\n",
    b"A: lone\rcarriage return\r\n\r\n",
    b"A: b\r\r\n\r\n",
    b"From nobody\r\nA: b\r\n\r\n",
    b"Name With Space: x\r\n\r\n",
    b"Empty:\r\n\r\n",
])
def test_same_message_as_http_client(head):
    _same(*_both(head))


# Lines built from the characters that matter to the parsers: separators, blanks, line ends,
# controls and non-ASCII bytes among ordinary ones.
_line = st.lists(st.sampled_from([b"A", b"b", b"-", b":", b" ", b"\t", b"\r", b"\n", b"\x0b", b"\x85", b"\xe9",
                                  b"From ", b"Content-Length", b"1"]), max_size=12).map(b"".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(_line, max_size=6))
def test_same_message_as_http_client_for_any_block(lines):
    head = b"".join(line + b"\r\n" for line in lines) + b"\r\n"
    expected = http.client.parse_headers(io.BytesIO(head))
    stream = io.BytesIO(head)
    ours = read_header_fields(stream)
    _same(expected, ours)


def test_stops_at_the_end_of_the_head():
    stream = io.BytesIO(b"Content-Length: 4\r\n\r\nbody")
    read_header_fields(stream)
    assert stream.read() == b"body"


def test_same_limits_as_http_client():
    with pytest.raises(http.client.LineTooLong):
        read_header_fields(io.BytesIO(b"A: " + b"x" * MAX_LINE + b"\r\n\r\n"))
    with pytest.raises(http.client.HTTPException, match="got more than %d headers" % MAX_FIELDS):
        read_header_fields(io.BytesIO(b"A: b\r\n" * (MAX_FIELDS + 1) + b"\r\n"))
