"""Settings for the billing browser test's server: the test settings, with /billing/ mounted
(``billing.tests.urls``) whether or not the project's URLconfs include it yet. Stripe keys
and the fake's address come from the environment like everywhere else."""

from config.settings.test import *  # noqa: F403

ROOT_URLCONF = "billing.tests.urls"
PUBLIC_SCHEMA_URLCONF = "billing.tests.urls"
