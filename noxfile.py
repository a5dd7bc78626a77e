"""releasekit's own sessions: `nox` runs tests, lint and typecheck.

`nox -s build` and `nox -s publish` are the same sessions releasekit gives every
project (release.yml runs them); here they install releasekit from this checkout.
"""

from __future__ import annotations

import os

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.error_on_missing_interpreters = False

# The sessions run on the interpreter nox runs on: CI machines have one Python.
PYTHON = None


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The whole suite: unit, real git, real builds, a real local index, fault scenarios."""
    session.install("-e", ".[test]")
    args = session.posargs or ["-n", "2", "--dist", "loadgroup"]
    # The fault suite's plugin runs in the controller too, so the run ends with its
    # `faults: scenarios=N survived=N data_lost=0 token_leaks=0` line.
    env = {"RELEASEKIT_SPEC": os.getcwd(), "PYTHONPATH": "tests"}
    session.run("pytest", "-p", "faults.plugin", *args, env=env)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    session.install("-e", ".[test]", "mypy>=1.11")
    session.run("mypy", "src")


@nox.session(python=PYTHON)
def faults(session: nox.Session) -> None:
    """The fault and security suite alone; ends with `faults: scenarios=N survived=N ...`."""
    session.install("-e", ".[test]")
    args = session.posargs or ["-n", "2"]
    session.run("pytest", "tests/faults", *args, env={"RELEASEKIT_SPEC": os.getcwd()})


@nox.session(python=PYTHON)
def mutants(session: nox.Session) -> None:
    """Mutation testing of the release core, publishing and redaction: tests/mutants.md.

    All ~7000 mutants take hours on 2 cores, so not in the default run. `-- --sample 50`
    checks a seeded random sample of 50 mutants per module group (tests/mutants_sample.py;
    the report gives each rate's interval), `-- --more 50` draws 50 more per group from
    the rest and checks those; mutant names narrow it instead:
    `nox -s mutants -- "releasekit.system.redact.*"`. Results accumulate in mutants/, so a
    rerun only tests what is unchecked or named; delete mutants/ to start afresh. Each
    mutant runs the tests that fit in 30 s, in-process ones first
    (RELEASEKIT_MUTMUT_BUDGET, 0 for all; see tests/support/mutmut_bridge.py).
    """
    session.install("-e", ".[test]", "mutmut>=3.8,<4")
    env = {
        "RELEASEKIT_SPEC": os.getcwd(),
        "PYTHONPATH": "tests",
        "RELEASEKIT_MUTMUT_BUDGET": os.environ.get("RELEASEKIT_MUTMUT_BUDGET", "30"),
    }
    run = ("mutmut", "run", "--max-children", "2")
    names = list(session.posargs)
    if names[:1] == ["--sample"]:
        # mutmut writes the mutants (and its test statistics) on its first run: the
        # smallest group first, then the sample drawn from every group's mutants.
        session.run(*run, "releasekit.system.redact.*", env=env)
        drawn = session.run("python", "tests/mutants_sample.py", names[1], silent=True, env=env)
        names = str(drawn).split()
    elif names[:1] == ["--more"]:
        drawn = session.run(
            "python", "tests/mutants_sample.py", names[1], "--more", silent=True, env=env
        )
        names = str(drawn).split()
    # Exit code 0 even with survivors: the report, not the exit code, is the result.
    session.run(*run, *names, env=env)
    session.run("python", "tests/mutants_report.py", env=env)


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    """The main job on embedded defaults: a throwaway project, a bare remote, a local index."""
    # Editable, so the sample's own nox sessions install releasekit from this checkout too.
    session.install("-e", ".[demo]")
    session.run("releasekit", "demo", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Time releasekit against bump-my-version, tbump, build and twine: bench/results.md."""
    # pip too: `python -m build` uses it as its installer, as on most users' machines.
    session.install(".[uv]", "bump-my-version", "tbump", "pip", "pypiserver", "passlib")
    session.run("python", "bench/run.py", *session.posargs)


# The release sessions every project gets from `releasekit init`; ours install this checkout.
RELEASEKIT = os.environ.get("RELEASEKIT_SPEC", ".")


@nox.session(python=PYTHON)
def build(session: nox.Session) -> None:
    """Build and verify dist/ (sdist, wheel, SHA256SUMS)."""
    session.install(RELEASEKIT)
    session.run("releasekit", "build", *session.posargs)


@nox.session(python=PYTHON)
def publish(session: nox.Session) -> None:
    """Upload dist/ to the index; files already there are skipped (PYPI_TOKEN from the env)."""
    session.install(RELEASEKIT)
    session.run("releasekit", "publish", *session.posargs)
