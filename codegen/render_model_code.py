"""The methods of a generated model, written out field by field.

    __init__            fills every slot, then checks this level (when validation is on)
    _validate_fields    quick inline checks; what they do not accept goes to Model._check_field
    _from_json_object   the decoder: a parsed JSON object to a model, no validation
    _to_json_object     the encoder: the JSON object sent, nested models converted

Each renderer returns source lines and records in an `Imports` the names the
lines use, so a module imports exactly what its code needs.
"""

from codegen.spec import annotation, annotation_names, split_type
from codegen.text import py_literal, wrap_items

_WIDTH = 99
_INDENT = "        "  # a method body

# The quick test that a value of a scalar type is *not* plainly valid, as a list of
# terms joined by "or"; the helpers come from talon_one.validation.
_TYPE_TESTS = {
    "str": ("{v}.__class__ is not str", None),
    "int": ("{v}.__class__ is not int", None),
    "float": ("not is_number({v})", "is_number"),
    "bool": ("{v} is not True and {v} is not False", None),
    "datetime": ("not is_aware_datetime({v})", "is_aware_datetime"),
    "date": ("not is_date({v})", "is_date"),
    "object": ("not is_json_object({v})", "is_json_object"),
}
# How the decoder converts a JSON string to these types; others are kept as parsed.
_PARSERS = {"datetime": "parse_datetime", "date": "parse_date"}


# The runtime module each name the generated code uses comes from.
RUNTIME_MODULES = {
    "Model": "talon_one.model_base",
    "FieldPath": "talon_one.model_base",
    "deserialize": "talon_one.serialization",
    "model_class": "talon_one.serialization",
    "parse_date": "talon_one.serialization",
    "parse_datetime": "talon_one.serialization",
    "is_aware_datetime": "talon_one.validation",
    "is_date": "talon_one.validation",
    "is_json_object": "talon_one.validation",
    "is_number": "talon_one.validation",
}


class Imports:
    """The names a module's code uses: from the runtime (model_base, serialization, validation),
    other model modules, exceptions."""

    def __init__(self, schema_name):
        self.schema_name = schema_name
        self.runtime_names = {"Model"}
        self.models = set()
        self.exceptions = set()
        self.typing = set()
        self.datetime = False
        self.configuration = False

    def annotate(self, api, type_ref, optional=True):
        """The annotation of a `type_ref` value (Optional[...] unless `optional` is false), recording its imports."""
        text = annotation(type_ref)
        for name in annotation_names(text):
            if name == "datetime":
                self.datetime = True
            else:
                self.typing.add(name)
        item_type = split_type(type_ref)[1]
        if is_model(api, item_type):
            self.model(item_type)
        if optional:
            self.typing.add("Optional")
            return "Optional[%s]" % text
        return text

    def runtime(self, name):
        """`name` (a RUNTIME_MODULES key) is used: imported from its module."""
        self.runtime_names.add(name)
        return name

    def runtime_modules(self):
        """{module: sorted names} of the runtime names used."""
        modules = {}
        for name in sorted(self.runtime_names, key=lambda name: (name != "Model", name)):
            modules.setdefault(RUNTIME_MODULES[name], []).append(name)
        return modules

    def model(self, name):
        """`name` is used as a class: imported unless it is the module's own model."""
        if name != self.schema_name:
            self.models.add(name)
        return name


def other_names(schema):
    """The names from_dict accepts besides the JSON keys: field names that differ from them, aliases."""
    json_names = {item.json_name for item in schema.fields}
    names = {item.name for item in schema.fields} | {item.alias for item in schema.fields if item.alias}
    return sorted(names - json_names)


def is_model(api, type_ref):
    return type_ref in api.schema_names


def enum_constant(item):
    return "_%s_VALUES" % item.name.upper()


def enum_constants(schema):
    """Module constants: the values each enum field accepts, for the quick checks."""
    lines = []
    for item in schema.fields:
        if "enum" in item.constraints:
            values = [py_literal(value) for value in item.constraints["enum"]]
            lines += wrap_items("%s = frozenset((" % enum_constant(item), values, "))", "", _WIDTH)
    if lines:
        lines.insert(0, "# The values each enum field accepts (the quick checks of _validate_fields).")
    return lines


