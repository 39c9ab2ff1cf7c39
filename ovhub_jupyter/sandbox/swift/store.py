"""Storage of the Swift emulation: metadata in SQLite, object bodies in files.

One SQLite database (WAL mode) per data folder contains the accounts, containers and
objects of every cluster. A pool of connections lets the threaded server read
concurrently, and one lock serializes writes. Object bodies live in files named by a random id, written once
and never modified, so a copy is a hard link and a reader keeps a consistent body even
when the object is overwritten or deleted while it streams.

The store speaks names and rows, not HTTP: the service module turns requests into calls
here. Names are Python strings decoded from UTF-8; SQLite compares TEXT with memcmp on the
UTF-8 bytes, the same order Swift's own SQLite databases use for listings.

Reset support: after the seed data is written, ``snapshot()`` copies every table into a
``seed_`` twin, and the seed's bodies stay in their own folder. ``restore()`` copies the
tables back and empties the folder of later bodies.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import queue
import shutil
import sqlite3
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

# Bytes read from a request body or a file at a time.
CHUNK_SIZE = 1 << 16

# Folders under the store's root for object bodies: the seed's, kept across resets, and
# everything written later, emptied by a reset.
SEED_AREA = "seed"
LIVE_AREA = "live"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    cluster TEXT NOT NULL,
    name TEXT NOT NULL,
    created REAL NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (cluster, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS containers (
    cluster TEXT NOT NULL,
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    created REAL NOT NULL,
    put_timestamp REAL NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    object_count INTEGER NOT NULL DEFAULT 0,
    bytes_used INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (cluster, account, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS objects (
    cluster TEXT NOT NULL,
    account TEXT NOT NULL,
    container TEXT NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    listing_bytes INTEGER NOT NULL,
    etag TEXT NOT NULL,
    content_type TEXT NOT NULL,
    timestamp REAL NOT NULL,
    headers TEXT NOT NULL DEFAULT '{}',
    file TEXT,
    PRIMARY KEY (cluster, account, container, name)
) WITHOUT ROWID;
"""

_TABLES = ("accounts", "containers", "objects")

_OBJECT_COLUMNS = "name, size, listing_bytes, etag, content_type, timestamp, headers, file"


class StoreError(Exception):
    """A store operation could not be carried out."""


class ContainerMissing(StoreError):
    """The container of an object does not exist."""


class BodyTooLarge(StoreError):
    """A request body went over the maximum object size."""


class BodyIncomplete(StoreError):
    """A request body ended before its announced Content-Length."""


@dataclass
class AccountRecord:
    """An account: its creation time and metadata headers."""

    cluster: str
    name: str
    created: float
    meta: dict[str, str]


@dataclass
class ContainerRecord:
    """A container: times, metadata headers (ACLs included) and counters."""

    name: str
    created: float
    put_timestamp: float
    meta: dict[str, str]
    object_count: int
    bytes_used: int


@dataclass
class ObjectRecord:
    """An object as stored: its body file and the headers it is served with.

    ``size`` is the stored body's length, which the container's byte counter adds up.
    ``listing_bytes`` is the size its listing entry reports. The two differ for a static
    large object manifest, whose listing entry shows the total of its segments.
    ``headers`` contains user metadata and the other headers Swift keeps
    (Content-Disposition, X-Object-Manifest, X-Static-Large-Object, ...), by their
    canonical names.
    """

    name: str
    size: int
    listing_bytes: int
    etag: str
    content_type: str
    timestamp: float
    headers: dict[str, str] = field(default_factory=dict)
    file: str | None = None


@dataclass
class Subdir:
    """A ``subdir`` entry of a listing with a delimiter."""

    name: str


@dataclass
class StagedBody:
    """A body written to a temporary file, waiting to become an object's body."""

    path: Path | None
    size: int
    etag: str

    def discard(self) -> None:
        """Delete the temporary file."""
        if self.path is not None:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            self.path = None


