"""Fake but realistic buyers and shipping addresses, derived from an order's ``pii_seed`` on demand.

Nothing here is stored: the same order always yields the same buyer, and 100,000 orders cost no PII memory.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from amazon_emulator.data.models import Order

_FIRST = {
    "en": ("James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Emily",
           "Daniel", "Sarah", "Chris", "Olivia", "Kevin", "Grace", "Brian", "Chloe", "Ethan", "Hannah"),
    "pt": ("João", "Maria", "Pedro", "Ana", "Lucas", "Juliana", "Gabriel", "Fernanda", "Rafael", "Camila",
           "Mateus", "Beatriz", "Thiago", "Larissa", "Bruno", "Carolina"),
    "es": ("José", "María", "Luis", "Guadalupe", "Carlos", "Sofía", "Juan", "Fernanda", "Miguel", "Valeria",
           "Alejandro", "Ximena", "Diego", "Daniela", "Jorge", "Regina"),
}  # fmt: skip
_LAST = {
    "en": ("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor", "Clark",
           "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams"),
    "pt": ("Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima",
           "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho"),
    "es": ("Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez",
           "Cruz", "Flores", "Gómez", "Morales", "Vázquez"),
}  # fmt: skip
_STREETS = {
    "en": ("Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Pine St", "Elm St", "Lakeview Rd", "Hillcrest Ave",
           "Sunset Blvd", "River Rd", "Park Ave", "Washington St"),
    "pt": ("Rua das Flores", "Avenida Paulista", "Rua Augusta", "Rua XV de Novembro", "Avenida Brasil",
           "Rua da Consolação", "Rua Oscar Freire"),
    "es": ("Avenida Reforma", "Calle Hidalgo", "Calle Morelos", "Avenida Juárez", "Calle Madero",
           "Avenida Insurgentes", "Calle Allende"),
}  # fmt: skip
# country -> (language, [(city, state, postal prefix/format)], phone prefix)
_PLACES: dict[str, tuple[str, tuple[tuple[str, str, str], ...], str]] = {
    "US": ("en", (("Seattle", "WA", "981##"), ("Austin", "TX", "787##"), ("Denver", "CO", "802##"),
                  ("Columbus", "OH", "432##"), ("Miami", "FL", "331##"), ("Portland", "OR", "972##"),
                  ("Chicago", "IL", "606##"), ("Brooklyn", "NY", "112##")), "+1 206-555-"),
    "CA": ("en", (("Toronto", "ON", "M5V #A#"), ("Vancouver", "BC", "V6B #C#"), ("Calgary", "AB", "T2P #B#"),
                  ("Montreal", "QC", "H3B #K#"), ("Ottawa", "ON", "K1P #E#")), "+1 416-555-"),
    "MX": ("es", (("Ciudad de México", "CDMX", "06###"), ("Guadalajara", "JAL", "44###"),
                  ("Monterrey", "NL", "64###"), ("Puebla", "PUE", "72###")), "+52 55 5555 "),
    "BR": ("pt", (("São Paulo", "SP", "01###-###"), ("Rio de Janeiro", "RJ", "20###-###"),
                  ("Belo Horizonte", "MG", "30###-###"), ("Curitiba", "PR", "80###-###"),
                  ("Porto Alegre", "RS", "90###-###")), "+55 11 5555-"),
}  # fmt: skip
_DEFAULT_PLACE = ("en", (("Springfield", "", "#####"),), "+1 555-555-")
_COMPANIES = ("Acme Supplies LLC", "Northwind Traders", "Globex Corp", "Initech Inc", "Umbrella Retail")


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    phone: str
    address_line1: str
    address_line2: str | None
    city: str
    state: str
    postal_code: str
    country_code: str
    address_type: str  # Residential | Commercial
    company: str | None
    county: str | None


def _postal(rng: random.Random, pattern: str) -> str:
    out = []
    for ch in pattern:
        if ch == "#":
            out.append(str(rng.randrange(10)))
        else:
            out.append(ch)
    return "".join(out)


def person_for(order: Order, country_code: str, domain: str) -> Person:
    """The buyer (who is also the recipient) of ``order``, deterministic from its ``pii_seed``."""
    rng = random.Random(order.pii_seed)
    lang, places, phone_prefix = _PLACES.get(country_code, _DEFAULT_PLACE)
    first, last = rng.choice(_FIRST[lang]), rng.choice(_LAST[lang])
    city, state, postal_pattern = rng.choice(places)
    number = rng.randrange(1, 9999)
    street = rng.choice(_STREETS[lang])
    line1 = f"{street}, {number}" if lang in ("pt", "es") else f"{number} {street}"
    line2 = f"Apt {rng.randrange(1, 40)}" if rng.random() < 0.25 else None
    company = rng.choice(_COMPANIES) if order.is_business else None
    email_local = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(16))
    market_domain = domain.removeprefix("www.")
    return Person(
        name=f"{first} {last}",
        email=f"{email_local}@marketplace.{market_domain}",
        phone=f"{phone_prefix}{rng.randrange(1000, 9999)}",
        address_line1=line1,
        address_line2=line2,
        city=city,
        state=state,
        postal_code=_postal(rng, postal_pattern),
        country_code=country_code,
        address_type="Commercial" if company else "Residential",
        company=company,
        county=None,
    )
