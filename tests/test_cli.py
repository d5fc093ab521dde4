"""The CLI contract: exit codes, JSON shapes, no traceback for bad input."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from identity_map.cli import main

ROOT = Path(__file__).parent.parent
SPEC = str(ROOT / "tests" / "fixtures" / "spec.yaml")
MALIK = str(ROOT / "examples" / "malik.yaml")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_ok_prints_warnings_on_stderr(capsys):
    code, out, err = run(capsys, "validate", SPEC)
    assert code == 0 and "valid" in out
    assert "warning: critical 'photos'" in err


def test_validate_errors_exit_1_with_every_error(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\naccounts:\n  a: {logni: x}\n  b: {login: [sms:none]}\n")
    code, out, err = run(capsys, "validate", str(bad))
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith(f"{bad}:") for line in lines)


@pytest.mark.parametrize("content", [b"\xff\xfe", b"- a\n- b\n", b"version: 1\nx: &a [*a]\n", b"a: [\n", b""])
def test_no_traceback_for_any_bad_input(tmp_path, capsys, content):
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(content)
    for command in (["validate"], ["impact"], ["rank"]):
        code, out, err = run(capsys, *command, str(bad))
        assert code == 1 and "Traceback" not in err and err.startswith(str(bad))


def test_missing_file(capsys):
    code, _, err = run(capsys, "validate", "/nonexistent/x.yaml")
    assert code == 1 and "cannot read the file" in err


def test_impact_json_contract(capsys):
    code, out, _ = run(capsys, "impact", SPEC, "--lose", "microsoft", "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert doc["scenario"] == {"lost": ["microsoft"], "selectors": ["microsoft"]}
    assert set(doc["nodes"]) >= {"microsoft", "github", "photos", "iphone"}
    assert doc["nodes"]["github"]["status"] == "recoverable"
    assert set(doc["nodes"]["github"]) == {"status", "kind", "name", "why"}
    assert doc["summary"]["money_lost"] == {"EUR": 1400.0}
    assert doc["summary"]["critical_lost"] == ["microsoft", "photos"]
    assert set(doc["summary"]["counts"]) == {"lost", "recoverable", "degraded", "ok", "unreachable"}


def test_impact_text_shows_explanations(capsys):
    code, out, _ = run(capsys, "impact", SPEC, "--lose", "microsoft")
    assert code == 0 and "Money lost: EUR 1,400.00" in out and 'recovery "codes:drawer" works' in out


def test_impact_unknown_id_is_a_clear_error(capsys):
    code, _, err = run(capsys, "impact", SPEC, "--lose", "microsfot")
    assert code == 1 and "unknown id 'microsfot'" in err and "did you mean 'microsoft'" in err


def test_rank_json_contract(capsys):
    code, out, _ = run(capsys, "rank", SPEC, "--format", "json")
    rows = json.loads(out)
    assert code == 0 and rows[0]["id"] == "microsoft"
    assert {"id", "name", "lost", "recoverable", "degraded", "money_lost", "critical_lost"} <= set(rows[0])
    assert rows[0]["lost"] == 7  # OTHER things lost


def test_graph_writes_an_offline_page(tmp_path, capsys):
    out = tmp_path / "g.html"
    code, _, _ = run(capsys, "graph", SPEC, "--lose", "microsoft", "-o", str(out))
    page = out.read_text()
    assert code == 0 and "vis.Network" in page and "cdn.jsdelivr" not in page


def test_schema_is_json(capsys):
    code, out, _ = run(capsys, "schema")
    assert code == 0 and json.loads(out)["required"] == ["version"]


def test_console_script_runs_the_malik_example():
    done = subprocess.run([sys.executable, "-m", "identity_map.cli", "impact", MALIK, "--lose", "microsoft"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "EUR 1,400.00" in done.stdout


def test_write_atomic_keeps_the_mode_of_an_existing_file_and_makes_new_ones_private(tmp_path):
    import stat

    from identity_map.format.files import write_atomic

    shared = tmp_path / "shared.yaml"
    shared.write_text("old")
    shared.chmod(0o644)
    write_atomic(shared, "new")
    assert shared.read_text() == "new" and stat.S_IMODE(shared.stat().st_mode) == 0o644
    fresh = tmp_path / "fresh.yaml"
    write_atomic(fresh, "x")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_import_merge_keeps_the_previous_inventory_as_bak(tmp_path, capsys):
    fixtures = ROOT / "tests" / "fixtures" / "importers"
    mine = tmp_path / "me.yaml"
    original = (fixtures / "existing.yaml").read_text()
    mine.write_text(original)
    code, _, err = run(capsys, "import", "auto", str(fixtures / "aegis.json"), "--merge", str(mine))
    assert code == 0 and "Delete the plaintext export" in err
    assert (tmp_path / "me.yaml.bak").read_text() == original
    assert mine.read_text() != original
    code, _, _ = run(capsys, "validate", str(mine))
    assert code == 0


@pytest.mark.parametrize("argv", [
    ["validate", "x.yaml"], ["impact", "x.yaml", "--lose", "a", "--format", "md"], ["rank", "x.yaml"],
    ["takeover", "x.yaml", "--gain", "memory"], ["exposure", "x.yaml", "--format", "json"],
    ["graph", "x.yaml", "-o", "g.html", "--focus"], ["checklist", "x.yaml", "--after-death"],
    ["resilience", "x.yaml"], ["heirs", "x.yaml", "--person", "p"], ["factors", "x.yaml", "--format", "csv"],
    ["add", "google", "x.yaml"], ["app"], ["schema"], ["import", "--list"],
])
def test_the_parser_of_one_command_reads_its_arguments_as_the_whole_parser_does(argv):
    from identity_map.cli import build_parser

    assert vars(build_parser(argv[0]).parse_args(argv)) == vars(build_parser().parse_args(argv))


def test_only_the_process_own_command_line_freezes_the_collector(monkeypatch, capsys):
    """`main()` (the `identity-map` command) freezes the objects it made out
    of the exit's last collection; `main(argv)`, as tests and other callers
    run it in a process that goes on, leaves the collector alone."""
    import gc

    frozen = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    household = str(Path(__file__).resolve().parent.parent / "examples" / "household.yaml")
    assert main(["rank", household]) == 0 and frozen == []
    monkeypatch.setattr(sys, "argv", ["identity-map", "rank", household])
    assert main() == 0 and frozen == [True]
    assert "#" in capsys.readouterr().out
