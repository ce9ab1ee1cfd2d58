"""A code reference turned into the cases the sandbox-side judge runs.

Three styles (see the contract):
- `{"tests": "<python>"}`: each `def test_*` (top-level, or a method of a test class) is a
  case; with none, each top-level `assert` is a case.
- `{"test_cases": [{"input", "output"}]}`: stdin/stdout cases.
- `{"fn_name": ..., "test_cases": [...]}`: functional cases, JSON arguments in, JSON out.

Optional: `preamble` (code run before the solution, in its module), `checker` (a program
that decides a stdio or functional case's output instead of the comparison:
sandbox/judge/checker.py), `image` ("default" or "sci": the sandbox image the cases run in).

Test code is sent as it is: it runs in the judge's tester process, which the solution
never runs in, against plain-data snapshots of what the solution returns (see
sandbox/judge/tester.py). An object whose `__eq__` always says yes never reaches it.
"""

from __future__ import annotations

import ast
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from .code_imports import unavailable_import

DEFAULT_CASE_TIMEOUT_S = 5.0
MIN_CASE_TIMEOUT_S = 0.1
MAX_CASE_TIMEOUT_S = 30.0
MAX_CASES = 512
PYTHON_NAMES = ("python", "py", "python3")
# What `reference.image` may name (sandbox.IMAGES, not imported: rewards know no sandbox).
SANDBOX_IMAGES = ("default", "sci")


class BadReference(ValueError):
    """The reference cannot be graded against (no usable tests)."""


@dataclass
class CasePlan:
    """What the judge needs: the style, the per-case data, and the shared test sources."""

    mode: str  # "test", "stdio" or "call"
    cases: list[dict[str, Any]]
    sources: list[str] = field(default_factory=list)
    fn_name: str | None = None
    preamble: str = ""  # code run before the solution, in its module
    checker: str = ""  # the source of the reference's checker program; "" compares outputs
    image: str = "default"  # the sandbox image the cases run in
    digest: str = ""  # names the reference in logs

    @property
    def budget_s(self) -> float:
        # A checker runs after each case, under the same CPU limit as the case.
        per_case = 2 if self.checker else 1
        return per_case * sum(case["timeout_s"] for case in self.cases)


def plan_cases(reference: dict[str, Any]) -> CasePlan:
    """The cases of a code reference; raises BadReference when there are none usable.

    A reference `{"format": "apps" | ... | "auto", ...}` is a dataset's own record, converted
    first (rewardd/code_formats, docs/rewards-code.md)."""
    if reference.get("format") is not None:
        from rewardd.code_formats import FormatError, reference_from_record

        try:
            reference = reference_from_record(reference)
        except FormatError as exc:
            raise BadReference(str(exc)) from exc
    language = str(reference.get("language", "python")).strip().lower()
    if language not in PYTHON_NAMES:
        raise BadReference(f"language {language!r} is not supported; only python cases run")
    timeout_s = _timeout(reference.get("timeout_s"), "timeout_s")
    if reference.get("test_cases") is not None:
        if reference.get("fn_name") is not None:
            plan = _functional_cases(reference, timeout_s)
        else:
            plan = _stdio_cases(reference["test_cases"], timeout_s)
    elif reference.get("tests") is not None:
        plan = _test_code_cases(reference["tests"], timeout_s)
    else:
        raise BadReference("the reference has neither tests nor test_cases")
    if not plan.cases:
        raise BadReference("the reference holds no test cases")
    if len(plan.cases) > MAX_CASES:
        raise BadReference(f"{len(plan.cases)} cases is over the limit of {MAX_CASES}")
    preamble = reference.get("preamble")
    if preamble is not None and not isinstance(preamble, str):
        raise BadReference("preamble must be a string of Python code")
    try:
        ast.parse(preamble or "")
    except SyntaxError as exc:  # the reference's fault, not the solution's
        raise BadReference(f"the preamble does not parse: {exc.msg} (line {exc.lineno})") from exc
    plan.preamble = preamble or ""
    plan.checker = _checker(reference.get("checker"), plan)
    plan.image = _image(reference.get("image"))
    _check_imports(reference, plan)
    plan.digest = _digest(reference)
    return plan


def _check_imports(reference: dict[str, Any], plan: CasePlan) -> None:
    """BadReference when the reference's own code, as the cases run it, imports what its
    image lacks (all of it parses: checked above)."""
    sources = [("the tests", source) for source in plan.sources]
    sources += [(f"the {key}", reference.get(key)) for key in ("preamble", "checker")]
    for what, source in sources:
        if not isinstance(source, str):
            continue
        problem = unavailable_import(what, ast.parse(source), plan.image)
        if problem is not None:
            raise BadReference(problem)


