"""A small stateful fake of Reports, Data Kiosk and Feeds (httpx.MockTransport), for flows the
emulator does not serve yet. It follows the models' shapes: 202 on create, IN_QUEUE -> IN_PROGRESS ->
DONE on successive polls, pre-signed document URLs on another host, GZIP flat files, JSON Lines."""

from __future__ import annotations

import gzip
import json
import re
from typing import Any

import httpx

NOW = "2026-01-01T00:00:00Z"
FLAT = (
    "amazon-order-id\tsku\tquantity-purchased\n111-0000001-0000001\tSKU-1\t2\n111-0000002-0000002\tSKU-2\t1\n"
)


SALES_REPORT = {
    "reportSpecification": {
        "reportType": "GET_SALES_AND_TRAFFIC_REPORT",
        "marketplaceIds": ["ATVPDKIKX0DER"],
    },
    "salesAndTrafficByDate": [
        {
            "date": "2026-01-01",
            "salesByDate": {
                "orderedProductSales": {"amount": 120.5, "currencyCode": "USD"},
                "unitsOrdered": 7,
                "totalOrderItems": 5,
            },
            "trafficByDate": {"pageViews": 300, "sessions": 210},
        }
    ],
    "salesAndTrafficByAsin": [],
}
SALES_QUERY_ROWS = [
    {
        "startDate": "2026-01-01",
        "endDate": "2026-01-01",
        "marketplaceId": "ATVPDKIKX0DER",
        "sales": {
            "orderedProductSales": {"amount": 120.5, "currencyCode": "USD"},
            "unitsOrdered": 7,
            "totalOrderItems": 5,
        },
        "traffic": {"pageViews": 300, "sessions": 210},
    }
]


