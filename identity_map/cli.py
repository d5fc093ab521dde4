"""`identity-map`: a thin command line over the library.

Every command reads an inventory, calls the library and prints; errors are
`FILE:LINE:COL: message` lines and exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

from identity_map.output import report
from identity_map.analysis.engine import Impact, rank
from identity_map.format.files import FileRefused, read_limited, replace_keeping_backup, target_of
from identity_map.format.load import MAX_BYTES, InventoryError, Problem
from identity_map.output.safe import for_terminal
from identity_map.analysis.validate import Validation, validate_bytes


class CliError(Exception):
    """A user mistake on the command line: printed, exit 1."""


def _read(path: str, limit: int = MAX_BYTES) -> bytes:
    try:
        return read_limited(path, limit)
    except FileRefused as exc:
        raise InventoryError([Problem(path, 1, 1, f"cannot read the file: {exc}")]) from None
    except OSError as exc:
        raise InventoryError([Problem(path, 1, 1, f"cannot read the file: {exc.strerror or exc}")]) from None


def _load(path: str, show_warnings: bool = False) -> Validation:
    checked = validate_bytes(_read(path), path)
    if checked.errors:
        raise InventoryError(checked.errors)
    if show_warnings:
        for w in checked.warnings:
            print(w, file=sys.stderr)
    return checked


def _scenario(checked: Validation, lose: list[str], after_death: bool = False) -> Impact:
    from identity_map.analysis.selectors import SelectorError, scenario_impact  # rank starts without them

    try:
        return scenario_impact(checked.deps, lose, after_death)
    except SelectorError as exc:
        raise CliError(f"--lose: {exc}") from None


def _gained(checked: Validation, selectors: list[str]) -> frozenset[str]:
    from identity_map.analysis.selectors import SelectorError, select

    try:
        return select(checked.inventory, selectors)
    except SelectorError as exc:
        raise CliError(f"--gain: {exc}") from None


def _emit(text: str, output: str | None, inputs: tuple[str, ...] = ()) -> None:
    """Print `text`, or write it to `output`: never over one of the command's
    `inputs`, and a file it replaces is kept as OUTPUT.bak."""
    if not output:
        sys.stdout.write(text)
        return
    for given in inputs:
        if _same_file(output, given):
            raise CliError(f"-o {output} is the command's own input {given}: writing there would replace it; "
                           "choose another output file")
    kept = replace_keeping_backup(output, text)
    print(f"wrote {output}" + (f" (the previous version is {output}.bak)" if kept else ""), file=sys.stderr)


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one does not exist (yet): compare where each path leads
        return target_of(a) == target_of(b)


class _TerminalSafe:
    """A text stream that shows control characters as visible escapes
    (`safe.for_terminal`): user text can never move the cursor, retitle
    the window or write the clipboard (OSC 52)."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(for_terminal(text))

    def __getattr__(self, name):
        return getattr(self._stream, name)


def cmd_validate(args) -> int:
    checked = _load(args.file, show_warnings=True)
    n = len(checked.inventory) - 1  # memory is implicit
    print(f"{args.file}: valid, {n} things, {len(checked.warnings)} warning(s)")
    return 0


def _json(value, ensure_ascii: bool = False) -> str:
    import json  # only --format json needs it: rank's start-up is part of its budget

    return json.dumps(value, indent=2, ensure_ascii=ensure_ascii)


def _report(fmt: str, as_json, as_md, as_text) -> int:
    """Prints the report in `fmt` (json, md or text), built by the matching function."""
    if fmt == "json":
        print(_json(as_json()))
    else:
        sys.stdout.write(as_md() if fmt == "md" else as_text())
    return 0


def cmd_impact(args) -> int:
    checked = _load(args.file)
    result = _scenario(checked, args.lose, args.after_death)
    return _report(args.format, lambda: report.impact_json(result),
                   lambda: report.impact_markdown(result, checked.inventory.owner), lambda: report.impact_text(result))


def cmd_rank(args) -> int:
    checked = _load(args.file)
    rows = rank(checked.deps)
    if args.format == "json":
        print(_json(report.rank_json(rows)))
    else:
        sys.stdout.write(report.rank_text(rows))
    return 0