def _checker(source: Any, plan: CasePlan) -> str:
    """The checker's source, checked to parse; each case is marked for it."""
    if source is None:
        return ""
    if not isinstance(source, str) or not source.strip():
        raise BadReference("checker must be a non-empty string of Python code")
    if plan.mode == "test":
        raise BadReference("checker applies to test_cases (stdio or fn_name), not to tests")
    try:
        ast.parse(source)
    except SyntaxError as exc:
        raise BadReference(f"the checker does not parse: {exc.msg} (line {exc.lineno})") from exc
    for case in plan.cases:
        case["checked"] = True
    return source


def _image(raw: Any) -> str:
    if raw is None:
        return "default"
    if raw not in SANDBOX_IMAGES:
        raise BadReference(f"image must be one of {', '.join(SANDBOX_IMAGES)}, not {raw!r}")
    return raw


def _digest(reference: dict[str, Any]) -> str:
    try:
        text = json.dumps(reference, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(sorted(reference))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _timeout(raw: Any, where: str, default: float = DEFAULT_CASE_TIMEOUT_S) -> float:
    if raw is None:
        return default
    if isinstance(raw, bool) or not isinstance(raw, int | float) or raw != raw:
        raise BadReference(f"{where} must be a number of seconds")
    return min(max(float(raw), MIN_CASE_TIMEOUT_S), MAX_CASE_TIMEOUT_S)


def _case_list(raw: Any) -> list[dict[str, Any]]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise BadReference("test_cases is a string that is not JSON") from exc
    if not isinstance(raw, list):
        raise BadReference("test_cases must be a list of {input, output} objects")
    for i, case in enumerate(raw):
        if not isinstance(case, dict) or "input" not in case or "output" not in case:
            raise BadReference(f"test_cases[{i}] must be an object with input and output")
    return raw


def _stdio_cases(raw: Any, timeout_s: float) -> CasePlan:
    cases = []
    for i, case in enumerate(_case_list(raw)):
        if not isinstance(case["input"], str) or not isinstance(case["output"], str):
            raise BadReference(f"test_cases[{i}]: input and output must be strings")
        cases.append(
            {
                "name": f"case {i + 1}",
                "input": case["input"],
                "output": case["output"],
                "timeout_s": _timeout(
                    case.get("timeout_s"), f"test_cases[{i}].timeout_s", timeout_s
                ),
            }
        )
    return CasePlan(mode="stdio", cases=cases)


def _as_json(value: Any) -> Any:
    """A value given either as JSON data or as a string holding that JSON."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value  # a plain string value, not JSON text
    return value


def _functional_cases(reference: dict[str, Any], timeout_s: float) -> CasePlan:
    fn_name = reference["fn_name"]
    if not isinstance(fn_name, str) or not fn_name.isidentifier():
        raise BadReference("fn_name must be a Python identifier")
    cases = []
    for i, case in enumerate(_case_list(reference.get("test_cases"))):
        args = _as_json(case["input"])
        if not isinstance(args, list):
            raise BadReference(f"test_cases[{i}].input must be a JSON array of arguments")
        cases.append(
            {
                "name": f"case {i + 1}",
                "args": args,
                "expected": _as_json(case["output"]),
                "timeout_s": _timeout(
                    case.get("timeout_s"), f"test_cases[{i}].timeout_s", timeout_s
                ),
            }
        )
    return CasePlan(mode="call", cases=cases, fn_name=fn_name)


# --- test code -------------------------------------------------------------------------------


def _test_code_cases(tests: Any, timeout_s: float) -> CasePlan:
    if not isinstance(tests, str) or not tests.strip():
        raise BadReference("tests must be a non-empty string of Python code")
    try:
        module = ast.parse(tests)
    except SyntaxError as exc:
        raise BadReference(f"the tests do not parse: {exc.msg} (line {exc.lineno})") from exc

    runners = _test_runner_names(module)
    calls = _test_functions(module)
    if calls:
        # As written (its line numbers show in failures), less a top-level `unittest.main()`:
        # the cases are the tests, and it would run them again under unittest (in the judge's
        # own `__main__`) and end the module's run with a SystemExit.
        runs = [s for s in module.body if _is_runner_call(s, runners)]
        runs += _runner_only_imports(module.body, runs)
        source = _blanked(tests, module, sorted(runs, key=lambda s: s.lineno))
        cases = [
            {
                "name": ".".join(call),
                "source": 0,
                "call": list(call),
                "is_async": is_async,
                "timeout_s": timeout_s,
            }
            for call, is_async in calls
        ]
        return CasePlan(mode="test", cases=cases, sources=[source])

    # No test functions: each top-level assert is a case, run after the code above it. The
    # body of an `if __name__ == "__main__":` is top-level code here (a script's checks: the
    # tests run under another name), less its `unittest.main()`.
    body = _without_main_guards(module.body, runners)
    unused = _runner_only_imports(body, [])
    if unused:
        body = [s for s in body if s not in unused]
    if body is not module.body:
        tests = ast.unparse(ast.Module(body=body, type_ignores=[]))
    sources, cases = [], []
    last_assert = -1
    for index, statement in enumerate(body):
        if not isinstance(statement, ast.Assert):
            continue
        last_assert = index
        setup = [s for s in body[:index] if not isinstance(s, ast.Assert)]
        sources.append(ast.unparse(ast.Module(body=[*setup, statement], type_ignores=[])))
        cases.append(
            {
                "name": f"assert on line {statement.lineno}",
                "source": len(sources) - 1,
                "call": [],
                "timeout_s": timeout_s,
            }
        )
    if cases and any(_runs_checks(s) for s in body[last_assert + 1 :]):
        # Code after the last top-level assert (a loop of checks, `check(f)`) is in no case
        # above: one more case runs the whole module.
        sources.append(tests)
        name = "the code after the last assert"
        cases.append({"name": name, "source": len(sources) - 1, "call": [], "timeout_s": timeout_s})
    if not cases and any(isinstance(node, ast.Assert) for node in ast.walk(module)):
        # HumanEval style (`def check(candidate): assert ...` then `check(f)`): one case.
        if not any(_runs_checks(s) for s in body):
            raise BadReference(
                "the tests define their checks but never run them (no test_ function or "
                "test class, and no top-level code that calls one)"
            )
        sources.append(tests)
        cases.append({"name": "the tests", "source": 0, "call": [], "timeout_s": timeout_s})
    return CasePlan(mode="test", cases=cases, sources=sources)


MAIN_GUARDS = ('__name__ == "__main__"', '"__main__" == __name__')


def _is_main_guard(statement: ast.stmt) -> bool:
    test = getattr(statement, "test", None)
    return (
        isinstance(statement, ast.If)
        and isinstance(test, ast.Compare)
        and ast.unparse(test).replace("'", '"') in MAIN_GUARDS
    )


def _without_main_guards(body: list[ast.stmt], runners: set[str]) -> list[ast.stmt]:
    """body with each top-level main guard replaced by its body (its `else` dropped), and no
    call of a test runner's `main()` (unittest's, pytest's) at the top level or in a guard;
    body itself when it has neither."""
    if not any(_is_main_guard(s) or _is_runner_call(s, runners) for s in body):
        return body
    flat: list[ast.stmt] = []
    for statement in body:
        inner = statement.body if _is_main_guard(statement) else [statement]
        flat += [s for s in inner if not _is_runner_call(s, runners)]
    return flat


TEST_RUNNERS = ("unittest", "pytest")


def _test_runner_names(module: ast.Module) -> set[str]:
    """The dotted names by which the module can call a test runner's main: `unittest.main`,
    `pytest.main`, and what it imported them as (`import unittest as ut`, `from unittest
    import main`)."""
    names = {f"{runner}.main" for runner in TEST_RUNNERS}
    for node in ast.walk(module):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in TEST_RUNNERS:
                    names.add(f"{alias.asname or alias.name}.main")
        elif isinstance(node, ast.ImportFrom) and node.module in TEST_RUNNERS:
            names.update(a.asname or a.name for a in node.names if a.name == "main")
    return names


def _runner_only_imports(body: list[ast.stmt], dropped: list[ast.stmt]) -> list[ast.stmt]:
    """The top-level imports of pytest that nothing but its dropped `main()` used: tests
    that import it only to run themselves (`if __name__ == "__main__": pytest.main()`) run
    in an image without pytest. A main guard left in body never runs (the tests run under
    another name): what it uses does not count."""
    kept = [s for s in body if s not in dropped]
    used = {
        node.id
        for statement in kept
        if not isinstance(statement, ast.Import | ast.ImportFrom) and not _is_main_guard(statement)
        for node in ast.walk(statement)
        if isinstance(node, ast.Name)
    }
    imports = []
    for statement in kept:
        if not _imports_only_pytest(statement):
            continue
        bound = {a.asname or a.name for a in statement.names}
        if not bound & used and "*" not in bound:
            imports.append(statement)
    return imports


def _imports_only_pytest(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.ImportFrom):
        return statement.module == "pytest"
    return isinstance(statement, ast.Import) and all(a.name == "pytest" for a in statement.names)


def _is_runner_call(statement: ast.stmt, runners: set[str]) -> bool:
    """`unittest.main(...)` (or pytest's) as a statement of its own."""
    call = statement.value if isinstance(statement, ast.Expr) else None
    return isinstance(call, ast.Call) and ast.unparse(call.func) in runners


def _blanked(source: str, module: ast.Module, statements: list[ast.stmt]) -> str:
    """source (module's text) with each of statements, top-level ones of module, replaced by
    `pass` on its own lines, every other line where it was; unparsed (its lines renumbered)
    when one of them shares a line with other code."""
    if not statements:
        return source
    lines = source.splitlines(keepends=True)
    spans = [(s.lineno - 1, (s.end_lineno or s.lineno) - 1) for s in statements]
    for statement, (_, last) in zip(statements, spans, strict=True):
        if statement.col_offset or lines[last][statement.end_col_offset or 0 :].strip():
            body = [s for s in module.body if s not in statements]
            return ast.unparse(ast.Module(body=body, type_ignores=[]))
    for first, last in spans:
        lines[first] = "pass\n"
        for index in range(first + 1, last + 1):
            lines[index] = "\n"
    return "".join(lines)


def _runs_checks(statement: ast.stmt) -> bool:
    """A top-level statement that can check something when the module runs: it calls or
    asserts (a def's or a class's body runs only when called; `METADATA = {...}` checks
    nothing)."""
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return False
    return any(isinstance(node, ast.Call | ast.Assert) for node in ast.walk(statement))


def _test_functions(module: ast.Module) -> list[tuple[tuple[str, ...], bool]]:
    """(name,) for top-level test_* functions, (class, name) for test methods; with is_async.
    A test class's methods are those unittest's loader finds on it: its own, the ones bound
    by assignment in its body (`test_b = _check`), and the ones it inherits from the
    module's other classes (a mixin of checks, a base TestCase whose tests a subclass runs
    again with its own attributes)."""
    found: list[tuple[tuple[str, ...], bool]] = []
    test_bases = _test_case_names(module)
    classes = {node.name: node for node in module.body if isinstance(node, ast.ClassDef)}
    for node in module.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test"
        ):
            _require_no_arguments(node, node.name, skip=0)
            found.append(((node.name,), isinstance(node, ast.AsyncFunctionDef)))
        elif isinstance(node, ast.ClassDef) and _is_test_class(node, test_bases):
            for name, is_async in _class_tests(node, classes, set()).items():
                found.append(((node.name, name), is_async))
    return found


def _class_tests(
    node: ast.ClassDef, classes: dict[str, ast.ClassDef], seen: set[str]
) -> dict[str, bool]:
    """A class's test methods, inherited ones first (from the module's own classes among
    its bases), each name once, with is_async."""
    seen.add(node.name)
    tests: dict[str, bool] = {}
    for base in node.bases:
        name = ast.unparse(base)
        if name in classes and name not in seen:
            tests.update(_class_tests(classes[name], classes, seen))
    for item in node.body:
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name.startswith(
            "test"
        ):
            _require_no_arguments(item, f"{node.name}.{item.name}", skip=1)
            tests[item.name] = isinstance(item, ast.AsyncFunctionDef)
        elif isinstance(item, ast.Assign):
            for target in item.targets:
                if isinstance(target, ast.Name) and target.id.startswith("test"):
                    tests[target.id] = False
    return tests


def _is_test_class(node: ast.ClassDef, test_bases: set[str]) -> bool:
    """A Test* class, or a subclass of a TestCase: unittest's, under any name the module
    imported it as, or one of the module's own classes that is one (`class Base(TestCase)`,
    then `class AddChecks(Base)`), which test_bases names as it grows."""
    bases = [ast.unparse(base) for base in node.bases]
    found = node.name.startswith("Test") or any(
        base.endswith("TestCase") or base in test_bases for base in bases
    )
    if found:
        test_bases.add(node.name)
    return found


def _test_case_names(module: ast.Module) -> set[str]:
    """The names the module binds unittest's TestCase classes to (`from unittest import
    TestCase as T`)."""
    names: set[str] = set()
    for node in ast.walk(module):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("unittest"):
            names.update(a.asname or a.name for a in node.names if a.name.endswith("TestCase"))
    for node in module.body:
        # `Base = unittest.TestCase`
        if isinstance(node, ast.Assign) and ast.unparse(node.value).endswith("TestCase"):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def _require_no_arguments(
    node: ast.FunctionDef | ast.AsyncFunctionDef, name: str, skip: int
) -> None:
    args = node.args
    positional = [*args.posonlyargs, *args.args][skip:]
    required = len(positional) - len(args.defaults)
    required_kw = [a for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None]
    if required > 0 or required_kw:
        raise BadReference(f"test {name} takes arguments (pytest fixtures are not supported)")
