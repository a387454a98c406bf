"""The chat assistant's model: ``offline`` (deterministic, no key; the default) or ``groq``.

With ``groq`` and no ``GROQ_API_KEY`` the assistant stays offline (and says so in the log);
while Groq fails, a circuit breaker answers offline too (chat/clients.py)."""

from config.env import env

LLM_BACKEND = env("LLM_BACKEND", default="offline")
GROQ_API_KEY = env("GROQ_API_KEY", default="")
GROQ_BASE_URL = env("GROQ_BASE_URL", default="")
GROQ_MODEL = env("GROQ_MODEL", default="openai/gpt-oss-120b")
# Seconds to connect, and to wait between two streamed chunks (a hang ends there).
GROQ_CONNECT_TIMEOUT = env.float("GROQ_CONNECT_TIMEOUT", default=3.0)
GROQ_READ_TIMEOUT = env.float("GROQ_READ_TIMEOUT", default=20.0)
# Retries of a request that failed before streaming (429 and 5xx, honouring retry-after).
GROQ_MAX_RETRIES = env.int("GROQ_MAX_RETRIES", default=2)
# Connections to Groq per worker process: one per stream open at once. The SDK's default (100)
# queued every stream past the hundredth behind a finished one (seconds before its first token).
GROQ_MAX_CONNECTIONS = env.int("GROQ_MAX_CONNECTIONS", default=1000)
# Of those, how many are kept open when idle for the next streams (httpx's keep-alive pool; a
# new connection to Groq costs a TCP and TLS handshake on the path to the first token).
GROQ_KEEPALIVE_CONNECTIONS = env.int("GROQ_KEEPALIVE_CONNECTIONS", default=200)
# Consecutive failures that open the circuit, and how long it stays open (offline answers).
CHAT_BREAKER_FAILURES = env.int("CHAT_BREAKER_FAILURES", default=3)
CHAT_BREAKER_SECONDS = env.float("CHAT_BREAKER_SECONDS", default=30.0)
# Model round trips per message (each may call tools), and tool calls per round trip.
CHAT_MAX_STEPS = env.int("CHAT_MAX_STEPS", default=4)
CHAT_MAX_TOOL_CALLS = env.int("CHAT_MAX_TOOL_CALLS", default=4)
CHAT_MAX_MESSAGE_CHARS = env.int("CHAT_MAX_MESSAGE_CHARS", default=2000)
# Messages per minute from one address or account (security/policy.py, the "chat" row).
CHAT_RATE_PER_MINUTE = env.int("CHAT_RATE_PER_MINUTE", default=20)

# CMA narrative by a language model (cma/narrative.py): a dotted path, empty = the template.
CMA_NARRATOR = env("CMA_NARRATOR", default="")
