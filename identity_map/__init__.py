"""identity-map: what falls if one account is lost.

The library, in the order data flows through it:
`load` (YAML -> Inventory) -> `graph` (networkx AND/OR graph) ->
`engine` (fixed point, scenarios, ranking) -> `explain` / `report` /
`render` / `checklist`. The CLI (`cli.py`) and the app (`app.py`) are thin
shells over it.
"""

__version__ = "0.1.0"
