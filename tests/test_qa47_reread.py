"""Session 47 (qa47-reread): a reread of the house's structure.

- `analyze` and `negotiate` imported each other (`negotiate.room`, `negotiate.build` and
  `negotiate.joint_chains` use `analyze.parallel`; `analyze.validation` read rounds with
  `negotiate.rounds.read`). `negotiate` is the upper layer now: `validate`'s walk moved to
  `negotiate.validation`, and nothing of `analyze` imports `negotiate`.
"""

from __future__ import annotations

from test_structure import _imports, _modules, _room

#: The layers above the pipeline, bottom first: a module may import its own layer and the
#: layers below: the shells sit above both analysis layers, the CLI above the web
#: workbench it starts (`dealbench web`).
LAYER_ORDER = {"analyze": 0, "negotiate": 1, "web": 2, "cli": 3}


def test_the_analysis_layers_import_one_way() -> None:
    known = _modules()
    graph = {name: _imports(name, path, known) for name, path in known.items()}
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        if _room(module) in LAYER_ORDER
        for target in targets
        if LAYER_ORDER.get(_room(target), -1) > LAYER_ORDER[_room(module)]
    )
    assert upward == []


def test_validate_runs_from_its_new_home() -> None:
    """Both shells call the one walk, moved without a change of behaviour."""
    from dealbench.negotiate.validation import validate_files
    from helpers import REPO

    found = validate_files([REPO / "deals"])
    assert found.issues == []
    assert any(kind == "round" for _path, kind in found.ok)
