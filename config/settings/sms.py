"""SMS alerts through a provider interface; ``console`` logs messages instead of sending."""

from config.env import env

SMS_BACKEND = env("SMS_BACKEND", default="console")
SMS_API_KEY = env("SMS_API_KEY", default="")
