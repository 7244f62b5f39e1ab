"""Sets Django up in a benchmark's child process, from the environment its parent gave it.

Import it before anything that needs the settings or the models:

    import bench.django_setup  # noqa: F401

    # isort: split
    from booking.models import ...
"""

import django

django.setup()
