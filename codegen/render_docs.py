"""Render docs/: IntegrationApi.md, one page per model, and README_api.md (the index)."""

from codegen.examples import EXAMPLE_PRECONDITIONS, model_example, parameter_example
from codegen.naming import snake_case
from codegen.render_api import ERROR_CLASSES
from codegen.text import HEADER_MD, describe_constraints, py_literal

_BACK = ("[[Back to top]](#) [[Back to API list]](README_api.md#endpoints) "
         "[[Back to Model list]](README_api.md#models) [[Back to README]](../README.md)")


def render_docs(api):
    files = {"docs/IntegrationApi.md": _api_page(api), "docs/README_api.md": _index(api)}
    for schema in api.schemas:
        files["docs/%s.md" % schema.name] = _model_page(api, schema)
    return files


# -- shared pieces ----------------------------------------------------------------

def _type_cell(api, type_ref):
    """A type for a table cell, linking to the model page when there is one."""
    names = {schema.name for schema in api.schemas}
    for wrapper in (("list[", "]"), ("dict(str, ", ")")):
        if type_ref.startswith(wrapper[0]) and type_ref[len(wrapper[0]):-len(wrapper[1])] in names:
            return "[**%s**](%s.md)" % (type_ref, type_ref[len(wrapper[0]):-len(wrapper[1])])
    if type_ref in names:
        return "[**%s**](%s.md)" % (type_ref, type_ref)
    return "**%s**" % type_ref


def _cell(text):
    return text.replace("|", "\\|")


def _sentence(text):
    text = text.strip()
    return text if not text or text.endswith((".", "!", "?")) else text + "."


# -- IntegrationApi.md ------------------------------------------------------------

def _api_page(api):
    lines = [
        HEADER_MD,
        "# IntegrationApi",
        "",
        "`talon_one.IntegrationApi`: %s" % _sentence(api.description),
        "",
        "All URIs are relative to your deployment's base URL, for example *%s*." % api.server,
        "",
        "Method | HTTP request | Description",
        "------ | ------------ | -----------",
    ]
    for op in api.operations:
        note = " (deprecated)" if op.deprecated else ""
        lines.append("[**%s**](#%s) | **%s** %s | %s%s" % (op.name, op.name, op.method, op.path,
                                                         _cell(op.summary), note))
    lines += [
        "",
        "Each method has a `_with_http_info` twin that takes the same arguments and returns",
        "`(data, status, headers)`. Arguments are checked before anything is sent: an unknown",
        "keyword raises `TypeError`, a wrong type `ApiTypeError`, a missing argument or a body that",
        "breaks a constraint `ApiValueError`. A body can be given as the model or as a dict. Query",
        "parameters and the per-call options (`async_req`, `_request_timeout`, `_retries`,",
        "`_preload_content`) are keyword-only; every method is annotated (see the README's",
        "\"Type checking and editors\").",
    ]
    for op in api.operations:
        lines += [""] + _operation_section(api, op)
    lines.append("")
    return "\n".join(lines)


def _signature(op):
    arguments = [p.name for p in op.path_parameters] + (["body"] if op.body else [])
    arguments += ["%s=%s" % (p.name, p.name) for p in op.query_parameters]
    returned = op.return_type or "None"
    return "> %s %s(%s)" % (returned, op.name, ", ".join(arguments))


def _operation_section(api, op):
    lines = ['<a name="%s"></a>' % op.name, "## %s" % op.name, "", _signature(op), "", _sentence(op.summary), ""]
    lines.append(_sentence(op.description))
    if op.deprecated:
        lines += ["", "**Deprecated**: use [%s](#%s) instead. Calling it emits a `DeprecationWarning`."
                  % (op.replacement, op.replacement)]
    lines += ["", "### Example", "", "```python"] + example_program(api, op) + ["```"]
    lines += ["", "### Parameters", "", "Name | Type | Description | Notes",
              "---- | ---- | ----------- | -----"]
    for param in op.path_parameters:
        lines.append(" **%s** | **str** | %s | required" % (param.name, _cell(_sentence(param.description))))
    if op.body:
        lines.append(" **body** | %s | The request body (the model, or a dict with its JSON keys or field "
                     "names). | required" % _type_cell(api, op.body))
    for param in op.query_parameters:
        lines.append(" **%s** | **%s** | %s | [optional]; query `%s`" % (
            param.name, param.type_ref, _cell(_sentence(param.description)), param.spec_name))
    lines += ["", "### Return type", ""]
    if op.return_type:
        empty = [r for r in op.responses if r.status == "204"]
        lines.append(_type_cell(api, op.return_type) + (
            ", or `None` for a 204 answer (%s)" % empty[0].description if empty else ""))
    else:
        lines.append("`None` (empty response body)")
    lines += ["", "### Authorization", ""]
    lines.append("Any one of: " + ", ".join("[%s](README_api.md#%s)" % (name, name) for name in op.security))
    lines += ["", "### HTTP request headers", ""]
    if op.body:
        lines.append(" - **Content-Type**: application/json")
    lines.append(" - **Accept**: application/json")
    lines += ["", "### HTTP response details", "", "Status code | Description | Raises",
              "----------- | ----------- | ------"]
    for response in op.responses:
        body = " (%s)" % _type_cell(api, response.schema) if response.schema else ""
        raises = ERROR_CLASSES.get(response.status, "")
        lines.append("**%s** | %s%s | %s" % (response.status, _cell(response.description), body,
                                              "`%s`" % raises if raises else "-"))
    lines += ["", _BACK]
    return lines


