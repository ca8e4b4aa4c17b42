"""Render talon_one/api/: the IntegrationApi class, one method pair per operation."""

from codegen.render_models import import_line
from codegen.text import HEADER_PY, wrap, wrap_items

_WIDTH = 99
_PY_TYPES = {"bool": "bool", "str": "str", "int": "int", "float": "float"}
# The exception talon_one.exceptions raises for each error status the spec lists.
ERROR_CLASSES = {
    "400": "BadRequestException",
    "401": "UnauthorizedException",
    "403": "ForbiddenException",
    "404": "NotFoundException",
    "409": "ConflictException",
    "429": "TooManyRequestsException",
}


def render_api(api):
    return {
        "talon_one/api/__init__.py": _render_package(),
        "talon_one/api/integration_api.py": _render_module(api),
    }


def _render_package():
    return "\n".join([
        HEADER_PY,
        '"""The operations of the Talon.One Integration API."""',
        "",
        "from talon_one.api.integration_api import IntegrationApi",
        "",
        '__all__ = ["IntegrationApi"]',
        "",
    ])


def constant_name(op):
    return op.name.upper()


def _render_module(api):
    lines = [
        HEADER_PY,
        '"""IntegrationApi: one method (and its `_with_http_info` twin) per operation of the spec."""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import TYPE_CHECKING, Any, Dict, Literal, Optional, Tuple, Union, overload",
        "",
        "from talon_one.api._operation import (",
        "    AsyncResultOf,",
        "    Operation,",
        "    RequestTimeout,",
        "    ResponseHeaders,",
        "    Retries,",
        "    invoke,",
        ")",
        "from talon_one.api_client import ApiClient",
        "",
        "if TYPE_CHECKING:",
    ]
    lines += model_imports(api)
    lines += [
        "",
        "# The operations as data: path, method, parameters (Python name, spec name[, type]),",
        "# body model, response model and the security schemes the spec accepts, in its order.",
    ]
    for op in api.operations:
        lines.append("")
        lines += _operation_constant(op)
    lines += [
        "",
        "",
        "class IntegrationApi:",
        '    """%s' % api.title + ".",
        "",
    ]
    lines += wrap(api.description, "    ", _WIDTH)
    lines += [
        "",
        "        configuration = talon_one.Configuration(host=\"%s\", api_key_v1=KEY)" % api.server,
        "        api = talon_one.IntegrationApi(talon_one.ApiClient(configuration))",
        "        state = api.update_customer_session_v2(\"session-1\", talon_one.IntegrationRequest(...))",
        "",
        "    Each operation has a `_with_http_info` twin returning (data, status, headers).",
        "    Arguments are checked before anything is sent: an unknown keyword raises",
        "    TypeError, an argument of the wrong type ApiTypeError, a missing argument or a",
        "    body that breaks a constraint ApiValueError.",
        "",
        "    With `async_req=True` a method returns an AsyncResult at once (its `.get()` gives",
        "    the result); type checkers see that through the overloads of each method.",
        '    """',
        "",
        "    def __init__(self, api_client: Optional[ApiClient] = None) -> None:",
        "        if api_client is None:",
        "            api_client = ApiClient()",
        "        self.api_client: ApiClient = api_client",
    ]
    for op in api.operations:
        lines.append("")
        lines += _method(api, op, http_info=False)
        lines.append("")
        lines += _method(api, op, http_info=True)
    lines.append("")
    return "\n".join(lines)


def model_imports(api):
    """The imports (under TYPE_CHECKING) of every model an operation takes or returns."""
    models = sorted({name for op in api.operations for name in (op.body, op.return_type) if name},
                    key=lambda name: api.schema(name).module)
    lines = []
    for name in models:
        lines += import_line("talon_one.models.%s" % api.schema(name).module, [name], indent="    ")
    return lines


