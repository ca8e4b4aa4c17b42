"""Checks of our public names against the official SDK's surface list (spec/official-3.3.0-surface.json)."""

import importlib
import inspect
import json
import os

SURFACE_PATH = os.path.join(os.path.dirname(__file__), "..", "..", "spec", "official-3.3.0-surface.json")


def load_surface():
    with open(SURFACE_PATH, encoding="utf-8") as handle:
        return json.load(handle)


def official_signature(text):
    """The inspect.Signature of an official signature string such as '(self, url, headers=None)'."""
    namespace = {}
    exec("def official%s:\n    pass" % text, namespace)  # the facts file's text, parsed as Python
    return inspect.signature(namespace["official"])


def signature_problems(ours, official_text, bound):
    """Why callable `ours` would not accept the arguments the official signature accepts ([] when it does).

    Checked: the official parameters, all passed positionally in order; each passed by
    name; and only the official required ones passed (the rest must be optional here too).
    `bound` is true for methods (the official text starts with self or cls).
    """
    official = official_signature(official_text)
    params = list(official.parameters.values())
    if bound:
        params = params[1:]
    try:
        ours_signature = inspect.signature(ours)
    except (TypeError, ValueError) as error:
        return ["no signature: %s" % error]
    names = [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.POSITIONAL_ONLY)]
    keyword_only = [p.name for p in params if p.kind == p.KEYWORD_ONLY]
    required = [p.name for p in params if p.default is p.empty and p.kind == p.POSITIONAL_OR_KEYWORD]
    problems = []
    attempts = [
        ("all positionally", [object()] * len(names), dict.fromkeys(keyword_only, object())),
        ("all by name", [], dict.fromkeys(names + keyword_only, object())),
        ("only the required ones", [object()] * len(required), {}),
    ]
    for what, args, kwargs in attempts:
        try:
            arguments = ours_signature.bind(*args, **kwargs).arguments
        except TypeError as error:
            problems.append("%s: %s" % (what, error))
            continue
        if what == "all positionally":
            ours_names = list(arguments)[:len(names)]
            if ours_names != names:
                problems.append("positional order %s, official %s" % (ours_names, names))
    return problems


def member_problems(cls, name, fact):
    """Problems with member `name` of our class `cls`, given its entry in the facts file."""
    kind = fact["kind"]
    if kind == "attribute":
        return [] if hasattr(cls, name) else ["missing attribute"]
    try:
        static = inspect.getattr_static(cls, name)
    except AttributeError:
        return ["missing %s" % kind]
    if kind == "property":
        return [] if isinstance(static, property) else ["not a property (%s)" % type(static).__name__]
    if kind == "classmethod":
        if not isinstance(static, classmethod):
            return ["not a classmethod"]
        return signature_problems(getattr(cls, name), fact["signature"], True)
    if kind == "method":
        if isinstance(static, (staticmethod, classmethod)):
            problems = signature_problems(getattr(cls, name), fact["signature"], True)
        else:
            problems = signature_problems(static, fact["signature"], False)
        return problems
    return ["unknown kind %s in the facts file" % kind]


def name_problems(module, name, fact):
    """Problems with public name `name` of our `module` (a module object)."""
    if not hasattr(module, name):
        return ["%s.%s is missing" % (module.__name__, name)]
    ours = getattr(module, name)
    where = "%s.%s" % (module.__name__, name)
    kind = fact["kind"]
    if kind == "re-exported class":
        source = importlib.import_module(fact["from"])
        if ours is not getattr(source, name, None):
            return ["%s is not the same object as %s.%s" % (where, fact["from"], name)]
        return []
    if kind == "function":
        return ["%s: %s" % (where, p) for p in signature_problems(ours, fact["signature"], False)]
    if kind != "class":
        return ["%s: unknown kind %s in the facts file" % (where, kind)]
    if not inspect.isclass(ours):
        return ["%s is not a class" % where]
    problems = []
    mro_names = [base.__name__ for base in ours.__mro__]
    for base in fact.get("bases", []):
        if base not in mro_names:
            problems.append("%s does not derive from %s" % (where, base))
    for member, member_fact in fact.get("members", {}).items():
        problems += ["%s.%s: %s" % (where, member, p) for p in member_problems(ours, member, member_fact)]
    return problems


def surface_problems(surface):
    """Every problem found checking our package against `surface` (the parsed facts file)."""
    problems = []
    for module_name, names in surface["modules"].items():
        module = importlib.import_module(module_name)
        for name, fact in names.items():
            problems += name_problems(module, name, fact)
    return problems
