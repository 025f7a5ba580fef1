"""Notifications v1: destinations belong to the application (grantless client), subscriptions to a
seller (seller client); getSubscriptionById / deleteSubscriptionById are grantless too."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.spapi.primitives import Operation, SpApiCaller

_BASE = "/notifications/v1"
CREATE_DESTINATION = Operation("notifications", "createDestination", "POST", f"{_BASE}/destinations")
GET_DESTINATIONS = Operation("notifications", "getDestinations", "GET", f"{_BASE}/destinations")
GET_DESTINATION = Operation(
    "notifications", "getDestination", "GET", f"{_BASE}/destinations/{{destinationId}}"
)
DELETE_DESTINATION = Operation(
    "notifications", "deleteDestination", "DELETE", f"{_BASE}/destinations/{{destinationId}}"
)
CREATE_SUBSCRIPTION = Operation(
    "notifications", "createSubscription", "POST", f"{_BASE}/subscriptions/{{notificationType}}"
)
GET_SUBSCRIPTION = Operation(
    "notifications", "getSubscription", "GET", f"{_BASE}/subscriptions/{{notificationType}}"
)
GET_SUBSCRIPTION_BY_ID = Operation(
    "notifications",
    "getSubscriptionById",
    "GET",
    f"{_BASE}/subscriptions/{{notificationType}}/{{subscriptionId}}",
)
DELETE_SUBSCRIPTION_BY_ID = Operation(
    "notifications",
    "deleteSubscriptionById",
    "DELETE",
    f"{_BASE}/subscriptions/{{notificationType}}/{{subscriptionId}}",
)

PAYLOAD_VERSIONS = {
    "ORDER_CHANGE": "1.0",
    "REPORT_PROCESSING_FINISHED": "2020-09-04",
    "FEED_PROCESSING_FINISHED": "2020-09-04",
    "DATA_KIOSK_QUERY_PROCESSING_FINISHED": "2023-11-15",
}


class Destination(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    destination_id: str = Field(alias="destinationId")
    name: str
    resource: dict[str, Any] = {}


class Subscription(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    subscription_id: str = Field(alias="subscriptionId")
    payload_version: str = Field(alias="payloadVersion")
    destination_id: str = Field(alias="destinationId")
    processing_directive: dict[str, Any] | None = Field(default=None, alias="processingDirective")


class NotificationsApi:
    def __init__(self, client: SpApiCaller) -> None:
        self._client = client

    async def create_sqs_destination(self, name: str, queue_arn: str) -> Destination:
        body = {"name": name, "resourceSpecification": {"sqs": {"arn": queue_arn}}}
        answer = await self._client.call_json(CREATE_DESTINATION, json=body)
        return Destination.model_validate(answer["payload"])

    async def get_destinations(self) -> list[Destination]:
        answer = await self._client.call_json(GET_DESTINATIONS)
        return [Destination.model_validate(d) for d in answer.get("payload") or []]

    async def get_destination(self, destination_id: str) -> Destination:
        answer = await self._client.call_json(GET_DESTINATION, path_params={"destinationId": destination_id})
        return Destination.model_validate(answer["payload"])

    async def delete_destination(self, destination_id: str) -> None:
        await self._client.call(DELETE_DESTINATION, path_params={"destinationId": destination_id})

    async def create_subscription(
        self,
        notification_type: str,
        destination_id: str,
        *,
        payload_version: str | None = None,
        processing_directive: dict[str, Any] | None = None,
    ) -> Subscription:
        body: dict[str, Any] = {
            "payloadVersion": payload_version or PAYLOAD_VERSIONS.get(notification_type, "1.0"),
            "destinationId": destination_id,
        }
        if processing_directive:
            body["processingDirective"] = processing_directive
        answer = await self._client.call_json(
            CREATE_SUBSCRIPTION, path_params={"notificationType": notification_type}, json=body
        )
        return Subscription.model_validate(answer["payload"])

    async def get_subscription(
        self, notification_type: str, *, payload_version: str | None = None
    ) -> Subscription:
        answer = await self._client.call_json(
            GET_SUBSCRIPTION,
            path_params={"notificationType": notification_type},
            params={"payloadVersion": payload_version},
        )
        return Subscription.model_validate(answer["payload"])

    async def get_subscription_by_id(self, notification_type: str, subscription_id: str) -> Subscription:
        answer = await self._client.call_json(
            GET_SUBSCRIPTION_BY_ID,
            path_params={"notificationType": notification_type, "subscriptionId": subscription_id},
        )
        return Subscription.model_validate(answer["payload"])

    async def delete_subscription_by_id(self, notification_type: str, subscription_id: str) -> None:
        await self._client.call(
            DELETE_SUBSCRIPTION_BY_ID,
            path_params={"notificationType": notification_type, "subscriptionId": subscription_id},
        )
