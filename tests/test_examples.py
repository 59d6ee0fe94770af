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
