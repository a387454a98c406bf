"""A local fake of Groq's chat completions API (OpenAI-compatible), see ``server.py``."""
