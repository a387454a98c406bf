"""The layout the code promises (docs/architecture.md), checked on the source itself.

Production code is every Python module of the project's packages except ``devtools/`` (local
fakes, synthetic data, the demo), ``bench/``, ``tests/`` and each app's ``tests/``.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOT_PRODUCTION = {"devtools", "tests", "bench"}


@cache
def production_packages() -> tuple[str, ...]:
    return tuple(
        sorted(
            p.name
            for p in ROOT.iterdir()
            if p.is_dir() and (p / "__init__.py").exists() and p.name not in NOT_PRODUCTION
        )
    )


def _is_demo_command(path: Path) -> bool:
    """``manage.py demo_setup`` and other ``demo*`` commands load the demo from devtools."""
    return path.parent.name == "commands" and path.parent.parent.name == "management" and path.name.startswith("demo")


@cache
def production_modules() -> tuple[tuple[str, Path], ...]:
    """(dotted module name, path) of every production module."""
    out = []
    for package in production_packages():
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if "tests" in rel.parts or path.name == "conftest.py":
                continue
            parts = list(rel.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out.append((".".join(parts), path))
    return tuple(out)


def imported_modules(path: Path, module: str, *, top_level_only: bool = False) -> list[tuple[str, int]]:
    """(module imported, line) of every import in the file; relative imports resolved.
    ``top_level_only``: only imports that run when the module is imported (module body,
    including ``if``/``try`` blocks, not functions or ``TYPE_CHECKING`` blocks)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    is_package = path.name == "__init__.py"
    nodes: list[ast.AST]
    nodes = list(_module_level(tree.body)) if top_level_only else list(ast.walk(tree))
    found = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            found.append((base, node.lineno))
            # ``from package import submodule`` imports the submodule too
            found.extend((f"{base}.{alias.name}", node.lineno) for alias in node.names if alias.name != "*")
    return found


def _module_level(body: list[ast.stmt]) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for stmt in body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            out.append(stmt)
        elif isinstance(stmt, ast.If):
            if "TYPE_CHECKING" in ast.unparse(stmt.test):
                out.extend(_module_level(stmt.orelse))
            else:
                out.extend(_module_level(stmt.body) + _module_level(stmt.orelse))
        elif isinstance(stmt, ast.Try):
            out.extend(_module_level(stmt.body))
            for handler in stmt.handlers:
                out.extend(_module_level(handler.body))
            out.extend(_module_level(stmt.orelse) + _module_level(stmt.finalbody))
        elif isinstance(stmt, ast.With):
            out.extend(_module_level(stmt.body))
    return out


def test_production_code_never_imports_devtools() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for module, path in production_modules()
        if not _is_demo_command(path)
        for name, line in imported_modules(path, module)
        if name == "devtools" or name.startswith("devtools.")
    ]
    assert production_modules(), "no production modules found"
    assert offenders == []


def test_the_production_image_leaves_out_devtools_tests_and_benchmarks() -> None:
    copied = [
        line.split()[1]
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if line.startswith("COPY ") and "--from=" not in line
    ]
    assert not [src for src in copied if src.rstrip("/") in ("devtools", "tests", "bench", ".")]
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {"devtools", "bench", "tests", "**/tests", "conftest.py"} <= ignored


# ---- the import graph between apps -------------------------------------------------------------


def _node(module: str) -> str:
    """The graph node of a module: its app, or for the project package ``config`` its first
    submodule (``config.urls_common`` imports every app's views, and apps may read
    ``config.features``: two different layers, so two nodes)."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "config" and len(parts) > 1 else parts[0]


def app_import_graph() -> dict[str, dict[str, list[str]]]:
    """``{importer: {imported: ["path:line", ...]}}`` between production packages, from every
    import in the source: module level and inside functions alike (a function-level import
    only defers a cycle to run time, it does not remove it)."""
    packages = set(production_packages())
    graph: dict[str, dict[str, list[str]]] = {}
    for module, path in production_modules():
        src = _node(module)
        for name, line in imported_modules(path, module):
            if name.split(".")[0] not in packages:
                continue
            dst = _node(name)
            if dst != src:
                graph.setdefault(src, {}).setdefault(dst, []).append(f"{path.relative_to(ROOT)}:{line}")
    return graph


def _cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles_between_apps() -> None:
    graph = app_import_graph()
    assert graph.get("listings") and graph.get("tenants"), "the graph misses the apps"
    report = []
    for component in _cycles(graph):
        members = set(component)
        for src in component:
            for dst, where in sorted(graph[src].items()):
                if dst in members:
                    report.append(f"{src} -> {dst}: {', '.join(where[:3])}")
    assert report == [], "import cycle between apps:\n" + "\n".join(report)


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycles({"a": {"b": []}, "b": {"c": []}, "c": {"a": []}, "d": {"a": []}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b": []}, "b": {}}) == []


def test_core_imports_no_app() -> None:
    """``core`` is what every app may import, so it imports none of them."""
    packages = set(production_packages()) - {"core"}
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for module, path in production_modules()
        if module.split(".")[0] == "core"
        for name, line in imported_modules(path, module)
        if name.split(".")[0] in packages
    ]
    assert offenders == []


def _is_view_module(module: str) -> bool:
    """Views, API endpoints, URLconfs and Wagtail hooks (which register admin views)."""
    name = module.split(".")[-1]
    return name.endswith(("views", "api")) or name.startswith("urls") or name == "wagtail_hooks"


def test_no_service_selector_or_task_imports_a_view() -> None:
    """Logic (services, selectors, tasks, anything that is not a view or URLconf) never imports
    a view module: what two views share lives beside the logic, not in a view."""
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for module, path in production_modules()
        if not _is_view_module(module) and "commands" not in module.split(".")
        for name, line in imported_modules(path, module)
        if name.split(".")[0] in production_packages() and name.split(".")[-1].endswith("views")
    ]
    assert offenders == []


# ---- sizes -------------------------------------------------------------------------------------

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _sized_modules() -> list[tuple[str, Path]]:
    """Production modules except migrations (generated code)."""
    return [(m, p) for m, p in production_modules() if "migrations" not in p.relative_to(ROOT).parts]


def long_functions(source: str, *, limit: int = MAX_FUNCTION_LINES) -> list[tuple[str, int, int]]:
    """(name, first line, length) of every function or method longer than ``limit`` lines,
    from its ``def`` line to its last line (nested functions count inside their parent too)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > limit:
                found.append((node.name, node.lineno, length))
    return found


def test_no_production_module_over_400_lines() -> None:
    long = [
        f"{path.relative_to(ROOT)}: {n} lines"
        for _, path in _sized_modules()
        if (n := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    ]
    assert long == [], "split these by concern (docs/architecture.md):\n" + "\n".join(long)


def test_no_production_function_over_60_lines() -> None:
    long = [
        f"{path.relative_to(ROOT)}:{line} {name}: {length} lines"
        for _, path in _sized_modules()
        for name, line, length in long_functions(path.read_text())
    ]
    assert long == [], "split these into named steps:\n" + "\n".join(long)


def test_function_length_counts_from_def_to_last_line() -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(60))
    assert long_functions(f"def f():\n{body}\n") == [("f", 1, 61)]
    assert long_functions(f"def f():\n{body[: body.rindex(chr(10))]}\n") == []
