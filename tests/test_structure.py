"""The house's shape (DESIGN.md, "One direction of flow"): the pipeline's rooms never
import the layers built on them, and no module imports one that imports it back, not even
from inside a function. Imports only for type checking (`if TYPE_CHECKING:`) are not
followed: they run nowhere."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

#: The pipeline, bottom to top: a module may import its own room and the rooms below.
PIPELINE = ("model", "optimize", "checker", "render")
LAYERS = ("negotiate", "analyze", "web", "cli")


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted((SRC / "dealbench").rglob("*.py")):
        parts = list(path.with_suffix("").relative_to(SRC).parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The dealbench modules `module` imports, wherever in it (but for type checking)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking_only(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                name = f"{base}.{alias.name}"
                if name in known:
                    found.add(name)
                elif base in known:
                    found.add(base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    found.discard(module)
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    known = _modules()
    return {name: _imports(name, path, known) for name, path in known.items()}


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_pipeline_never_imports_the_layers_above_it(graph: dict[str, set[str]]) -> None:
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        if _room(module) in PIPELINE
        for target in targets
        if _room(target) in LAYERS
    )
    assert upward == []


#: The pipeline's rooms in the order they may import each other, bottom first: `check`
#: knows no solver and the optimizer runs it on its answer (DESIGN.md), so `checker` lies
#: below `optimize`; `render` turns results into documents and nothing below formats with it.
#: The pipeline's rooms bottom first, then the layers above it (DESIGN.md, "One direction
#: of flow"): `negotiate` above `analyze` (its room and joint frontier use
#: `analyze.parallel`; session 47, qa47-reread), the web workbench above both, the CLI
#: above the workbench it starts (`dealbench serve`).
IMPORT_ORDER = ("model", "checker", "optimize", "render", "analyze", "negotiate", "web", "cli")


def test_a_room_of_the_pipeline_imports_only_the_rooms_below_it(
    graph: dict[str, set[str]],
) -> None:
    # The optimizer's messages once formatted money with `render.environment`, so every
    # solve, in every worker process, loaded Jinja2.
    rank = {room: i for i, room in enumerate(IMPORT_ORDER)}
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        if _room(module) in rank
        for target in targets
        if rank.get(_room(target), -1) > rank[_room(module)]
    )
    assert upward == []


def test_solving_loads_no_template_engine() -> None:
    import subprocess
    import sys

    probe = "import sys, dealbench.optimize; print('jinja2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components: any of more than one node is a circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            members = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                members.append(w)
                if w == v:
                    break
            if len(members) > 1:
                circles.append(sorted(members))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return circles


def test_no_module_imports_one_that_imports_it_back(graph: dict[str, set[str]]) -> None:
    assert _circles(graph) == []


#: Rooms inside a room: each is one node of the graph below.
SUB_PACKAGES = (
    "dealbench.optimize.bargain",
    "dealbench.optimize.decomposition",
    "dealbench.optimize.explain",
    "dealbench.optimize.schedule",
    "dealbench.negotiate.offers",
    "dealbench.negotiate.rounds",
    "dealbench.web.views",
)


def test_a_room_inside_a_room_imports_its_neighbours_one_way(
    graph: dict[str, set[str]],
) -> None:
    """The decomposition uses the plain model (`formulate`, `plain`, `finish`), never the
    other way round: a helper both use (`optimize.highs`) lives below both. Seen as one
    node, a sub-package is in no circle with the modules beside it."""

    def node(module: str) -> str:
        return next((p for p in SUB_PACKAGES if module == p or module.startswith(p + ".")), module)

    rooms: dict[str, set[str]] = {}
    for module, targets in graph.items():
        rooms.setdefault(node(module), set()).update(node(t) for t in targets)
    for name, targets in rooms.items():
        targets.discard(name)
    assert set(SUB_PACKAGES) <= set(rooms)
    assert _circles(rooms) == []


def test_the_graph_sees_imports_inside_functions(graph: dict[str, set[str]]) -> None:
    # `infeasible` imports `solve` inside `_floor_shortfall` only: the walk must see it.
    assert "dealbench.optimize.solve" in graph["dealbench.optimize.explain.infeasible"]
    # `periods` imports `policy` only for type checking: no circle through it.
    assert "dealbench.model.policy" not in graph["dealbench.model.periods"]
