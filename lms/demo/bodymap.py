"""Pure helpers linking the body-map referral zones to the demo muscle groups."""

from __future__ import annotations

from lms.demo.content import MUSCLE_GROUPS, REFERRAL_ZONES, ReferralZone

VIEWS: tuple[str, ...] = ("front", "back")


def zones_for_view(view: str) -> list[ReferralZone]:
    """Referral zones drawn on the given figure view ("front" or "back"), in map order."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; expected one of {VIEWS}")
    return [zone for zone in REFERRAL_ZONES if view in zone.views]


def zone_by_slug(zone_slug: str) -> ReferralZone | None:
    """The referral zone with this slug, or None."""
    return next((zone for zone in REFERRAL_ZONES if zone.slug == zone_slug), None)


def muscles_for_zone(zone_slug: str) -> list[str]:
    """Slugs of the muscle groups whose trigger points refer to this zone, in catalogue order."""
    return [m.slug for m in MUSCLE_GROUPS if zone_slug in m.referral_zones]