# -- __init__ -------------------------------------------------------------------

def constructor(api, schema, imports):
    imports.configuration = True
    lines = ["    def __init__(", "        self,"]
    for item in schema.fields:
        lines.append("        %s: %s = %s," % (item.name, imports.annotate(api, item.type_ref), py_literal(item.default)))
    lines.append("        local_vars_configuration: Optional[Configuration] = None,")
    for item in schema.fields:
        if item.alias:
            lines.append("        %s: %s = None," % (item.alias, imports.annotate(api, item.type_ref)))
    lines.append("    ) -> None:")
    for item in schema.fields:
        if item.alias:
            imports.exceptions.add("ApiTypeError")
            lines += [
                _INDENT + "if %s is not None:" % item.alias,
                _INDENT + "    if %s is not None:" % item.name,
            ]
            raise_line = _INDENT + '        raise ApiTypeError("%s got both %s and its alias %s")' % (
                schema.name, item.name, item.alias)
            if len(raise_line) <= _WIDTH:
                lines.append(raise_line)
            else:
                lines += [
                    _INDENT + '        raise ApiTypeError("%s got both %s and its alias "' % (schema.name, item.name),
                    _INDENT + '                           "%s")' % item.alias,
                ]
            lines.append(_INDENT + "    %s = %s" % (item.name, item.alias))
    lines.append(_INDENT + "set_slot = object.__setattr__")
    for item in schema.fields:
        lines += wrap_items("set_slot(", ["self", '"%s"' % item.name, item.name], ")", _INDENT, _WIDTH)
    lines += [
        _INDENT + 'set_slot(self, "_extra", None)',
        _INDENT + 'set_slot(self, "_config", local_vars_configuration)',
        _INDENT + "self._validate_new()",
    ]
    return lines


# -- _validate_fields ---------------------------------------------------------------

def validator(api, schema, imports):
    imports.runtime("FieldPath")
    imports.typing.add("Any")
    lines = [
        "    def _validate_fields(self, path: FieldPath, deep: bool) -> None:",
        '        """Check every field, and with `deep` every nested model, against the spec.',
        "",
        "        Plainly valid values pass the quick checks here; anything else goes to",
        "        Model._check_field, which converts it or raises the precise error.",
        '        """',
    ]
    for index, item in enumerate(schema.fields):
        lines.append(_INDENT + "value%s = self.%s" % (": Any" if index == 0 else "", item.name))
        if item.container:
            lines += _container_check(api, item, imports)
        elif is_model(api, item.type_ref):
            lines += _model_check(item, imports)
        else:
            lines += _scalar_check(item, imports)
    return lines


def _general_check(item, indent):
    return indent + 'self._check_field("%s", value, path, deep)' % item.name


def _bad_value_terms(type_ref, constraints, variable, imports):
    """The terms, any of which true means `variable` is not a plainly valid `type_ref` value."""
    test, helper = _TYPE_TESTS[type_ref]
    if helper:
        imports.runtime(helper)
    terms = [test.format(v=variable)]
    for name, template in (("min_length", "len({v}) < {n}"), ("max_length", "len({v}) > {n}"),
                           ("minimum", "{v} < {n}"), ("maximum", "{v} > {n}")):
        if name in constraints:
            terms.append(template.format(v=variable, n=py_literal(constraints[name])))
    return terms


