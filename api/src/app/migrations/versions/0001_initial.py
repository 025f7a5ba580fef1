"""initial schema: the whole data model.

Written by autogenerate from the models, then reviewed: tables are created parents first (tenants
and users, then connections, then everything that hangs off a connection), and downgrade drops them
in reverse. Enumerations are CHECK constraints on strings, so there are no PG enum types to drop.

Revision ID: 0001
Revises:
Create Date: 2026-11-28 10:25:02.100063
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_secrets",
        sa.Column("client_id", sa.String(length=200), nullable=False),
        sa.Column("secret_enc", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_secrets")),
    )
    op.create_index("ix_app_secrets_client_created", "app_secrets", ["client_id", "created_at"], unique=False)
    op.create_table(
        "notification_destinations",
        sa.Column("destination_id", sa.String(length=100), nullable=False),
        sa.Column("region", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("sqs_arn", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("region IN ('NA', 'EU', 'FE')", name=op.f("ck_notification_destinations_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_destinations")),
        sa.UniqueConstraint("destination_id", name=op.f("uq_notification_destinations_destination_id")),
    )
    op.create_table(
        "tenants",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column(
            "feature_flags",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenants")),
        sa.UniqueConstraint("slug", name=op.f("uq_tenants_slug")),
    )
    op.create_table(
        "users",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("clerk_user_id", sa.String(length=100), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("clerk_user_id", name=op.f("uq_users_clerk_user_id")),
    )
    op.create_index("uq_users_email_lower", "users", [sa.literal_column("lower(email)")], unique=True)
    op.create_table(
        "worker_heartbeats",
        sa.Column("worker_id", sa.String(length=200), nullable=False),
        sa.Column("hostname", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("queues", sa.String(length=255), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column(
            "last_seen_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_worker_heartbeats")),
    )
    op.create_table(
        "audit_logs",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=True),
        sa.Column("actor_user_id", sa.UUID(), nullable=True),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("target_type", sa.String(length=50), nullable=True),
        sa.Column("target_id", sa.String(length=100), nullable=True),
        sa.Column(
            "data",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("ip", postgresql.INET(), nullable=True),
        sa.Column("request_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["users.id"],
            name=op.f("fk_audit_logs_actor_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_audit_logs_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_logs")),
    )
    op.create_index(op.f("ix_audit_logs_actor_user_id"), "audit_logs", ["actor_user_id"], unique=False)
    op.create_index("ix_audit_logs_tenant_created", "audit_logs", ["tenant_id", "created_at"], unique=False)
    op.create_table(
        "connections",
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("region", sa.String(length=2), nullable=False),
        sa.Column("account_id", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column(
            "marketplaces",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=20), server_default=sa.text("'active'"), nullable=False),
        sa.Column(
            "connected_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column(
            "authorized_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("disconnected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_by_user_id", sa.UUID(), nullable=True),
        sa.Column("parent_connection_id", sa.UUID(), nullable=True),
        sa.Column(
            "extra",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("provider IN ('amazon_sp', 'amazon_ads')", name=op.f("ck_connections_provider")),
        sa.CheckConstraint("region IN ('NA', 'EU', 'FE')", name=op.f("ck_connections_region")),
        sa.CheckConstraint(
            "status IN ('active', 'needs_reauth', 'revoked')", name=op.f("ck_connections_status")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_connections_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parent_connection_id"],
            ["connections.id"],
            name=op.f("fk_connections_parent_connection_id_connections"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_connections_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connections")),
        sa.UniqueConstraint(
            "tenant_id",
            "provider",
            "region",
            "account_id",
            name=op.f("uq_connections_tenant_id_provider_region_account_id"),
        ),
    )
    op.create_index(
        op.f("ix_connections_parent_connection_id"), "connections", ["parent_connection_id"], unique=False
    )
    op.create_table(
        "memberships",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.CheckConstraint("role IN ('owner', 'admin', 'viewer')", name=op.f("ck_memberships_role")),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_memberships_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_memberships_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint("tenant_id", "user_id", name=op.f("uq_memberships_tenant_id_user_id")),
    )
    op.create_index(op.f("ix_memberships_user_id"), "memberships", ["user_id"], unique=False)
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "last_seen_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("user_agent", sa.String(length=500), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
    )
    op.create_index(op.f("ix_user_sessions_expires_at"), "user_sessions", ["expires_at"], unique=False)
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"], unique=False)
    op.create_table(
        "ads_profiles",
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("profile_id", sa.String(length=30), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=True),
        sa.Column("currency_code", sa.String(length=3), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("marketplace_id", sa.String(length=30), nullable=True),
        sa.Column("account_type", sa.String(length=20), nullable=True),
        sa.Column("account_name", sa.String(length=200), nullable=True),
        sa.Column("account_id", sa.String(length=100), nullable=True),
        sa.Column("linked_sp_connection_id", sa.UUID(), nullable=True),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_ads_profiles_connection_id_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["linked_sp_connection_id"],
            ["connections.id"],
            name=op.f("fk_ads_profiles_linked_sp_connection_id_connections"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_ads_profiles_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ads_profiles")),
        sa.UniqueConstraint("tenant_id", "profile_id", name=op.f("uq_ads_profiles_tenant_id_profile_id")),
    )
    op.create_index(op.f("ix_ads_profiles_connection_id"), "ads_profiles", ["connection_id"], unique=False)
    op.create_table(
        "feeds",
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("feed_type", sa.String(length=100), nullable=False),
        sa.Column(
            "marketplace_ids",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("amazon_feed_id", sa.String(length=100), nullable=True),
        sa.Column("input_document_id", sa.String(length=200), nullable=True),
        sa.Column("result_document_id", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), server_default=sa.text("'pending'"), nullable=False),
        sa.Column("processing_status", sa.String(length=20), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by_user_id", sa.UUID(), nullable=True),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'uploaded', 'processing', 'done', 'cancelled', 'fatal', 'error')",
            name=op.f("ck_feeds_status"),
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_feeds_connection_id_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_feeds_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_feeds_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feeds")),
        sa.UniqueConstraint(
            "tenant_id",
            "connection_id",
            "amazon_feed_id",
            name=op.f("uq_feeds_tenant_id_connection_id_amazon_feed_id"),
        ),
    )
    op.create_index(op.f("ix_feeds_connection_id"), "feeds", ["connection_id"], unique=False)
    op.create_index("ix_feeds_tenant_created", "feeds", ["tenant_id", "created_at"], unique=False)
    op.create_table(
        "jobs",
        sa.Column("tenant_id", sa.UUID(), nullable=True),
        sa.Column("connection_id", sa.UUID(), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=True),
        sa.Column("entity", sa.String(length=30), nullable=True),
        sa.Column("marketplace_id", sa.String(length=30), nullable=True),
        sa.Column("status", sa.String(length=20), server_default=sa.text("'queued'"), nullable=False),
        sa.Column(
            "payload",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column(
            "amazon_ids",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "request_ids",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("pages", sa.Integer(), server_default="0", nullable=False),
        sa.Column("orders_seen", sa.Integer(), server_default="0", nullable=False),
        sa.Column("orders_inserted", sa.Integer(), server_default="0", nullable=False),
        sa.Column("orders_updated", sa.Integer(), server_default="0", nullable=False),
        sa.Column("items", sa.Integer(), server_default="0", nullable=False),
        sa.Column("throttled_429", sa.Integer(), server_default="0", nullable=False),
        sa.Column("retries", sa.Integer(), server_default="0", nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'error')", name=op.f("ck_jobs_status")),
        sa.CheckConstraint(
            "type IN ('sync', 'report', 'feed', 'datakiosk', 'ads_report', 'ads_sync', 'notification',"
            " 'system')",
            name=op.f("ck_jobs_type"),
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_jobs_connection_id_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_jobs_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_index("ix_jobs_connection_created", "jobs", ["connection_id", "created_at"], unique=False)
    op.create_index("ix_jobs_status_created", "jobs", ["status", "created_at"], unique=False)
    op.create_index("ix_jobs_tenant_created", "jobs", ["tenant_id", "created_at"], unique=False)
    op.create_table(
        "notification_subscriptions",
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("notification_type", sa.String(length=80), nullable=False),
        sa.Column("subscription_id", sa.String(length=100), nullable=True),
        sa.Column("destination_id", sa.String(length=100), nullable=False),
        sa.Column("payload_version", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), server_default=sa.text("'pending'"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'active', 'deleted', 'error')",
            name=op.f("ck_notification_subscriptions_status"),
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_notification_subscriptions_connection_id_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_notification_subscriptions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_subscriptions")),
        sa.UniqueConstraint(
            "tenant_id",
            "connection_id",
            "notification_type",
            name="uq_notification_subscriptions_tenant_type",
        ),
    )
    op.create_index(
        op.f("ix_notification_subscriptions_connection_id"),
        "notification_subscriptions",
        ["connection_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_notification_subscriptions_subscription_id"),
        "notification_subscriptions",
        ["subscription_id"],
        unique=False,
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("marketplace_id", sa.String(length=30), nullable=False),
        sa.Column("amazon_order_id", sa.String(length=50), nullable=False),
        sa.Column("purchase_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_update_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("order_status", sa.String(length=40), nullable=False),
        sa.Column("fulfillment_channel", sa.String(length=20), nullable=True),
        sa.Column("sales_channel", sa.String(length=100), nullable=True),
        sa.Column("order_type", sa.String(length=50), nullable=True),
        sa.Column("is_business_order", sa.Boolean(), nullable=True),
        sa.Column("is_prime", sa.Boolean(), nullable=True),
        sa.Column("is_replacement_order", sa.Boolean(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("order_total", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("number_of_items_shipped", sa.Integer(), nullable=True),
        sa.Column("number_of_items_unshipped", sa.Integer(), nullable=True),
        sa.Column("ship_service_level", sa.String(length=100), nullable=True),
        sa.Column("ship_city", sa.String(length=100), nullable=True),
        sa.Column("ship_state_or_region", sa.String(length=100), nullable=True),
        sa.Column("ship_postal_code", sa.String(length=20), nullable=True),
        sa.Column("ship_country_code", sa.String(length=2), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column(
            "raw",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "first_seen_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.CheckConstraint("source IN ('report', 'api')", name=op.f("ck_orders_source")),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_orders_connection_id_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_orders_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint(
            "tenant_id",
            "connection_id",
            "amazon_order_id",
            name=op.f("uq_orders_tenant_id_connection_id_amazon_order_id"),
        ),
    )
    op.create_index(
        "ix_orders_connection_marketplace_last_update",
        "orders",
        ["connection_id", "marketplace_id", "last_update_date"],
        unique=False,
    )
    op.create_index(
        "ix_orders_tenant_marketplace_purchase_date",
        "orders",
        ["tenant_id", "marketplace_id", "purchase_date", "id"],
        unique=False,
    )
    op.create_index(
        "ix_orders_tenant_purchase_date", "orders", ["tenant_id", "purchase_date", "id"], unique=False
    )
    op.create_index(
        "ix_orders_tenant_status_purchase_date",
        "orders",
        ["tenant_id", "order_status", "purchase_date"],
        unique=False,
    )
    op.create_table(
        "sync_state",
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("marketplace_id", sa.String(length=30), nullable=False),
        sa.Column("entity", sa.String(length=30), nullable=False),
        sa.Column("last_created_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_updated_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("backfill_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("backfill_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("backfill_done_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("backfill_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("backfill_completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_token", sa.Text(), nullable=True),
        sa.Column(
            "extra",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("next_run_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), server_default=sa.text("'idle'"), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "entity IN ('orders', 'ads_metrics', 'ads_structure')", name=op.f("ck_sync_state_entity")
        ),
        sa.CheckConstraint(
            "status IN ('idle', 'running', 'error', 'paused')", name=op.f("ck_sync_state_status")
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_sync_state_connection_id_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sync_state_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_state")),
        sa.UniqueConstraint(
            "tenant_id",
            "connection_id",
            "marketplace_id",
            "entity",
            name=op.f("uq_sync_state_tenant_id_connection_id_marketplace_id_entity"),
        ),
    )
    op.create_index(op.f("ix_sync_state_connection_id"), "sync_state", ["connection_id"], unique=False)
    op.create_index(op.f("ix_sync_state_next_run_at"), "sync_state", ["next_run_at"], unique=False)
    op.create_table(
        "tokens",
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("refresh_token_enc", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_tokens_connection_id_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_tokens_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tokens")),
        sa.UniqueConstraint("tenant_id", "connection_id", name=op.f("uq_tokens_tenant_id_connection_id")),
    )
    op.create_table(
        "ads_ad_groups",
        sa.Column("profile_id", sa.String(length=30), nullable=False),
        sa.Column("ad_group_id", sa.String(length=30), nullable=False),
        sa.Column("campaign_id", sa.String(length=30), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=True),
        sa.Column("default_bid", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "profile_id"],
            ["ads_profiles.tenant_id", "ads_profiles.profile_id"],
            name=op.f("fk_ads_ad_groups_tenant_id_ads_profiles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_ads_ad_groups_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ads_ad_groups")),
        sa.UniqueConstraint(
            "tenant_id",
            "profile_id",
            "ad_group_id",
            name=op.f("uq_ads_ad_groups_tenant_id_profile_id_ad_group_id"),
        ),
    )
    op.create_index(
        "ix_ads_ad_groups_tenant_profile_campaign",
        "ads_ad_groups",
        ["tenant_id", "profile_id", "campaign_id"],
        unique=False,
    )
    op.create_table(
        "ads_ads",
        sa.Column("profile_id", sa.String(length=30), nullable=False),
        sa.Column("ad_id", sa.String(length=30), nullable=False),
        sa.Column("ad_group_id", sa.String(length=30), nullable=False),
        sa.Column("campaign_id", sa.String(length=30), nullable=False),
        sa.Column("asin", sa.String(length=20), nullable=True),
        sa.Column("sku", sa.String(length=200), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=True),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "profile_id"],
            ["ads_profiles.tenant_id", "ads_profiles.profile_id"],
            name=op.f("fk_ads_ads_tenant_id_ads_profiles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_ads_ads_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ads_ads")),
        sa.UniqueConstraint(
            "tenant_id", "profile_id", "ad_id", name=op.f("uq_ads_ads_tenant_id_profile_id_ad_id")
        ),
    )
    op.create_index(
        "ix_ads_ads_tenant_profile_ad_group",
        "ads_ads",
        ["tenant_id", "profile_id", "ad_group_id"],
        unique=False,
    )
    op.create_table(
        "ads_campaigns",
        sa.Column("profile_id", sa.String(length=30), nullable=False),
        sa.Column("campaign_id", sa.String(length=30), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=True),
        sa.Column("targeting_type", sa.String(length=20), nullable=True),
        sa.Column("budget", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("budget_type", sa.String(length=20), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "profile_id"],
            ["ads_profiles.tenant_id", "ads_profiles.profile_id"],
            name=op.f("fk_ads_campaigns_tenant_id_ads_profiles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_ads_campaigns_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ads_campaigns")),
        sa.UniqueConstraint(
            "tenant_id",
            "profile_id",
            "campaign_id",
            name=op.f("uq_ads_campaigns_tenant_id_profile_id_campaign_id"),
        ),
    )
    op.create_table(
        "ads_sp_advertised_product_daily",
        sa.Column("ad_id", sa.String(length=30), nullable=False),
        sa.Column("advertised_sku", sa.String(length=200), nullable=True),
        sa.Column("impressions", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("clicks", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("cost", sa.Numeric(precision=14, scale=2), server_default="0", nullable=False),
        sa.Column("sales_1d", sa.Numeric(precision=14, scale=2), server_default="0", nullable=False),
        sa.Column("sales_7d", sa.Numeric(precision=14, scale=2), server_default="0", nullable=False),
        sa.Column("sales_14d", sa.Numeric(precision=14, scale=2), server_default="0", nullable=False),
        sa.Column("sales_30d", sa.Numeric(precision=14, scale=2), server_default="0", nullable=False),
        sa.Column("purchases_1d", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("purchases_7d", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("purchases_14d", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("purchases_30d", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("units_sold_1d", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("units_sold_7d", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("units_sold_14d", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("units_sold_30d", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("profile_id", sa.String(length=30), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("campaign_id", sa.String(length=30), nullable=False),
        sa.Column("ad_group_id", sa.String(length=30), nullable=False),
        sa.Column("advertised_asin", sa.String(length=20), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "profile_id"],
            ["ads_profiles.tenant_id", "ads_profiles.profile_id"],
            name=op.f("fk_ads_sp_advertised_product_daily_tenant_id_ads_profiles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_ads_sp_advertised_product_daily_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ads_sp_advertised_product_daily")),
        sa.UniqueConstraint(
            "tenant_id", "profile_id", "date", "ad_id", name="uq_ads_sp_advertised_product_daily_key"
        ),
    )
    op.create_index(
        "ix_ads_sp_advertised_product_daily_tenant_profile_asin_date",
        "ads_sp_advertised_product_daily",
        ["tenant_id", "profile_id", "advertised_asin", "date"],
        unique=False,
    )
    op.create_table(
        "ads_sp_purchased_product_daily",
        sa.Column("advertised_asin", sa.String(length=20), nullable=False),
        sa.Column("advertised_sku", sa.String(length=200), server_default=sa.text("''"), nullable=False),
        sa.Column("purchased_asin", sa.String(length=20), nullable=False),
        sa.Column("sales_7d", sa.Numeric(precision=14, scale=2), server_default="0", nullable=False),
        sa.Column("sales_14d", sa.Numeric(precision=14, scale=2), server_default="0", nullable=False),
        sa.Column("purchases_7d", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("purchases_14d", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("units_7d", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("units_14d", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("profile_id", sa.String(length=30), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("campaign_id", sa.String(length=30), nullable=False),
        sa.Column("ad_group_id", sa.String(length=30), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "profile_id"],
            ["ads_profiles.tenant_id", "ads_profiles.profile_id"],
            name=op.f("fk_ads_sp_purchased_product_daily_tenant_id_ads_profiles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_ads_sp_purchased_product_daily_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ads_sp_purchased_product_daily")),
        sa.UniqueConstraint(
            "tenant_id",
            "profile_id",
            "date",
            "campaign_id",
            "ad_group_id",
            "advertised_asin",
            "advertised_sku",
            "purchased_asin",
            name="uq_ads_sp_purchased_product_daily_key",
        ),
    )
    op.create_table(
        "feed_documents",
        sa.Column("feed_id", sa.UUID(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("amazon_document_id", sa.String(length=200), nullable=True),
        sa.Column("storage_key", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.CheckConstraint("role IN ('input', 'result')", name=op.f("ck_feed_documents_role")),
        sa.ForeignKeyConstraint(
            ["feed_id"], ["feeds.id"], name=op.f("fk_feed_documents_feed_id_feeds"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_feed_documents_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_documents")),
        sa.UniqueConstraint(
            "tenant_id", "feed_id", "role", name=op.f("uq_feed_documents_tenant_id_feed_id_role")
        ),
    )
    op.create_index(op.f("ix_feed_documents_feed_id"), "feed_documents", ["feed_id"], unique=False)
    op.create_table(
        "order_items",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("amazon_order_id", sa.String(length=50), nullable=False),
        sa.Column("order_item_id", sa.String(length=50), nullable=True),
        sa.Column("line_key", sa.Text(), nullable=False),
        sa.Column("asin", sa.String(length=20), nullable=True),
        sa.Column("seller_sku", sa.String(length=200), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("quantity_ordered", sa.Integer(), server_default="0", nullable=False),
        sa.Column("quantity_shipped", sa.Integer(), nullable=True),
        sa.Column("item_price", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("item_tax", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("shipping_price", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("shipping_tax", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("promotion_discount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column(
            "raw",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "first_seen_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_order_items_connection_id_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_items_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_order_items_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_items")),
        sa.UniqueConstraint(
            "tenant_id", "order_id", "line_key", name=op.f("uq_order_items_tenant_id_order_id_line_key")
        ),
    )
    op.create_index(op.f("ix_order_items_order_id"), "order_items", ["order_id"], unique=False)
    op.create_index("ix_order_items_tenant_asin", "order_items", ["tenant_id", "asin"], unique=False)
    op.create_table(
        "reports",
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("report_type", sa.String(length=100), nullable=False),
        sa.Column(
            "marketplace_ids",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("data_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("data_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "options",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("amazon_report_id", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), server_default=sa.text("'pending'"), nullable=False),
        sa.Column("processing_status", sa.String(length=20), nullable=True),
        sa.Column("document_id", sa.String(length=200), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("requested_by_user_id", sa.UUID(), nullable=True),
        sa.Column("via", sa.String(length=20), server_default=sa.text("'report'"), nullable=False),
        sa.Column("job_id", sa.UUID(), nullable=True),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'processing', 'done', 'cancelled', 'fatal', 'error')",
            name=op.f("ck_reports_status"),
        ),
        sa.CheckConstraint("via IN ('report', 'datakiosk')", name=op.f("ck_reports_via")),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_reports_connection_id_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_reports_job_id_jobs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_user_id"],
            ["users.id"],
            name=op.f("fk_reports_requested_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_reports_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint(
            "tenant_id",
            "connection_id",
            "amazon_report_id",
            name=op.f("uq_reports_tenant_id_connection_id_amazon_report_id"),
        ),
    )
    op.create_index(
        "ix_reports_connection_type_status",
        "reports",
        ["connection_id", "report_type", "status"],
        unique=False,
    )
    op.create_index("ix_reports_tenant_created", "reports", ["tenant_id", "created_at"], unique=False)
    op.create_table(
        "datakiosk_queries",
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("report_id", sa.UUID(), nullable=True),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("amazon_query_id", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), server_default=sa.text("'pending'"), nullable=False),
        sa.Column("processing_status", sa.String(length=20), nullable=True),
        sa.Column("document_id", sa.String(length=200), nullable=True),
        sa.Column("storage_key", sa.Text(), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'processing', 'done', 'cancelled', 'fatal', 'error')",
            name=op.f("ck_datakiosk_queries_status"),
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_datakiosk_queries_connection_id_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_datakiosk_queries_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_datakiosk_queries_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datakiosk_queries")),
        sa.UniqueConstraint(
            "tenant_id",
            "connection_id",
            "amazon_query_id",
            name=op.f("uq_datakiosk_queries_tenant_id_connection_id_amazon_query_id"),
        ),
    )
    op.create_index(
        op.f("ix_datakiosk_queries_connection_id"), "datakiosk_queries", ["connection_id"], unique=False
    )
    op.create_index(op.f("ix_datakiosk_queries_report_id"), "datakiosk_queries", ["report_id"], unique=False)
    op.create_index(
        "ix_datakiosk_queries_tenant_created", "datakiosk_queries", ["tenant_id", "created_at"], unique=False
    )
    op.create_table(
        "report_documents",
        sa.Column("report_id", sa.UUID(), nullable=False),
        sa.Column("amazon_document_id", sa.String(length=200), nullable=False),
        sa.Column("storage_key", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("compression", sa.String(length=20), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_documents_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_report_documents_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_documents")),
        sa.UniqueConstraint(
            "tenant_id",
            "report_id",
            "amazon_document_id",
            name=op.f("uq_report_documents_tenant_id_report_id_amazon_document_id"),
        ),
    )
    op.create_index(op.f("ix_report_documents_report_id"), "report_documents", ["report_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_report_documents_report_id"), table_name="report_documents")
    op.drop_table("report_documents")
    op.drop_index("ix_datakiosk_queries_tenant_created", table_name="datakiosk_queries")
    op.drop_index(op.f("ix_datakiosk_queries_report_id"), table_name="datakiosk_queries")
    op.drop_index(op.f("ix_datakiosk_queries_connection_id"), table_name="datakiosk_queries")
    op.drop_table("datakiosk_queries")
    op.drop_index("ix_reports_tenant_created", table_name="reports")
    op.drop_index("ix_reports_connection_type_status", table_name="reports")
    op.drop_table("reports")
    op.drop_index("ix_order_items_tenant_asin", table_name="order_items")
    op.drop_index(op.f("ix_order_items_order_id"), table_name="order_items")
    op.drop_table("order_items")
    op.drop_index(op.f("ix_feed_documents_feed_id"), table_name="feed_documents")
    op.drop_table("feed_documents")
    op.drop_table("ads_sp_purchased_product_daily")
    op.drop_index(
        "ix_ads_sp_advertised_product_daily_tenant_profile_asin_date",
        table_name="ads_sp_advertised_product_daily",
    )
    op.drop_table("ads_sp_advertised_product_daily")
    op.drop_table("ads_campaigns")
    op.drop_index("ix_ads_ads_tenant_profile_ad_group", table_name="ads_ads")
    op.drop_table("ads_ads")
    op.drop_index("ix_ads_ad_groups_tenant_profile_campaign", table_name="ads_ad_groups")
    op.drop_table("ads_ad_groups")
    op.drop_table("tokens")
    op.drop_index(op.f("ix_sync_state_next_run_at"), table_name="sync_state")
    op.drop_index(op.f("ix_sync_state_connection_id"), table_name="sync_state")
    op.drop_table("sync_state")
    op.drop_index("ix_orders_tenant_status_purchase_date", table_name="orders")
    op.drop_index("ix_orders_tenant_purchase_date", table_name="orders")
    op.drop_index("ix_orders_tenant_marketplace_purchase_date", table_name="orders")
    op.drop_index("ix_orders_connection_marketplace_last_update", table_name="orders")
    op.drop_table("orders")
    op.drop_index(
        op.f("ix_notification_subscriptions_subscription_id"), table_name="notification_subscriptions"
    )
    op.drop_index(
        op.f("ix_notification_subscriptions_connection_id"), table_name="notification_subscriptions"
    )
    op.drop_table("notification_subscriptions")
    op.drop_index("ix_jobs_tenant_created", table_name="jobs")
    op.drop_index("ix_jobs_status_created", table_name="jobs")
    op.drop_index("ix_jobs_connection_created", table_name="jobs")
    op.drop_table("jobs")
    op.drop_index("ix_feeds_tenant_created", table_name="feeds")
    op.drop_index(op.f("ix_feeds_connection_id"), table_name="feeds")
    op.drop_table("feeds")
    op.drop_index(op.f("ix_ads_profiles_connection_id"), table_name="ads_profiles")
    op.drop_table("ads_profiles")
    op.drop_index(op.f("ix_user_sessions_user_id"), table_name="user_sessions")
    op.drop_index(op.f("ix_user_sessions_expires_at"), table_name="user_sessions")
    op.drop_table("user_sessions")
    op.drop_index(op.f("ix_memberships_user_id"), table_name="memberships")
    op.drop_table("memberships")
    op.drop_index(op.f("ix_connections_parent_connection_id"), table_name="connections")
    op.drop_table("connections")
    op.drop_index("ix_audit_logs_tenant_created", table_name="audit_logs")
    op.drop_index(op.f("ix_audit_logs_actor_user_id"), table_name="audit_logs")
    op.drop_table("audit_logs")
    op.drop_table("worker_heartbeats")
    op.drop_index("uq_users_email_lower", table_name="users")
    op.drop_table("users")
    op.drop_table("tenants")
    op.drop_table("notification_destinations")
    op.drop_index("ix_app_secrets_client_created", table_name="app_secrets")
    op.drop_table("app_secrets")
