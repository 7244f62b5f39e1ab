"""Production settings, plus what the benchmarks need: the plain view's URL, and demo data in their own databases.

Secrets and services come from the environment as in production; the bench
scripts set them (see bench/benchlib.py, `django_env`).
"""

from groepswijzer.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.web.urls"
# The benchmarks load the demo and generated data into databases they create and drop themselves.
GROEPSWIJZER_ALLOW_DEMO = True