def _number_check(item):
    """A float field's quick check, written out: it runs for every number of every request body.

    A finite float passes (`value - value` is 0.0 for one, NaN for an infinity or NaN), and so
    does an int; anything else, or a value beyond the field's limits, goes to the general check.
    """
    limits = []
    for name, template in (("minimum", "value < {n}"), ("maximum", "value > {n}")):
        if name in item.constraints:
            limits.append(template.format(n=py_literal(item.constraints[name])))
    not_int = ["value.__class__ is not int"] + limits
    return (_if_lines(_INDENT, "", ["value.__class__ is float"])
            + _if_lines(_INDENT + "    ", "", ["value - value != 0"] + limits)
            + [_general_check(item, _INDENT + "        ")]
            + [line.replace("if ", "elif ", 1) if index == 0 else line for index, line in
               enumerate(_if_lines(_INDENT, "" if item.required else "value is not None and ", not_int))]
            + [_general_check(item, _INDENT + "    ")])


def _scalar_check(item, imports):
    if item.type_ref == "float" and "enum" not in item.constraints:
        return _number_check(item)
    terms = _bad_value_terms(item.type_ref, item.constraints, "value", imports)
    if "enum" in item.constraints:
        terms.insert(1, "value not in %s" % enum_constant(item))
    if item.required:
        # None fails every type test but the free-form one (null is a JSON value).
        prefix = "value is None or " if item.type_ref == "object" else ""
    else:
        prefix = "value is not None and "
    return _if_lines(_INDENT, prefix, terms) + [_general_check(item, _INDENT + "    ")]


def _if_lines(indent, prefix, terms):
    """`if <prefix>(<terms joined by or>):`, broken one term a line when too long."""
    condition = " or ".join(terms)
    if prefix and len(terms) > 1:
        condition = "(%s)" % condition
    line = indent + "if %s%s:" % (prefix, condition)
    if len(line) <= _WIDTH:
        return [line]
    opening = indent + "if %s(" % prefix
    # Continuation lines line up after the parenthesis, or (when that is where the body
    # starts) one level further, so the condition does not read as the body.
    hanging = " " * len(opening) if prefix else indent + " " * 8
    lines = [opening + terms[0]]
    lines += [hanging + "or " + term for term in terms[1:]]
    lines[-1] += "):"
    return lines


def _model_check(item, imports):
    cls = imports.model(item.type_ref)
    return [
        _INDENT + "if value.__class__ is %s:" % cls,
        _INDENT + "    if deep:",
        _INDENT + '        value._validate_fields(path + ["%s"], True)' % item.name,
        _INDENT + ("else:" if item.required else "elif value is not None:"),
        _general_check(item, _INDENT + "    "),
    ]


def _container_check(api, item, imports):
    is_list = item.container == "list"
    structure = "value.__class__ is %s" % item.container
    if "min_items" in item.constraints:
        structure += " and len(value) >= %d" % item.constraints["min_items"]
    if "max_items" in item.constraints:
        structure += " and len(value) <= %d" % item.constraints["max_items"]
    nested = is_model(api, item.item_type)
    if nested:
        terms = ["item.__class__ is not %s" % imports.model(item.item_type)]
    else:
        terms = _bad_value_terms(item.item_type, {}, "item", imports)
        if "enum" in item.constraints:
            terms.append("item not in %s" % enum_constant(item))
    if not is_list:
        terms.insert(0, "key.__class__ is not str")
    if nested:
        loop = "for index, item in enumerate(value):" if is_list else "for key, item in value.items():"
    else:
        loop = "for item in value:" if is_list else "for key, item in value.items():"
    lines = [_INDENT + "if %s:" % structure, _INDENT + "    " + loop]
    lines += _if_lines(_INDENT + "        ", "", terms)
    lines += [_general_check(item, _INDENT + "            "), _INDENT + "            break"]
    if nested:
        lines += [
            _INDENT + "        if deep:",
            _INDENT + '            item._validate_fields(path + ["%s", %s], True)'
            % (item.name, "index" if is_list else "key"),
        ]
    lines += [
        _INDENT + ("else:" if item.required else "elif value is not None:"),
        _general_check(item, _INDENT + "    "),
    ]
    return lines


# -- _from_json_object ---------------------------------------------------------------

