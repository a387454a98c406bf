"""Development tools: local fakes of outside services, synthetic data and the demo loader.

One sub-package per outside service (``spark``, ``stripe``, and the coming ``groq``,
``geocode``, ``reso``), plus ``synthetic`` (generated listing documents for tests and
benchmarks) and ``demo`` (the demo network). Tests, benchmarks, ``platform/demo.sh`` and the
``demo*`` management commands use them; production code never imports this package
(``tests/test_architecture.py`` checks it) and the production image leaves it out.
"""