def cmd_takeover(args) -> int:
    from identity_map.analysis.takeover import takeover

    checked = _load(args.file)
    result = takeover(checked.deps, _gained(checked, args.gain), args.gain)
    return _report(args.format, lambda: report.takeover_json(result),
                   lambda: report.takeover_markdown(result, checked.inventory.owner),
                   lambda: report.takeover_text(result))


def cmd_exposure(args) -> int:
    from identity_map.analysis.takeover import exposure

    rows = exposure(_load(args.file).deps)
    if args.format == "json":
        print(_json(report.exposure_json(rows)))
    else:
        sys.stdout.write(report.exposure_text(rows))
    return 0


def cmd_graph(args) -> int:
    from identity_map.output.render import render_html  # pyvis is only needed here

    checked = _load(args.file)
    result = _scenario(checked, args.lose)
    _emit(render_html(checked.graph, result, focus=args.focus), args.output, (args.file,))
    return 0


def cmd_heirs(args) -> int:
    from identity_map.analysis.heirs import HeirsError, heirs
    from identity_map.output import heirs_report
    from identity_map.output.sheet import emergency_sheet

    checked = _load(args.file)
    _scenario(checked, args.lose)  # refuses a selector that matches nothing
    try:
        reaches = heirs(checked.graph, args.person, args.lose)
    except HeirsError as exc:
        raise CliError(str(exc)) from None
    if args.format == "json":
        text = _json(heirs_report.heirs_json(reaches)) + "\n"
    elif args.format == "md":
        text = heirs_report.heirs_markdown(reaches, checked.inventory.owner)
    elif args.format == "html":
        text = emergency_sheet(checked.graph, args.person)
    else:
        text = heirs_report.heirs_text(reaches)
    _emit(text, args.output, (args.file,))
    return 0


def cmd_schema(args) -> int:
    from identity_map.format.schema import json_schema

    _emit(_json(json_schema(), ensure_ascii=True) + "\n", args.output)
    return 0


def cmd_import(args) -> int:
    from identity_map.importers import ImportFailure, format_list, run_import
    from identity_map.importers.textio import MAX_BYTES as IMPORT_MAX_BYTES

    if args.list:
        _emit("\n".join(format_list()) + "\n", None)
        return 0
    if not (args.format and args.export):
        raise CliError("import needs FORMAT and EXPORT_FILE (or --list to see the formats)")
    existing = None
    if args.merge:
        if args.output:
            raise CliError("--merge writes the merged inventory back to its file (keeping .bak); drop -o")
        try:
            existing = _read(args.merge).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CliError(f"{args.merge}: cannot read the inventory to merge into: {exc}") from None
    try:
        result = run_import(args.format, _read(args.export, IMPORT_MAX_BYTES), args.export, existing)
    except ImportFailure as exc:
        raise CliError(str(exc)) from None
    for note in result.notes:
        print(note, file=sys.stderr)
    if args.merge:
        kept = replace_keeping_backup(args.merge, result.text)
        print(f"wrote {args.merge}" + (f" (the previous version is {args.merge}.bak)" if kept else ""),
              file=sys.stderr)
    else:
        _emit(result.text, args.output, (args.export,))
    return 0


def cmd_checklist(args) -> int:
    from identity_map.checklist import build_checklist, export

    checked = _load(args.file)
    _scenario(checked, args.lose)  # refuses a selector that matches nothing
    items = build_checklist(checked.deps, args.lose or (() if args.after_death else None), args.after_death)
    _emit(export(items, args.format, checked.inventory), args.output, (args.file,))
    return 0


def cmd_resilience(args) -> int:
    from identity_map.analysis.resilience import resilience, resilience_json, resilience_text
    from identity_map.analysis.takeover_resilience import takeover_resilience

    checked = _load(args.file)
    rows, dual = resilience(checked.deps), takeover_resilience(checked.deps)
    if args.format == "json":
        print(_json(resilience_json(rows, dual)))
    else:
        sys.stdout.write(resilience_text(rows, dual))
    return 0


