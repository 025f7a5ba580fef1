"""Scripted faults: statuses drawn from a list, and body faults that spoil a successful response on the way
out (a connection closed mid-body, a body that stalls past the client's read timeout, a GZIP document cut
short), each seen by a real HTTP client against the emulator served by uvicorn on loopback."""

from __future__ import annotations

import gzip
import time
import zlib
from collections.abc import AsyncIterator

import httpx
import pytest

from emulator_helpers import access_token_for

PARTICIPATIONS = "/sellers/v1/marketplaceParticipations"


@pytest.fixture
async def http(served: str) -> AsyncIterator[httpx.AsyncClient]:
    # Patient: a loaded machine (the API's tests run beside these) can take a second to answer.
    async with httpx.AsyncClient(base_url=served, timeout=httpx.Timeout(10.0)) as client:
        yield client


async def test_script_answers_each_call_in_turn(http: httpx.AsyncClient) -> None:
    token = await access_token_for(http)
    headers = {"x-amz-access-token": token}
    script = [500, 502, "ok", 503, 504, 429]
    r = await http.post("/_emulator/faults", json={"operation": "sellers.*", "script": script})
    assert r.status_code == 200 and r.json()["fault"]["script"] == script
    got = [(await http.get(PARTICIPATIONS, headers=headers)).status_code for _ in range(7)]
    assert got == [500, 502, 200, 503, 504, 429, 200]
    throttled = (await http.get("/_emulator/requests", params={"status": 429})).json()
    assert throttled and throttled[-1]["operation"] == "sellers.getMarketplaceParticipations"


async def test_statuses_vary_the_injected_errors(http: httpx.AsyncClient) -> None:
    token = await access_token_for(http)
    fault = {"operation": "getMarketplaceParticipations", "error_rate": 1.0, "statuses": [500, 502, 503, 504]}
    assert (await http.post("/_emulator/faults", json=fault)).status_code == 200
    headers = {"x-amz-access-token": token}
    got = {(await http.get(PARTICIPATIONS, headers=headers)).status_code for _ in range(40)}
    assert got == {500, 502, 503, 504}


async def test_script_refuses_what_is_not_a_fault(http: httpx.AsyncClient) -> None:
    for script in ([200], ["truncate"]):
        r = await http.post("/_emulator/faults", json={"operation": "*", "script": script})
        assert r.status_code == 422, r.text


async def test_reset_closes_the_connection_mid_body(http: httpx.AsyncClient) -> None:
    token = await access_token_for(http)
    await http.post("/_emulator/faults", json={"operation": "sellers.*", "script": ["reset"]})
    with pytest.raises(httpx.RemoteProtocolError, match="complete message body"):
        await http.get(PARTICIPATIONS, headers={"x-amz-access-token": token})
    assert (await http.get(PARTICIPATIONS, headers={"x-amz-access-token": token})).status_code == 200
    log = await http.get("/_emulator/requests", params={"operation": "sellers.getMarketplaceParticipations"})
    assert [e["note"] for e in log.json()][-2:] == ["fault: reset", None]


async def test_stall_outlasts_the_read_timeout(http: httpx.AsyncClient) -> None:
    token = await access_token_for(http)
    await http.post(
        "/_emulator/faults", json={"operation": "sellers.*", "script": ["stall"], "stall_ms": 4000}
    )
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        await http.get(
            PARTICIPATIONS, headers={"x-amz-access-token": token}, timeout=httpx.Timeout(10.0, read=1.0)
        )
    assert time.monotonic() - started < 3.5
    # A stall shorter than the client's patience is only slow.
    await http.post(
        "/_emulator/faults", json={"operation": "sellers.*", "script": ["stall"], "stall_ms": 100}
    )
    r = await http.get(PARTICIPATIONS, headers={"x-amz-access-token": token})
    assert r.status_code == 200 and r.json()["payload"]


async def test_gzip_cut_serves_a_gzip_stream_that_ends_too_soon(http: httpx.AsyncClient) -> None:
    token = await access_token_for(http)
    whole = (await http.get(PARTICIPATIONS, headers={"x-amz-access-token": token})).content
    await http.post("/_emulator/faults", json={"operation": "sellers.*", "script": ["gzip_cut"]})
    r = await http.get(PARTICIPATIONS, headers={"x-amz-access-token": token})
    assert r.status_code == 200 and r.content[:2] == b"\x1f\x8b"
    assert len(r.content) < len(gzip.compress(whole, mtime=0))
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    partial = decoder.decompress(r.content)
    assert not decoder.eof and whole.startswith(partial) and partial != whole
