"""Where downloaded documents are kept: a local folder, or any S3-compatible bucket.

`DOCUMENT_STORAGE_URL` picks it: empty -> `documents/` under LOCAL_DATA_DIR (`./.local/documents`,
relative to the process's working directory, by default; the compose services share `/data`),
`file:///abs/path` -> that folder, `s3://bucket/prefix` -> boto3 (endpoint from
`AWS_ENDPOINT_URL` when set, so MinIO, R2 or moto work the same). The stored file is the
decompressed document; its size and sha256 are computed while it streams in.

Bounded memory both ways: writes go to disk (or S3 multipart parts of `PART_SIZE`) as they come,
reads yield chunks of `READ_CHUNK`. boto3 and file I/O block, so they run in threads; the event loop
keeps serving other jobs meanwhile. A write is all-or-nothing: a temporary file renamed at the end,
or a multipart upload completed at the end (aborted on failure), so a reader never sees half a file.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from app.settings import Settings

DEFAULT_FOLDER = Path(".local") / "documents"
READ_CHUNK = 1024 * 1024
# S3 parts must be at least 5 MiB (but the last); 8 MiB keeps the buffer small and the parts few.
PART_SIZE = 8 * 1024 * 1024
# Local writes are batched to this size before each (threaded) write call.
WRITE_BATCH = 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    key: str
    size_bytes: int
    sha256: str


class DocumentStorage(Protocol):
    async def write(self, key: str, chunks: AsyncIterator[bytes]) -> StoredFile: ...

    def read(self, key: str) -> AsyncIterator[bytes]: ...

    async def delete(self, key: str) -> None: ...


class StoredFileMissing(LookupError):
    """The key names no stored file (deleted, or storage was changed under a running system)."""


def _checked_key(key: str) -> str:
    """Keys are ours (`<tenant>/reports/<id>/<file>`), but never let one escape the root."""
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\\" in key:
        raise ValueError(f"invalid storage key: {key!r}")
    return key


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        return self.root / _checked_key(key)

    async def write(self, key: str, chunks: AsyncIterator[bytes]) -> StoredFile:
        target = self.path(key)
        await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
        digest = hashlib.sha256()
        size = 0
        handle = await asyncio.to_thread(temporary.open, "wb")
        try:
            batch = bytearray()
            async for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                batch += chunk
                if len(batch) >= WRITE_BATCH:
                    await asyncio.to_thread(handle.write, bytes(batch))
                    batch.clear()
            if batch:
                await asyncio.to_thread(handle.write, bytes(batch))
            await asyncio.to_thread(handle.close)
            await asyncio.to_thread(os.replace, temporary, target)
        except BaseException:
            handle.close()
            temporary.unlink(missing_ok=True)
            raise
        return StoredFile(key, size, digest.hexdigest())

    async def read(self, key: str) -> AsyncIterator[bytes]:
        path = self.path(key)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError as exc:
            raise StoredFileMissing(key) from exc
        try:
            while True:
                chunk = await asyncio.to_thread(handle.read, READ_CHUNK)
                if not chunk:
                    return
                yield chunk
        finally:
            handle.close()

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.path(key).unlink, missing_ok=True)


class S3Storage:
    def __init__(self, bucket: str, prefix: str, *, endpoint_url: str | None, region: str) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = endpoint_url or None
        self.region = region
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3  # only processes that use S3 pay for importing boto3

            self._client = boto3.client("s3", endpoint_url=self.endpoint_url, region_name=self.region)
        return self._client

    def object_key(self, key: str) -> str:
        key = _checked_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    async def write(self, key: str, chunks: AsyncIterator[bytes]) -> StoredFile:
        object_key = self.object_key(key)
        digest = hashlib.sha256()
        size = 0
        buffer = bytearray()
        upload_id: str | None = None
        parts: list[dict[str, Any]] = []

        async def send_part() -> None:
            nonlocal upload_id
            if upload_id is None:
                created = await asyncio.to_thread(
                    self.client.create_multipart_upload, Bucket=self.bucket, Key=object_key
                )
                upload_id = str(created["UploadId"])
            number = len(parts) + 1
            answer = await asyncio.to_thread(
                self.client.upload_part,
                Bucket=self.bucket,
                Key=object_key,
                UploadId=upload_id,
                PartNumber=number,
                Body=bytes(buffer),
            )
            parts.append({"ETag": answer["ETag"], "PartNumber": number})
            buffer.clear()

        try:
            async for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                buffer += chunk
                if len(buffer) >= PART_SIZE:
                    await send_part()
            if upload_id is None:
                # Small enough for one request.
                await asyncio.to_thread(
                    self.client.put_object, Bucket=self.bucket, Key=object_key, Body=bytes(buffer)
                )
            else:
                if buffer:
                    await send_part()
                await asyncio.to_thread(
                    self.client.complete_multipart_upload,
                    Bucket=self.bucket,
                    Key=object_key,
                    UploadId=upload_id,
                    MultipartUpload={"Parts": parts},
                )
        except BaseException:
            if upload_id is not None:
                # Uncompleted parts cost storage until aborted.
                await asyncio.shield(
                    asyncio.to_thread(
                        self.client.abort_multipart_upload,
                        Bucket=self.bucket,
                        Key=object_key,
                        UploadId=upload_id,
                    )
                )
            raise
        return StoredFile(key, size, digest.hexdigest())

    async def read(self, key: str) -> AsyncIterator[bytes]:
        object_key = self.object_key(key)
        try:
            answer = await asyncio.to_thread(self.client.get_object, Bucket=self.bucket, Key=object_key)
        except self.client.exceptions.NoSuchKey as exc:
            raise StoredFileMissing(key) from exc
        body = answer["Body"]
        try:
            while True:
                chunk = await asyncio.to_thread(body.read, READ_CHUNK)
                if not chunk:
                    return
                yield chunk
        finally:
            body.close()

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.client.delete_object, Bucket=self.bucket, Key=self.object_key(key))


@lru_cache(maxsize=4)
def _cached_storage(url: str, endpoint_url: str | None, region: str, folder: Path) -> DocumentStorage:
    return storage_from_url(url, endpoint_url=endpoint_url, region=region, default_folder=folder)


def storage_from_url(
    url: str,
    *,
    endpoint_url: str | None = None,
    region: str = "us-east-1",
    default_folder: Path = DEFAULT_FOLDER,
) -> DocumentStorage:
    if not url:
        return LocalStorage(default_folder)
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return LocalStorage(Path(parsed.path))
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise ValueError("DOCUMENT_STORAGE_URL=s3://bucket/prefix needs a bucket")
        return S3Storage(parsed.netloc, parsed.path, endpoint_url=endpoint_url, region=region)
    raise ValueError("DOCUMENT_STORAGE_URL must be empty, file:///path or s3://bucket/prefix")


def storage_from_settings(settings: Settings) -> DocumentStorage:
    """One storage per process and configuration (an S3 client is costly to build; it is thread-safe)."""
    return _cached_storage(
        settings.documents.document_storage_url,
        settings.notifications.aws_endpoint_url or None,
        settings.notifications.aws_region,
        settings.runtime.local_data_dir / "documents",
    )


async def delete_files(storage: DocumentStorage, keys: Sequence[str]) -> None:
    """Delete stored files (retention); a file already gone is not an error, so a retried deletion
    finishes the job."""
    for key in keys:
        await storage.delete(key)
