"""The Sphinx documentation builds with warnings as errors, so it cannot rot.

The examples are not executed here (``plot_gallery=0``): tests/test_examples.py
runs each of them. The full site with the gallery's pictures is built by
``python -m sphinx -W -b html docs docs/_build/html``.
"""

import pathlib
import re
import subprocess
import sys

import pytest

DOCS = pathlib.Path(__file__).parent.parent / "docs"


def test_documentation_builds_without_warnings(tmp_path):
    for module in ("sphinx", "numpydoc", "sphinx_gallery", "matplotlib", "sphinx-mathjax-offline",
                   "pydata_sphinx_theme"):
        pytest.importorskip(module)
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-D", "plot_gallery=0", "-d", str(tmp_path / "doctrees"), str(DOCS), str(tmp_path / "html")],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    html = (tmp_path / "html")
    for page in ("index.html", "user_guide.html", "design.html", "api.html", "developers.html",
                 "auto_examples/index.html", "gen_modules/skw2v.SkipGramVectorizer.html",
                 "gen_modules/skw2v.WordVectors.html"):
        assert (html / page).is_file(), page
    # a class's page documents its methods, those of its mixins included
    vectorizer = (html / "gen_modules" / "skw2v.SkipGramVectorizer.html").read_text(encoding="utf-8")
    for method in ("fit", "partial_fit", "transform", "score", "get_feature_names_out", "most_similar",
                   "save_word2vec_format"):
        assert f'id="skw2v.SkipGramVectorizer.{method}"' in vectorizer, method
    # the guide's equations are rendered as mathematics, not code
    guide = (html / "user_guide.html").read_text(encoding="utf-8")
    assert guide.count('class="math') >= 20
    examples = sorted(p.stem for p in (DOCS.parent / "examples").glob("plot_*.py"))
    gallery = (html / "auto_examples" / "index.html").read_text(encoding="utf-8")
    assert all(name in gallery for name in examples)
    # no thumbnail left from a failed build
    assert "broken_example" not in gallery and "BROKEN" not in gallery
    # every public name has its page in the API reference
    import skw2v
    import skw2v.datasets

    public = [f"skw2v.{name}" for name in skw2v.__all__ if name != "__version__"]
    public += [f"skw2v.datasets.{name}" for name in dir(skw2v.datasets)
               if not name.startswith("_") and callable(getattr(skw2v.datasets, name))
               and getattr(getattr(skw2v.datasets, name), "__module__", "") == "skw2v.datasets"]
    for name in public:
        assert (html / "gen_modules" / f"{name}.html").is_file(), f"{name} is not in docs/api.rst"
    developers = re.sub(r"<[^>]+>", "", (html / "developers.html").read_text(encoding="utf-8"))
    # the protocol's classes are rendered from their docstrings, and the worked
    # example is included from the test that trains it
    for needed in ("skw2v._protocol.Objective", "skw2v._protocol.Solver", "skw2v._protocol.Init",
                   "class LogisticObjective", "class OrthogonalInit"):
        assert needed in developers, needed
    # Everything a page loads is bundled: no script, style sheet, font or
    # image from another host (the equations' MathJax included).
    external = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)
    pages = list(html.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not external.search(text), f"{page.name} loads {external.search(text).group(0)}"
    mathjax = html / "_static" / "mathjax" / "tex-chtml.js"
    assert mathjax.is_file()
    assert "mathjax/tex-chtml.js" in (html / "user_guide.html").read_text(encoding="utf-8")
    # rendered defaults keep their backslashes
    api = (html / "gen_modules" / "skw2v.SkipGramVectorizer.html").read_text(encoding="utf-8")
    assert r"(?u)\b\w\w+\b" in api.replace("&quot;", '"')
    # the footer names the project's authors
    assert "2026, the skw2v developers" in (html / "index.html").read_text(encoding="utf-8")
