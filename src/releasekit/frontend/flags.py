"""Every verb and flag of both fronts, declared once: names, kinds, choices and help text.

cli.py builds the argparse parser from this table and tasks.py builds the Invoke tasks
from it, so `releasekit release --help` and `invoke --help release` say the same words.
It imports nothing: both fronts load it at start-up.
"""

from __future__ import annotations

TEXT = "text"  # takes a value: --part minor
SWITCH = "switch"  # off unless given: --dry-run
NEGATABLE = "negatable"  # on unless turned off: --no-push

PARTS = ("major", "minor", "patch", "pre", "release", "auto")
PRES = ("alpha", "beta", "rc")


class Flag:
    """One option; `name` is the dashed flag, `param` the Python name both fronts pass on."""

    __slots__ = ("choices", "help", "kind", "metavar", "name", "short")

    def __init__(
        self,
        name: str,
        help: str,
        *,
        kind: str = TEXT,
        choices: tuple[str, ...] = (),
        metavar: str = "",
        short: str = "",
    ) -> None:
        self.name = name
        self.help = help
        self.kind = kind
        self.choices = choices
        self.metavar = metavar or name.split("-")[-1].upper()
        self.short = short

    @property
    def param(self) -> str:
        return self.name.replace("-", "_")

    @property
    def default(self) -> bool | None:
        return {TEXT: None, SWITCH: False, NEGATABLE: True}[self.kind]


class Verb:
    """One command: `help` is its line in the list, `doc` the sentence of its own help."""

    __slots__ = ("command_only", "doc", "flags", "help", "name")

    def __init__(
        self, name: str, help: str, doc: str, *flags: Flag, command_only: bool = False
    ) -> None:
        self.name = name
        self.help = help
        self.doc = doc
        self.flags = flags
        self.command_only = command_only  # no Invoke task: a one-time setup, or the demo

    @property
    def function(self) -> str:
        return self.name.replace("-", "_")


PART = Flag(
    "part",
    "major, minor, patch, pre (next pre-release), release (finalise) or auto (from the "
    "conventional commits since the last tag)",
    choices=PARTS,
)
PRE = Flag("pre", "start or move a pre-release: alpha, beta or rc", choices=PRES)
NEW_VERSION = Flag("new-version", "set this exact version instead of a part", metavar="X")
DRY_RUN = Flag("dry-run", "show the plan with every file's diff and change nothing", kind=SWITCH)
EMPTY = Flag("allow-empty-changelog", "release even with nothing under [Unreleased]", kind=SWITCH)
FIRST = Flag(
    "first-release",
    "no release yet: a project versioned by git tags starts from 0.0.0",
    kind=SWITCH,
)
REPOSITORY = Flag("repository", "index to upload to: pypi, testpypi, a URL or a .pypirc section")
VERBOSE = Flag(
    "verbose", "show the failing tool's full output before the error", kind=SWITCH, short="v"
)
FRONTEND = Flag(
    "frontend",
    "what builds: uv (`uv build`) or build (pypa/build); default: [tool.releasekit] "
    "build-frontend, else uv when it is installed",
    choices=("uv", "build"),
)
QUIET = Flag("quiet", "print only the result line and errors, no progress", kind=SWITCH)
PACKAGE = Flag(
    "package",
    "in a workspace: the member to act on, by name or folder (e.g. alpha-kit)",
    metavar="NAME",
)