def _object_from_row(row: tuple[Any, ...]) -> ObjectRecord:
    name, size, listing_bytes, etag, content_type, timestamp, headers, file = row
    return ObjectRecord(name, size, listing_bytes, etag, content_type, timestamp, json.loads(headers), file)


def _container_from_row(row: tuple[Any, ...]) -> ContainerRecord:
    name, created, put_timestamp, meta, count, used = row
    return ContainerRecord(name, created, put_timestamp, json.loads(meta), count, used)


def _apply_meta(meta: dict[str, str], updates: dict[str, str | None]) -> dict[str, str]:
    merged = dict(meta)
    for key, value in updates.items():
        if value is None or value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


class SwiftStore:
    """Accounts, containers and objects of every cluster, in one data folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.database = self.root / "swift.sqlite3"
        self.staging = self.root / "staging"
        for folder in (self.staging, self.root / SEED_AREA, self.root / LIVE_AREA):
            folder.mkdir(exist_ok=True)
        # Bodies left half-written by a server that stopped in the middle of an upload.
        for leftover in self.staging.iterdir():
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        # Where new bodies go: the seed's folder while seeding, then the live one.
        self.area = LIVE_AREA
        self._pool: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue()
        self._write_lock = threading.RLock()
        with self._connection() as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(_SCHEMA)

    # -- connections ----------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.database, isolation_level=None, check_same_thread=False, timeout=30)
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA busy_timeout=30000")
        return connection

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        try:
            connection = self._pool.get_nowait()
        except queue.Empty:
            connection = self._connect()
        try:
            yield connection
        finally:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            self._pool.put(connection)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        with self._write_lock, self._connection() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def close(self) -> None:
        """Close the pooled connections (new ones open on the next call)."""
        while True:
            try:
                self._pool.get_nowait().close()
            except queue.Empty:
                return

    # -- accounts -----------------------------------------------------------------------

    def ensure_account(self, cluster: str, account: str, now: float) -> bool:
        """Create the account unless it exists; return True when it was created."""
        with self._writing() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO accounts (cluster, name, created) VALUES (?, ?, ?)", (cluster, account, now)
            )
            return cursor.rowcount == 1

    def get_account(self, cluster: str, account: str) -> AccountRecord | None:
        """Return the account, or None."""
        with self._connection() as db:
            row = db.execute(
                "SELECT created, meta FROM accounts WHERE cluster = ? AND name = ?", (cluster, account)
            ).fetchone()
        if row is None:
            return None
        return AccountRecord(cluster, account, row[0], json.loads(row[1]))

    def update_account_meta(self, cluster: str, account: str, updates: dict[str, str | None]) -> None:
        """Set or (with an empty value or None) remove account metadata headers."""
        with self._writing() as db:
            row = db.execute("SELECT meta FROM accounts WHERE cluster = ? AND name = ?", (cluster, account)).fetchone()
            if row is None:
                raise StoreError(f"account {account!r} does not exist in {cluster}")
            meta = _apply_meta(json.loads(row[0]), updates)
            db.execute("UPDATE accounts SET meta = ? WHERE cluster = ? AND name = ?", (json.dumps(meta), cluster, account))

    def account_stats(self, cluster: str, account: str) -> tuple[int, int, int]:
        """Return ``(containers, objects, bytes)`` of the account."""
        with self._connection() as db:
            row = db.execute(
                "SELECT COUNT(*), COALESCE(SUM(object_count), 0), COALESCE(SUM(bytes_used), 0) "
                "FROM containers WHERE cluster = ? AND account = ?",
                (cluster, account),
            ).fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    # -- containers ---------------------------------------------------------------------

    def get_container(self, cluster: str, account: str, container: str) -> ContainerRecord | None:
        """Return the container, or None."""
        with self._connection() as db:
            row = db.execute(
                "SELECT name, created, put_timestamp, meta, object_count, bytes_used FROM containers "
                "WHERE cluster = ? AND account = ? AND name = ?",
                (cluster, account, container),
            ).fetchone()
        return None if row is None else _container_from_row(row)

    def put_container(
        self, cluster: str, account: str, container: str, now: float, meta_updates: dict[str, str | None]
    ) -> bool:
        """Create the container or update its metadata; return True when it was created."""
        with self._writing() as db:
            row = db.execute(
                "SELECT meta FROM containers WHERE cluster = ? AND account = ? AND name = ?",
                (cluster, account, container),
            ).fetchone()
            if row is None:
                meta = _apply_meta({}, meta_updates)
                db.execute(
                    "INSERT INTO containers (cluster, account, name, created, put_timestamp, meta) VALUES (?, ?, ?, ?, ?, ?)",
                    (cluster, account, container, now, now, json.dumps(meta)),
                )
                return True
            meta = _apply_meta(json.loads(row[0]), meta_updates)
            # A PUT on an existing container moves its put timestamp, as in Swift.
            db.execute(
                "UPDATE containers SET meta = ?, put_timestamp = ? WHERE cluster = ? AND account = ? AND name = ?",
                (json.dumps(meta), now, cluster, account, container),
            )
            return False

    def update_container_meta(
        self, cluster: str, account: str, container: str, updates: dict[str, str | None]
    ) -> bool:
        """Set or remove container metadata; return False when the container does not exist."""
        with self._writing() as db:
            row = db.execute(
                "SELECT meta FROM containers WHERE cluster = ? AND account = ? AND name = ?",
                (cluster, account, container),
            ).fetchone()
            if row is None:
                return False
            meta = _apply_meta(json.loads(row[0]), updates)
            db.execute(
                "UPDATE containers SET meta = ? WHERE cluster = ? AND account = ? AND name = ?",
                (json.dumps(meta), cluster, account, container),
            )
            return True

    def delete_container(self, cluster: str, account: str, container: str) -> str:
        """Delete an empty container; return "deleted", "not_found" or "not_empty"."""
        with self._writing() as db:
            exists = db.execute(
                "SELECT 1 FROM containers WHERE cluster = ? AND account = ? AND name = ?", (cluster, account, container)
            ).fetchone()
            if exists is None:
                return "not_found"
            has_objects = db.execute(
                "SELECT 1 FROM objects WHERE cluster = ? AND account = ? AND container = ? LIMIT 1",
                (cluster, account, container),
            ).fetchone()
            if has_objects is not None:
                return "not_empty"
            db.execute(
                "DELETE FROM containers WHERE cluster = ? AND account = ? AND name = ?", (cluster, account, container)
            )
            return "deleted"

    def list_containers(self, cluster: str, account: str, **query: Any) -> list[ContainerRecord | Subdir]:
        """List containers in name order; ``query`` as in ``_list``."""
        rows = self._list(
            "containers",
            "name, created, put_timestamp, meta, object_count, bytes_used",
            "cluster = ? AND account = ?",
            (cluster, account),
            **query,
        )
        return [row if isinstance(row, Subdir) else _container_from_row(row) for row in rows]

    # -- objects ------------------------------------------------------------------------

    def get_object(self, cluster: str, account: str, container: str, name: str) -> ObjectRecord | None:
        """Return the object, or None."""
        with self._connection() as db:
            row = db.execute(
                f"SELECT {_OBJECT_COLUMNS} FROM objects WHERE cluster = ? AND account = ? AND container = ? AND name = ?",
                (cluster, account, container, name),
            ).fetchone()
        return None if row is None else _object_from_row(row)

    def list_objects(self, cluster: str, account: str, container: str, **query: Any) -> list[ObjectRecord | Subdir]:
        """List a container's objects in name order; ``query`` as in ``_list``."""
        rows = self._list(
            "objects", _OBJECT_COLUMNS, "cluster = ? AND account = ? AND container = ?", (cluster, account, container), **query
        )
        return [row if isinstance(row, Subdir) else _object_from_row(row) for row in rows]

    def iter_objects(self, cluster: str, account: str, container: str, prefix: str = "") -> Iterator[ObjectRecord]:
        """Yield every object whose name starts with ``prefix``, in name order, a page at a time."""
        marker = ""
        while True:
            page = self.list_objects(cluster, account, container, limit=1000, marker=marker, prefix=prefix)
            if not page:
                return
            for record in page:
                assert isinstance(record, ObjectRecord)
                yield record
            marker = page[-1].name

    def put_object(self, cluster: str, account: str, container: str, record: ObjectRecord) -> ObjectRecord | None:
        """Store ``record`` (its body already in place); return the object it replaced."""
        with self._writing() as db:
            old = self._replace_object(db, cluster, account, container, record)
        if old is not None and old.file != record.file:
            self._drop_file(old.file)
        return old

    def put_objects(self, cluster: str, account: str, container: str, records: Iterable[ObjectRecord]) -> int:
        """Store many records in one transaction (seed data, large test containers); return how many."""
        count = 0
        replaced: list[str | None] = []
        with self._writing() as db:
            for record in records:
                old = self._replace_object(db, cluster, account, container, record)
                if old is not None and old.file != record.file:
                    replaced.append(old.file)
                count += 1
        for file in replaced:
            self._drop_file(file)
        return count

    def update_object(
        self, cluster: str, account: str, container: str, name: str, content_type: str, headers: dict[str, str], now: float
    ) -> bool:
        """Replace an object's content type and headers (a POST); return False when it is missing."""
        with self._writing() as db:
            cursor = db.execute(
                "UPDATE objects SET content_type = ?, headers = ?, timestamp = ? "
                "WHERE cluster = ? AND account = ? AND container = ? AND name = ?",
                (content_type, json.dumps(headers), now, cluster, account, container, name),
            )
            return cursor.rowcount == 1

    def delete_object(self, cluster: str, account: str, container: str, name: str) -> ObjectRecord | None:
        """Delete the object; return it, or None when it did not exist."""
        with self._writing() as db:
            row = db.execute(
                f"SELECT {_OBJECT_COLUMNS} FROM objects WHERE cluster = ? AND account = ? AND container = ? AND name = ?",
                (cluster, account, container, name),
            ).fetchone()
            if row is None:
                return None
            old = _object_from_row(row)
            db.execute(
                "DELETE FROM objects WHERE cluster = ? AND account = ? AND container = ? AND name = ?",
                (cluster, account, container, name),
            )
            self._count(db, cluster, account, container, -1, -old.size)
        self._drop_file(old.file)
        return old

    def _replace_object(
        self, db: sqlite3.Connection, cluster: str, account: str, container: str, record: ObjectRecord
    ) -> ObjectRecord | None:
        exists = db.execute(
            "SELECT 1 FROM containers WHERE cluster = ? AND account = ? AND name = ?", (cluster, account, container)
        ).fetchone()
        if exists is None:
            raise ContainerMissing(container)
        row = db.execute(
            f"SELECT {_OBJECT_COLUMNS} FROM objects WHERE cluster = ? AND account = ? AND container = ? AND name = ?",
            (cluster, account, container, record.name),
        ).fetchone()
        old = None if row is None else _object_from_row(row)
        db.execute(
            "INSERT OR REPLACE INTO objects (cluster, account, container, name, size, listing_bytes, etag, "
            "content_type, timestamp, headers, file) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                cluster,
                account,
                container,
                record.name,
                record.size,
                record.listing_bytes,
                record.etag,
                record.content_type,
                record.timestamp,
                json.dumps(record.headers),
                record.file,
            ),
        )
        # Counters add stored sizes: a static large object manifest counts as its own
        # JSON body, not its segments' total, exactly as in Swift's container databases.
        if old is None:
            self._count(db, cluster, account, container, 1, record.size)
        else:
            self._count(db, cluster, account, container, 0, record.size - old.size)
        return old

    @staticmethod
    def _count(db: sqlite3.Connection, cluster: str, account: str, container: str, objects: int, size: int) -> None:
        db.execute(
            "UPDATE containers SET object_count = object_count + ?, bytes_used = bytes_used + ? "
            "WHERE cluster = ? AND account = ? AND name = ?",
            (objects, size, cluster, account, container),
        )

    # -- listings -----------------------------------------------------------------------

    def _list(
        self,
        table: str,
        columns: str,
        scope: str,
        scope_args: tuple[Any, ...],
        *,
        limit: int,
        marker: str = "",
        end_marker: str = "",
        prefix: str | None = None,
        delimiter: str = "",
        reverse: bool = False,
        path: str | None = None,
    ) -> list[Any]:
        """Return rows (tuples of ``columns``, name first) and ``Subdir`` entries.

        The rules are Swift's (container and account brokers, 2.38). ``marker`` and
        ``end_marker`` are exclusive bounds and swap roles when ``reverse`` is set. With a
        delimiter, names that contain it after the prefix fold into one ``subdir`` entry,
        and the query skips past the rest of that folder instead of reading it. ``path``
        is the older form of ``prefix=path/&delimiter=/``.
        """
        if reverse:
            marker, end_marker = end_marker, marker
        if path is not None:
            prefix = path.rstrip("/") + "/" if path else path
            delimiter = "/"
        elif delimiter and not prefix:
            prefix = ""
        end_prefix = prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else None
        first_marker = marker
        force_inclusive = False
        results: list[Any] = []

        with self._connection() as db:
            while len(results) < limit:
                conditions = [scope]
                args: list[Any] = list(scope_args)
                if end_marker and (not prefix or end_marker < end_prefix):
                    conditions.append("name < ?")
                    args.append(end_marker)
                elif prefix:
                    conditions.append("name < ?")
                    args.append(end_prefix)
                if force_inclusive:
                    conditions.append("name >= ?")
                    args.append(marker)
                    force_inclusive = False
                elif marker and (not prefix or marker >= prefix):
                    conditions.append("name > ?")
                    args.append(marker)
                elif prefix:
                    conditions.append("name >= ?")
                    args.append(prefix)
                order = "DESC" if reverse else "ASC"
                wanted = limit - len(results)
                sql = f"SELECT {columns} FROM {table} WHERE {' AND '.join(conditions)} ORDER BY name {order} LIMIT ?"
                cursor = db.execute(sql, (*args, wanted))
                if prefix is None or not delimiter:
                    return cursor.fetchall()

                # Rows are read one by one: after a folder the rest of the page is skipped,
                # and the next query starts past the folder.
                folded = False
                count = 0
                for row in cursor:
                    count += 1
                    name = row[0]
                    if reverse:
                        end_marker = name
                    else:
                        marker = name
                    end = name.find(delimiter, len(prefix))
                    if path is not None:
                        if name == path:
                            continue
                        if end >= 0 and len(name) > end + len(delimiter):
                            if reverse:
                                end_marker = name[: end + len(delimiter)]
                            else:
                                marker = name[:end] + delimiter[:-1] + chr(ord(delimiter[-1]) + 1)
                            folded = True
                            break
                    elif end >= 0:
                        folder = name[: end + len(delimiter)]
                        if reverse:
                            end_marker = folder
                        else:
                            # Skip every name inside the folder: the next query starts at
                            # the first name after ``folder`` with the delimiter bumped.
                            marker = name[:end] + delimiter[:-1] + chr(ord(delimiter[-1]) + 1)
                            force_inclusive = True
                        if folder != first_marker:
                            results.append(Subdir(folder))
                        folded = True
                        break
                    results.append(row)
                cursor.close()
                if not count or (not folded and count < wanted):
                    break
        return results

    # -- bodies -------------------------------------------------------------------------

    def stage_stream(self, stream: BinaryIO, max_size: int, expected_length: int | None) -> StagedBody:
        """Write a request body to a temporary file, hashing it on the way.

        Raise ``BodyTooLarge`` past ``max_size`` bytes, and ``BodyIncomplete`` when the
        stream ends before ``expected_length`` (a client that went away).
        """

        def chunks() -> Iterator[bytes]:
            while True:
                chunk = stream.read(CHUNK_SIZE)
                if not chunk:
                    return
                yield chunk

        staged = self.stage_chunks(chunks(), max_size)
        if expected_length is not None and staged.size < expected_length:
            staged.discard()
            raise BodyIncomplete(f"got {staged.size} of {expected_length} bytes")
        return staged

    def stage_chunks(self, chunks: Iterable[bytes], max_size: int | None = None) -> StagedBody:
        """Write chunks to a temporary file with their MD5; see ``stage_stream``."""
        digest = hashlib.md5(usedforsecurity=False)
        size = 0
        path = self.staging / uuid.uuid4().hex
        try:
            with open(path, "wb") as handle:
                for chunk in chunks:
                    size += len(chunk)
                    if max_size is not None and size > max_size:
                        raise BodyTooLarge(f"more than {max_size} bytes")
                    digest.update(chunk)
                    handle.write(chunk)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            raise
        if size == 0:
            path.unlink()
            return StagedBody(None, 0, digest.hexdigest())
        return StagedBody(path, size, digest.hexdigest())

    def stage_bytes(self, data: bytes) -> StagedBody:
        """Stage a body held in memory (manifests, seed files)."""
        return self.stage_chunks([data] if data else [])

    def keep(self, staged: StagedBody) -> str | None:
        """Move a staged body to its final place; return the path to store in the record."""
        if staged.path is None:
            return None
        identifier = uuid.uuid4().hex
        relative = f"{self.area}/{identifier[:2]}/{identifier}"
        target = self.root / relative
        target.parent.mkdir(exist_ok=True)
        os.replace(staged.path, target)
        staged.path = None
        return relative

    def link(self, file: str | None) -> str | None:
        """Give an existing body a second name for a copy (bodies never change, so sharing is safe)."""
        if file is None:
            return None
        identifier = uuid.uuid4().hex
        relative = f"{self.area}/{identifier[:2]}/{identifier}"
        target = self.root / relative
        target.parent.mkdir(exist_ok=True)
        try:
            os.link(self.root / file, target)
        except OSError:
            shutil.copyfile(self.root / file, target)
        return relative

    def open_body(self, record: ObjectRecord) -> BinaryIO | None:
        """Open the object's body for reading, or return None for an empty body."""
        if record.file is None:
            return None
        return open(self.root / record.file, "rb")

    def _drop_file(self, file: str | None) -> None:
        # The seed's bodies stay: a reset brings back the rows that name them.
        if file is None or not file.startswith(LIVE_AREA + "/"):
            return
        with contextlib.suppress(FileNotFoundError):
            (self.root / file).unlink()

    # -- seed snapshot and reset ------------------------------------------------------

    def has_snapshot(self) -> bool:
        """True when the seed data has been written and saved."""
        with self._connection() as db:
            row = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'seed_objects'").fetchone()
        return row is not None

    def snapshot(self) -> None:
        """Save the current tables as the seed state that ``restore`` returns to."""
        with self._writing() as db:
            for table in _TABLES:
                db.execute(f"DROP TABLE IF EXISTS seed_{table}")
                db.execute(f"CREATE TABLE seed_{table} AS SELECT * FROM {table}")

    def restore(self) -> None:
        """Return every table to the snapshot and delete bodies written since."""
        with self._writing() as db:
            for table in _TABLES:
                db.execute(f"DELETE FROM {table}")
                db.execute(f"INSERT INTO {table} SELECT * FROM seed_{table}")
            # The files go while the write lock is held, so no upload lands in between.
            live = self.root / LIVE_AREA
            shutil.rmtree(live, ignore_errors=True)
            live.mkdir(exist_ok=True)
