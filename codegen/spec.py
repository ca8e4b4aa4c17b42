"""Read spec/integration-api.json into the few plain objects the renderers need.

Everything the generator understands is checked here, and anything it does
not understand stops generation with a message naming the place in the spec:
a spec change that the generator would silently mistranslate must fail loudly.
"""

import ast
import json
import os
import re
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from codegen.naming import legacy_snake_case, snake_case

MODEL_BASE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "talon_one", "model_base.py")


def model_attribute_names(path=MODEL_BASE):
    """Every name class Model in talon_one/model_base.py defines, read from its source.

    A field may not take one of these names (nor `typed_props`, which Effect
    gets). Reading the source keeps the generator independent of the package.
    """
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    model = next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "Model")
    names = {"typed_props"}
    for node in model.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return frozenset(names)


# Names a field may not take: the model base class uses them, or the generated
# constructor does (its own parameters and locals).
RESERVED_FIELD_NAMES = model_attribute_names() | {"self", "local_vars_configuration", "set_slot"}
# Names a schema may not take: a generated model module already uses them.
RESERVED_SCHEMA_NAMES = frozenset(("Model", "ApiTypeError", "PROPS_MODELS"))

# Schema keywords the generator translates; any other keyword is an error.
_SCHEMA_KEYWORDS = frozenset((
    "type", "format", "description", "properties", "required", "items", "allOf",
    "$ref", "additionalProperties", "enum", "default",
    "minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems",
))
_CONSTRAINT_KEYWORDS = (
    ("enum", "enum"),
    ("minLength", "min_length"),
    ("maxLength", "max_length"),
    ("minimum", "minimum"),
    ("maximum", "maximum"),
    ("minItems", "min_items"),
    ("maxItems", "max_items"),
)
_PRIMITIVE_TYPES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
_STRING_FORMATS = {"date-time": "datetime", "date": "date"}

# "Update (or create) up to 1000 Customer Profiles in 1 request": the size limit
# of a bulk request body, stated only in the operation's description.
_BULK_LIMIT = re.compile(r"\bup to (\d+) [\w ]+? in (?:1|one) request\b", re.IGNORECASE)
# "Deprecated in favour of updateCustomerSessionV2."
_REPLACEMENT = re.compile(r"\bDeprecated in favou?r of (\w+)")


class SpecError(Exception):
    """The spec uses something the generator does not translate."""


@dataclass
class Field:
    json_name: str
    name: str
    alias: Optional[str]
    type_ref: str
    required: bool
    description: str
    constraints: dict
    default: object = None
    limit_note: Optional[str] = None  # where a limit not in the schema came from

    @property
    def container(self):
        """'list', 'dict' or None."""
        return split_type(self.type_ref)[0]

    @property
    def item_type(self):
        """The type of the items of a list or dict field; the field's own type otherwise."""
        return split_type(self.type_ref)[1]


@dataclass
class Schema:
    name: str
    module: str
    description: str
    fields: List[Field]

    def field_named(self, name):
        for item in self.fields:
            if item.name == name:
                return item
        raise KeyError(name)


@dataclass
class Parameter:
    spec_name: str
    name: str
    location: str  # "path" or "query"
    type_ref: str
    required: bool
    description: str


@dataclass
class Response:
    status: str
    description: str
    schema: Optional[str]


@dataclass
class Operation:
    operation_id: str
    name: str
    method: str
    path: str
    summary: str
    description: str
    deprecated: bool
    replacement: Optional[str]
    parameters: List[Parameter]
    body: Optional[str]
    body_required: bool
    responses: List[Response]
    security: List[str]

    @property
    def path_parameters(self):
        return [p for p in self.parameters if p.location == "path"]

    @property
    def query_parameters(self):
        return [p for p in self.parameters if p.location == "query"]

    @property
    def return_type(self):
        """The model a 2xx response decodes to, or None when every 2xx response is empty."""
        types = {r.schema for r in self.responses if r.status.startswith("2") and r.schema}
        if len(types) > 1:
            raise SpecError("%s: several success response types %s" % (self.operation_id, sorted(types)))
        return types.pop() if types else None


@dataclass
class Api:
    title: str
    version: str
    description: str
    server: str
    security_schemes: dict
    schemas: List[Schema]
    operations: List[Operation]
    effect_types: List[Tuple[str, str]] = field(default_factory=list)

    @property
    def schema_names(self):
        return {schema.name for schema in self.schemas}

    def schema(self, name):
        for item in self.schemas:
            if item.name == name:
                return item
        raise KeyError(name)


