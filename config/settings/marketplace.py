"""The marketplace shared by the network: service providers and vacation rentals."""

from config.env import env

# Minutes a guest's dates stay held while they pay; Stripe's shortest Checkout expiry is 30.
RENTALS_HOLD_MINUTES = env.int("RENTALS_HOLD_MINUTES", default=30)
# Transient occupancy tax for cities without their own rule (rentals.CityRule, admin-edited).
RENTALS_DEFAULT_OCCUPANCY_TAX_PERCENT = env("RENTALS_DEFAULT_OCCUPANCY_TAX_PERCENT", default="0")
# The platform's share of each booking's rent and cleaning fee, kept from the host's payout.
RENTALS_PLATFORM_FEE_PERCENT = env("RENTALS_PLATFORM_FEE_PERCENT", default="3")
# Guest search from the in-memory index (rentals/availability.py); off: SQL only (the
# benchmark compares, docs/benchmarks.md).
RENTALS_SEARCH_INDEX = env.bool("RENTALS_SEARCH_INDEX", default=True)
# How often hosts' imported calendars (Airbnb, VRBO iCal feeds) are read again.
RENTALS_ICAL_REFRESH_MINUTES = env.int("RENTALS_ICAL_REFRESH_MINUTES", default=30)
RENTALS_ICAL_TIMEOUT_SECONDS = env.int("RENTALS_ICAL_TIMEOUT_SECONDS", default=10)
# Feeds on loopback/private addresses are refused in production (server-side request forgery).
RENTALS_ICAL_ALLOW_PRIVATE_HOSTS = env.bool("RENTALS_ICAL_ALLOW_PRIVATE_HOSTS", default=False)
# At most this many providers get each request; each gets this many a month without a plan.
PROVIDERS_PER_REQUEST = env.int("PROVIDERS_PER_REQUEST", default=3)
PROVIDERS_FREE_MONTHLY_REQUESTS = env.int("PROVIDERS_FREE_MONTHLY_REQUESTS", default=10)
