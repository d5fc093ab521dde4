"""identity-map: what falls if one account is lost.

The library, in the order data flows through it:

- `identity_map.format`: YAML text -> `load` (typed `model` + located
  errors), the JSON `schema`, atomic `files` writes, `generate`d inventories;
- `identity_map.analysis`: `graph` (AND/OR graph) -> `engine` (fixed points,
  scenarios, ranking), `explain`, `resilience`, `scenarios`, `validate`;
- `identity_map.checklist`: verified mitigation items (`model`, `rules`,
  `fixes`, export `formats`);
- `identity_map.output`: the impact `report` and the offline graph page (`render`);
- `identity_map.importers`: password-manager and authenticator exports;
- `identity_map.app`: the Streamlit app's view helpers, workspace and exports.

The CLI (`identity_map/cli.py`) and the app (`app.py`) are thin shells over it.

The first layout was flat (`identity_map.engine`, `identity_map.checklist_rules`,
...); those names still import, as the very same module objects:

>>> import identity_map.engine, identity_map.analysis.engine
>>> identity_map.engine is identity_map.analysis.engine
True
"""

import importlib
import sys
from importlib.machinery import ModuleSpec

__version__ = "0.1.0"

# Old flat module name -> where it lives now. Kept so that code written against
# the first layout keeps working; new code imports the new names.
MOVED = {
    "load": "format.load", "model": "format.model", "schema": "format.schema",
    "files": "format.files", "generate": "format.generate",
    "graph": "analysis.graph", "engine": "analysis.engine", "explain": "analysis.explain",
    "resilience": "analysis.resilience", "scenarios": "analysis.scenarios", "validate": "analysis.validate",
    "checklist_model": "checklist.model", "checklist_rules": "checklist.rules",
    "checklist_export": "checklist.formats", "fixes": "checklist.fixes",
    "report": "output.report", "render": "output.render",
    "appview": "app.view", "workspace": "app.workspace", "exports": "app.exports",
}


class _Alias:
    """Serves `identity_map.OLD` as the module object of its new home: a
    meta path finder and loader by protocol (importlib.abc would import
    importlib.resources and more into every start-up)."""

    def find_spec(self, fullname, path=None, target=None):
        prefix, _, leaf = fullname.rpartition(".")
        if prefix == __name__ and leaf in MOVED:
            return ModuleSpec(fullname, self)
        return None

    def create_module(self, spec):
        return importlib.import_module(f"{__name__}.{MOVED[spec.name.rpartition('.')[2]]}")

    def exec_module(self, module):
        pass  # already executed under its new name


sys.meta_path.append(_Alias())