# The Python annotation of each scalar type of the generator's notation.
_ANNOTATIONS = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "datetime": "datetime.datetime",
    "date": "datetime.date",
    "object": "Dict[str, Any]",
}


def annotation(type_ref):
    """The Python type annotation of `type_ref` ('list[CartItem]' -> 'List[CartItem]')."""
    container, item_type = split_type(type_ref)
    inner = _ANNOTATIONS.get(item_type, item_type)
    if container == "list":
        return "List[%s]" % inner
    if container == "dict":
        return "Dict[str, %s]" % inner
    return inner


def annotation_names(text):
    """The names an annotation from `annotation` needs imported: typing names, and 'datetime'."""
    names = set()
    for name in ("Any", "Dict", "List"):
        if name + "[" in text or name + "]" in text or text == name:
            names.add(name)
    if "datetime." in text:
        names.add("datetime")
    return names


def split_type(type_ref):
    """('list', item type), ('dict', item type) or (None, type_ref), for the notation of `_type_of`."""
    if type_ref.startswith("list[") and type_ref.endswith("]"):
        return "list", type_ref[5:-1]
    if type_ref.startswith("dict(str, ") and type_ref.endswith(")"):
        return "dict", type_ref[10:-1]
    return None, type_ref


def load(path):
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle)
    return read_spec(document)


def read_spec(document):
    """Translate the parsed OpenAPI document into an `Api`."""
    raw_schemas = document["components"]["schemas"]
    schemas = [_read_schema(name, raw, raw_schemas) for name, raw in raw_schemas.items()]
    operations = []
    for path, item in document["paths"].items():
        for method, raw in item.items():
            if method not in ("get", "put", "post", "delete", "patch"):
                raise SpecError("%s: unsupported path item key %r" % (path, method))
            operations.append(_read_operation(path, method, raw, raw_schemas))
    operations.sort(key=lambda op: op.name)
    api = Api(
        title=document["info"]["title"],
        version=document["info"]["version"],
        description=document["info"].get("description", ""),
        server=document["servers"][0]["url"],
        security_schemes=document["components"]["securitySchemes"],
        schemas=sorted(schemas, key=lambda s: s.name),
        operations=operations,
        effect_types=sorted(document.get("x-effect-types", {}).items()),
    )
    _check_names(api)
    _check_no_mutual_nesting(api)
    _apply_description_limits(api)
    _check_effect_types(api)
    return api


def _ref_name(ref, where):
    prefix = "#/components/schemas/"
    if not ref.startswith(prefix):
        raise SpecError("%s: unsupported $ref %r" % (where, ref))
    return ref[len(prefix):]


def _type_of(raw, where, raw_schemas):
    """The generator's type notation for a schema: 'str', 'list[CartItem]', 'dict(str, float)', 'Coupon'."""
    if "$ref" in raw:
        name = _ref_name(raw["$ref"], where)
        if name not in raw_schemas:
            raise SpecError("%s: $ref to unknown schema %r" % (where, name))
        return name
    if "allOf" in raw:
        if len(raw["allOf"]) != 1 or "$ref" not in raw["allOf"][0]:
            raise SpecError("%s: only allOf with a single $ref is supported" % where)
        return _type_of(raw["allOf"][0], where, raw_schemas)
    kind = raw.get("type")
    if kind in _PRIMITIVE_TYPES:
        if "format" in raw and kind == "string":
            return _STRING_FORMATS.get(raw["format"], "str")
        return _PRIMITIVE_TYPES[kind]
    if kind == "array":
        return "list[%s]" % _type_of(raw["items"], where + ".items", raw_schemas)
    if kind == "object":
        if "properties" in raw:
            raise SpecError("%s: inline object schemas are not supported; use a $ref" % where)
        extra = raw.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            return "dict(str, %s)" % _type_of(extra, where + ".additionalProperties", raw_schemas)
        return "object"
    raise SpecError("%s: unsupported schema %r" % (where, raw))


def _constraints_of(raw, where):
    unknown = set(raw) - _SCHEMA_KEYWORDS
    if unknown:
        raise SpecError("%s: unsupported schema keywords %s" % (where, sorted(unknown)))
    constraints = {}
    for keyword, name in _CONSTRAINT_KEYWORDS:
        if keyword in raw:
            value = raw[keyword]
            constraints[name] = tuple(value) if keyword == "enum" else value
    items = raw.get("items")
    if isinstance(items, dict):
        item_constraints = _constraints_of(items, where + ".items")
        if set(item_constraints) - {"enum"}:
            raise SpecError("%s.items: only enum is supported on list items" % where)
        if "enum" in item_constraints:
            constraints["enum"] = item_constraints["enum"]
    return constraints


