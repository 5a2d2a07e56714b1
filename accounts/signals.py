from allauth.account.signals import user_signed_up
from django.dispatch import receiver

from accounts.middleware import browser_zone_name


@receiver(user_signed_up, dispatch_uid="accounts.zone_from_browser")
def take_the_browsers_zone(sender, request, user, **kwargs):
    """A new account (email or social) starts in the zone the visitor's browser reported,
    so the times they saw before signing up do not jump; they can change it in settings."""
    zone = browser_zone_name(request)
    if zone and zone != user.time_zone:
        user.time_zone = zone
        user.save(update_fields=["time_zone"])
