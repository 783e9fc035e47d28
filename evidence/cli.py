"""Command line: argparse, exit codes, the summary line. Nothing else lives here.

Exit status: 0 success, 1 content errors, 2 bad command line, 3 any other failure.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .content.errors import format_error, summary_line
from .build.pipeline import BuildFailed, build, check
from .build.search import SearchError
from .build.write import WriteError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_OTHER = 0, 1, 2, 3

# name, default, help: one table, also checked against the README by a test
OPTIONS = [
    ("--content", "content", "folder with site.yaml, studies/, conditions/, drugs/, sources/"),
    ("--output", "output", "folder the site is written to (swapped in only when the build succeeds)"),
    ("--strict", False, "treat warnings (quotes, reading level) as errors"),
    ("--clean", False, "ignore the cache and the previous build: render every page again"),
    ("--quiet", False, "print errors only"),
    ("--debug", False, "show a traceback for unexpected failures"),
    ("--no-search", False, "skip the Pagefind search index (the search page then links to the browse pages)"),
]


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own exit 2, one clear line
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _common(p: argparse.ArgumentParser, output: bool = True) -> None:
    for name, default, help_ in OPTIONS:
        if name in ("--output", "--clean", "--no-search") and not output:
            continue
        if isinstance(default, bool):
            p.add_argument(name, action="store_true", help=help_)
        else:
            p.add_argument(name, default=default, metavar="DIR", help=f"{help_} (default: {default})")


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="build.py", description="Build the evidence site from content/ into output/.",
                     epilog="Exit status: 0 success, 1 content errors, 2 bad command line, 3 other failure.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _common(parser)
    sub = parser.add_subparsers(dest="command", metavar="{build,check,serve,new,import,init}", parser_class=_Parser)
    b = sub.add_parser("build", help="build the whole site into output/ (the default)",
                       description="Validate every content file, render every page, swap the new site into output/.")
    _common(b)
    c = sub.add_parser("check", help="validate only; write nothing",
                       description="Validate every content file and report all problems; write nothing.")
    _common(c, output=False)
    s = sub.add_parser("serve", help="build, serve output/ on 127.0.0.1 and rebuild on changes",
                       description="Build, then serve output/ and rebuild when content or templates change.")
    _common(s)
    s.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    n = sub.add_parser("new", help='write a study skeleton: new "Surname 2024 short title"',
                       description="Write content/studies/<id>.yaml with every field of the content "
                                   "model as a placeholder; check fails until each is filled.")
    n.add_argument("title", help='author surname, year and a few words, e.g. "Example 2024 rituximab"')
    n.add_argument("--content", default="content", metavar="DIR", help="content folder (default: content)")
    n.add_argument("--debug", action="store_true", help="show a traceback for unexpected failures")
    i = sub.add_parser("import", help="start studies from a PubMed XML or ClinicalTrials.gov JSON file",
                       description="Pre-fill one new study per record (citation, title) and "
                                   "content/sources/<id>.txt (the abstract, or the registry's summary) "
                                   "from a local PubMed efetch XML file or ClinicalTrials.gov API v2 "
                                   "JSON (one study or a search response). Each record is reported on "
                                   "its own line, written or refused and why.")
    i.add_argument("file", help="the record file (.xml or .json)")
    i.add_argument("--content", default="content", metavar="DIR", help="content folder (default: content)")
    i.add_argument("--only", metavar="PMID|NCT", help="import only the record with this PMID or NCT number")
    i.add_argument("--force", action="store_true",
                   help="replace the study and source files of a record imported before")
    i.add_argument("--debug", action="store_true", help="show a traceback for unexpected failures")
    t = sub.add_parser("init", help="write a new, empty content folder for another site: init DIR",
                       description="Write DIR/site.yaml to fill in, empty studies/ and sources/, an example "
                                   "condition and drug, and a glossary of general terms. Every value still "
                                   "to write is a TODO placeholder that check lists until it is filled. "
                                   "DIR must be new or empty.")
    t.add_argument("dir", metavar="DIR", help="the new content folder (new or empty)")
    return parser


def _init(target: Path) -> int:
    """`init DIR`: write the starter content folder; one line and exit 3 when refused."""
    from .content import scaffold, starter
    try:
        written = starter.init(target)
    except scaffold.AuthoringError as e:
        print(f"build.py: {e}", file=sys.stderr)
        return EXIT_OTHER
    print(f"Wrote {target}/: {', '.join(written)}")
    print(f"Next: replace every TODO placeholder (`python build.py check --content {target}` lists them), "
          f"then build with `python build.py --content {target} --output <folder>`")
    return EXIT_OK


def _report(result, quiet: bool) -> None:
    for w in result.warnings:
        print(format_error(w), file=sys.stderr)
    if not quiet:
        print(result.summary())


def between_rebuilds() -> None:
    """serve's memory between rebuilds: collect the build just freed, then freeze what the
    session keeps (its caches and last build, millions of objects), so that the next
    rebuild's garbage collections walk only the objects it makes. With process(), the
    only place the generator touches the garbage collector."""
    import gc
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def process(argv: list[str]):
    """The whole of a `build.py` process (build.py calls this and nothing else). A one-off
    command (all but serve) runs with garbage collection off: the build makes no cycles
    worth finding, and each collection pass would walk every object it holds. Once every
    file is written and closed, the process leaves with os._exit, without freeing the
    build's objects one by one (its session holds them until then). The one place the
    process's own lifetime is handled; `serve`, and tests calling main(), collect and free
    as usual."""
    import gc
    import os
    args = make_parser().parse_args(argv)
    session = None
    if (args.command or "build") != "serve":
        from .build.state import Session
        gc.disable()
        session = Session(warm=False)
    code = run(args, session)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:             # e.g. output piped into `head`
        pass
    os._exit(code)


def main(argv: list[str], session=None) -> int:
    """Run one command line; the exit status."""
    return run(make_parser().parse_args(argv), session)


def run(args: argparse.Namespace, session=None) -> int:
    """Run parsed arguments; session (engine.Session): what a build keeps until the caller
    drops it (the process: process())."""
    command = args.command or "build"
    if command == "init":
        return _init(Path(args.dir))
    content = Path(args.content)
    if content.exists() and not content.is_dir():
        print(f"build.py: --content {content}: {content} is a file; expected the content folder "
              "(with site.yaml, studies/ and sources/)", file=sys.stderr)
        return EXIT_OTHER
    try:
        if command == "import":
            from .content import importer
            try:
                outcomes = importer.import_file(content, Path(args.file), only=args.only, force=args.force)
            except importer.AuthoringError as e:
                print(f"build.py: {e}", file=sys.stderr)
                return EXIT_OTHER
            return EXIT_OK if importer.report(outcomes) else EXIT_OTHER
        if command == "new":
            from .content import scaffold
            try:
                path = scaffold.new(content, args.title)
            except scaffold.AuthoringError as e:
                print(f"build.py: {e}", file=sys.stderr)
                return EXIT_OTHER
            print(f"Wrote {path}; fill in every not-reported and TODO placeholder, then run "
                  f"`python build.py check`")
            return EXIT_OK
        if command == "check":
            result = check(content, strict=args.strict)
            _report(result, args.quiet)
            return EXIT_OK
        if command == "serve":
            from .preview.serve import serve
            return serve(content, Path(args.output), args.host, args.port, strict=args.strict,
                         search=not args.no_search, tidy=between_rebuilds)
        result = build(content, Path(args.output), strict=args.strict, clean=args.clean,
                       search=not args.no_search, quiet=args.quiet, session=session)
        _report(result, args.quiet)
        return EXIT_OK
    except BuildFailed as failed:
        for e in failed.problems:
            print(format_error(e), file=sys.stderr)
        what = "nothing written" if command == "check" else f"{args.output}/ left unchanged"
        print(summary_line([e for e in failed.problems if e.severity == "error"] or failed.problems, what),
              file=sys.stderr)
        return EXIT_CONTENT
    except (WriteError, SearchError, FileNotFoundError) as e:
        print(f"build.py: {e}", file=sys.stderr)
        return EXIT_OTHER
    except KeyboardInterrupt:
        print("interrupted; the previous site is unchanged", file=sys.stderr)
        return EXIT_OTHER
    except Exception as e:  # noqa: BLE001 - one line unless --debug
        if args.debug:
            raise
        print(f"build.py: {type(e).__name__}: {e} (rerun with --debug for details)", file=sys.stderr)
        return EXIT_OTHER
