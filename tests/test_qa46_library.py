"""Session 46 (qa46-library): dealbench as a Python library, over every public call.

Where a call takes a loaded object (a Portfolio, a Package, a SolveResult), a path or a
dict passed there instead is refused as `dealbench.ArgumentError` naming the parameter,
in every call `dealbench.__all__` exports: found by the signatures, so that a call added
later is held to it too (it was an AttributeError deep inside for a third of them).
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import dealbench
from dealbench.errors import ArgumentError
from helpers import DATA

TINY = DATA / "tiny/portfolio.yaml"
LOADED = ("Portfolio", "Package", "SolveResult")


@pytest.fixture(scope="module")
def given(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A good value for every parameter a public call requires, by its name (tiny data)."""
    pf = dealbench.load_portfolio(TINY)
    result = dealbench.solve(pf)
    package = result.deals[0].package()
    source = dealbench.source_from_result(pf, result)
    root = tmp_path_factory.mktemp("rounds")
    dealbench.record_offer(pf, root, "AA", package=package)
    negotiations = dealbench.load_negotiations(pf, root)
    return {
        "portfolio": pf,
        "result": result,
        "a": result,
        "b": result,
        "package": package,
        "packages": [package],
        "counter": package,
        "deal": dealbench.evaluate(pf, package),
        "partner": "AA",
        "partner_utility": 1e9,
        "root": root,
        "negotiations": negotiations,
        "plan": dealbench.replan(pf, negotiations),
        "source": source,
        "doc": dealbench.documents_for(source, "term-sheet")[0],
        "kind": "term-sheet",
        "formats": ["md"],
        "policies": ["tiered"],
        "path": TINY,
        "sweep_param:path": "partners.AA.batna",  # an override's path, a str (qa46-model)
        "portfolio_path": TINY,
        "start": 1e9,
        "stop": 2e9,
        "steps": 2,
        "overrides": {},
        "items": [],
        "name": "tiered",
        "scenarios": [],
    }


def _loaded_parameters() -> Iterator[tuple[str, str, bool]]:
    """(call, parameter, whether it takes a path too) for each parameter of an exported
    call whose annotation names a loaded object."""
    for name in dealbench.__all__:
        call = getattr(dealbench, name)
        if not inspect.isfunction(call):
            continue
        for parameter in inspect.signature(call).parameters.values():
            text = str(parameter.annotation)
            if any(re.search(rf"\b{kind}\b", text) for kind in LOADED):
                yield name, parameter.name, "PathLike" in text


CASES = [
    pytest.param(name, parameter, wrong, id=f"{name}-{parameter}-{kind}")
    for name, parameter, takes_paths in _loaded_parameters()
    for kind, wrong in [("path", "deals/x.yaml"), ("dict", {"partner": "AA"})]
    if not (takes_paths and kind == "path")
]


def test_the_signatures_name_the_loaded_objects() -> None:
    """The cases below are found by the annotations: a rename would silently drop them."""
    names = {(name, parameter) for name, parameter, _ in _loaded_parameters()}
    assert {("record_offer", "portfolio"), ("solve", "warm_start"), ("residual", "fixed")} <= names
    assert len(CASES) > 60


@pytest.mark.parametrize(("name", "parameter", "wrong"), CASES)
def test_a_path_or_a_dict_where_a_loaded_object_goes_is_refused_by_name(
    given: dict[str, Any], name: str, parameter: str, wrong: object
) -> None:
    """`record_offer("deals/portfolios/gulf-asia.yaml", root, "QA")`, `compare(path, ...)`,
    `room(path, root)`, `solve(pf, warm_start="result.json")`, `record_counter(pf, root,
    "AE", counter.model_dump())` ... were AttributeErrors ('str' object has no attribute
    'partner'); `apply_overrides(path, {})` returned the path."""
    call = getattr(dealbench, name)
    signature = inspect.signature(call)
    kwargs = {
        p: given.get(f"{name}:{p}", given[p])
        for p, spec in signature.parameters.items()
        if spec.default is inspect.Parameter.empty
        and spec.kind not in (spec.VAR_KEYWORD, spec.VAR_POSITIONAL)
        and p != parameter
    }
    kwargs[parameter] = wrong
    with pytest.raises(ArgumentError) as info:
        call(**kwargs)
    assert info.value.argument == parameter, str(info.value)
    assert "expected " in str(info.value)


# --- layering: what imports what in src/dealbench -------------------------------------------

SRC = Path(dealbench.__file__).resolve().parent
UPPER = {"negotiate", "analyze", "web", "cli"}
#: The command's entry points sit above everything (`python -m dealbench`, the script).
ENTRY = {"dealbench.command", "dealbench.__main__"}


def _module_names() -> dict[str, Path]:
    out = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of `tree` but those under `if TYPE_CHECKING:` (never run)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for child in node.orelse for n in [child, *_nodes(child)])
            continue
        yield node
        yield from _nodes(node)


def _imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Each module's imports of dealbench modules, those inside functions too (run later,
    they still run the module and every package above it), less `if TYPE_CHECKING:`
    blocks. An import of `dealbench.a.b` also runs `dealbench.a` (its `__init__`)."""

    def resolve(name: str) -> str:
        while name not in modules:
            name = name.rpartition(".")[0]
        return name

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in _nodes(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, *([node.module] if node.module else [])])
                targets = [f"{base}.{a.name}" for a in node.names]
            for target in targets:
                if target.startswith("dealbench."):
                    hit = resolve(target)
                    parts = hit.split(".")
                    found |= {".".join(parts[:i]) for i in range(2, len(parts) + 1)}
        # `dealbench` itself exports lazily: importing a submodule runs nothing of it
        graph[name] = {t for t in found if t != name and not name.startswith(t + ".")}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of `graph`, or None."""
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        state[node] = 2
        path.pop()
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)) is not None:
            return found
    return None


def test_the_cycle_finder_finds_one() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_of_dealbench_imports_itself_round_about() -> None:
    """`model.load_package` imported `dealbench.arguments` (inside `load_package`), which
    imported `model.package` and `model.rules`, so the model package: a cycle deferred to
    run time. The checks of loaded objects are in `model.arguments` now, and `unknown`
    (the words of an id none of those allowed) in `list_words`, below both."""
    cycle = _cycle(_imports(_module_names()))
    assert cycle is None, " -> ".join(cycle or [])


def test_the_lower_layers_import_nothing_above_them() -> None:
    """model/, optimize/, render/, checker/ and the helpers beside them are what negotiate/,
    analyze/, web/ and cli/ build on: never the other way round."""
    graph = _imports(_module_names())
    wrong = [
        f"{name} imports {target}"
        for name, targets in sorted(graph.items())
        if name.split(".")[1:2] and name.split(".")[1] not in UPPER and name not in ENTRY
        for target in sorted(targets)
        if target.split(".")[1] in UPPER
    ]
    assert wrong == []