class FakeDocumentsApi:
    def __init__(self) -> None:
        self.reports: dict[str, dict[str, Any]] = {}
        self.queries: dict[str, dict[str, Any]] = {}
        self.feeds: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, bytes] = {}
        self.requests: list[httpx.Request] = []
        self.outcome = "DONE"

    def _advance(self, item: dict[str, Any]) -> None:
        order = ["IN_QUEUE", "IN_PROGRESS", self.outcome]
        status = item["processingStatus"]
        if status in order[:2]:
            item["processingStatus"] = order[order.index(status) + 1]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        if request.url.host == "s3.test":
            return self._s3(request)
        self.requests.append(request)
        body = json.loads(request.content) if request.content else {}
        if method == "POST" and path == "/reports/2021-06-30/reports":
            report_id = f"R{len(self.reports) + 1}"
            self.reports[report_id] = {
                "reportId": report_id,
                "reportType": body["reportType"],
                "marketplaceIds": body["marketplaceIds"],
                "dataStartTime": body.get("dataStartTime"),
                "dataEndTime": body.get("dataEndTime"),
                "createdTime": NOW,
                "processingStatus": "IN_QUEUE",
            }
            return httpx.Response(202, json={"reportId": report_id})
        if method == "GET" and path == "/reports/2021-06-30/reports":
            statuses = request.url.params.get("processingStatuses", "").split(",")
            types = request.url.params.get("reportTypes", "").split(",")
            found = [
                r
                for r in self.reports.values()
                if r["processingStatus"] in statuses and r["reportType"] in types
            ]
            return httpx.Response(200, json={"reports": found})
        if found_id := re.match(r"^/reports/2021-06-30/reports/(\w+)$", path):
            report = self.reports[found_id.group(1)]
            self._advance(report)
            if report["processingStatus"] in ("DONE", "FATAL"):
                report["reportDocumentId"] = f"DOC-{report['reportId']}"
            return httpx.Response(200, json={k: v for k, v in report.items() if v is not None})
        if found_id := re.match(r"^/reports/2021-06-30/documents/([\w-]+)$", path):
            return httpx.Response(
                200,
                json={
                    "reportDocumentId": found_id.group(1),
                    "compressionAlgorithm": "GZIP",
                    "url": f"https://s3.test/reports/{found_id.group(1)}",
                },
            )
        if method == "POST" and path == "/dataKiosk/2023-11-15/queries":
            query_id = f"Q{len(self.queries) + 1}"
            self.queries[query_id] = {
                "queryId": query_id,
                "query": body["query"],
                "createdTime": NOW,
                "processingStatus": "IN_QUEUE",
            }
            return httpx.Response(202, json={"queryId": query_id})
        if method == "GET" and path == "/dataKiosk/2023-11-15/queries":
            statuses = request.url.params.get("processingStatuses", "").split(",")
            return httpx.Response(
                200, json={"queries": [q for q in self.queries.values() if q["processingStatus"] in statuses]}
            )
        if found_id := re.match(r"^/dataKiosk/2023-11-15/queries/(\w+)$", path):
            query = self.queries[found_id.group(1)]
            self._advance(query)
            if query["processingStatus"] == "DONE":
                query["dataDocumentId"] = f"DK-{query['queryId']}"
            return httpx.Response(200, json=query)
        if found_id := re.match(r"^/dataKiosk/2023-11-15/documents/([\w-]+)$", path):
            return httpx.Response(
                200,
                json={
                    "documentId": found_id.group(1),
                    "documentUrl": f"https://s3.test/dk/{found_id.group(1)}",
                },
            )
        if method == "POST" and path == "/feeds/2021-06-30/documents":
            doc_id = f"FD{len(self.uploads) + 1}"
            self.uploads[doc_id] = b""
            return httpx.Response(
                201, json={"feedDocumentId": doc_id, "url": f"https://s3.test/upload/{doc_id}"}
            )
        if method == "POST" and path == "/feeds/2021-06-30/feeds":
            feed_id = f"F{len(self.feeds) + 1}"
            assert self.uploads[body["inputFeedDocumentId"]], "createFeed before the upload"
            self.feeds[feed_id] = {
                "feedId": feed_id,
                "feedType": body["feedType"],
                "createdTime": NOW,
                "marketplaceIds": body["marketplaceIds"],
                "processingStatus": "IN_QUEUE",
            }
            return httpx.Response(202, json={"feedId": feed_id})
        if found_id := re.match(r"^/feeds/2021-06-30/feeds/(\w+)$", path):
            feed = self.feeds[found_id.group(1)]
            self._advance(feed)
            if feed["processingStatus"] == "DONE":
                feed["resultFeedDocumentId"] = f"FR-{feed['feedId']}"
            return httpx.Response(200, json=feed)
        if found_id := re.match(r"^/feeds/2021-06-30/documents/([\w-]+)$", path):
            return httpx.Response(
                200,
                json={
                    "feedDocumentId": found_id.group(1),
                    "compressionAlgorithm": "GZIP",
                    "url": f"https://s3.test/results/{found_id.group(1)}",
                },
            )
        return httpx.Response(404, json={"errors": [{"code": "NotFound", "message": f"{method} {path}"}]})

    def _s3(self, request: httpx.Request) -> httpx.Response:
        kind, _, name = request.url.path.strip("/").partition("/")
        if request.method == "PUT" and kind == "upload":
            self.uploads[name] = request.content
            return httpx.Response(200)
        if kind == "reports":
            report = self.reports[name.removeprefix("DOC-")]
            if report["reportType"] == "GET_SALES_AND_TRAFFIC_REPORT":
                return httpx.Response(200, content=gzip.compress(json.dumps(SALES_REPORT).encode()))
            return httpx.Response(200, content=gzip.compress(FLAT.encode()))
        if kind == "dk" and "salesAndTrafficByDate" in self.queries[name.removeprefix("DK-")]["query"]:
            return httpx.Response(200, content="\n".join(json.dumps(r) for r in SALES_QUERY_ROWS).encode())
        if kind == "dk":
            return httpx.Response(
                200, content=b'{"asin": "B0001", "units": 3}\n{"asin": "B0002", "units": 1}\n'
            )
        if kind == "results":
            summary = {"header": {"sellerId": "A1"}, "summary": {"messagesProcessed": 1, "errors": 0}}
            return httpx.Response(200, content=gzip.compress(json.dumps(summary).encode()))
        return httpx.Response(404)