# The value types each constraint applies to, as the generated quick checks
# apply them: enum to a value or to the items of a list, min_items and
# max_items to lists (of anything).
_CONSTRAINT_TYPES = {
    "enum": ("str", "int", "float"),
    "min_length": ("str",),
    "max_length": ("str",),
    "minimum": ("int", "float"),
    "maximum": ("int", "float"),
}


def _check_field_shape(type_ref, constraints, where):
    """Fail on field types and constraints the generated models do not check or convert."""
    container, item_type = split_type(type_ref)
    if container and split_type(item_type)[0]:
        raise SpecError("%s: %s: lists and maps of lists or maps are not supported" % (where, type_ref))
    for name in constraints:
        if name in ("min_items", "max_items"):
            if container != "list":
                raise SpecError("%s: %s applies to arrays, not to %s" % (where, name, type_ref))
            continue
        on_items = container == "list" and name == "enum"
        if (container and not on_items) or item_type not in _CONSTRAINT_TYPES[name]:
            raise SpecError("%s: %s is not supported on %s" % (where, name, type_ref))


def _read_schema(name, raw, raw_schemas):
    where = "components.schemas.%s" % name
    if raw.get("type") != "object":
        raise SpecError("%s: only object schemas become models" % where)
    unknown = set(raw) - {"type", "required", "description", "properties"}
    if unknown:
        raise SpecError("%s: unsupported keywords %s" % (where, sorted(unknown)))
    required = raw.get("required", [])
    properties = raw.get("properties", {})
    missing = [r for r in required if r not in properties]
    if missing:
        raise SpecError("%s: required fields %s are not properties" % (where, missing))
    fields = []
    for json_name, prop in properties.items():
        field_where = "%s.%s" % (where, json_name)
        field_name = _python_name(json_name, field_where)
        legacy = legacy_snake_case(json_name)
        type_ref = _type_of(prop, field_where, raw_schemas)
        constraints = _constraints_of(prop, field_where)
        _check_field_shape(type_ref, constraints, field_where)
        fields.append(Field(
            json_name=json_name,
            name=field_name,
            alias=legacy if legacy != field_name else None,
            type_ref=type_ref,
            required=json_name in required,
            description=_one_line(prop.get("description", "")),
            constraints=constraints,
            default=prop.get("default"),
        ))
    return Schema(name=name, module=_python_name(name, where), description=_one_line(raw.get("description", "")),
                  fields=fields)


def _python_name(name, where):
    try:
        return snake_case(name)
    except ValueError as exc:
        raise SpecError("%s: %s" % (where, exc)) from None


def _read_operation(path, method, raw, raw_schemas):
    where = "paths.%s.%s" % (path, method)
    operation_id = raw["operationId"]
    parameters = []
    for param in raw.get("parameters", []):
        if param["in"] not in ("path", "query"):
            raise SpecError("%s: parameters in %r are not supported" % (where, param["in"]))
        type_ref = _type_of(param["schema"], "%s.%s" % (where, param["name"]), raw_schemas)
        if type_ref not in ("str", "bool", "int", "float"):
            raise SpecError("%s: parameter %s has unsupported type %s" % (where, param["name"], type_ref))
        parameters.append(Parameter(
            spec_name=param["name"],
            name=_python_name(param["name"], "%s.%s" % (where, param["name"])),
            location=param["in"],
            type_ref=type_ref,
            required=bool(param.get("required")) or param["in"] == "path",
            description=_one_line(param.get("description", "")),
        ))
    body = None
    body_required = False
    if "requestBody" in raw:
        content = raw["requestBody"]["content"]
        if list(content) != ["application/json"]:
            raise SpecError("%s: only application/json request bodies are supported" % where)
        body = _type_of(content["application/json"]["schema"], where + ".requestBody", raw_schemas)
        if body not in raw_schemas:
            raise SpecError("%s: the request body must be a $ref to a schema" % where)
        body_required = bool(raw["requestBody"].get("required"))
        if not body_required:
            raise SpecError("%s: optional request bodies are not supported" % where)
    responses = []
    for status, response in raw["responses"].items():
        schema = None
        content = response.get("content")
        if content:
            if list(content) != ["application/json"]:
                raise SpecError("%s: only application/json responses are supported" % where)
            schema = _type_of(content["application/json"]["schema"], "%s.responses.%s" % (where, status),
                              raw_schemas)
        responses.append(Response(status=status, description=response.get("description", ""), schema=schema))
    security = []
    for requirement in raw.get("security", []):
        security.extend(requirement)
    description = _one_line(raw.get("description", ""))
    replacement = None
    if raw.get("deprecated"):
        match = _REPLACEMENT.search(description)
        if match is None:
            raise SpecError("%s: deprecated, but the description names no replacement "
                            "(\"Deprecated in favour of <operationId>\")" % where)
        replacement = snake_case(match.group(1))
    return Operation(
        operation_id=operation_id,
        name=_python_name(operation_id, where),
        method=method.upper(),
        path=path,
        summary=_one_line(raw.get("summary", "")),
        description=description,
        deprecated=bool(raw.get("deprecated")),
        replacement=replacement,
        parameters=parameters,
        body=body,
        body_required=body_required,
        responses=responses,
        security=security,
    )