def decoder(api, schema, imports):
    name = schema.name
    imports.typing.update(("Any", "Callable"))
    lines = [
        "    @staticmethod",
        "    def _from_json_object(data: Any) -> Any:",
        '        """Decode a parsed JSON object into this model, without validation.',
        "",
        "        Any other value comes back as it is. Keys the spec does not know are kept",
        "        in `additional_properties`; a dict using the field names from_dict accepts",
        "        takes the general path, Model._from_any_keys.",
        '        """',
        _INDENT + "if data.__class__ is not dict:",
        _INDENT + "    return data",
        _INDENT + "obj: %s = object.__new__(_Unchecked)" % name,
    ]
    if schema.fields:
        lines += _exact_keys_path(api, schema, imports)
    lines += [
        _INDENT + "get: Callable[[str, None], Any]",
        _INDENT + "if _JSON_KEYS.issuperset(data):",
        _INDENT + "    extra = None",
        _INDENT + "    get = data.get",
        _INDENT + "else:",
    ]
    if other_names(schema):
        lines += [
            _INDENT + "    if not _OTHER_NAMES.isdisjoint(data):",
            _INDENT + "        return %s._from_any_keys(data)" % name,
        ]
    lines += [
        _INDENT + "    # The known keys are taken out of a copy; what remains are the fields the spec does",
        _INDENT + "    # not know, kept in additional_properties.",
        _INDENT + "    extra = dict(data)",
        _INDENT + "    get = extra.pop",
    ]
    for item in schema.fields:
        lines += _decode_field(api, item, imports, 'get("%s", None)')
    lines += [
        _INDENT + "obj._extra = extra",
        _INDENT + "obj.__class__ = %s" % name,
        _INDENT + "return obj",
    ]
    return lines


def _exact_keys_path(api, schema, imports):
    """The decoder's straight path, for an object with exactly the spec's keys (what the service
    sends almost always): plain subscripts, no key-set test. An object of as many keys that lacks
    one raises KeyError part way, and the general path (which sets every field again) takes it."""
    lines = [
        _INDENT + "# The usual case, an object with exactly the spec's keys, is read with plain subscripts.",
        _INDENT + "if len(data) == _KEY_COUNT:",
        _INDENT + "    try:",
    ]
    for item in schema.fields:
        lines += _decode_field(api, item, imports, 'data["%s"]', _INDENT + "        ")
    return lines + [
        _INDENT + "    except KeyError:",
        _INDENT + "        pass  # another key stands in for a known one",
        _INDENT + "    else:",
        _INDENT + "        obj._extra = None",
        _INDENT + "        obj.__class__ = %s" % schema.name,
        _INDENT + "        return obj",
    ]


def _item_decoder(api, type_ref, imports):
    """The function converting one JSON value to `type_ref`, or None when it is kept as parsed."""
    if is_model(api, type_ref):
        return "%s._from_json_object" % imports.model(type_ref)
    if type_ref in _PARSERS:
        imports.runtime(_PARSERS[type_ref])
        return _PARSERS[type_ref]
    return None


def _decode_field(api, item, imports, lookup, indent=_INDENT):
    """The lines setting `obj.<field>` from `lookup` (a template of the expression reading the key)."""
    get = lookup % item.json_name
    convert = _item_decoder(api, item.item_type, imports)
    if convert is None:
        return [indent + "obj.%s = %s" % (item.name, get)]
    if item.container is None and is_model(api, item.type_ref):
        line = indent + "obj.%s = %s(%s)" % (item.name, convert, get)
        if len(line) <= _WIDTH:
            return [line]
        return [indent + "value = %s" % get, indent + "obj.%s = %s(value)" % (item.name, convert)]
    lines = [indent + "value = %s" % get]
    if item.container is None:
        lines += [
            indent + "if value.__class__ is str:",
            indent + "    value = %s(value)" % convert,
        ]
    elif item.container == "list":
        lines.append(indent + "if value.__class__ is list:")
        lines += _assignment(indent + "    ", "value", "[]", ["%s(item)" % convert], "item in value")
    else:
        lines.append(indent + "if value.__class__ is dict:")
        lines += _assignment(indent + "    ", "value", "{}", ["key: %s(item)" % convert],
                             "key, item in value.items()")
    return lines + [indent + "obj.%s = value" % item.name]


