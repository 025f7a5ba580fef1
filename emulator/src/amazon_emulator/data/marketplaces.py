"""Marketplaces the emulator knows (official ids), with currency, language and Seller Central domain."""

from __future__ import annotations

from amazon_emulator.data.models import Marketplace

_M = Marketplace

MARKETPLACES: dict[str, Marketplace] = {
    m.marketplace_id: m
    for m in (
        _M("ATVPDKIKX0DER", "US", "Amazon.com", "USD", "en_US", "www.amazon.com", "Amazon.com"),
        _M("A2EUQ1WTGCTBG2", "CA", "Amazon.ca", "CAD", "en_CA", "www.amazon.ca", "Amazon.ca"),
        _M("A1AM78C64UM0Y8", "MX", "Amazon.com.mx", "MXN", "es_MX", "www.amazon.com.mx", "Amazon.com.mx"),
        _M("A2Q3Y263D00KWC", "BR", "Amazon.com.br", "BRL", "pt_BR", "www.amazon.com.br", "Amazon.com.br"),
        _M("A1F83G8C2ARO7P", "GB", "Amazon.co.uk", "GBP", "en_GB", "www.amazon.co.uk", "Amazon.co.uk"),
        _M("A1PA6795UKMFR9", "DE", "Amazon.de", "EUR", "de_DE", "www.amazon.de", "Amazon.de"),
        _M("A13V1IB3VIYZZH", "FR", "Amazon.fr", "EUR", "fr_FR", "www.amazon.fr", "Amazon.fr"),
        _M("APJ6JRA9NG5V4", "IT", "Amazon.it", "EUR", "it_IT", "www.amazon.it", "Amazon.it"),
        _M("A1RKKUPIHCS9HS", "ES", "Amazon.es", "EUR", "es_ES", "www.amazon.es", "Amazon.es"),
        _M("A1VC38T7YXB528", "JP", "Amazon.co.jp", "JPY", "ja_JP", "www.amazon.co.jp", "Amazon.co.jp"),
        _M("A39IBJ37TRP1C6", "AU", "Amazon.com.au", "AUD", "en_AU", "www.amazon.com.au", "Amazon.com.au"),
    )
}

BY_COUNTRY = {m.country_code: m for m in MARKETPLACES.values()}

# Rough price multipliers from a USD base price, so prices look local.
PRICE_FACTOR = {
    "USD": 1.0,
    "CAD": 1.37,
    "MXN": 17.5,
    "BRL": 5.4,
    "GBP": 0.8,
    "EUR": 0.93,
    "JPY": 150.0,
    "AUD": 1.5,
}


def resolve(codes_or_ids: list[str]) -> list[Marketplace]:
    """Marketplaces from ids or country codes (``"US"``); raises ``KeyError`` for unknown ones."""
    out: list[Marketplace] = []
    for value in codes_or_ids:
        market = MARKETPLACES.get(value) or BY_COUNTRY.get(value.upper())
        if market is None:
            raise KeyError(value)
        if market not in out:
            out.append(market)
    return out