VERBS = (
    Verb(
        "release",
        "bump, changelog, commit, tag, push (and publish)",
        "Bump, update the changelog, commit, tag, push (and publish): undone on failure.",
        PACKAGE,
        PART,
        PRE,
        NEW_VERSION,
        FIRST,
        DRY_RUN,
        Flag("yes", "do not ask for confirmation", kind=SWITCH, short="y"),
        EMPTY,
        Flag("push", "push the commit and tag (--no-push keeps them local)", kind=NEGATABLE),
        Flag("sign", "sign the tag (git tag --sign)", kind=SWITCH),
        Flag(
            "via-pr",
            "protected branch: commit on release/vX, push that branch, open a pull request",
            kind=SWITCH,
        ),
        Flag(
            "finish",
            "after the release pull request is merged: tag the merged commit, push, publish",
            kind=SWITCH,
        ),
        Flag("publish", "after the push, build and upload to the package index", kind=SWITCH),
        FRONTEND,
        Flag(
            "github-release",
            "create the GitHub release (default when the remote is on GitHub)",
            kind=NEGATABLE,
        ),
        REPOSITORY,
        VERBOSE,
        QUIET,
    ),
    Verb(
        "bump",
        "write the next version into every version file",
        "Write the next version into every version file (no git).",
        PACKAGE,
        PART,
        PRE,
        NEW_VERSION,
        DRY_RUN,
    ),
    Verb(
        "changelog",
        "roll [Unreleased] under the next version",
        "Move the [Unreleased] entries of the changelog under the next version (no git).",
        PACKAGE,
        PART,
        PRE,
        NEW_VERSION,
        FIRST,
        DRY_RUN,
        EMPTY,
    ),
    Verb(
        "recover",
        "show, roll back or finish a release that was interrupted",
        "Show what a release killed halfway left (its journal in .git) and what recovering "
        "does; --rollback or --finish carries it out. Any release, bump or changelog run "
        "recovers on its own first.",
        Flag(
            "rollback",
            "undo what it did locally, byte for byte (refused once it is pushed)",
            kind=SWITCH,
        ),
        Flag(
            "finish",
            "finish it (not pushed yet: roll back, then release the same version again)",
            kind=SWITCH,
        ),
        VERBOSE,
    ),
    Verb(
        "notes",
        "print a version's changelog section",
        "Print a version's changelog section: the release notes.",
        PACKAGE,
        Flag("version", "the version whose section to print (default: the current one)"),
    ),
    Verb(
        "build",
        "build sdist and wheel into dist/, verified",
        "Build the sdist and the wheel into dist/, verified, with SHA256SUMS.",
        PACKAGE,
        FRONTEND,
        Flag(
            "installer",
            "pypa/build's installer, uv or pip (default: uv when available); means "
            "--frontend build",
            choices=("uv", "pip"),
        ),
        Flag(
            "sdist",
            "build the sdist only (the wheels of compiled code come from cibuildwheel)",
            kind=SWITCH,
        ),
        VERBOSE,
        QUIET,
    ),
    Verb(
        "verify",
        "check dist/: one sdist, its wheels, one version",
        "Check dist/ before an upload: one sdist and its wheels, all of the project at the "
        "release version, no tag triple twice, twine check, SHA256SUMS.",
        PACKAGE,
        VERBOSE,
    ),
    Verb(
        "publish",
        "upload dist/; files already there are skipped",
        "Upload dist/ to the package index; files already there are skipped.",
        PACKAGE,
        REPOSITORY,
        VERBOSE,
        QUIET,
    ),
    Verb(
        "github-release",
        "create or update the GitHub release",
        "Create or update the GitHub release of a tag, with its changelog section as body.",
        PACKAGE,
        Flag("tag", "the tag to release (default: the current version's)"),
        Flag("assets", "attach the files of dist/", kind=SWITCH),
        VERBOSE,
        QUIET,
    ),
    Verb(
        "init",
        "add what releasing needs: tasks, nox sessions, release.yml",
        "Add what releasing needs: tasks.py, the nox sessions, release.yml, CHANGELOG.md.",
        Flag("force", "overwrite the files releasekit writes", kind=SWITCH),
        Flag("trusted-publishing", "release.yml without a PYPI_TOKEN secret", kind=SWITCH),
        Flag("environment", "GitHub environment of the upload job (default: pypi)"),
        Flag("repository", "pypi (default), testpypi or another index name"),
        Flag(
            "flow",
            "pull-request also writes release-finish.yml (default: [tool.releasekit] flow)",
            choices=("push", "pull-request"),
        ),
        command_only=True,
    ),
    Verb(
        "doctor",
        "check that the project is ready to release",
        "Check that the project is ready to release: every problem at once, each with its fix.",
        PACKAGE,
        Flag("json", "print the checks as JSON, for machines", kind=SWITCH),
        Flag("offline", "do not ask the package index", kind=SWITCH),
        Flag(
            "online",
            "also ask GitHub (the PYPI_TOKEN secret and its age, environment, tags, runs) "
            "and the index (the last release's attestations)",
            kind=SWITCH,
        ),
        VERBOSE,
    ),
    Verb(
        "secret",
        "store a checked PyPI token as GitHub's PYPI_TOKEN",
        "Store a checked PyPI token (stdin or hidden prompt) as GitHub's PYPI_TOKEN secret.",
        Flag("check", "only check the token, store nothing", kind=SWITCH),
        Flag("environment", "store it in this GitHub environment (default: release.yml's)"),
        Flag("repository-secret", "store it as a repository secret instead", kind=SWITCH),
        Flag("repository", "the index it is for: pypi, testpypi, a URL or a .pypirc section"),
    ),
    Verb(
        "demo",
        "release a throwaway sample project, both paths",
        "Release a throwaway sample project both ways, against a local remote and index.",
        Flag("keep", "keep the sample folder", kind=SWITCH),
        command_only=True,
    ),
)

BY_NAME = {verb.name: verb for verb in VERBS}