def example_program(api, op):
    """A complete Python program calling `op`, as shown in the docs."""
    uses_datetime = False
    lines = [
        "import talon_one",
        "from talon_one.exceptions import ApiException",
        "",
        "configuration = talon_one.Configuration(",
        '    host="%s",' % api.server,
        '    api_key_v1="YOUR_API_KEY",  # sent as "Authorization: ApiKey-v1 YOUR_API_KEY"',
        ")",
        "",
        "with talon_one.ApiClient(configuration) as api_client:",
        "    api = talon_one.IntegrationApi(api_client)",
    ]
    arguments = []
    for param in op.path_parameters:
        lines.append("    %s = %s  # %s" % (param.name, parameter_example(param), param.description))
        arguments.append(param.name)
    lines += ["    " + line for line in EXAMPLE_PRECONDITIONS.get(op.operation_id, [])]
    if op.body:
        body = model_example(api, op.body)
        uses_datetime = any("datetime." in line for line in body)
        lines.append("    body = " + body[0])
        lines += body[1:]
        arguments.append("body")
    for param in op.query_parameters:
        arguments.append("%s=%s" % (param.name, parameter_example(param)))
    call = "api.%s(%s)" % (op.name, ", ".join(arguments))
    lines.append("    try:")
    if op.return_type:
        lines += ["        result = %s" % call, "        print(result)"]
    else:
        lines += ["        %s" % call, '        print("done")']
    lines += [
        "    except ApiException as e:",
        '        print("Exception when calling IntegrationApi->%s: %%s" %% e)' % op.name,
    ]
    if uses_datetime:
        lines.insert(0, "import datetime")
        lines.insert(1, "")
    return lines


# -- model pages ------------------------------------------------------------------

def _model_page(api, schema):
    lines = [HEADER_MD, "# %s" % schema.name, "", "`talon_one.%s`: %s" % (schema.name, _sentence(schema.description)),
             "", "## Properties", ""]
    if schema.fields:
        lines += ["Name | Type | Description | Notes", "---- | ---- | ----------- | -----"]
        for item in schema.fields:
            lines.append("**%s** | %s | %s | %s" % (item.name, _type_cell(api, item.type_ref),
                                                    _cell(_sentence(item.description)), _cell(_notes(item))))
    else:
        lines.append("No declared properties; unknown fields are kept in `additional_properties`.")
    if schema.name == "Effect" and api.effect_types:
        lines += ["", "## Typed props", "",
                  "`effect.props` is the raw dict; `effect.typed_props` decodes it (without validation) into",
                  "the model for `effect.effect_type`, or returns the dict for an effect type this SDK does",
                  "not know.", "",
                  "effect_type | typed_props", "----------- | -----------"]
        lines += ["`%s` | [%s](%s.md)" % (effect_type, model, model) for effect_type, model in api.effect_types]
    users = _used_by(api, schema.name)
    if users:
        lines += ["", "Used by: " + ", ".join(users) + "."]
    lines += ["", "## Example", "", "```python", "import talon_one", ""]
    example = model_example(api, schema.name, indent="")
    if any("datetime." in line for line in example):
        lines.insert(lines.index("import talon_one"), "import datetime")
    lines.append("%s = %s" % (_variable(schema.name), example[0]))
    lines += example[1:]
    lines += ["print(%s.to_dict())" % _variable(schema.name), "```"]
    lines += ["", _BACK, ""]
    return "\n".join(lines)


def _variable(name):
    return snake_case(name)


def _notes(item):
    notes = ["required" if item.required else "[optional]"]
    if item.json_name != item.name:
        notes.append("JSON key `%s`" % item.json_name)
    if item.alias:
        notes.append("also accepted as `%s`" % item.alias)
    notes += describe_constraints(item.constraints, item.type_ref)
    if item.limit_note:
        notes.append("(limit from %s)" % item.limit_note)
    if item.default is not None:
        notes.append("default %s" % py_literal(item.default))
    return "; ".join(notes)


def _used_by(api, name):
    users = []
    for schema in api.schemas:
        if any(name in (f.type_ref, f.type_ref[5:-1], f.type_ref[10:-1]) for f in schema.fields):
            users.append("[%s](%s.md)" % (schema.name, schema.name))
    for op in api.operations:
        if name in (op.body, op.return_type):
            users.append("[IntegrationApi.%s](IntegrationApi.md#%s)" % (op.name, op.name))
    return users


# -- README_api.md ---------------------------------------------------------------------

def _index(api):
    lines = [
        HEADER_MD,
        "# %s: endpoints and models" % api.title,
        "",
        _sentence(api.description),
        "",
        "<a name=\"endpoints\"></a>",
        "## Documentation for API endpoints",
        "",
        "All URIs are relative to your deployment's base URL, for example *%s*." % api.server,
        "",
        "Class | Method | HTTP request | Description",
        "----- | ------ | ------------ | -----------",
    ]
    for op in api.operations:
        note = " (deprecated)" if op.deprecated else ""
        lines.append("*IntegrationApi* | [**%s**](IntegrationApi.md#%s) | **%s** %s | %s%s" % (
            op.name, op.name, op.method, op.path, _cell(op.summary), note))
    lines += ["", "<a name=\"models\"></a>", "## Documentation for models", ""]
    lines += [" - [%s](%s.md)" % (schema.name, schema.name) for schema in api.schemas]
    lines += ["", "<a name=\"authorization\"></a>", "## Documentation for authorization", ""]
    for name, scheme in sorted(api.security_schemes.items()):
        lines += [
            '<a name="%s"></a>' % name,
            "### %s" % name,
            "",
            "- **Type**: API key",
            "- **API key parameter name**: %s" % scheme["name"],
            "- **Location**: HTTP %s" % scheme["in"],
            "- %s" % _sentence(scheme.get("description", "")),
            "",
        ]
    return "\n".join(lines)
