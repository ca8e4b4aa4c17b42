"""Render talon_one/aio/integration_api.py: AsyncIntegrationApi, the coroutine twin of IntegrationApi.

Same method names, arguments, checks and docstrings as the synchronous class
(render_api), and the same Operation constants (imported from it); each method
is an `async def` awaiting talon_one.aio._operation.invoke.
"""

from codegen.render_api import (_WIDTH, _PY_TYPES, _data_type, _method_doc, _tuple, _twin_doc, constant_name,
                                model_imports)
from codegen.render_models import import_line
from codegen.text import HEADER_PY, wrap, wrap_items


def render_aio(api):
    return {"talon_one/aio/integration_api.py": _render_module(api)}


def _render_module(api):
    lines = [
        HEADER_PY,
        '"""AsyncIntegrationApi: a coroutine method (and its `_with_http_info` twin) per operation."""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import TYPE_CHECKING, Any, Dict, Literal, Optional, Tuple, Union, overload",
        "",
        "from talon_one.aio._client import AsyncApiClient",
        "from talon_one.aio._operation import invoke",
        "from talon_one.api._operation import RequestTimeout, ResponseHeaders, Retries",
    ]
    lines += import_line("talon_one.api.integration_api", [constant_name(op) for op in api.operations])
    lines += ["", "if TYPE_CHECKING:"] + model_imports(api)
    lines += [
        "",
        "",
        "class AsyncIntegrationApi:",
        '    """%s, for asyncio code.' % api.title,
        "",
    ]
    lines += wrap(api.description, "    ", _WIDTH)
    lines += [
        "",
        "        configuration = talon_one.Configuration(host=\"%s\", api_key_v1=KEY)" % api.server,
        "        async with talon_one.aio.AsyncApiClient(configuration) as client:",
        "            api = talon_one.aio.AsyncIntegrationApi(client)",
        "            request = talon_one.IntegrationRequest(...)",
        "            state = await api.update_customer_session_v2(\"session-1\", request)",
        "",
        "    The methods, arguments, checks, models and exceptions of IntegrationApi; each",
        "    method is a coroutine. Each operation has a `_with_http_info` twin returning",
        "    (data, status, headers). Arguments are checked before anything is sent: an",
        "    unknown keyword raises TypeError, an argument of the wrong type ApiTypeError, a",
        "    missing argument or a body that breaks a constraint ApiValueError.",
        '    """',
        "",
        "    def __init__(self, api_client: Optional[AsyncApiClient] = None) -> None:",
        "        if api_client is None:",
        "            api_client = AsyncApiClient()",
        "        self.api_client: AsyncApiClient = api_client",
    ]
    for op in api.operations:
        lines.append("")
        lines += _method(op, http_info=False)
        lines.append("")
        lines += _method(op, http_info=True)
    lines.append("")
    return "\n".join(lines)


def _signature(name, leading, options, returns, overload):
    lines = (["    @overload"] if overload else []) + ["    async def %s(" % name, "        self,"]
    lines += ["        %s," % item for item in leading]
    lines.append("        *,")
    lines += ["        %s," % item for item in options]
    return lines + ["    ) -> %s:%s" % (returns, " ..." if overload else "")]


def _method(op, http_info):
    name = op.name + ("_with_http_info" if http_info else "")
    leading = ["%s: str" % p.name for p in op.path_parameters]
    if op.body:
        leading.append("body: Union[%s, Dict[str, Any]]" % op.body)
    options = ["%s: Optional[%s] = None" % (p.name, _PY_TYPES[p.type_ref]) for p in op.query_parameters]
    tail = ["_request_timeout: RequestTimeout = None", "_retries: Retries = None"]
    data = _data_type(op)
    if http_info:
        result = "Tuple[%s, int, ResponseHeaders]" % data
        lines = _signature(name, leading, options + ["_return_http_data_only: Literal[False] = False"] + tail,
                           result, overload=True)
        lines += [""]
        lines += _signature(name, leading, options + ["_return_http_data_only: bool = False"] + tail, "Any",
                            overload=True)
        lines += [""]
        lines += _signature(name, leading, options + ["_return_http_data_only: bool = False"] + tail, "Any",
                            overload=False)
        doc = _twin_doc(op)
    else:
        lines = _signature(name, leading, options + tail, data, overload=False)
        doc = _method_doc(op, asynchronous=True)
    lines.append('        """' + doc[0])
    lines += [("        " + line).rstrip() for line in doc[1:]]
    lines.append('        """')
    arguments = [p.name for p in op.path_parameters] + (["body"] if op.body else [])
    items = ["self.api_client", constant_name(op), _tuple(arguments), _tuple([p.name for p in op.query_parameters]),
             "_request_timeout", "_retries"]
    if http_info:
        items += ["http_info=True", "data_only=_return_http_data_only"]
    if http_info:
        lines += wrap_items("return await invoke(", items, ")", "        ", _WIDTH)
    elif data == "None":
        lines += wrap_items("await invoke(", items, ")", "        ", _WIDTH)
    else:
        call = "result: %s = await invoke(" % data
        if len("        %s%s," % (call, items[0])) <= _WIDTH:
            lines += wrap_items(call, items, ")", "        ", _WIDTH)
        else:  # a long model name: the arguments on lines of their own
            lines += ["        " + call] + wrap_items("", items, "", "            ", _WIDTH) + ["        )"]
        lines.append("        return result")
    return lines
