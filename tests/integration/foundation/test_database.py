"""Proves which database the suite really ran on (CI runs it on SQLite and on PostgreSQL)."""

import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_the_suite_runs_on_the_expected_database():
    expected = os.environ.get("CSPB_EXPECT_DB")
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SELECT version()")
        version = cursor.fetchone()[0]
    print(f"database vendor={connection.vendor} version={version}")
    if expected:
        assert connection.vendor == expected


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_when_it_is_the_database():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL run: WAL is SQLite's")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    # The in-memory test database reports "memory"; a file database reports "wal".
    assert mode in {"wal", "memory"}
