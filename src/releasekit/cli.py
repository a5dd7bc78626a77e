"""The `releasekit` command: argparse over the verbs and flags of frontend/flags.py.

argparse and the flag table only at import time, so `releasekit --help` answers at
once; the verb and the core are imported when a command runs. The one place that exits.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from releasekit import __version__
from releasekit.frontend.flags import BY_NAME, NEGATABLE, SWITCH, VERBS, Flag, Verb


def _add(parser: argparse.ArgumentParser, flag: Flag) -> None:
    names = [f"--{flag.name}", *([f"-{flag.short}"] if flag.short else [])]
    dest = flag.param
    if flag.kind == SWITCH:
        parser.add_argument(*names, dest=dest, action="store_true", help=flag.help)
    elif flag.kind == NEGATABLE:
        parser.add_argument(
            *names, dest=dest, action=argparse.BooleanOptionalAction, default=True, help=flag.help
        )
    else:
        parser.add_argument(*names, dest=dest, metavar=flag.metavar, help=flag.help)


def _verb_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser], verb: Verb) -> None:
    parser = sub.add_parser(verb.name, help=verb.help, description=verb.doc)
    parser.set_defaults(command=verb.name)
    if verb.name != "secret":
        for flag in verb.flags:
            _add(parser, flag)
        return
    # `releasekit secret set|check`: Invoke spells the second one `invoke secret --check`.
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    store = actions.add_parser(
        "set", help="read a token, check it, store it encrypted", description=verb.doc
    )
    check = actions.add_parser("check", help="only check a token, store nothing")
    check.set_defaults(check=True)
    for flag in verb.flags:
        if flag.name in ("environment", "repository-secret", "repository"):
            _add(store, flag)
    _add(check, next(flag for flag in verb.flags if flag.name == "repository"))


def parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with `only`, the subcommand of that one verb alone.

    `releasekit bump ...` needs no parser for the other twelve verbs: what it parses,
    prints and refuses is the same with or without them (the top usage line names
    COMMAND, not the list).
    """
    top = argparse.ArgumentParser(
        prog="releasekit",
        description="Release Python projects: the same tasks from a laptop and from CI.",
    )
    top.add_argument("--version", action="version", version=f"releasekit {__version__}")
    sub = top.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for verb in VERBS:
        if only is None or verb.name == only:
            _verb_parser(sub, verb)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    # Only when the verb comes first: `releasekit -h bump` still lists every verb.
    only = words[0] if words and words[0] in BY_NAME else None
    args = vars(parser(only).parse_args(words))
    from releasekit.frontend.dispatch import run

    return run(args.pop("command"), args)


if __name__ == "__main__":
    sys.exit(main())
