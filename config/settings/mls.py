"""MLS feeds (Spark API / RESO Web API). The local fake Spark server stands in for dev and CI."""

from config.env import env

SPARK_BASE_URL = env("SPARK_BASE_URL", default="http://127.0.0.1:8765")
SPARK_GPS_API_KEY = env("SPARK_GPS_API_KEY", default="")
SPARK_CRMLS_API_KEY = env("SPARK_CRMLS_API_KEY", default="")
SPARK_USER_AGENT = env("SPARK_USER_AGENT", default="ChatRealty/1.0")
SPARK_GPS_MLS_ID = env("SPARK_GPS_MLS_ID", default="gps")
SPARK_CRMLS_MLS_ID = env("SPARK_CRMLS_MLS_ID", default="crmls")

MLS_SOURCES = {
    "gps": {
        "kind": "spark",
        "base_url": SPARK_BASE_URL,
        "api_key": SPARK_GPS_API_KEY,
        "mls_id": SPARK_GPS_MLS_ID,
        "user_agent": SPARK_USER_AGENT,
    },
    "crmls": {
        "kind": "spark",
        "base_url": SPARK_BASE_URL,
        "api_key": SPARK_CRMLS_API_KEY,
        "mls_id": SPARK_CRMLS_MLS_ID,
        "user_agent": SPARK_USER_AGENT,
    },
}
# The 2dsphere index serves ad-hoc geo queries on MongoDB Atlas; search itself runs on the
# read model, and SecantusDB orders $near wrongly, so dev and CI may skip its ~35 s build.
MLS_GEO_INDEX = env.bool("MLS_GEO_INDEX", default=True)
