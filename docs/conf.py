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
numpydoc_show_class_members = False
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    # The execution-times page loads jQuery and DataTables from CDNs: not offline.
    "write_computation_times": False,
}
html_theme = "alabaster"
html_theme_options = {"show_powered_by": True}
exclude_patterns = ["_build", "sg_execution_times.rst", "auto_examples/sg_execution_times.rst"]