def cmd_factors(args) -> int:
    from identity_map.providers.factors import factor_rows
    from identity_map.providers.report import export_factors

    checked = _load(args.file)
    _emit(export_factors(factor_rows(checked.graph), args.format, checked.inventory.owner), args.output)
    return 0


def cmd_add(args) -> int:
    from identity_map.providers.templates import TEMPLATES, apply_template

    if args.template not in TEMPLATES:
        raise CliError(f"unknown template '{args.template}'; use one of {', '.join(sorted(TEMPLATES))}")
    path = Path(args.file)
    text = path.read_text(encoding="utf-8") if path.exists() else "version: 1\n"
    added = apply_template(text, args.template, args.user, args.file)
    if added.problems:
        for problem in added.problems:
            print(problem, file=sys.stderr)
        raise CliError(f"nothing written to {args.file}: " + ("fix the inventory first" if not added.ids else
                       f"the {args.template} template would not give a valid inventory"))
    kept = replace_keeping_backup(path, added.text)
    print(f"added {', '.join(added.ids)} to {args.file}" + (f" (the previous version is {args.file}.bak)" if kept else "")
          + "; review the commented choices of how you sign in", file=sys.stderr)
    return 0


def cmd_app(args) -> int:
    from identity_map.server.launch import CannotProtect, run

    try:
        return run(args.file, args.port)
    except CannotProtect as exc:
        raise CliError(str(exc)) from None


class _Subcommands:
    """Adds the subcommands to `sub`, or only the one named `only` (when
    not None): the others get a parser that keeps nothing."""

    def __init__(self, sub, only: str | None):
        self.sub, self.only, self.added = sub, only, False

    def __call__(self, name: str, **kwargs):
        if self.only is not None and name != self.only:
            return _Unused()
        self.added = True
        return self.sub.add_parser(name, **kwargs)


