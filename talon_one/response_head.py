"""Reading the header fields of an HTTP/1.1 answer (RFC 9112 section 5), quickly.

http.client hands the header block to the email package's feed parser, which
costs about 15 us for three fields, on every call. Nearly every answer is plain
`Name: value` lines of printable ASCII; those are read here with string methods.
Any other block (obsolete line folding, a line without a colon, control or
non-ASCII characters) goes to the email parser exactly as http.client would pass
it. Either way the result is the http.client.HTTPMessage http.client would have
made, with the same fields in the same order (test/runtime/test_response_head.py
compares the two).
"""

from __future__ import annotations

import email.parser
import http.client
import re
from typing import IO, List

__all__ = ["MAX_LINE", "MAX_FIELDS", "read_header_fields", "parse_header_lines"]

# http.client's limits: the longest header line (bytes) and the most lines in a head.
MAX_LINE = 65536
MAX_FIELDS = 100

# A field name as the email parser recognises one: printable ASCII other than ':' (and never a space).
_FIELD_NAME = re.compile("[\x21-\x39\x3b-\x7e]+")
_END_OF_HEAD = (b"\r\n", b"\n", b"")


def read_header_fields(fp: IO[bytes]) -> http.client.HTTPMessage:
    """Read the header block from `fp` (up to and including the empty line) and parse it.

    Raises http.client.LineTooLong for a line over MAX_LINE bytes and
    http.client.HTTPException for more than MAX_FIELDS lines, as http.client does.
    """
    lines: List[bytes] = []
    readline = fp.readline
    while True:
        line = readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise http.client.LineTooLong("header line")
        lines.append(line)
        if len(lines) > MAX_FIELDS:
            raise http.client.HTTPException("got more than %d headers" % MAX_FIELDS)
        if line in _END_OF_HEAD:
            return parse_header_lines(lines)


def parse_header_lines(lines: List[bytes]) -> http.client.HTTPMessage:
    """The HTTPMessage for a header block: `lines` as read, the last one being the end of the head."""
    message = http.client.HTTPMessage()
    for line in lines[:-1]:
        if line[-2:] == b"\r\n":
            text = line[:-2].decode("iso-8859-1")
        elif line[-1:] == b"\n":
            text = line[:-1].decode("iso-8859-1")
        else:
            text = line.decode("iso-8859-1")
        name, colon, value = text.partition(":")
        if not (colon and text.isascii() and text.isprintable() and _FIELD_NAME.fullmatch(name)):
            return _parsed_by_email(lines)
        # The email package's compat32 reading of a field: leading blanks off the value, trailing kept.
        message.set_raw(name, value.lstrip(" \t"))
    message.set_payload("")
    return message


def _parsed_by_email(lines: List[bytes]) -> http.client.HTTPMessage:
    """http.client's own parsing of the block, for anything but plain fields."""
    text = b"".join(lines).decode("iso-8859-1")
    message: http.client.HTTPMessage = email.parser.Parser(_class=http.client.HTTPMessage).parsestr(text)
    return message
