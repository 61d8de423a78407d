"""The layout's rules, read from the code with `ast` (imports at module level and inside functions;
those under `if TYPE_CHECKING:`, for annotations only, are never run and do not count):
no import cycle in bot/ or db/; a feature never imports another feature's router module; bot/domain
imports no aiogram; nothing of the bot but bot/cli.py imports the sandbox; SQL only in db/; no source
file over 400 lines; tests share code through tests/support only."""
from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from tests.support.paths import REPO

PACKAGES = ("bot", "db")
MAX_LINES = 400
SQL = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|PRAGMA|BEGIN)\s")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in sorted((REPO / package).rglob("*.py"))}


MODULES = modules()


def runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, at module level and inside functions, except under `if TYPE_CHECKING:` (never run)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            yield from (n for child in node.orelse for n in (child, *runtime_nodes(child)))
            continue
        yield node
        yield from runtime_nodes(node)


def imported_names(name: str, path: Path) -> Iterator[str]:
    """Every module name an import statement of this module names, wherever the statement is run."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in runtime_nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            yield source
            yield from (f"{source}.{alias.name}" for alias in node.names)  # `from package import module`


def imports_of(name: str) -> set[str]:
    """The project's modules this module imports (a package's __init__ only when it is named itself)."""
    return {target for target in imported_names(name, MODULES[name]) if target in MODULES and target != name}


GRAPH = {name: imports_of(name) for name in MODULES}


def cycles() -> list[list[str]]:
    """One cycle through each strongly connected group of modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(GRAPH[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for name in sorted(GRAPH):
        if name not in index:
            visit(name)
    return [path_through(group) for group in groups]


def path_through(group: list[str]) -> list[str]:
    """The shortest cycle through the group's first module, to name in the failure."""
    members, start = set(group), group[0]
    came_from: dict[str, str] = {}
    queue = [start]
    for node in queue:
        for target in sorted(GRAPH[node] & members):
            if target == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if target not in came_from:
                came_from[target] = node
                queue.append(target)
    raise AssertionError(f"no cycle through {start}")


def feature_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["bot", "features"] else None


def is_router_module(name: str) -> bool:
    """A feature's router: its router.py, or any module of it that builds a Router (create_router)."""
    if feature_of(name) is None:
        return False
    if name.endswith(".router"):
        return True
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    return any(isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == "create_router"
               for node in tree.body)


def test_the_gate_reads_imports_at_module_level_and_inside_functions(tmp_path):
    assert "bot.features.onboarding.start" in GRAPH["bot.features"], "feature_routers imports inside a function"
    assert "bot.context" in GRAPH["bot.app"]
    source = tmp_path / "example.py"
    source.write_text("from typing import TYPE_CHECKING\nimport a\nif TYPE_CHECKING:\n    import b\nelse:\n"
                      "    import c\ndef f():\n    from .d import e\n", encoding="utf-8")
    assert set(imported_names("pkg.example", source)) == {"typing", "typing.TYPE_CHECKING", "a", "c", "pkg.d",
                                                          "pkg.d.e"}
    assert is_router_module("bot.features.onboarding.start") and not is_router_module("bot.features.broadcast.engine")


def test_no_import_cycle_in_bot_or_db():
    found = cycles()
    assert not found, "import cycles (each module imports the next):\n" + "\n".join(" -> ".join(c) for c in found)


def test_a_feature_never_imports_another_features_router():
    found = [f"{name} imports {target}" for name, targets in sorted(GRAPH.items()) if feature_of(name)
             for target in sorted(targets)
             if is_router_module(target) and feature_of(target) != feature_of(name)]
    assert not found, "a feature imports another feature's router module:\n" + "\n".join(found)


def test_the_domain_imports_no_aiogram():
    found = [f"{name} imports {target}" for name, path in sorted(MODULES.items())
             if name == "bot.domain" or name.startswith("bot.domain.")
             for target in sorted(set(imported_names(name, path)))
             if target == "aiogram" or target.startswith("aiogram.")]
    assert not found, "bot/domain must not import aiogram:\n" + "\n".join(found)


def test_only_the_cli_imports_the_sandbox():
    def allowed(name: str) -> bool:
        return name in ("bot.cli", "bot.sandbox") or name.startswith("bot.sandbox.")

    found = [f"{name} imports {target}" for name, targets in sorted(GRAPH.items())
             if name.startswith("bot.") and not allowed(name)
             for target in sorted(targets) if target == "bot.sandbox" or target.startswith("bot.sandbox.")]
    assert not found, "only bot/cli.py may import bot.sandbox:\n" + "\n".join(found)


def test_sql_lives_in_db_only():
    found = [f"{name}:{node.lineno}: {node.value.strip()[:60]!r}" for name, path in sorted(MODULES.items())
             if name.startswith("bot.")
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value)]
    assert not found, "SQL outside db/ (it belongs in db/, a repository of db/queries):\n" + "\n".join(found)


def test_no_source_file_is_over_400_lines():
    sources = [p for folder in ("bot", "db", "bench", "tests") for p in (REPO / folder).rglob("*")
               if p.suffix in (".py", ".sql", ".js", ".css", ".html") and "__pycache__" not in p.parts]
    found = [f"{p.relative_to(REPO)}: {n} lines" for p in sorted(sources)
             if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES]
    assert not found, f"files over {MAX_LINES} lines (split them by responsibility):\n" + "\n".join(found)


def test_tests_share_code_only_through_tests_support():
    found = []
    for path in sorted((REPO / "tests").rglob("*.py")):
        if "support" in path.relative_to(REPO / "tests").parts[:1]:
            continue
        name = module_name(path)
        found += [f"{name} imports {target}" for target in sorted(set(imported_names(name, path)))
                  if target.startswith("tests.") and not target.startswith("tests.support")]
    assert not found, "shared test code belongs in tests/support/:\n" + "\n".join(found)
