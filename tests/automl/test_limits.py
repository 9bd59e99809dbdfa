"""A trial that hangs, raises, dies or over-allocates costs only itself."""

import os
import time

import pytest

from automl._limits import Status, run_limited


def test_success_returns_value():
    result = run_limited(max, (3, 7), wall_time=10)
    assert result.status is Status.SUCCESS and result.value == 7


@pytest.mark.timing
def test_hang_is_stopped_at_wall_time():
    start = time.monotonic()
    result = run_limited(time.sleep, (30,), wall_time=0.5)
    assert result.status is Status.TIMEOUT
    assert time.monotonic() - start < 10


def test_exception_is_reported_with_its_message():
    result = run_limited(int, ("not a number",), wall_time=10)
    assert result.status is Status.CRASHED
    assert "ValueError" in result.error and "not a number" in result.error


def test_memory_limit_gives_memout():
    result = run_limited(bytearray, (4 * 1024**3,), wall_time=20, memory_mb=1500)
    assert result.status is Status.MEMOUT
    assert "1500" in result.error


def _allocate(n: int) -> int:
    return len(bytearray(n))


def test_memory_limit_counts_what_the_trial_adds_not_its_libraries():
    # A trial process starts with about 900 MB of address space mapped (the interpreter and
    # the fork server's imports): under the old limit, which counted them, a 500 MB trial
    # could not allocate anything; and data the trial receives is not counted either.
    data = bytes(300 * 1024**2)
    result = run_limited(_allocate, (200 * 1024**2,), wall_time=20, memory_mb=500)
    assert result.status is Status.SUCCESS and result.value == 200 * 1024**2
    result = run_limited(len, (data,), wall_time=20, memory_mb=100)
    assert result.status is Status.SUCCESS and result.value == len(data)
    result = run_limited(_allocate, (600 * 1024**2,), wall_time=20, memory_mb=500)
    assert result.status is Status.MEMOUT


def test_hard_exit_is_a_crash():
    result = run_limited(os._exit, (3,), wall_time=10)
    assert result.status is Status.CRASHED
    assert "exit code 3" in result.error


@pytest.mark.parametrize("n", [1, 2])
def test_children_are_independent(n):
    results = [run_limited(pow, (2, i), wall_time=10).value for i in range(n)]
    assert results == [2**i for i in range(n)]


def test_a_script_without_a_main_guard_runs_its_trials(tmp_path):
    """Trial children must not re-run the user's script (as spawn-style children do)."""
    import subprocess
    import sys

    script = tmp_path / "fit.py"
    script.write_text(
        "from automl._limits import run_limited\n"
        "print(run_limited(max, (3, 7), wall_time=30).status.value)\n"
    )
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.split() == ["success"], out.stderr


def test_a_fork_server_started_early_is_the_one_trials_come_from(tmp_path):
    """A fit starts the fork server once its input is checked (start_fork_server), so that its
    imports overlap the fit's preparation: the first trial's child is then forked from it, and
    starting it again starts nothing new. In a fresh interpreter, where none runs yet."""
    import subprocess
    import sys

    script = tmp_path / "early.py"
    script.write_text(
        "import os\n"
        "from multiprocessing import forkserver\n"
        "from automl._limits import run_limited, start_fork_server\n"
        "assert forkserver._forkserver._forkserver_pid is None\n"
        "start_fork_server()\n"
        "pid = forkserver._forkserver._forkserver_pid\n"
        "start_fork_server()\n"
        "assert forkserver._forkserver._forkserver_pid == pid\n"
        "print(pid is not None, run_limited(os.getppid, (), wall_time=60).value == pid)\n"
    )
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert out.stdout.split() == ["True", "True"], out.stderr