def _check_names(api):
    """Fail on Python names that would collide; the generator never renames silently."""
    seen_modules = {}
    for schema in api.schemas:
        if schema.name in RESERVED_SCHEMA_NAMES or schema.name.startswith("_"):
            raise SpecError("components.schemas.%s: the class name collides with a name the generated "
                            "model modules use" % schema.name)
        if schema.module in seen_modules:
            raise SpecError("schemas %s and %s both map to module %s"
                            % (seen_modules[schema.module], schema.name, schema.module))
        seen_modules[schema.module] = schema.name
        taken = {}
        for item in schema.fields:
            for name in filter(None, (item.name, item.alias)):
                if name in RESERVED_FIELD_NAMES or name.startswith("_"):
                    raise SpecError("%s.%s: the Python name %r collides with a Model attribute"
                                    % (schema.name, item.json_name, name))
                if name in taken:
                    raise SpecError("%s: fields %r and %r both map to the Python name %r"
                                    % (schema.name, taken[name], item.json_name, name))
                taken[name] = item.json_name
    names = {}
    for op in api.operations:
        for name in (op.name, op.name + "_with_http_info"):
            if name in names:
                raise SpecError("operations %s and %s both map to %s" % (names[name], op.operation_id, name))
            names[name] = op.operation_id
        params = {}
        for param in op.parameters:
            if param.name in params or param.name == "body" or param.name.startswith("_") or param.name in (
                    "async_req", "kwargs", "self"):
                raise SpecError("%s: parameter %s maps to a Python name already in use (%s)"
                                % (op.operation_id, param.spec_name, param.name))
            params[param.name] = param.spec_name
    for op in api.operations:
        if op.replacement and op.replacement not in names:
            raise SpecError("%s: deprecated in favour of an unknown operation %s" % (op.operation_id, op.replacement))


def _check_no_mutual_nesting(api):
    """Fail on models that contain each other: their modules would import each other.

    A model may contain itself (the reference stays inside its module).
    """
    contains = {schema.name: {f.item_type for f in schema.fields} - {schema.name} for schema in api.schemas}

    def reaches(start, target, seen):
        for name in contains.get(start, ()):
            if name == target:
                return True
            if name not in seen:
                seen.add(name)
                if reaches(name, target, seen):
                    return True
        return False

    for name in sorted(contains):
        if reaches(name, name, set()):
            raise SpecError("components.schemas.%s: contains itself through other models, which the "
                            "generated modules cannot import; only direct self-reference is supported" % name)


def _apply_description_limits(api):
    """Turn a bulk limit stated in an operation's description into maxItems on the body's list.

    The rule applies only where it is unambiguous: the request body model has
    exactly one list field, and the spec sets no maxItems on it already.
    """
    for op in api.operations:
        match = _BULK_LIMIT.search(op.description)
        if not match or not op.body:
            continue
        schema = api.schema(op.body)
        lists = [f for f in schema.fields if f.type_ref.startswith("list[")]
        if len(lists) != 1:
            raise SpecError("%s: the description states a limit (%r) but the body %s has %d list fields"
                            % (op.operation_id, match.group(0), schema.name, len(lists)))
        target = lists[0]
        limit = int(match.group(1))
        if target.constraints.get("max_items", limit) != limit:
            raise SpecError("%s: the description says %r but %s.%s has maxItems %s"
                            % (op.operation_id, match.group(0), schema.name, target.json_name,
                               target.constraints["max_items"]))
        target.constraints["max_items"] = limit
        target.limit_note = "%s: \"%s\"" % (op.operation_id, match.group(0))


def _check_effect_types(api):
    names = {schema.name for schema in api.schemas}
    if api.effect_types and "Effect" not in names:
        raise SpecError("x-effect-types is set but there is no Effect schema")
    for effect_type, schema_name in api.effect_types:
        if schema_name not in names:
            raise SpecError("x-effect-types: %s maps to unknown schema %s" % (effect_type, schema_name))


def _one_line(text):
    """Collapse runs of whitespace: descriptions become single paragraphs."""
    return " ".join(text.split())
