"""MLS feeds (Spark API / RESO Web API). The local fake Spark server stands in for dev and CI."""

from config.env import env

SPARK_BASE_URL = env("SPARK_BASE_URL", default="http://127.0.0.1:8765")
SPARK_GPS_API_KEY = env("SPARK_GPS_API_KEY", default="")
SPARK_CRMLS_API_KEY = env("SPARK_CRMLS_API_KEY", default="")
SPARK_USER_AGENT = env("SPARK_USER_AGENT", default="ChatRealty/1.0")
