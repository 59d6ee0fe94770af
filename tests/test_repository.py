"""The source checkout holds what a checkout should, and nothing stray."""

import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent

#: What the repository's root holds (README.md's layout), besides what git ignores.
EXPECTED = {
    ".ci", ".git", ".gitignore", "README.md", "pyproject.toml",
    "skw2v", "tests", "examples", "docs", "benchmarks",
}


def _ignored(names):
    """The names among ``names`` that git ignores in the root."""
    result = subprocess.run(
        ["git", "check-ignore", "--stdin"], cwd=ROOT, input="\n".join(names),
        capture_output=True, text=True, check=False,
    )
    return set(result.stdout.split("\n")) - {""}


def test_the_root_holds_only_the_checkout():
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (an installed or unpacked copy)")
    try:
        names = sorted(p.name for p in ROOT.iterdir())
        stray = set(names) - EXPECTED - _ignored(names)
    except FileNotFoundError:
        pytest.skip("git is not installed")
    assert not stray, f"files at the repository root that do not belong there: {sorted(stray)}"
