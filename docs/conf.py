"""Sphinx configuration: numpydoc API pages, a sphinx-gallery of examples, and
equations rendered by a MathJax copy bundled into the site (no CDN), so the
documentation works offline."""

import skw2v

project = "skw2v"
author = "the skw2v developers"
copyright = "2026, the skw2v developers"
release = version = skw2v.__version__
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # copies MathJax 3 into _static and points mathjax_path there
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True
# A class's page documents its methods, inherited ones included
# (docs/_templates/autosummary/class.rst), as long as skw2v defines them.
templates_path = ["_templates"]
numpydoc_show_class_members = False
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    # The execution-times page loads jQuery and DataTables from CDNs: not offline.
    "write_computation_times": False,
    # each API page lists the examples that use it
    "doc_module": ("skw2v",),
    "backreferences_dir": "gen_modules/backreferences",
}
# scikit-learn's own theme: wide pages for code and tables, a sidebar per
# page, light and dark modes; its fonts and icons ship inside the theme.
html_theme = "pydata_sphinx_theme"
html_title = f"skw2v {version}"
html_theme_options = {
    "navigation_with_keys": False,
    "header_links_before_dropdown": 6,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_static_path = ["_static"]
html_css_files = ["skw2v.css"]
# Every page is in the top bar; the page's own sections are on the right.
html_sidebars = {"**": []}
exclude_patterns = ["_build", "_templates", "sg_execution_times.rst", "auto_examples/sg_execution_times.rst"]


def _skip_foreign_members(app, what, name, obj, skip, options):
    """Leave out members that scikit-learn defines (get_params, set_output,
    ...): their docstrings point at scikit-learn's own pages, and their
    reference is scikit-learn's."""
    module = getattr(getattr(obj, "fget", obj), "__module__", None) or ""
    return True if not module.startswith("skw2v") else None


def setup(app):
    app.connect("autodoc-skip-member", _skip_foreign_members)
