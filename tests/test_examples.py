"""Every example script runs to completion, so none can break silently."""

import os
import pathlib
import subprocess
import sys

import pytest

EXAMPLES = sorted((pathlib.Path(__file__).parent.parent / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script):
    pytest.importorskip("pandas")
    pytest.importorskip("matplotlib")
    if "dask" in script.name:
        pytest.importorskip("dask.distributed")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip()


def test_examples_exist():
    assert len(EXAMPLES) >= 7


def test_demo_runs_offline_on_the_generated_corpus():
    result = subprocess.run(
        [sys.executable, "-m", "skw2v", "--data", "generated"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "best parameters:" in result.stdout
    assert "best cross-validated accuracy:" in result.stdout
    assert "football:" in result.stdout


@pytest.mark.parametrize("name", ["plot_word_map.py", "plot_pooling_comparison.py"])
def test_examples_use_a_labelled_file_when_given(tmp_path, name):
    """SKW2V_EXAMPLE_DATA (label<TAB>text lines) replaces the generated corpus."""
    pytest.importorskip("pandas")
    pytest.importorskip("matplotlib")
    from skw2v.datasets import make_topic_corpus

    docs, labels = make_topic_corpus(n_documents=200, random_state=5)
    names = ["sports", "food", "space", "music"]
    path = tmp_path / "data.tsv"
    path.write_text("".join(f"{names[y]}\t{d}\n" for d, y in zip(docs, labels)), encoding="utf-8")
    script = next(p for p in EXAMPLES if p.name == name)
    env = {**os.environ, "MPLBACKEND": "Agg", "SKW2V_EXAMPLE_DATA": str(path)}
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "data.tsv (SKW2V_EXAMPLE_DATA)" in result.stdout