class _Unused:
    def add_argument(self, *args, **kwargs) -> None:
        pass

    def set_defaults(self, **kwargs) -> None:
        pass


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The CLI's parser; with `command`, that subcommand's alone when it is
    one (argparse checks each argument as it is added, so building all of
    them is a cost of every start).

    >>> build_parser("rank").parse_args(["rank", "x.yaml"]).format
    'text'
    >>> "validate" in build_parser("rank").format_help(), "validate" in build_parser("rnak").format_help()
    (False, True)
    """
    parser = argparse.ArgumentParser(
        prog="identity-map",
        description="Map your accounts and what they depend on; see what falls if one is lost.")
    add = _Subcommands(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"), command)

    p = add("validate", help="check an inventory: errors exit 1, warnings go to stderr")
    p.add_argument("file")
    p.set_defaults(run=cmd_validate)

    p = add("impact", help="what is lost, recoverable or degraded when some ids are lost")
    p.add_argument("file")
    p.add_argument("--lose", action="append", default=[], metavar="SEL",
                   help="what to lose (repeatable): an id, site:S, provider:P or kind:K")
    p.add_argument("--after-death", action="store_true",
                   help="what your people can reach after your death: memory and self are lost, "
                        "legacy methods count")
    p.add_argument("--format", choices=("text", "json", "md"), default="text")
    p.set_defaults(run=cmd_impact)

    p = add("rank", help="single points of failure, worst first")
    p.add_argument("file")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=cmd_rank)

    p = add("takeover", help="what an attacker who gains some things takes with them")
    p.add_argument("file")
    p.add_argument("--gain", action="append", default=[], metavar="SEL", required=True,
                   help="what the attacker gains (repeatable): an id, site:S, provider:P or kind:K; "
                        "memory = knows your passwords")
    p.add_argument("--format", choices=("text", "json", "md"), default="text")
    p.set_defaults(run=cmd_takeover)

    p = add("exposure", help="each thing gained alone by an attacker: what it gives away, worst first")
    p.add_argument("file")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=cmd_exposure)

    p = add("graph", help="write an interactive HTML graph (works offline)")
    p.add_argument("file")
    p.add_argument("--lose", action="append", default=[], metavar="SEL")
    p.add_argument("--focus", action="store_true", help="draw only the blast radius and its neighbours")
    p.add_argument("-o", "--output", required=True, metavar="OUT.html")
    p.set_defaults(run=cmd_graph)

    p = add("checklist", help="a mitigation checklist whose every item the engine verified")
    p.add_argument("file")
    p.add_argument("--lose", action="append", default=[], metavar="SEL",
                   help="scope to this scenario (default: every single point of failure)")
    p.add_argument("--after-death", action="store_true",
                   help="what your people can reach after your death, and what would give them more")
    p.add_argument("--format", choices=("md", "json", "csv", "html"), default="md")
    p.add_argument("-o", "--output", metavar="OUT")
    p.set_defaults(run=cmd_checklist)

    p = add("resilience", help="for each critical thing, the fewest losses (up to 3) that lose it, "
                                             "and the fewest gains that let an attacker take it")
    p.add_argument("file")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=cmd_resilience)

    p = add("heirs", help="what your people can reach after your death, and how; "
                                     "--format html: the printable emergency sheet")
    p.add_argument("file")
    p.add_argument("--person", metavar="ID", help="only this person of people: (default: each in turn)")
    p.add_argument("--lose", action="append", default=[], metavar="SEL", help="lose this as well (repeatable)")
    p.add_argument("--format", choices=("text", "md", "json", "html"), default="text")
    p.add_argument("-o", "--output", metavar="OUT")
    p.set_defaults(run=cmd_heirs)

    p = add("factors", help="per account: the second factors its site offers against those you use")
    p.add_argument("file")
    p.add_argument("--format", choices=("text", "md", "json", "csv"), default="text")
    p.add_argument("-o", "--output", metavar="OUT")
    p.set_defaults(run=cmd_factors)

    p = add("add", help="add a provider's account with its parts and data (a template)")
    p.add_argument("template", metavar="TEMPLATE", help="google, microsoft, apple, meta, amazon or proton")
    p.add_argument("file", help="the inventory to add to (created when missing; the previous version kept as .bak)")
    p.add_argument("--user", default="", metavar="ADDRESS", help="your address or user name there")
    p.set_defaults(run=cmd_add)

    p = add("app", help="start the app on http://127.0.0.1 (answers to loopback Host names only)")
    p.add_argument("file", nargs="?", help="the inventory to open (default: examples/malik.yaml)")
    p.add_argument("--port", type=int, help="default 8501")
    p.set_defaults(run=cmd_app)

    p = add("schema", help="print the JSON Schema of the format (for editor completion)")
    p.add_argument("-o", "--output", metavar="FILE")
    p.set_defaults(run=cmd_schema)

    p = add("import", help="draft an inventory from a password-manager or authenticator export")
    p.add_argument("format", metavar="FORMAT", nargs="?", help="auto, or one of the formats --list prints")
    p.add_argument("export", metavar="EXPORT_FILE", nargs="?")
    p.add_argument("--list", action="store_true", help="print the formats and how to export each one, then exit")
    p.add_argument("-o", "--output", metavar="OUT.yaml")
    p.add_argument("--merge", metavar="EXISTING.yaml", help="add to this inventory, keeping its comments")
    p.set_defaults(run=cmd_import)
    return parser if add.added else build_parser()


def main(argv: list[str] | None = None) -> int:
    """Runs the command line `argv`; without one, the process's own (the
    `identity-map` command), and then the process ends: the objects the
    command made are frozen out of the collector (`gc.freeze`), so the
    exit's last collection does not walk them all to free what the exit
    frees anyway (part of `rank`'s start-up budget, bench_scale.py (a))."""
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _TerminalSafe(sys.stdout), _TerminalSafe(sys.stderr)
    own = argv is None
    try:
        argv = sys.argv[1:] if own else argv
        return _run(build_parser(argv[0] if argv else None).parse_args(argv))
    finally:
        sys.stdout, sys.stderr = streams
        if own:
            gc.freeze()


def _run(args) -> int:
    try:
        return args.run(args)
    except InventoryError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except CliError as exc:
        print(f"identity-map: error: {exc}", file=sys.stderr)
        return 1
    except FileRefused as exc:
        print(f"identity-map: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"identity-map: error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