def _operation_constant(op):
    lines = ["%s = Operation(" % constant_name(op)]
    lines.append('    "%s", "%s", "%s",' % (op.name, op.method, op.path))
    if op.path_parameters:
        items = ['("%s", "%s")' % (p.name, p.spec_name) for p in op.path_parameters]
        lines += wrap_items("path_params=[", items, "],", "    ", _WIDTH)
    if op.query_parameters:
        items = ['("%s", "%s", %s)' % (p.name, p.spec_name, _PY_TYPES[p.type_ref]) for p in op.query_parameters]
        lines += wrap_items("query_params=[", items, "],", "    ", _WIDTH)
    if op.body:
        lines.append('    body="%s",' % op.body)
    if op.return_type:
        lines.append('    response_type="%s",' % op.return_type)
    lines += wrap_items("auth=[", ['"%s"' % name for name in op.security], "],", "    ", _WIDTH)
    if op.replacement:
        lines.append('    replaced_by="%s",' % op.replacement)
    lines.append(")")
    return lines


def _sentence(text):
    text = text.strip()
    return text if not text or text.endswith((".", "!", "?")) else text + "."


def _data_type(op):
    """The annotation of what a call returns: the response model, Optional when a 204 may come, or None."""
    if op.return_type is None:
        return "None"
    return "Optional[%s]" % op.return_type if _empty_response(op) else op.return_type


def _signature(name, leading, options, returns):
    """A method signature, one parameter a line; `options` follow the keyword-only marker."""
    lines = ["    def %s(" % name, "        self,"]
    lines += ["        %s," % item for item in leading]
    lines.append("        *,")
    lines += ["        %s," % item for item in options]
    if len("    ) -> %s: ..." % returns) <= _WIDTH:
        return lines + ["    ) -> %s:" % returns]
    outer, inner = returns.split("[", 1)  # AsyncResultOf[...]: the inner type on a line of its own
    return lines + ["    ) -> %s[" % outer, "        %s" % inner[:-1], "    ]:"]


def _method(api, op, http_info):
    """The overloads a type checker reads (plain, async_req=True, any other mix), then the method."""
    name = op.name + ("_with_http_info" if http_info else "")
    leading = ["%s: str" % p.name for p in op.path_parameters]
    if op.body:
        leading.append("body: Union[%s, Dict[str, Any]]" % op.body)
    query = ["%s: Optional[%s] = None" % (p.name, _PY_TYPES[p.type_ref]) for p in op.query_parameters]
    data = _data_type(op)
    if http_info:
        result = "Tuple[%s, int, ResponseHeaders]" % data
        variants = [
            ("async_req: Optional[Literal[False]] = None", "_return_http_data_only: Literal[False] = False",
             "_preload_content: Literal[True] = True", result),
            ("async_req: Literal[True]", "_return_http_data_only: Literal[False] = False",
             "_preload_content: Literal[True] = True", "AsyncResultOf[%s]" % result),
            ("async_req: Optional[bool] = None", "_return_http_data_only: bool = False",
             "_preload_content: bool = True", "Any"),
        ]
    else:
        variants = [
            ("async_req: Optional[Literal[False]] = None", None, "_preload_content: Literal[True] = True", data),
            ("async_req: Literal[True]", None, "_preload_content: Literal[True] = True",
             "AsyncResultOf[%s]" % data),
            ("async_req: Optional[bool] = None", None, "_preload_content: bool = True", "Any"),
        ]
    lines = []
    for index, (async_req, data_only, preload, returns) in enumerate(variants):
        options = query + [async_req] + ([data_only] if data_only else []) + [
            preload, "_request_timeout: RequestTimeout = None", "_retries: Retries = None"]
        signature = _signature(name, leading, options, returns)
        lines += ["    @overload"] + signature[:-1] + [signature[-1] + " ..."] + [""]
        if index == len(variants) - 1:  # the method itself takes what the last, widest overload takes
            lines += signature
    doc = _twin_doc(op) if http_info else _method_doc(op)
    lines.append('        """' + doc[0])
    lines += [("        " + line).rstrip() for line in doc[1:]]
    lines.append('        """')
    arguments = [p.name for p in op.path_parameters] + (["body"] if op.body else [])
    items = ["self.api_client", constant_name(op), _tuple(arguments), _tuple([p.name for p in op.query_parameters]),
             "async_req", "_preload_content", "_request_timeout", "_retries"]
    if http_info:
        items += ["http_info=True", "data_only=_return_http_data_only"]
    lines += wrap_items("return invoke(", items, ")", "        ", _WIDTH)
    return lines


