"""The same ranges on a Dask cluster: ``LocalCluster(n_workers=2, processes=True)`` gives the same
table as one process, and ``verified check --scheduler`` the same certificate bytes (issue 9)."""

from __future__ import annotations

import pytest

from tests.engine.helpers import write_problem
from tests.engine.test_tabulate import assert_same_table, reference_table
from verified.cli import main
from verified.engine import tabulate
from verified.engine.dask import dask_executor
from verified.engine.executors import WorkerLost
from verified.errors import InvalidInput

distributed = pytest.importorskip("distributed", reason="the dask extra: pip install 'verified[dask]'")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as local:
        yield local


def test_a_dask_cluster_gives_the_same_table(tmp_path, cluster):
    path = write_problem(tmp_path, "mixed", 3, "ab")
    with dask_executor(cluster.scheduler_address) as executor:
        assert_same_table(tabulate(path, executor=executor), reference_table(path))


def test_a_user_error_on_dask_is_bad_input_naming_the_first_profile(tmp_path, cluster):
    path = write_problem(tmp_path, "raises_at_some", 3, "ab")
    with dask_executor(cluster.scheduler_address) as executor, pytest.raises(InvalidInput) as caught:
        tabulate(path, executor=executor)
    serial = pytest.raises(InvalidInput)
    with serial:
        tabulate(path)
    assert str(caught.value) == str(serial.excinfo.value)


def test_check_on_dask_writes_the_same_certificate_bytes(tmp_path, cluster):
    path = write_problem(tmp_path, "boston", 3, "ab")
    runs = {
        "serial": [],
        "jobs": ["--jobs", "2"],
        "dask": ["--scheduler", cluster.scheduler_address],
    }
    written = {}
    for label, extra in runs.items():
        folder = tmp_path / label
        assert main(["check", str(path), "-p", "sp,ir,ete", "-c", str(folder), "-q", *extra]) == 1  # sp fails
        written[label] = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
    assert len(written["serial"]) == 3
    assert written["serial"] == written["jobs"] == written["dask"]


def test_an_unreachable_scheduler_is_bad_input(tmp_path, monkeypatch):
    monkeypatch.setenv("VERIFIED_DASK_CONNECT_TIMEOUT", "2")
    path = write_problem(tmp_path, "boston", 2, "a")
    assert main(["check", str(path), "-p", "sp", "-q", "--scheduler", "tcp://127.0.0.1:9"]) == 2


def test_a_dask_worker_lost_mid_range_is_retried_by_dask(tmp_path, cluster):
    """The first worker to reach the profile dies (os._exit); Dask's nanny restarts it and
    Dask runs the range again: the table is complete and equal to the library's."""
    path = write_problem(tmp_path, "dies_once", 3, "ab")
    with dask_executor(cluster.scheduler_address) as executor:
        table = tabulate(path, executor=executor)
    assert (tmp_path / "died.marker").exists()
    assert_same_table(table, reference_table(path))


def test_a_range_that_kills_every_dask_worker_is_reported_not_a_partial_table(tmp_path, cluster):
    path = write_problem(tmp_path, "dies_at_some", 3, "ab")
    with dask_executor(cluster.scheduler_address) as executor, pytest.raises(WorkerLost):
        tabulate(path, executor=executor)
