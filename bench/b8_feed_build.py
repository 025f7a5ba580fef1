"""B8: a 100,000-SKU bulk price and quantity update, validated and built into JSON_LISTINGS_FEED documents
checked against Amazon's official schemas (targets: under 10 s, peak memory under 300 MB).

  1. generates the CSV a seller uploads, as bytes: `--rows` SKUs (default 100,000), a third with a price
     only, a third with a quantity only, a third with both and a handling time;
  2. in a fresh child process (so its peak RSS is this work's, not the parent's): `parse_csv` (decoding,
     delimiter sniffing, every row checked) then `build_listings_feeds` with the schemas of
     FEED_SCHEMAS_DIR, as `POST /api/feeds/bulk` calls it (`app/feeds/bulk_service.py`): the rows checked
     against the marketplace once as a whole, then split in file order (`split_rows`) at Amazon's limit
     per listings feed (the feed schema's `messages.maxItems`, 25,000), so 100,000 SKUs are four feeds of
     25,000; each feed's PATCH messages written and checked message by message against Amazon's message
     schema and once against the feed schema. The child holds all four at the end, as the request
     storing them does;
  3. prints the seconds of each step and of the whole, the child's peak RSS (getrusage's ru_maxrss:
     everything the process ever held, the interpreter and imports included), and MET / NOT MET;
  4. then, in another child, `check_listings_feed` on ONE document of 100,000 messages (a raw upload of
     that size: it is refused for maxItems, as Amazon would, but every message is still validated): the
     raw path's time and memory for the same number of messages.

Usage: .venv/bin/python bench/b8_feed_build.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api" / "src"))

from _pace import pace_line

SECONDS_TARGET = 10.0
PEAK_TARGET_MB = 300.0
SELLER = "A1B8SELLER"
MARKETPLACE = "ATVPDKIKX0DER"


def bulk_csv(rows: int) -> bytes:
    lines = ["sku,price,currency,quantity,handling_time"]
    for n in range(rows):
        shape = n % 3
        price = f"{5 + n % 195}.{n % 100:02d}" if shape != 1 else ""
        quantity = str(n % 120) if shape != 0 else ""
        handling = str(1 + n % 30) if shape == 2 else ""
        lines.append(
            f"SKU-{n:08d},{price},{'USD' if price else ''},{quantity},{handling}"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def build_child(rows: int, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from app.feeds.bulk import build_listings_feeds, messages_per_feed, parse_csv
    from app.feeds.feed_schema import feed_schemas
    from app.settings import Settings

    schemas = feed_schemas(Settings())
    if schemas is None:
        out.put({"error": "Amazon's feed schemas were not found: set FEED_SCHEMAS_DIR"})
        return
    content = bulk_csv(rows)
    baseline = peak_rss_mb()
    started = time.perf_counter()
    parsed, issues = parse_csv(content, max_rows=Settings().feeds.feed_bulk_max_rows)
    parsed_at = time.perf_counter()
    assert issues == [], issues[:3]
    feeds, issues = build_listings_feeds(
        parsed,
        seller_id=SELLER,
        marketplace_id=MARKETPLACE,
        schemas=schemas,
        per_feed=messages_per_feed(schemas),
    )
    finished = time.perf_counter()
    assert feeds and issues == [], issues[:3]
    out.put(
        {
            "csv_bytes": len(content),
            "rows": len(parsed),
            "feeds": len(feeds),
            "per_feed": messages_per_feed(schemas),
            "messages": sum(feed.message_count for feed in feeds),
            "feed_bytes": sum(len(feed.content) for feed in feeds),
            "schema_checked": all(feed.schema_checked for feed in feeds),
            "parse_s": parsed_at - started,
            "build_s": finished - parsed_at,
            "total_s": finished - started,
            "baseline_mb": baseline,
            "peak_mb": peak_rss_mb(),
        }
    )


def check_child(rows: int, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from app.feeds.feed_schema import check_listings_feed, feed_schemas
    from app.settings import Settings

    schemas = feed_schemas(Settings())
    assert schemas is not None
    messages = (
        {
            "messageId": n,
            "sku": f"SKU-{n:08d}",
            "operationType": "PATCH",
            "productType": "PRODUCT",
            "patches": [
                {
                    "op": "replace",
                    "path": "/attributes/fulfillment_availability",
                    "value": [
                        {"fulfillment_channel_code": "DEFAULT", "quantity": n % 120}
                    ],
                }
            ],
        }
        for n in range(1, rows + 1)
    )
    body = ",".join(json.dumps(m, separators=(",", ":")) for m in messages)
    content = f'{{"header":{{"sellerId":"{SELLER}","version":"2.0"}},"messages":[{body}]}}'.encode()
    baseline = peak_rss_mb()
    started = time.perf_counter()
    check = check_listings_feed(content, schemas, seller_id=SELLER)
    elapsed = time.perf_counter() - started
    out.put(
        {
            "bytes": len(content),
            "messages": check.message_count,
            "issues": [issue.message for issue in check.issues],
            "seconds": elapsed,
            "baseline_mb": baseline,
            "peak_mb": peak_rss_mb(),
        }
    )


def in_child(target: object, rows: int) -> dict[str, object]:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    child = context.Process(target=target, args=(rows, out))
    child.start()
    result: dict[str, object] = out.get()
    child.join()
    if "error" in result:
        raise SystemExit(f"B8: {result['error']}")
    return result


def main(args: argparse.Namespace) -> None:
    print(f"B8 {pace_line()}")
    built = in_child(build_child, args.rows)
    print(
        f"B8 input: a bulk CSV of {built['rows']:,} SKUs, {built['csv_bytes'] / 1e6:.1f} MB "
        "(a third price only, a third quantity only, a third both with a handling time)"
    )
    print(
        f"B8 parse_csv: {built['parse_s']:.2f}s; build_listings_feeds -> {built['feeds']} feeds (Amazon's "
        f"{built['per_feed']:,} messages per feed), schema-checked={built['schema_checked']}: {built['build_s']:.2f}s; "
        f"{built['messages']:,} messages, {built['feed_bytes'] / 1e6:.1f} MB of JSON"
    )
    total, peak = float(built["total_s"]), float(built["peak_mb"])  # type: ignore[arg-type]
    print(
        f"B8 validate and build {built['rows']:,} SKUs: {total:.2f}s; child's peak RSS {peak:.0f} MB "
        f"({built['baseline_mb']:.0f} MB after imports and the CSV, before the work)"
    )
    checked = in_child(check_child, args.rows)
    issues = checked["issues"]
    assert isinstance(issues, list)
    print(
        f"B8 raw path: check_listings_feed on one {checked['bytes'] / 1e6:.1f} MB document of "
        f"{checked['messages']:,} messages: {checked['seconds']:.2f}s, child's peak RSS "
        f"{checked['peak_mb']:.0f} MB ({checked['baseline_mb']:.0f} MB holding the document before); "
        f"issues: {len(issues)} ({issues[0] if issues else 'none'})"
    )
    print(
        f"B8 targets: < {SECONDS_TARGET:.0f} s: {'MET' if total < SECONDS_TARGET else 'NOT MET'}; "
        f"peak < {PEAK_TARGET_MB:.0f} MB: {'MET' if peak < PEAK_TARGET_MB else 'NOT MET'}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    main(parser.parse_args())
