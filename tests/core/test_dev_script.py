"""bin/dev, the two commands of the README: what a newcomer sees on the first run."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_first_run_says_it_is_installing(tmp_path):
    # given a copy of the script beside a project with no virtual environment yet, and a
    # "python" that only records what it is asked to do
    (tmp_path / "bin").mkdir()
    shutil.copy(ROOT / "bin" / "dev", tmp_path / "bin" / "dev")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    fake = tmp_path / "fakebin"
    fake.mkdir()
    python = fake / "python3"
    python.write_text(
        "#!/usr/bin/env bash\n"
        'if [ "$1" = -c ]; then exit 0; fi\n'
        'if [ "$1 $2" = "-m venv" ]; then mkdir -p .venv/bin; cp "$0" .venv/bin/python;'
        ' printf "#!/usr/bin/env bash\\nexit 1\\n" > .venv/bin/manyi; chmod +x .venv/bin/*; fi\n'
    )
    python.chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}", "PYTHON": str(python)}
    # when `bin/dev run` starts (it stops at the first manyi command, which fails here)
    result = subprocess.run(
        ["bash", "bin/dev", "run"], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    # then it said what it was doing before the long, silent install
    assert "creating a virtual environment in .venv (first run only)" in result.stdout
    assert "installing dependencies into .venv" in result.stdout
