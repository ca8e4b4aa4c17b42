"""Render talon_one/models/: one module per schema and a lazy package __init__."""

from codegen import render_model_code
from codegen.text import HEADER_PY, describe_constraints, py_literal, wrap, wrap_items

# The longest line the renderers write, as in the hand-written code.
_WIDTH = 99


def render_models(api):
    """{relative path: text} for talon_one/models/."""
    files = {}
    for schema in api.schemas:
        files["talon_one/models/%s.py" % schema.module] = render_model(api, schema)
    files["talon_one/models/__init__.py"] = render_package(api)
    return files


def render_package(api):
    lines = [
        HEADER_PY,
        '"""The models of the Talon.One Integration API, one module per schema.',
        "",
        "Each class is imported on first use (PEP 562), so importing the package is cheap:",
        "`talon_one.models.CartItem` and `from talon_one.models import CartItem` both work.",
        "Type checkers and editors read the imports under TYPE_CHECKING instead.",
        '"""',
        "",
        "import importlib",
        "from typing import TYPE_CHECKING, Any, List",
        "",
        "if TYPE_CHECKING:",
    ]
    for schema in api.schemas:
        lines += import_line("talon_one.models.%s" % schema.module, [schema.name], indent="    ")
    lines += [
        "",
        "# Class name -> module that defines it.",
        "_MODULES = {",
    ]
    for schema in api.schemas:
        line = '    "%s": "%s",' % (schema.name, schema.module)
        lines += [line] if len(line) <= _WIDTH else ['    "%s":' % schema.name, '        "%s",' % schema.module]
    lines += ["}", ""]
    lines += wrap_items("__all__ = [", ['"%s"' % name for name in sorted(s.name for s in api.schemas)], "]", "",
                        _WIDTH)
    lines += [
        "",
        "",
        "def __getattr__(name: str) -> Any:",
        "    module = _MODULES.get(name)",
        "    if module is None:",
        '        raise AttributeError("module %r has no attribute %r" % (__name__, name))',
        '    cls = getattr(importlib.import_module("talon_one.models." + module), name)',
        "    globals()[name] = cls",
        "    return cls",
        "",
        "",
        "def __dir__() -> List[str]:",
        "    return sorted(set(globals()) | set(__all__))",
        "",
    ]
    return "\n".join(lines)


def render_model(api, schema):
    imports = render_model_code.Imports(schema.name)
    body = _model_classes(api, schema, imports)  # first: it records what the module imports
    lines = [HEADER_PY, '"""%s"""' % _module_doc(schema), "", "from __future__ import annotations", ""]
    lines += _import_lines(api, imports)
    constants = _module_constants(api, schema)
    if constants:
        lines += [""] + constants
    return "\n".join(lines + ["", ""] + body + [""])


def _is_effect(api, schema):
    return schema.name == "Effect" and bool(api.effect_types)


def _model_classes(api, schema, imports):
    """The model class and its unchecked twin."""
    aliases = [f for f in schema.fields if f.alias]
    lines = ["class %s(Model):" % schema.name]
    lines += _class_docstring(schema)
    lines += _field_annotations(api, schema, imports)
    lines += _class_attributes(schema)
    lines += [""] + render_model_code.constructor(api, schema, imports)
    for item in aliases:
        lines += [""] + _alias_property(api, item, imports)
    if _is_effect(api, schema):
        imports.runtime("model_class")
        lines += [""] + _typed_props()
    for method in (render_model_code.validator, render_model_code.decoder, render_model_code.encoder):
        lines += [""] + method(api, schema, imports)
    return lines + ["", ""] + render_model_code.unchecked_class(schema)


def _field_annotations(api, schema, imports):
    """`name: Optional[str]` for every field: what checkers and editors read (the values live in slots)."""
    if not schema.fields:
        return []
    return [""] + ["    %s: %s" % (item.name, imports.annotate(api, item.type_ref)) for item in schema.fields]


def _alias_property(api, item, imports):
    """A property reading and writing a field under the spelling of openapi-generator's SDK."""
    kind = imports.annotate(api, item.type_ref)
    return [
        "    @property",
        "    def %s(self) -> %s:" % (item.alias, kind),
        '        """Alias of `%s` (openapi-generator\'s spelling, kept for existing code)."""' % item.name,
        "        return self.%s" % item.name,
        "",
        "    @%s.setter" % item.alias,
        "    def %s(self, value: %s) -> None:" % (item.alias, kind),
        "        self.%s = value" % item.name,
    ]


