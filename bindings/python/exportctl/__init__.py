"""exportctl: export-control decisions for cross-border clinical research.

    import exportctl
    policy = exportctl.compile("rules/examples/pack")
    decision = policy.evaluate({"id": "SHP-1", "date": "2026-11-25", "route": ["US", "BR"],
                                "materials": [{"id": "m1", "eccn": "1C351.a", "category": "pathogen",
                                           "un_number": "UN2814"}]})
    decision["outcome"]            # 'license_required'

Parties are screened against restricted-party lists loaded apart from the rules:

    lists = exportctl.load_lists("lists/")
    decision = policy.evaluate(request, lists=lists)   # decision["screening"]: matches relied on
    lists.screen("Northwind Biotech", country="CN")    # [{"list": "EL", "score": 97, ...}]

A Policy is immutable and thread-safe; evaluation releases the GIL. Policies pickle (as their
sources, recompiled on load) and Lists pickle (as their paths, reloaded), so batches can run on
Dask or Spark workers.
"""

import json as _json

import _exportctl

__all__ = ["Error", "CompileError", "RequestError", "ListError", "Policy", "Lists", "compile",
           "compile_sources", "load_lists", "load_licenses", "Licenses", "LicenseError"]


class Error(Exception):
    """Base of every exportctl error."""

    code = "error"


class CompileError(Error):
    """The rules did not compile. `diagnostics` lists every error and warning as dicts with
    severity, code, message, help, file, line, column and formatted."""

    code = "compile_error"

    def __init__(self, message, diagnostics):
        formatted = "".join(d["formatted"] for d in diagnostics)
        super().__init__(f"{message}\n{formatted}" if formatted else message)
        self.diagnostics = diagnostics


class RequestError(Error):
    """The request is malformed. `code` is stable (invalid_type, unknown_field, ...) and `path`
    is the JSON path of the offending field."""

    def __init__(self, code, message, path="$"):
        super().__init__(f"{path}: {message}")
        self.code = code
        self.path = path
        self.message = message


class ListError(Error):
    """A list file did not load. `code` is stable (list_malformed, list_missing_field, ...); the
    message names the file and the position in it."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


class Lists:
    """Loaded restricted-party lists. Build with load_lists(); immutable and thread-safe."""

    def __init__(self, handle, paths):
        self._handle = handle
        self._paths = list(paths)

    @property
    def info(self):
        """One dict per loaded file: code, date, digest, path, format, entries, aliases."""
        return [_json.loads(i) for i in self._handle.info_json()]

    def screen(self, name, country=None, threshold=None, lists=None, limit=10):
        """Returns the entries `name` matches at or above `threshold`, best first: dicts with
        list, entry, name, alias, score, type, countries, programs, source."""
        if threshold is None:
            threshold = _exportctl.DEFAULT_SCREEN_THRESHOLD
        out = self._handle.screen_json(name, country or "", int(threshold), list(lists or []),
                                       int(limit))
        return _json.loads(out)["matches"]

    def __reduce__(self):
        return (load_lists, tuple(self._paths))


def load_lists(*paths):
    """Loads the list files under the given files or directories ("PATH@YYYY-MM-DD" gives a
    file's date). Raises ListError when any file does not load."""
    if not paths:
        raise Error("load_lists() needs at least one path")
    paths = [str(p) for p in paths]
    handle, code, message = _exportctl.load_lists(paths)
    if handle is None:
        raise ListError(code, message)
    return Lists(handle, paths)


class LicenseError(Error):
    """A license repository did not load. `code` is stable (license_unknown_field,
    license_invalid_date, ...); the message names the file, the line or path, and the key."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


class Licenses:
    """A loaded license repository. Build with load_licenses(); immutable and thread-safe."""

    def __init__(self, handle, path):
        self._handle = handle
        self._path = path

    @property
    def ids(self):
        return self._handle.ids()

    def __reduce__(self):
        return (load_licenses, (self._path,))


def load_licenses(path):
    """Loads a license repository (a JSON array or JSON Lines). Raises LicenseError when it does
    not load cleanly."""
    handle, code, message = _exportctl.load_licenses(str(path))
    if handle is None:
        raise LicenseError(code, message)
    return Licenses(handle, str(path))


def _handle(lists):
    return None if lists is None else lists._handle


class Policy:
    """A compiled policy. Build one with compile() or compile_sources()."""

    def __init__(self, handle, diagnostics):
        self._handle = handle
        self.diagnostics = diagnostics  # warnings

    def evaluate(self, request, as_of=None, lists=None, no_screening=False, licenses=None):
        """Returns the decision (a dict in the contract's shape) for a request given as a dict
        or a JSON string. `lists` (from load_lists) are what screen() screens parties against;
        without them a rule that screens fails closed, unless `no_screening` opts out.
        `licenses` (from load_licenses) meet license requirements with the licenses the request
        names. Raises RequestError for a malformed request."""
        text = request if isinstance(request, str) else _json.dumps(request)
        return _json.loads(self.evaluate_json(text, as_of, lists, no_screening, licenses))

    def evaluate_json(self, text, as_of=None, lists=None, no_screening=False, licenses=None):
        """Returns the decision as a JSON string."""
        out, code, message, path = self._handle.evaluate_json(text, as_of, _handle(lists),
                                                              no_screening, _handle(licenses))
        if code:
            raise RequestError(code, message, path)
        return out

    def decide(self, request, as_of=None, lists=None, no_screening=False, licenses=None):
        """The fast path: returns (outcome, fired rule ids, errors) without the full decision
        (same outcome as evaluate). Raises RequestError for a malformed request."""
        text = request if isinstance(request, str) else _json.dumps(request)
        outcome, rules, errors, code, message, path = self._handle.decide_json(
            text, as_of, _handle(lists), no_screening, _handle(licenses))
        if code:
            raise RequestError(code, message, path)
        return outcome, rules, errors

    def run_tests(self, lists=None, no_screening=False):
        """Runs the `test` blocks of the rule files: a list of dicts with test, title, source,
        passed and message."""
        return self._handle.run_tests(_handle(lists), no_screening)

    @property
    def rule_ids(self):
        """The rule ids, in rule order."""
        return self._handle.rule_ids

    @property
    def digest(self):
        return self._handle.digest

    @property
    def rule_count(self):
        return self._handle.rule_count

    def to_dot(self):
        return self._handle.to_dot()

    def sources(self):
        """Returns [(name, text)], enough to compile the policy again."""
        return [tuple(s) for s in self._handle.sources()]

    def __reduce__(self):
        return (compile_sources, (self.sources(),))


def _finish(result):
    handle, diagnostics, message = result
    if handle is None:
        raise CompileError(message, diagnostics)
    return Policy(handle, diagnostics)


def compile(*paths):
    """Compiles the .ecr files under the given files or directories."""
    if not paths:
        raise Error("compile() needs at least one path")
    return _finish(_exportctl.compile_paths([str(p) for p in paths]))


def compile_sources(sources):
    """Compiles in-memory rule files: a dict {name: text} or a list of (name, text)."""
    items = list(sources.items()) if isinstance(sources, dict) else [tuple(s) for s in sources]
    return _finish(_exportctl.compile_sources(items))
