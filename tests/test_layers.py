"""The layers hold: model and domain import no adapter or spreadsheet/UI library, and arbook's modules
import each other without circles. Read from the source (AST), so lazy imports count too."""
import ast
from pathlib import Path

from arbook.adapters.book.filebook import FileBook
from arbook.adapters.book.livebook import LiveBook
from arbook.model.book import Book

ENGINE = Path(__file__).resolve().parents[1] / "engine"
PACKAGE = ENGINE / "arbook"
FORBIDDEN = ("arbook.adapters", "arbook.services", "arbook.cli", "arbook.actions", "openpyxl", "xlwings",
             "python_calamine", "fastexcel", "pyarrow", "lxml", "click")


def _module(path: Path) -> str:
    parts = list(path.relative_to(ENGINE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports (absolute names; ``from a import b`` gives a and a.b), with the
    packages Python runs on the way (``a.b.c`` runs ``a.b``), except the module's own packages."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    own = _module(path).split(".")
    own_packages = {".".join(own[:i]) for i in range(1, len(own) + 1)}
    parents = {".".join(n.split(".")[:i]) for n in names for i in range(1, n.count(".") + 1)}
    return names | (parents - own_packages)


MODULES = {_module(p): p for p in PACKAGE.rglob("*.py")}


def test_model_and_domain_import_no_adapter_or_spreadsheet_library():
    bad = []
    for name, path in MODULES.items():
        if name.startswith(("arbook.model", "arbook.domain")):
            bad += [f"{name} imports {i}" for i in _imports(path) if i.startswith(FORBIDDEN)]
    assert not bad


def test_no_import_circles():
    graph = {name: {i for i in _imports(path) if i in MODULES and i != name} for name, path in MODULES.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not cycles


def test_both_adapters_have_what_services_use():
    members = [m for m in dir(Book) if not m.startswith("_")]
    assert {"read", "replace", "commit", "put_report"} <= set(members)
    for adapter in (FileBook, LiveBook):
        assert all(hasattr(adapter, m) for m in members if m != "source"), adapter