def _tuple(names):
    return "(%s)" % (", ".join(names) + ("," if len(names) == 1 else ""))


def _method_doc(op, asynchronous=False):
    summary = _sentence(op.summary)
    if op.deprecated:
        summary = summary.rstrip(".") + " (deprecated: use %s)." % op.replacement
    doc = [summary, ""]
    doc += _paragraph(_sentence(op.description))
    if op.deprecated:
        doc.append("")
        doc += _paragraph("Deprecated: calling it emits a DeprecationWarning; use `%s` instead." % op.replacement)
    doc += ["", "Args:"]
    for param in op.path_parameters:
        doc += _item("%s (str): %s" % (param.name, _sentence(param.description)))
    if op.body:
        doc += _item("body (%s): The request body; a dict with the same keys is accepted too (JSON keys or "
                     "field names)." % op.body)
    doc += ["", "Keyword Args:"]
    for param in op.query_parameters:
        doc += _item("%s (%s): %s Optional." % (param.name, _PY_TYPES[param.type_ref], _sentence(param.description)))
    if not asynchronous:
        doc += _item("async_req (bool): Run the call on the client's thread pool; the method then returns an "
                     "AsyncResult, whose `.get(timeout=None)` gives the result (or raises the call's exception).")
        doc += _item("_preload_content (bool): False returns the unread urllib3 response of a 2xx answer (the "
                     "caller releases it).")
    doc += _item("_request_timeout: Seconds for the whole attempt, a (connect, read) pair or an urllib3 "
                 "Timeout; None uses the configuration's timeouts.")
    doc += _item("_retries: Retries after the first attempt (int), a RetryPolicy or None for the "
                 "configuration's policy.")
    doc += ["", "Returns:"]
    doc += _item(_returns(op))
    doc += ["", "Raises:"]
    doc += _item("TypeError: An unknown keyword (raised by Python itself).")
    doc += _item("ApiTypeError: An argument or query parameter of the wrong type.")
    doc += _item("ApiValueError: A missing required argument%s." % (
        ", or a body that breaks a constraint (with client-side validation on)" if op.body else ""))
    errors = ["%s (%s)" % (ERROR_CLASSES[r.status], r.status) for r in op.responses if r.status in ERROR_CLASSES]
    doc += _item("ApiException: The service answered with an error: %s; or did not answer (ApiConnectionError, "
                 "ApiTimeoutError)." % ", ".join(errors))
    if asynchronous:
        doc += _item("RuntimeError: The client is used from an event loop other than its own.")
    return doc


def _twin_doc(op):
    doc = ["`%s`, returning (data, HTTP status, response headers)." % op.name, ""]
    doc += _paragraph("%s Takes the arguments and raises the errors of `%s`%s. The keyword "
                      "`_return_http_data_only=True` makes it return the data only."
                      % (_sentence(op.summary), op.name, ", and is deprecated in the same way" if op.deprecated else ""))
    doc += ["", "Returns:"]
    data = op.return_type or "None"
    doc += _item("tuple: (%s, status, headers)%s." % (
        data, "; data is None for a 204 answer" if op.return_type and _empty_response(op) else ""))
    return doc


def _empty_response(op):
    return next((r for r in op.responses if r.status == "204"), None)


def _returns(op):
    model = op.return_type
    empty = _empty_response(op)
    if model is None:
        return "None: the service answers 204 No Content."
    if empty:
        return "%s: the decoded response; None for a 204 answer (\"%s\")." % (
            model, empty.description)
    return "%s: the decoded response." % model


def _paragraph(text):
    return wrap(text, "", _WIDTH - 8)


def _item(text):
    return wrap(text, "    ", _WIDTH - 8, "        ")