def _assignment(indent, target, brackets, element, loop):
    """`target = [element for loop]` (or with braces), broken over lines as needed to fit.

    `element` is a list of pieces, joined on one line, or one piece a line when
    that line would be too long.
    """
    opening, closing = brackets
    one_line = "%s%s = %s%s for %s%s" % (indent, target, opening, " ".join(element), loop, closing)
    if len(one_line) <= _WIDTH:
        return [one_line]
    first = "%s%s = %s%s" % (indent, target, opening, " ".join(element))
    aligned = [first, " " * (len(indent) + len(target) + 4) + "for %s%s" % (loop, closing)]
    if max(len(line) for line in aligned) <= _WIDTH:
        return aligned
    inner = indent + "    "
    if len(inner + " ".join(element)) <= _WIDTH:
        element = [" ".join(element)]
    return (["%s%s = %s" % (indent, target, opening)] + [inner + piece for piece in element]
            + [inner + "for " + loop, indent + closing])


# -- _to_json_object ---------------------------------------------------------------

def encoder(api, schema, imports):
    imports.typing.update(("Any", "Dict"))
    lines = [
        "    def _to_json_object(self) -> Dict[str, Any]:",
        '        """The JSON object sent for this model: unset fields left out, nested models converted.',
        "",
        "        json.dumps does the rest; timestamps and decimals go through its default hook.",
        '        """',
        _INDENT + "out: Dict[str, Any] = {}",
    ]
    for index, item in enumerate(schema.fields):
        lines.append(_INDENT + "value%s = self.%s" % (": Any" if index == 0 else "", item.name))
        if is_model(api, item.item_type):
            lines += _encode_nested(item, imports)
            lines.append(_INDENT + "elif value is not None:")
        else:
            lines.append(_INDENT + "if value is not None:")
        lines.append(_INDENT + '    out["%s"] = value' % item.json_name)
    lines += [
        _INDENT + "if self._extra:",
        _INDENT + "    return self._with_extra(out)",
        _INDENT + "return out",
    ]
    return lines


def _encode_nested(item, imports):
    """`if` lines converting a nested model (or a list or dict of them) into `out`."""
    cls = imports.model(item.item_type)
    target = 'out["%s"]' % item.json_name
    if item.container is None:
        return [
            _INDENT + "if value.__class__ is %s:" % cls,
            _INDENT + "    %s = value._to_json_object()" % target,
        ]
    convert = ["item._to_json_object()", "if item.__class__ is %s else item" % cls]
    lines = [_INDENT + "if value.__class__ is %s:" % item.container]
    if item.container == "list":
        return lines + _assignment(_INDENT + "    ", target, "[]", convert, "item in value")
    convert[0] = "key: " + convert[0]
    return lines + _assignment(_INDENT + "    ", target, "{}", convert, "key, item in value.items()")


# -- the unchecked twin ---------------------------------------------------------------

def unchecked_class(schema):
    name = schema.name
    return [
        "class _Unchecked(%s):" % name,
        '    """The model without the checks on assignment, for the decoder.',
        "",
        "    The decoder fills the slots of a new object of this class with plain",
        "    stores, then makes it a %s." % name,
        '    """',
        "",
        "    __slots__ = ()",
        "    # object's own setter (not a function calling it), so each store stays in C.",
        "    __setattr__ = object.__setattr__",
        "",
        "",
        "# A JSON object with only these keys takes the decoder's straight path.",
        "_JSON_KEYS = frozenset(%s.attribute_map.values())" % name,
        "_KEY_COUNT = len(_JSON_KEYS)",
    ] + _other_names_constant(schema)


def _other_names_constant(schema):
    names = other_names(schema)
    if not names:
        return []
    return (["# Other keys from_dict accepts (field names, aliases): an object using them takes the",
             "# general path."]
            + wrap_items("_OTHER_NAMES = frozenset({", ['"%s"' % name for name in names], "})", "", _WIDTH))
