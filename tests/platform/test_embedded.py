"""The embedded PostgreSQL of `make run` starts cleanly after a previous run's server."""

import os
import subprocess
import time

from koepel.platform.cli.embedded import _settle


def pidfile(folder, pid, status):
    (folder / "postmaster.pid").write_text(f"{pid}\n{folder}\n1700000000\n5432\n/tmp\n\n0 0\n{status}\n")


def test_a_pid_file_of_a_server_that_is_gone_is_removed(tmp_path):
    finished = subprocess.Popen(["true"])
    finished.wait()
    pidfile(tmp_path, finished.pid, "stopping")
    _settle(tmp_path, timeout=2)
    assert not (tmp_path / "postmaster.pid").exists()


def test_a_pid_file_of_a_zombie_server_is_removed(tmp_path):
    zombie = subprocess.Popen(["true"])  # exits, and stays a zombie until waited for
    time.sleep(0.3)
    pidfile(tmp_path, zombie.pid, "stopping")
    try:
        _settle(tmp_path, timeout=2)
        assert not (tmp_path / "postmaster.pid").exists()
    finally:
        zombie.wait()


def test_a_ready_running_server_is_left_alone(tmp_path):
    pidfile(tmp_path, os.getpid(), "ready")
    _settle(tmp_path, timeout=2)
    assert (tmp_path / "postmaster.pid").exists()


def test_a_server_still_stopping_is_waited_for(tmp_path):
    pidfile(tmp_path, os.getpid(), "stopping")
    started = time.monotonic()
    _settle(tmp_path, timeout=1)
    assert time.monotonic() - started >= 0.9
    assert (tmp_path / "postmaster.pid").exists()  # not ours to remove while it lives


def test_a_socket_lock_of_a_gone_server_is_removed_and_a_live_ones_kept(tmp_path):
    finished = subprocess.Popen(["true"])
    finished.wait()
    (tmp_path / ".s.PGSQL.5432.lock").write_text(f"{finished.pid}\n{tmp_path}\n")
    (tmp_path / ".s.PGSQL.5433.lock").write_text(f"{os.getpid()}\n{tmp_path}\n")
    _settle(tmp_path, timeout=1)
    assert not (tmp_path / ".s.PGSQL.5432.lock").exists()
    assert (tmp_path / ".s.PGSQL.5433.lock").exists()