def _class_attributes(schema):
    lines = [""]
    lines += _tuple_attribute("__slots__", [f.name for f in schema.fields])
    lines.append("")
    lines += _dict_attribute("openapi_types", [(f.name, f.type_ref) for f in schema.fields])
    lines.append("")
    lines += _dict_attribute("attribute_map", [(f.name, f.json_name) for f in schema.fields])
    required = [f.name for f in schema.fields if f.required]
    if required:
        lines.append("")
        lines += _tuple_attribute("_required", required)
    constrained = [f for f in schema.fields if f.constraints]
    if constrained:
        lines.append("")
        lines.append("    _constraints = {")
        for item in constrained:
            lines += _constraint_lines(item)
        lines.append("    }")
    aliases = [f for f in schema.fields if f.alias]
    if aliases:
        lines.append("")
        lines += _dict_attribute("_aliases", [(f.alias, f.name) for f in aliases])
    return lines


def _module_constants(api, schema):
    lines = render_model_code.enum_constants(schema)
    if _is_effect(api, schema):
        lines += ["# effectType -> the model of that effect's props (the spec's x-effect-types).",
                  "PROPS_MODELS = {"]
        lines += ['    "%s": "%s",' % pair for pair in api.effect_types]
        lines += ["}"]
    return lines


def _import_lines(api, imports):
    lines = []
    if imports.datetime:
        lines += ["import datetime"]
    typing_names = sorted(imports.typing | ({"TYPE_CHECKING"} if imports.configuration else set()))
    if typing_names:
        lines += import_line("typing", typing_names)
    if lines:
        lines.append("")
    if imports.exceptions:
        lines.append("from talon_one.exceptions import %s" % ", ".join(sorted(imports.exceptions)))
    for module, names in sorted(imports.runtime_modules().items()):
        lines += import_line(module, names)
    for name in sorted(imports.models, key=lambda name: api.schema(name).module):
        lines += import_line("talon_one.models.%s" % api.schema(name).module, [name])
    if imports.configuration:
        lines += ["", "if TYPE_CHECKING:", "    from talon_one.configuration import Configuration"]
    return lines


def import_line(module, names, indent=""):
    line = "%sfrom %s import %s" % (indent, module, ", ".join(names))
    if len(line) <= _WIDTH:
        return [line]
    return (["%sfrom %s import (" % (indent, module)] + ["%s    %s," % (indent, name) for name in names]
            + [indent + ")"])


def _typed_props():
    return [
        "    @property",
        "    def typed_props(self) -> Any:",
        '        """`props` decoded as the model PROPS_MODELS names for `effect_type`, without validation.',
        "",
        "        For example a setDiscount effect gives a SetDiscountEffectProps. For an effect",
        "        type this SDK version does not know, or props that are not an object, the raw",
        "        `props` value is returned.",
        '        """',
        "        props = self.props",
        '        model = PROPS_MODELS.get(self.effect_type or "")',
        "        if model is None or props.__class__ is not dict:",
        "            return props",
        "        return model_class(model)._from_json_object(props)",
    ]


def _module_doc(schema):
    return "The %s model of the Integration API." % schema.name


def _class_docstring(schema):
    lines = wrap('"""' + (schema.description or schema.name), "    ", _WIDTH)
    if schema.fields:
        lines += ["", "    Attributes:"]
        for item in schema.fields:
            text = "%s (%s): %s" % (item.name, item.type_ref, item.description)
            notes = _field_notes(item)
            if notes:
                text += " " + notes
            lines += wrap(text, "        ", _WIDTH, "            ")
    lines.append('    """')
    return lines


def _field_notes(item):
    notes = []
    if item.required:
        notes.append("Required.")
    if item.json_name != item.name:
        notes.append("JSON key `%s`." % item.json_name)
    if item.alias:
        notes.append("Also accepted as `%s`." % item.alias)
    for text in describe_constraints(item.constraints, item.type_ref):
        notes.append(text[0].upper() + text[1:] + ".")
    if item.default is not None:
        notes.append("Default %s." % py_literal(item.default))
    return " ".join(notes)


def _tuple_attribute(name, values):
    if not values:
        return ["    %s = ()" % name]
    one_line = "    %s = (%s)" % (name, ", ".join('"%s"' % v for v in values) + ("," if len(values) == 1 else ""))
    if len(one_line) <= _WIDTH:
        return [one_line]
    return ["    %s = (" % name] + ['        "%s",' % v for v in values] + ["    )"]


def _dict_attribute(name, pairs):
    if not pairs:
        return ["    %s = {}" % name]
    return ["    %s = {" % name] + ['        "%s": "%s",' % pair for pair in pairs] + ["    }"]


def _constraint_lines(item):
    entries = ['"%s": %s' % (key, py_literal(value)) for key, value in sorted(item.constraints.items())]
    line = '        "%s": {%s},' % (item.name, ", ".join(entries))
    if len(line) <= _WIDTH:
        return [line]
    lines = ['        "%s": {' % item.name]
    for key, value in sorted(item.constraints.items()):
        if isinstance(value, tuple):
            lines += wrap_items('"%s": (' % key, [py_literal(v) for v in value], "),", "            ", _WIDTH)
        else:
            lines.append('            "%s": %s,' % (key, py_literal(value)))
    lines.append("        },")
    return lines
