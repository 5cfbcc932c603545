"""Fare calculation (pricing-service): surge is capped so a manipulated demand signal cannot price rides absurdly."""

MAX_SURGE = 3.0


def fare(base_cents: int, per_km_cents: int, km: float, surge: float) -> int:
    surge = min(max(surge, 1.0), MAX_SURGE)
    return round((base_cents + per_km_cents * km) * surge)
