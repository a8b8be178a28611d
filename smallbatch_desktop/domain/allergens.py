"""Allergen vocabularies: EU 1169/2011 Annex II (14) and the US major food allergens (9)."""

from __future__ import annotations

#: key -> display name; the keys are what materials store
EU_ALLERGENS: dict[str, str] = {
    "gluten": "Cereals containing gluten",
    "crustaceans": "Crustaceans",
    "eggs": "Eggs",
    "fish": "Fish",
    "peanuts": "Peanuts",
    "soybeans": "Soybeans",
    "milk": "Milk",
    "nuts": "Nuts",
    "celery": "Celery",
    "mustard": "Mustard",
    "sesame": "Sesame seeds",
    "sulphites": "Sulphur dioxide and sulphites",
    "lupin": "Lupin",
    "molluscs": "Molluscs",
}

US_ALLERGENS: dict[str, str] = {
    "milk": "Milk",
    "eggs": "Eggs",
    "fish": "Fish",
    "crustaceans": "Crustacean shellfish",
    "nuts": "Tree nuts",
    "peanuts": "Peanuts",
    "wheat": "Wheat",
    "soybeans": "Soybeans",
    "sesame": "Sesame",
}

ALL_ALLERGENS: dict[str, str] = {**EU_ALLERGENS, **US_ALLERGENS}


def normalize_allergens(text: str) -> str:
    """Comma list -> sorted, de-duplicated, lower-case keys. Unknown words are kept."""
    items = {a.strip().lower() for a in (text or "").replace(";", ",").split(",")}
    return ",".join(sorted(a for a in items if a))
