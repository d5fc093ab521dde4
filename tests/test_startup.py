"""Start-up of the commands that need no drawing: the engine compiles its
integer form straight from the inventory (`graph.Dependencies`), so rank,
validate, impact, takeover, exposure and resilience neither build nor
import networkx, and their answers equal those on the drawn graph."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from identity_map.analysis import engine
from identity_map.analysis.graph import Dependencies, build_graph
from identity_map.analysis.resilience import resilience
from identity_map.analysis.takeover import exposure
from identity_map.analysis.validate import validate_text, warnings_for
from identity_map.format.generate import dump_spec, random_spec
from identity_map.format.load import load_text

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ROOT = Path(__file__).resolve().parent.parent
# What no undrawn command may import: drawing, importers, the app.
HEAVY = ("networkx", "ruamel", "pandas", "streamlit", "publicsuffixlist", "pyvis")


def drawn_methods(G):
    """The compiled form's method lists, read off the networkx graph's nodes
    and edges: what `Compiled` held when it was built from the graph."""
    c = engine.compiled(G)
    out = []
    for node, data in G.nodes(data=True):
        if data["type"] == "method" and data["role"] in engine.LIVING_ROLES:
            out.append((node, c.index[data["owner"]], tuple(c.index[t] for t in dict.fromkeys(G.predecessors(node)))))
    return out


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_the_compiled_form_is_the_graphs_method_nodes(rng):
    inventory = load_text(dump_spec(random_spec(rng)))
    c = engine.compiled(Dependencies(inventory))
    assert list(zip(c.m_node, c.m_owner, c.m_targets)) == drawn_methods(build_graph(inventory))


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_undrawn_and_drawn_graphs_give_the_same_answers(rng):
    inventory = load_text(dump_spec(random_spec(rng)))
    deps, G = Dependencies(inventory), build_graph(inventory)
    assert engine.rank(deps) == engine.rank(G)
    assert warnings_for(deps) == warnings_for(G)
    assert resilience(deps) == resilience(G)
    assert exposure(deps) == exposure(G)
    for row in engine.rank(G)[:3]:
        assert engine.impact(deps, [row.id]).statuses == engine.impact(G, [row.id]).statuses


def test_the_drawn_graph_shares_the_undrawn_ones_caches():
    checked = validate_text("version: 1\naccounts:\n  mail: {}\n  shop: {login: [email:mail]}\n", "x.yaml")
    before = engine.compiled(checked.deps)
    assert checked.graph is checked.graph
    assert engine.compiled(checked.graph) is before
    assert sorted(checked.graph.successors("mail")) == ["shop#login0"]


def imported_after(tmp_path, argvs: str, heavy=HEAVY) -> str:
    """The modules of `heavy` a fresh interpreter has loaded after running
    the CLI with each argv of `argvs` (Python source naming the example
    household's copy `p`), as printed."""
    path = tmp_path / "inv.yaml"
    path.write_text((ROOT / "examples" / "household.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    script = (
        "import sys, io, contextlib\n"
        "from identity_map.cli import main\n"
        f"p = {str(path)!r}\n"
        f"for argv in {argvs}:\n"
        "    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        "        assert main(argv) == 0, argv\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r}))\n")
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.strip()


def test_commands_that_draw_nothing_import_nothing_heavy(tmp_path):
    assert imported_after(tmp_path, "(['validate', p], ['rank', p], ['impact', p, '--lose', 'kind:phone'], "
                                    "['takeover', p, '--gain', 'memory'], ['exposure', p], ['resilience', p])") == "[]"


def test_the_checklist_draws_no_graph(tmp_path):
    # It reads the provider directory (publicsuffixlist), but builds no networkx graph.
    assert imported_after(tmp_path, "(['checklist', p, '--lose', 'kind:phone'], ['checklist', p])",
                          ("networkx", "pyvis", "streamlit")) == "[]"


def test_rank_imports_only_what_it_uses(tmp_path):
    """`identity-map rank` on a valid file: no warnings, explanations,
    takeover, selectors or did-you-mean machinery (start-up is part of its
    0.5 s budget), and its answer is still the ranking."""
    script = (
        "import sys, io, contextlib\n"
        "from identity_map.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    assert main(['rank', {str(ROOT / 'examples' / 'household.yaml')!r}]) == 0\n"
        "assert out.getvalue().lstrip().startswith('#')\n"
        "unused = ('identity_map.analysis.takeover', 'identity_map.analysis.explain', 'identity_map.analysis.resilience',\n"
        "          'identity_map.analysis.selectors', 'difflib', 'importlib.abc', 'importlib.resources',\n"
        "          'json', 'fractions', 'tempfile')\n"
        "print(sorted(m for m in unused if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
