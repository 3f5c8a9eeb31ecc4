"""Keeping people's data out of the logs.

People's records are special-category health data (UK GDPR article 9), so log lines carry
the method, the path, the status and the time, never a query string (a search box could put
a name or an NHS number there), a request body or a request object a handler could dump.
Paths themselves carry only opaque ids by design (see ``docs/security.md``).
"""

from __future__ import annotations

import logging
import re

# A query string: from "?" up to the next space or quote (the end of the URL in a log line).
_QUERY = re.compile(r"\?[^\s\"']*")


def drop_query_strings(text: str) -> str:
    """``"GET /zones?q=Ada HTTP/1.1"`` -> ``"GET /zones HTTP/1.1"``."""
    return _QUERY.sub("", text)


class DropQueryStrings(logging.Filter):
    """A handler filter: removes query strings from the message and drops the request object.

    The message is formatted here, once, so a query string cannot slip through an argument;
    the ``request`` attribute that Django adds is removed so no formatter or mail handler can
    print its GET or POST data.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call: keep the template, not the args
            message = str(record.msg)
        record.msg, record.args = drop_query_strings(message), ()
        if hasattr(record, "request"):
            record.request = None
        return True
