"""Sphinx configuration: numpydoc API pages and a sphinx-gallery of examples."""

import skw2v

project = "skw2v"
release = version = skw2v.__version__
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True
numpydoc_show_class_members = False
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
}
html_theme = "alabaster"
exclude_patterns = ["_build"]
