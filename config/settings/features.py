"""Product features, and which are built: a feature whose issue has not landed is hidden, in one
place.

A feature switched off here shows no link, button, page section, plan line or plan that sells
it (templates read ``features.<name>``, code calls ``config.features.feature_on``). The
engineer who lands a feature's issue turns it on here, in the same commit, and nothing else
needs to change: the crawl test (tests/test_crawl.py) then checks its links answer.
"""

FEATURES: dict[str, bool] = {
    # Issue 12 (landed): the chat assistant (home-page chat panel, "Ask about this home", chat
    # allowances in plans and usage meters, "chats become leads").
    "chat": True,
    # Issue 13 (landed): CMA reports ("Generate CMA" on listings, CMA allowances, the Investor 1
    # and 2 plans, "instant home valuations").
    "cma": True,
    # Issue 16: the investor's portfolio (/invest/portfolio/, Investor 2 and up): homes owned,
    # revalued after each closed-sales sync, value alerts, CSV import/export.
    "portfolio": True,
    # Issue 16: deal analysis (listing pages, /invest/analyze/, saved analyses, PDF) and market
    # trends (/invest/trends/), Investor 1 and up.
    "deal_analysis": True,
    "market_trends": True,
    # Issue 16: 2-4 listings side by side (/invest/compare/), Investor 2 and up.
    "comparison": True,
    # Issue 16, Investor 3: the Investor API (/api/invest/...: deal analysis, rent estimate,
    # market trends; calls counted against the plan) and the investor's own logo on reports.
    "investor_api": True,
    "white_label_reports": True,
    # Issue 16: advanced search filters (HOA, land lease, days on market, $/sq ft, year built,
    # lot size, drawn area) for Pro and up, in the API, search/map pages, saved searches, chat.
    "advanced_filters": True,
    # Issue 14 (landed): an agent site on the agent's own domain (DNS TXT verification, apex and
    # www, TLS by Caddy's on-demand ask), managed from the network dashboard.
    "custom_domains": True,
    # Issue 15: the agent's CRM at /crm/ on the agent's site (pipeline, leads, clients, CSV).
    "crm": True,
    # Issue 15: the analytics dashboard (events, daily rollups, charts).
    "analytics": True,
}
