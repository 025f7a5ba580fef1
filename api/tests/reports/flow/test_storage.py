"""Document storage: a local folder and an S3 bucket (moto's), written as a stream with its size and
checksum, read back as a stream, all-or-nothing."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from app.documents import storage as storage_module
from app.documents.storage import (
    DocumentStorage,
    LocalStorage,
    S3Storage,
    StoredFileMissing,
    storage_from_settings,
    storage_from_url,
)
from app.settings import DocumentSettings, NotificationSettings, RuntimeSettings, Settings


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def read_all(storage: DocumentStorage, key: str) -> bytes:
    return b"".join([chunk async for chunk in storage.read(key)])


@pytest.fixture
def s3() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="docs")
        yield client


def test_the_url_picks_the_storage(tmp_path: Path) -> None:
    assert isinstance(storage_from_url(""), LocalStorage)
    settings = Settings(runtime=RuntimeSettings(local_data_dir=tmp_path))
    default = storage_from_settings(settings)
    assert isinstance(default, LocalStorage) and default.root == tmp_path / "documents"
    s3_settings = Settings(
        documents=DocumentSettings(document_storage_url="s3://b/p"),
        notifications=NotificationSettings(aws_endpoint_url="http://127.0.0.1:5000"),
    )
    via_settings = storage_from_settings(s3_settings)
    assert isinstance(via_settings, S3Storage) and via_settings.endpoint_url == "http://127.0.0.1:5000"
    local = storage_from_url(f"file://{tmp_path}")
    assert isinstance(local, LocalStorage) and local.root == tmp_path
    s3 = storage_from_url("s3://bucket/some/prefix", endpoint_url="http://minio:9000")
    assert isinstance(s3, S3Storage)
    assert (s3.bucket, s3.prefix, s3.endpoint_url) == ("bucket", "some/prefix", "http://minio:9000")
    with pytest.raises(ValueError):
        storage_from_url("ftp://nope")


async def test_local_round_trip_with_size_and_checksum(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    parts = [b"header\tcol\n", b"a\tb\n" * 1000, b"last"]
    stored = await storage.write("t1/reports/r1/file.tsv", chunks(*parts))
    content = b"".join(parts)
    assert stored.size_bytes == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert await read_all(storage, "t1/reports/r1/file.tsv") == content
    await storage.delete("t1/reports/r1/file.tsv")
    with pytest.raises(StoredFileMissing):
        await read_all(storage, "t1/reports/r1/file.tsv")


async def test_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)

    async def broken() -> AsyncIterator[bytes]:
        yield b"half"
        raise RuntimeError("download cut")

    with pytest.raises(RuntimeError):
        await storage.write("t/reports/r/f.tsv", broken())
    assert [p for p in await asyncio.to_thread(lambda: list(tmp_path.rglob("*"))) if p.is_file()] == []


async def test_keys_never_escape_the_root(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    for key in ("../x", "/etc/passwd", "a//b", "a/./b", ""):
        with pytest.raises(ValueError):
            await storage.write(key, chunks(b"x"))


async def test_s3_small_and_multipart(s3: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    storage = S3Storage("docs", "/prefix/", endpoint_url=None, region="us-east-1")
    small = await storage.write("t/reports/r/small.json", chunks(b'{"a": 1}'))
    assert small.size_bytes == 8
    assert await read_all(storage, "t/reports/r/small.json") == b'{"a": 1}'
    assert s3.head_object(Bucket="docs", Key="prefix/t/reports/r/small.json")["ContentLength"] == 8

    # Parts of 5 MiB (S3's minimum): 12 MiB in 1 MiB chunks makes three parts.
    monkeypatch.setattr(storage_module, "PART_SIZE", 5 * 1024 * 1024)
    block = bytes(range(256)) * 4096
    big = [block] * 12
    stored = await storage.write("t/reports/r/big.tsv", chunks(*big))
    content = b"".join(big)
    assert stored.size_bytes == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert await read_all(storage, "t/reports/r/big.tsv") == content
    await storage.delete("t/reports/r/big.tsv")
    with pytest.raises(StoredFileMissing):
        await read_all(storage, "t/reports/r/big.tsv")


async def test_s3_failed_multipart_is_aborted(s3: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    storage = S3Storage("docs", "", endpoint_url=None, region="us-east-1")
    monkeypatch.setattr(storage_module, "PART_SIZE", 5 * 1024 * 1024)

    async def broken() -> AsyncIterator[bytes]:
        for _ in range(6):
            yield b"x" * 1024 * 1024
        raise RuntimeError("download cut")

    with pytest.raises(RuntimeError):
        await storage.write("t/reports/r/f.tsv", broken())
    assert s3.list_multipart_uploads(Bucket="docs").get("Uploads", []) == []
    assert s3.list_objects_v2(Bucket="docs").get("KeyCount") == 0
