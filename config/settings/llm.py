"""The chat assistant's model: ``offline`` (deterministic, no key) or ``groq``."""

from config.env import env

LLM_BACKEND = env("LLM_BACKEND", default="offline")
GROQ_API_KEY = env("GROQ_API_KEY", default="")
GROQ_BASE_URL = env("GROQ_BASE_URL", default="")
GROQ_MODEL = env("GROQ_MODEL", default="llama-3.3-70b-versatile")
