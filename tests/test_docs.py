"""The Sphinx documentation builds with warnings as errors, so it cannot rot.

The examples are not executed here (``plot_gallery=0``): tests/test_examples.py
runs each of them. The full site with the gallery's pictures is built by
``python -m sphinx -W -b html docs docs/_build/html``.
"""

import pathlib
import subprocess
import sys

import pytest

DOCS = pathlib.Path(__file__).parent.parent / "docs"


def test_documentation_builds_without_warnings(tmp_path):
    for module in ("sphinx", "numpydoc", "sphinx_gallery", "matplotlib"):
        pytest.importorskip(module)
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-D", "plot_gallery=0", "-d", str(tmp_path / "doctrees"), str(DOCS), str(tmp_path / "html")],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    html = (tmp_path / "html")
    for page in ("index.html", "user_guide.html", "api.html", "auto_examples/index.html",
                 "gen_modules/skw2v.SkipGramVectorizer.html", "gen_modules/skw2v.WordVectors.html"):
        assert (html / page).is_file(), page
    examples = sorted(p.stem for p in (DOCS.parent / "examples").glob("plot_*.py"))
    gallery = (html / "auto_examples" / "index.html").read_text(encoding="utf-8")
    assert all(name in gallery for name in examples)
