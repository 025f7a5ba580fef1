"""The application's SQS queue (NOTIFICATIONS_SQS_QUEUE_URL), where Amazon delivers notifications."""

from __future__ import annotations

from typing import Any

import boto3

from app.settings import Settings


def sqs_client(settings: Settings) -> Any:
    options = settings.notifications
    return boto3.client("sqs", region_name=options.aws_region, endpoint_url=options.aws_endpoint_url or None)


def queue_arn(settings: Settings) -> str:
    """The ARN Amazon needs for the destination, asked of SQS (the URL does not carry the partition)."""
    client = sqs_client(settings)
    answer = client.get_queue_attributes(
        QueueUrl=settings.notifications.notifications_sqs_queue_url, AttributeNames=["QueueArn"]
    )
    return str(answer["Attributes"]["QueueArn"])
