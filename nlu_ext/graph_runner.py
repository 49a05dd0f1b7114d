"""Rasa's graph run without dask's scheduler.

`DaskGraphRunner.run` builds a dask graph and hands it to `dask.get` (the synchronous scheduler)
for every message parse and every policy prediction, two to four times a turn. For graphs of a
dozen nodes dask's ordering, state bookkeeping and queues cost more than the nodes themselves:
py-spy at 600 people put ~4 % of a Rasa worker's samples in dask's own code. Each node is a
function of its inputs (`GraphNode.__call__`), so running the nodes depth-first, each once, gives
the same results; the minimal schema for a set of targets is computed once per runner. Errors
surface as with dask's synchronous scheduler: a node's exception unchanged, a RuntimeError as
GraphRunError. Checked against dask's run on parses and predictions (tests/engine/engine_checks.py,
`graph_runner`).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner

ORIGINAL_RUN = DaskGraphRunner.run
_SCHEMAS_ATTR = "_skolebro_minimal_schemas"


def _minimal_schema(runner: DaskGraphRunner, targets: tuple[str, ...]) -> GraphSchema:
    cache: dict[tuple[str, ...], GraphSchema] = runner.__dict__.setdefault(_SCHEMAS_ATTR, {})
    schema = cache.get(targets)
    if schema is None:
        schema = cache[targets] = runner._graph_schema.minimal_graph_schema(list(targets))
    return schema


def run(
    self: DaskGraphRunner,
    inputs: dict[str, Any] | None = None,
    targets: list[str] | None = None,
) -> dict[str, Any]:
    run_targets = tuple(targets if targets else self._graph_schema.target_names)
    schema = _minimal_schema(self, run_targets)
    # Each node returns (its name, its output), and inputs enter the graph in the same shape.
    results: dict[str, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and value in schema.nodes:
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure that none of the "
                f"input names passed to the `run` method are the same as node names in the "
                f"graph schema."
            )
        results[name] = (name, value)

    def compute(name: str) -> Any:
        if name in results:
            return results[name]
        node = schema.nodes.get(name)
        if node is None:  # dask passes a name that is no key of the graph on as a plain value
            return name
        parents = [compute(parent) for parent in node.needs.values()]
        result = results[name] = self._instantiated_nodes[name](*parents)
        return result

    try:
        return dict(compute(target) for target in run_targets)
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e


def install() -> None:
    DaskGraphRunner.run = run  # type: ignore[method-assign]
